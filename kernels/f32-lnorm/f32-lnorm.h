/* The f32 layer-norm row kernel family: y = (x - mean) / sqrt(var + epsilon) * gamma + beta over
 * one contiguous row of n elements. The statistics are taken in double (the header's promise);
 * the vector variants take them in one pass, as sums of d = x - x[0] and d^2, and normalize in
 * f32 with the mean as a float pair, so each output is within 3 * 2^-23 of
 * |(x - mean) rstd gamma| + |beta| (tests/kernels/f32-lnorm-test.c); the scalar variant is the
 * double two-pass reference, rounded once.
 *
 * Contract: n >= 1; gamma and beta are n values each (the op supplies ones and zeros when the
 * user gave none); x and y either do not overlap or are the same pointer (in place: every pass
 * reads x before the last one writes y); no alignment required; nothing outside the n elements
 * is read or written. */
#ifndef TSR_KERNELS_F32_LNORM_H
#define TSR_KERNELS_F32_LNORM_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/f32-rowstats/f32-rowstats.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_lnorm_ukernel_fn)(size_t n, const float* x, const float* gamma, const float* beta,
                                         double epsilon, float* y);

#define TSR_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t n, const float* x, const float* gamma, const float* beta, double epsilon, float* y);
#include "kernels/f32-lnorm/f32-lnorm.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_lnorm_ukernels[];
extern const size_t tsr_f32_lnorm_ukernel_count;

/// What the vector variants share: from the sums of d = x - origin and d^2 over the row
/// (f32-rowstats), the mean as a float pair (high + low) and 1 / sqrt(var + epsilon).
struct tsr_f32_lnorm_statistics {
  float mean_high, mean_low, inverse;
};

static inline struct tsr_f32_lnorm_statistics tsr_f32_lnorm_statistics(size_t n, double origin, const double sums[2],
                                                                       double epsilon) {
  double shifted_mean, inverse;
  tsr_f32_rowstats_moments(n, sums, epsilon, &shifted_mean, &inverse);
  const double mean = origin + shifted_mean;
  struct tsr_f32_lnorm_statistics s;
  s.mean_high = (float)mean;
  s.mean_low = (float)(mean - (double)s.mean_high);
  s.inverse = (float)inverse;
  return s;
}

/// The normalization of elements [start, n) one at a time, as the vector loops do it.
static inline void tsr_f32_lnorm_normalize_tail(size_t start, size_t n, const float* x, const float* gamma,
                                                const float* beta, struct tsr_f32_lnorm_statistics s, float* y) {
  for (size_t i = start; i < n; i++) y[i] = __builtin_fmaf(((x[i] - s.mean_high) - s.mean_low) * s.inverse, gamma[i], beta[i]);
}

#endif
