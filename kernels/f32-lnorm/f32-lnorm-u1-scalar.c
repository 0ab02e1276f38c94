/* The portable layer norm: the double two-pass reference, rounded once. */
#include <math.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

/* The row's mean and 1 / sqrt(var + epsilon), in double over two passes. */
static void tsr_lnorm_moments(size_t n, const float* x, double epsilon, double* mean, double* inverse) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  *mean = sum / (double)n;
  double squares = 0.0;
  for (size_t i = 0; i < n; i++) squares += ((double)x[i] - *mean) * ((double)x[i] - *mean);
  *inverse = 1.0 / sqrt(squares / (double)n + epsilon);
}

struct tsr_f32_lnorm_statistics tsr_f32_lnorm_ukernel__scalar_u1_statistics(size_t n, const float* x, double epsilon) {
  double mean, inverse;
  tsr_lnorm_moments(n, x, epsilon, &mean, &inverse);
  return tsr_f32_lnorm_statistics_of(mean, inverse);
}

void tsr_f32_lnorm_ukernel__scalar_u1(size_t rows, size_t n, const float* x, size_t x_stride, const float* gamma,
                                      const float* beta, double epsilon, bool stream, float* y, size_t y_stride) {
  (void)stream; /* no streaming stores here */
  for (size_t r = 0; r < rows; r++) {
    const float* row = x + r * x_stride;
    double mean, inverse;
    tsr_lnorm_moments(n, row, epsilon, &mean, &inverse);
    float* out = y + r * y_stride;
    for (size_t i = 0; i < n; i++) out[i] = (float)(((double)row[i] - mean) * inverse * gamma[i] + beta[i]);
  }
}
