#include "kernels/reference/norm-reference.h"

#include <math.h>

void tsr_reference_normalize_set(const struct tsr_norm_set* s, const float* x, float* y,
                                 double* mean_out, double* variance_out) {
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
