/* Column statistics for channels-last normalizations (group and instance norm on NHWC): over
 * `rows` rows of `channels` contiguous floats, `stride` floats apart (the pixels of one sample),
 * adds to sums[c] the sum of d = x[r][c] - origin[c] and to sums[channels + c] the sum of d^2,
 * in double, one channel per lane. The per-channel origins (a channel's first value) keep
 * E[d^2] - E[d]^2 free of cancellation as f32-rowstats' row origin does; engine/norm.c moves the
 * sums to the group's origin in double afterwards.
 *
 * Contract: rows, channels >= 1; stride >= channels; nothing outside the rows' channels, origin
 * and the 2 x channels sums is read or written. */
#ifndef TSR_KERNELS_F32_COLSTATS_H
#define TSR_KERNELS_F32_COLSTATS_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_colstats_ukernel_fn)(size_t rows, size_t channels, const float* x, size_t stride,
                                            const float* origin, double* sums);

#define TSR_UKERNEL(isa, ukernel, tile)                                                                \
  void ukernel(size_t rows, size_t channels, const float* x, size_t stride, const float* origin, \
               double* sums);
#include "kernels/f32-colstats/f32-colstats.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_colstats_ukernels[];
extern const size_t tsr_f32_colstats_ukernel_count;

/// Adds channels [start, channels) one at a time down the rows: the scalar variant and the vector
/// variants' last channels.
static inline void tsr_f32_colstats_tail(size_t start, size_t rows, size_t channels, const float* x, size_t stride,
                                         const float* origin, double* sums) {
  for (size_t c = start; c < channels; c++) {
    double s = 0.0, q = 0.0;
    for (size_t r = 0; r < rows; r++) {
      const double d = (double)x[r * stride + c] - (double)origin[c];
      s += d, q += d * d;
    }
    sums[c] += s, sums[channels + c] += q;
  }
}

#endif
