/* Layer norm backward over one row of n contiguous floats, in two passes:
 *
 *   ukernel (the sums):  with d = x - origin and g = dy gamma, sums[0] += sum d, sums[1] += sum d^2,
 *                        sums[2] += sum g, sums[3] += sum g d
 *   ukernel##_dx:        dx = (rstd gamma) dy + b (x - mean) + k, and, when columns is not NULL,
 *                        columns[i] += dy (x - mean) rstd (dgamma's), columns[n + i] += dy (dbeta's)
 *
 * every term in double, dx rounded once to f32, as the reference backward evaluates it; only the
 * order of the double additions differs. engine/layer-norm-backward.c takes the origin at the
 * row's first element, so that the moments (mean = origin + E[d], var = E[d^2] - E[d]^2) and
 * sum g (x - mean) = sum g d - (mean - origin) sum g cancel no more than the shifted moments of
 * f32-rowstats do; then b = -rstd^3 sum g (x - mean) / n and k = -rstd sum g / n.
 *
 * Contract: n >= 0; nothing outside dy, x, gamma and dx [0, n), sums[0..4) and columns [0, 2n)
 * is read or written; dx may not alias dy or x. */
#ifndef TSR_KERNELS_F32_DLNORM_H
#define TSR_KERNELS_F32_DLNORM_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_dlnorm_ukernel_fn)(size_t n, const float* dy, const float* x, const float* gamma,
                                          double origin, double sums[4]);
typedef void (*tsr_f32_dlnorm_dx_ukernel_fn)(size_t n, const float* dy, const float* x, const float* gamma,
                                             double mean, double rstd, double b, double k, float* dx, double* columns);

#define TSR_UKERNEL(isa, ukernel, tile)                                                                     \
  void ukernel(size_t n, const float* dy, const float* x, const float* gamma, double origin, double sums[4]); \
  void ukernel##_dx(size_t n, const float* dy, const float* x, const float* gamma, double mean, double rstd,   \
                    double b, double k, float* dx, double* columns);
#include "kernels/f32-dlnorm/f32-dlnorm.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_dlnorm_ukernels[];
extern const size_t tsr_f32_dlnorm_ukernel_count;
/// The variants' dx forms, in the same order.
extern const struct tsr_ukernel_entry tsr_f32_dlnorm_dx_ukernels[];

/// Elements [start, n) one at a time in double: the scalar variant and the vector variants'
/// tails, of the sums (origin; sums) or, with dx not NULL, of dx (mean, rstd, b, k; columns).
static inline void tsr_f32_dlnorm_tail(size_t start, size_t n, const float* dy, const float* x, const float* gamma,
                                       double origin, double sums[4], double mean, double rstd, double b, double k,
                                       float* dx, double* columns) {
  for (size_t i = start; i < n; i++) {
    const double g = (double)dy[i], w = (double)gamma[i];
    if (dx == NULL) {
      const double d = (double)x[i] - origin;
      sums[0] += d, sums[1] += d * d, sums[2] += g * w, sums[3] += g * w * d;
      continue;
    }
    const double d = (double)x[i] - mean;
    dx[i] = (float)(rstd * w * g + (b * d + k));
    if (columns != NULL) columns[i] += g * d * rstd, columns[n + i] += g;
  }
}

#endif
