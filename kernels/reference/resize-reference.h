/* Reference padding and upsampling: each output element of a (sample, channel) plane computed
 * from the input plane directly, in double where it interpolates. */
#ifndef TSR_KERNELS_REFERENCE_RESIZE_H
#define TSR_KERNELS_REFERENCE_RESIZE_H

#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

/// A padding or resampling on concrete tensors, spatial dims padded to 3 (extent 1) outermost
/// first.
struct tsr_resize_geometry {
  size_t in[3], out[3];
  int64_t pad[3];              /* padding: elements added before the input */
  float value;                 /* padding: what the added elements hold */
  tsr_resampling_kind kind;    /* resampling */
  int align_corners;           /* resampling, linear */
  size_t x_n, x_c, x_s[3], y_n, y_c, y_s[3];
};

/// Pads channel c of sample n: y[p] = x[p - pad] inside the input, value elsewhere.
void tsr_reference_pad_plane_f32(const struct tsr_resize_geometry* g, const float* x, float* y,
                                 size_t n, size_t c);

/// The input neighbours of output position o along one dim (extents in, out) and the second
/// one's weight, by the rules below; nearest gives the one neighbour twice with weight 0.
struct tsr_resize_taps {
  size_t index[2];
  double weight; /* of index[1]; index[0] gets 1 - weight */
};
struct tsr_resize_taps tsr_reference_resize_taps(const struct tsr_resize_geometry* g, size_t in, size_t out,
                                                 size_t o);

/// Resamples channel c of sample n. Per spatial dim, output position o maps to the input
/// coordinate s = (o + 0.5) in / out - 0.5 (half-pixel centres), or s = o (in - 1) / (out - 1)
/// with align_corners (0 when out is 1). Nearest takes input min(floor((o + 0.5) in / out),
/// in - 1); linear weights the two neighbours floor(s) and floor(s) + 1 (clamped into the
/// input, s below 0 taken as 0) by their distance, dim by dim (bi-/trilinear).
void tsr_reference_upsample_plane_f32(const struct tsr_resize_geometry* g, const float* x,
                                      float* y, size_t n, size_t c);

#endif
