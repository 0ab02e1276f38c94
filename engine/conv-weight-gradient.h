/* A convolution's weight and bias gradients on the GEMM engine (convolution backward's dW and
 * db). See conv-weight-gradient.c. */
#ifndef TSR_ENGINE_CONV_WEIGHT_GRADIENT_H
#define TSR_ENGINE_CONV_WEIGHT_GRADIENT_H

#include <stddef.h>

#include "kernels/reference/conv-reference.h"
#include "tessera.h"

/// dw[o, i, k] = the sum over samples n and output positions p of dy[n, o, p] *
/// x[n, i, p * stride + k * dilation - pad] (0 in the padding), i the group's input channels,
/// summed in f32 (a GEMM a group over bands of positions); db[o] = the sum of dy[n, o, :] in
/// double, when db is not NULL. g must fit tsr_conv_data_gradient_fits (dense plain or nhwc).
/// Returns success, or out_of_memory naming `where` (dw untouched unless the GEMM's own scratch
/// failed midway).
tsr_status tsr_conv_weight_gradient_run(const struct tsr_conv_geometry* g, const float* x, const float* dy, float* dw,
                                        float* db, tsr_threadpool* pool, const char* where);

#endif
