/* Channelwise normalization passes (training batch norm: the backward's sums, and the dx form,
 * which the forward runs too with dy = x and A = 0): over `rows` rows of
 * `channels` contiguous floats, `stride` floats apart, of dy and x (the same offsets), with each
 * channel's mean m[c]:
 *
 *   ukernel (the sums):  sums[c] += sum dy,  sums[channels + c] += sum dy (x - m)
 *   ukernel##_dx:        dx = A[c] dy + B[c] (x - m) + K[c],  coefficients = A, B, K (channels each)
 *
 * every term in double (x - m exact, products rounded once in double), dx rounded once to f32, as
 * the reference backward evaluates it; only the order of the double additions differs. One lane
 * a channel; the last channels past the vector chunks go one at a time in double
 * (tsr_f32_dnorm_tail). A plain NCHW plane is one channel: engine/batch-norm-training.c hands it
 * over as rows of 64 copies of that channel (m, A, B and K repeated), so one form serves both
 * layouts.
 *
 * Contract: rows, channels >= 1; stride >= channels; nothing outside the rows' channels, mean,
 * the 2 x channels sums or the 3 x channels coefficients is read, nothing outside the rows'
 * channels of dx or the sums is written; dx may not alias dy or x. */
#ifndef TSR_KERNELS_F32_DNORM_H
#define TSR_KERNELS_F32_DNORM_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_dnorm_ukernel_fn)(size_t rows, size_t channels, const float* dy, const float* x, size_t stride,
                                         const float* mean, double* sums);
typedef void (*tsr_f32_dnorm_dx_ukernel_fn)(size_t rows, size_t channels, const float* dy, const float* x,
                                            size_t stride, const float* mean, const double* coefficients,
                                            float* dx);

#define TSR_UKERNEL(isa, ukernel, tile)                                                                             \
  void ukernel(size_t rows, size_t channels, const float* dy, const float* x, size_t stride, const float* mean,    \
               double* sums);                                                                                      \
  void ukernel##_dx(size_t rows, size_t channels, const float* dy, const float* x, size_t stride, const float* mean, \
                    const double* coefficients, float* dx);
#include "kernels/f32-dnorm/f32-dnorm.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_dnorm_ukernels[];
extern const size_t tsr_f32_dnorm_ukernel_count;
/// The variants' dx forms, in the same order.
extern const struct tsr_ukernel_entry tsr_f32_dnorm_dx_ukernels[];

/// Channels [start, channels) one at a time in double: the scalar variant and the vector
/// variants' last channels. With coefficients NULL the sums, else dx.
static inline void tsr_f32_dnorm_tail(size_t start, size_t rows, size_t channels, const float* dy, const float* x,
                                      size_t stride, const float* mean, double* sums, const double* coefficients,
                                      float* dx) {
  for (size_t c = start; c < channels; c++) {
    double s = 0.0, t = 0.0;
    for (size_t r = 0; r < rows; r++) {
      const double g = (double)dy[r * stride + c], d = (double)x[r * stride + c] - (double)mean[c];
      const double* k = coefficients;
      if (k != NULL)
        dx[r * stride + c] = (float)(k[c] * g + (k[channels + c] * d + k[2 * channels + c]));
      else
        s += g, t += g * d;
    }
    if (coefficients == NULL) sums[c] += s, sums[channels + c] += t;
  }
}

#endif
