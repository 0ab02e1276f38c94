/* Row statistics for the normalizations: over n contiguous floats, the sums of d = x - origin and
 * of d^2, in double. Shifting by an origin near the mean (a row's first element) keeps
 * var = E[d^2] - E[d]^2 free of cancellation unless the origin is many deviations away.
 *
 * Contract: n >= 0 (0 gives zero sums); nothing outside x[0..n) is read. */
#ifndef TSR_KERNELS_F32_ROWSTATS_H
#define TSR_KERNELS_F32_ROWSTATS_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_rowstats_ukernel_fn)(size_t n, const float* x, double origin, double sums[2]);

#define TSR_UKERNEL(isa, ukernel, tile) void ukernel(size_t n, const float* x, double origin, double sums[2]);
#include "kernels/f32-rowstats/f32-rowstats.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_rowstats_ukernels[];
extern const size_t tsr_f32_rowstats_ukernel_count;

/// Adds elements [start, n) to the sums, one at a time: the scalar variant and the vector
/// variants' tails.
static inline void tsr_f32_rowstats_tail(size_t start, size_t n, const float* x, double origin, double sums[2]) {
  for (size_t i = start; i < n; i++) {
    const double d = (double)x[i] - origin;
    sums[0] += d, sums[1] += d * d;
  }
}

/// From the sums over n elements: the mean's offset from the origin (E[d]) and
/// 1 / sqrt(var + epsilon), var = E[d^2] - E[d]^2 (a rounding below 0 taken as 0), in double.
static inline void tsr_f32_rowstats_moments(size_t n, const double sums[2], double epsilon, double* shifted_mean,
                                            double* inverse) {
  const double m = sums[0] / (double)n, variance = sums[1] / (double)n - m * m;
  *shifted_mean = m;
  *inverse = 1.0 / __builtin_sqrt((variance > 0.0 ? variance : 0.0) + epsilon);
}

#endif
