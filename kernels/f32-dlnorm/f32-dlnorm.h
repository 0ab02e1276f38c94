/* Layer norm backward over one row of n contiguous floats, with the row's mean and
 * rstd = 1 / sqrt(var + epsilon) and the per-element gamma:
 *
 *   ukernel (the sums):  sums[0] += sum dy gamma,  sums[1] += sum dy gamma (x - mean), and, when
 *                        columns is not NULL, columns[i] += dy (x - mean) rstd (dgamma's) and
 *                        columns[n + i] += dy (dbeta's)
 *   ukernel##_dx:        dx = (rstd gamma) dy + b (x - mean) + k
 *
 * every term in double, dx rounded once to f32, as the reference backward evaluates it; only the
 * order of the double additions differs. engine/layer-norm-backward.c takes the row's moments
 * (f32-rowstats), the sums, then b = -rstd^3 sums[1] / n and k = -rstd sums[0] / n.
 *
 * Contract: n >= 0; nothing outside dy, x, gamma and dx [0, n), sums[0..2) and columns [0, 2n)
 * is read or written; dx may not alias dy or x. */
#ifndef TSR_KERNELS_F32_DLNORM_H
#define TSR_KERNELS_F32_DLNORM_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_dlnorm_ukernel_fn)(size_t n, const float* dy, const float* x, const float* gamma, double mean,
                                          double rstd, double sums[2], double* columns);
typedef void (*tsr_f32_dlnorm_dx_ukernel_fn)(size_t n, const float* dy, const float* x, const float* gamma,
                                             double mean, double rstd, double b, double k, float* dx);

#define TSR_UKERNEL(isa, ukernel, tile)                                                                     \
  void ukernel(size_t n, const float* dy, const float* x, const float* gamma, double mean, double rstd,    \
               double sums[2], double* columns);                                                           \
  void ukernel##_dx(size_t n, const float* dy, const float* x, const float* gamma, double mean, double rstd, \
                    double b, double k, float* dx);
#include "kernels/f32-dlnorm/f32-dlnorm.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_dlnorm_ukernels[];
extern const size_t tsr_f32_dlnorm_ukernel_count;
/// The variants' dx forms, in the same order.
extern const struct tsr_ukernel_entry tsr_f32_dlnorm_dx_ukernels[];

/// Elements [start, n) one at a time in double: the scalar variant and the vector variants'
/// tails. With dx NULL the sums (and columns), else dx.
static inline void tsr_f32_dlnorm_tail(size_t start, size_t n, const float* dy, const float* x, const float* gamma,
                                       double mean, double rstd, double sums[2], double* columns, double b,
                                       double k, float* dx) {
  for (size_t i = start; i < n; i++) {
    const double g = (double)dy[i], d = (double)x[i] - mean, w = (double)gamma[i];
    if (dx != NULL) {
      dx[i] = (float)(rstd * w * g + (b * d + k));
      continue;
    }
    sums[0] += g * w, sums[1] += g * w * d;
    if (columns != NULL) columns[i] += g * d * rstd, columns[n + i] += g;
  }
}

#endif
