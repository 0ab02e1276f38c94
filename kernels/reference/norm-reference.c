#include "kernels/reference/norm-reference.h"

#include <math.h>

/* The set's mean and biased variance: given, or two passes over x. */
static void tsr_set_moments(const struct tsr_norm_set* s, const float* x, double* mean_out,
                            double* variance_out) {
  double mean, variance;
  if (s->mean != NULL) {
    mean = *s->mean;
    variance = *s->variance;
  } else { /* two passes: the mean, then the squared deviations (no cancellation) */
    double sum = 0.0;
    for (size_t o = 0; o < s->outer; o++)
      for (size_t i = 0; i < s->inner; i++) sum += x[o * s->outer_stride + i * s->inner_stride];
    const double count = (double)s->outer * (double)s->inner;
    mean = sum / count;
    double squares = 0.0;
    for (size_t o = 0; o < s->outer; o++)
      for (size_t i = 0; i < s->inner; i++) {
        const double d = x[o * s->outer_stride + i * s->inner_stride] - mean;
        squares += d * d;
      }
    variance = squares / count;
  }
  *mean_out = mean;
  *variance_out = variance;
}

void tsr_reference_normalize_set(const struct tsr_norm_set* s, const float* x, float* y,
                                 double* mean_out, double* variance_out) {
  double mean, variance;
  tsr_set_moments(s, x, &mean, &variance);
  const double inverse = 1.0 / sqrt(variance + s->epsilon);
  for (size_t o = 0; o < s->outer; o++)
    for (size_t i = 0; i < s->inner; i++) {
      const size_t at = o * s->outer_stride + i * s->inner_stride;
      const size_t affine = o * s->affine_outer_stride + i * s->affine_inner_stride;
      const double gamma = s->gamma != NULL ? s->gamma[affine] : 1.0;
      const double beta = s->beta != NULL ? s->beta[affine] : 0.0;
      y[at] = (float)(((double)x[at] - mean) * inverse * gamma + beta);
    }
  if (mean_out != NULL) *mean_out = mean;
  if (variance_out != NULL) *variance_out = variance;
}

void tsr_reference_normalize_set_backward(const struct tsr_norm_set* s, const float* x,
                                          const float* dy, float* dx, double* dgamma,
                                          double* dbeta) {
  double mean, variance;
  tsr_set_moments(s, x, &mean, &variance);
  const double inverse = 1.0 / sqrt(variance + s->epsilon);
  const double count = (double)s->outer * (double)s->inner;
  double sum_g = 0.0, sum_g_xhat = 0.0;
  for (size_t o = 0; o < s->outer; o++)
    for (size_t i = 0; i < s->inner; i++) {
      const size_t at = o * s->outer_stride + i * s->inner_stride;
      const size_t affine = o * s->affine_outer_stride + i * s->affine_inner_stride;
      const double xhat = ((double)x[at] - mean) * inverse;
      const double g = (double)dy[at] * (s->gamma != NULL ? s->gamma[affine] : 1.0);
      sum_g += g;
      sum_g_xhat += g * xhat;
      if (dgamma != NULL) dgamma[affine] += (double)dy[at] * xhat;
      if (dbeta != NULL) dbeta[affine] += (double)dy[at];
    }
  for (size_t o = 0; o < s->outer; o++)
    for (size_t i = 0; i < s->inner; i++) {
      const size_t at = o * s->outer_stride + i * s->inner_stride;
      const size_t affine = o * s->affine_outer_stride + i * s->affine_inner_stride;
      const double xhat = ((double)x[at] - mean) * inverse;
      const double g = (double)dy[at] * (s->gamma != NULL ? s->gamma[affine] : 1.0);
      dx[at] = (float)((g - sum_g / count - xhat * sum_g_xhat / count) * inverse);
    }
}
