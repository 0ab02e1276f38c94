/* Reference convolution: direct loops over every output element, kernel tap and input channel,
 * summed in double. The ground truth for every convolution path. */
#ifndef TSR_KERNELS_REFERENCE_CONV_H
#define TSR_KERNELS_REFERENCE_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

/// A convolution on concrete tensors, spatial dims padded to 3 (extent 1) outermost first.
struct tsr_conv_geometry {
  size_t n, ic, oc, groups;
  size_t in[3], out[3], kernel[3], stride[3], dilation[3];
  int64_t pad[3];                /* padding at the beginning of each spatial dim */
  size_t x_n, x_c, x_s[3];       /* element strides of x: sample, channel, spatial */
  size_t y_n, y_c, y_s[3];
};

/// Computes output channel `o` of sample `n`: every output position of that plane.
/// w: [oc][ic / groups][kernel d][h][w]; bias: NULL or oc values; activation: NULL for none.
/// With sum_scale != 0 the plane's previous values are added (scaled) before the activation.
void tsr_reference_conv_plane_f32(const struct tsr_conv_geometry* g, const float* x,
                                  const float* w, const float* bias,
                                  const tsr_activation* activation, float sum_scale, float* y,
                                  size_t n, size_t o);

/// Backward data: input channel `i` of sample `n` of dx, every position: the sum over the
/// group's output channels o and kernel taps k of w[o, i, k] * dy[n, o, p] where
/// p * stride + k * dilation - pad lands on the position. dy has the geometry's y strides.
/// This is also transposed convolution's forward pass, whose bias (NULL or ic values, indexed
/// by i), activation (NULL for none) and sum (as the forward plane's) it applies.
void tsr_reference_conv_backward_data_plane_f32(const struct tsr_conv_geometry* g,
                                                const float* dy, const float* w, const float* bias,
                                                const tsr_activation* activation, float sum_scale,
                                                float* dx, size_t n, size_t i);

/// Backward weights: dw[o, :, :] = the sum over samples and output positions of
/// dy[n, o, p] * x[n, i, p * stride + k * dilation - pad]; db[o] = the sum of dy[n, o, :]
/// when db is not NULL.
void tsr_reference_conv_backward_weights_f32(const struct tsr_conv_geometry* g, const float* x,
                                             const float* dy, float* dw, float* db, size_t o);

#endif
