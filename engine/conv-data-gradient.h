/* A convolution's data gradient on the GEMM engine: transposed convolution's forward pass and
 * convolution's backward data. See conv-data-gradient.c. */
#ifndef TSR_ENGINE_CONV_DATA_GRADIENT_H
#define TSR_ENGINE_CONV_DATA_GRADIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/gemm.h"
#include "kernels/reference/conv-reference.h"
#include "tessera.h"

/// The weights as the GEMM's B, packed at creation: per group, [oc / groups] x [ic / groups x
/// taps] (w's own order: each output channel's row of every input channel's taps).
struct tsr_conv_data_gradient {
  size_t groups;
  struct tsr_gemm_packed_b* packed; /* groups of them, or NULL */
  const float* weights;             /* w itself (the op's copy), for 1x1 layers into plain dx */
};

/// Packs w [oc][ic / groups][taps] of a convolution with those counts, and keeps w's address (w
/// must outlive d). Returns success, out_of_memory or invalid_parameter (sizes), naming `where`;
/// on failure nothing is held.
tsr_status tsr_conv_data_gradient_init(struct tsr_conv_data_gradient* d, size_t oc, size_t ic, size_t groups,
                                       size_t taps, const float* w, const char* where);

/// Frees the packed weights (a zeroed struct is a no-op).
void tsr_conv_data_gradient_release(struct tsr_conv_data_gradient* d);

/// Whether g is a 1x1 convolution at stride 1 without padding: every output position reads the
/// input position of the same index, so x (or dx) is its own im2col matrix.
bool tsr_conv_geometry_pointwise(const struct tsr_conv_geometry* g);

/// Whether dy and dx of geometry g are dense plain or dense nhwc tensors (the GEMM's operand
/// forms); other layouts run the reference loop.
bool tsr_conv_data_gradient_fits(const struct tsr_conv_geometry* g);

/// dx = activation(bias[i] + sum over the group's output channels o and taps k of w[o, i, k] *
/// dy[n, o, p], p * stride + k * dilation - pad landing on dx's position, + sum_scale * dx), for
/// every sample n and input channel i: tsr_reference_conv_backward_data_plane_f32's result,
/// summed in f32 (a GEMM over the output channels, then each tap's products added into dx).
/// d: g's weights packed by tsr_conv_data_gradient_init; bias: NULL or ic values; activation:
/// NULL for none. g must fit (tsr_conv_data_gradient_fits). Returns success, or out_of_memory
/// naming `where` (dx untouched unless the GEMM's own scratch failed midway).
tsr_status tsr_conv_data_gradient_run(const struct tsr_conv_geometry* g, const float* dy,
                                      const struct tsr_conv_data_gradient* d, const float* bias,
                                      const tsr_activation* activation, float sum_scale, float* dx,
                                      tsr_threadpool* pool, const char* where);

/// The ISA of the GEMM kernels tsr_conv_data_gradient_run would use (for op descriptions).
const char* tsr_conv_data_gradient_isa(void);

#endif
