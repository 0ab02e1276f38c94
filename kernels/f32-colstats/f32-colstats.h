/* Column statistics for channels-last normalizations (group and instance norm on NHWC): over
 * `rows` rows of `channels` contiguous floats, `stride` floats apart (the pixels of one sample),
 * adds to sums[c] the sum of d = x[r][c] - origin[c] and to sums[channels + c] the sum of d^2,
 * one channel per lane. Per-channel origins near the channel's mean keep E[d^2] - E[d]^2 free of
 * cancellation as f32-rowstats' row origin does; engine/group-norm-nhwc.c moves the sums to the
 * group's origin in double afterwards.
 *
 * Each variant `ukernel` takes d, d^2 and the sums in double: each sum is as good as the double
 * accumulation of exact terms. Its `ukernel`_blocked form (f32-colstats-blocked-body.h; the
 * scalar variant's is the double one) takes d and d^2 in f32 and sums blocks of 16 rows as a tree
 * in f32 before carrying them in double: the sum of d is then within 5 x 2^-24 sum |d| of exact
 * (d's own rounding and four levels), the sum of d^2 within 7 x 2^-24 sum d^2 (d^2's two, the
 * product, the fused pair and three levels), to first order, while no d^2 or partial sum leaves
 * f32's range: a |d| past 2^63 makes the sums +-Inf or NaN, and d^2 under 2^-126 (subnormal) loses
 * its relative bound (an absolute error of 2^-149 a rounding), which the caller checks for. The
 * last channels past the vector chunks go one at a time in double in both forms.
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
               double* sums);                                                                    \
  void ukernel##_blocked(size_t rows, size_t channels, const float* x, size_t stride, const float* origin, \
                         double* sums);
#include "kernels/f32-colstats/f32-colstats.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_colstats_ukernels[];
extern const size_t tsr_f32_colstats_ukernel_count;
/// The variants' blocked forms, in the same order.
extern const struct tsr_ukernel_entry tsr_f32_colstats_blocked_ukernels[];

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
