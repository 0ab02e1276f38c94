/* A convolution's weight and bias gradients on the GEMM engine (convolution backward's dW and
 * db). See conv-weight-gradient.c. */
#ifndef TSR_ENGINE_CONV_WEIGHT_GRADIENT_H
#define TSR_ENGINE_CONV_WEIGHT_GRADIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/reference/conv-reference.h"
#include "tessera.h"

/// The weight gradient's working rows (im2col bands and, for nhwc of one group, the tap-major
/// result), allocated before the backward writes anything so that running out of memory leaves
/// every output untouched.
struct tsr_conv_weight_gradient_rows {
  float* cols;   /* [ic x taps][band] im2col rows, NULL when the GEMM reads x in place */
  float* by_tap; /* [oc][taps][ic], nhwc of one group; else NULL */
  size_t band;   /* output positions a GEMM takes */
  bool pointwise;
};

/// Allocates `rows` for g (g must fit tsr_conv_data_gradient_fits: dense plain or nhwc).
/// Returns success, or out_of_memory naming `where` (rows then holds nothing to release).
tsr_status tsr_conv_weight_gradient_reserve(const struct tsr_conv_geometry* g,
                                            struct tsr_conv_weight_gradient_rows* rows, const char* where);

/// Frees what reserve allocated; rows may be released twice.
void tsr_conv_weight_gradient_release(struct tsr_conv_weight_gradient_rows* rows);

/// dw[o, i, k] = the sum over samples n and output positions p of dy[n, o, p] *
/// x[n, i, p * stride + k * dilation - pad] (0 in the padding), i the group's input channels,
/// summed in f32 (a GEMM a group over bands of positions); db[o] = the sum of dy[n, o, :] in
/// double, when db is not NULL. `rows` comes from tsr_conv_weight_gradient_reserve for g.
/// Returns success, or out_of_memory naming `where` when the GEMM's own per-thread scratch
/// failed (dw then partly written).
tsr_status tsr_conv_weight_gradient_run(const struct tsr_conv_geometry* g,
                                        const struct tsr_conv_weight_gradient_rows* rows, const float* x,
                                        const float* dy, float* dw, float* db, tsr_threadpool* pool, const char* where);

#endif
