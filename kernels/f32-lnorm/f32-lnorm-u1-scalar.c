#include <math.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

static void tsr_lnorm_row(size_t n, const float* x, const float* gamma, const float* beta, double epsilon, float* y) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  const double mean = sum / (double)n;
  double squares = 0.0;
  for (size_t i = 0; i < n; i++) squares += ((double)x[i] - mean) * ((double)x[i] - mean);
  const double inverse = 1.0 / sqrt(squares / (double)n + epsilon);
  for (size_t i = 0; i < n; i++) y[i] = (float)(((double)x[i] - mean) * inverse * gamma[i] + beta[i]);
}

void tsr_f32_lnorm_ukernel__scalar_u1(size_t rows, size_t n, const float* x, size_t x_stride, const float* gamma,
                                      const float* beta, double epsilon, bool stream, float* y, size_t y_stride) {
  (void)stream; /* no streaming stores here */
  for (size_t r = 0; r < rows; r++) tsr_lnorm_row(n, x + r * x_stride, gamma, beta, epsilon, y + r * y_stride);
}
