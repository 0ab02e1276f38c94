/* Portable normalization gradients: one channel at a time, in double (f32-dnorm.h). */
#include "kernels/f32-dnorm/f32-dnorm.h"

void tsr_f32_dnorm_ukernel__scalar_c1(size_t rows, size_t channels, const float* dy, const float* x, size_t stride,
                                      const float* mean, double* sums) {
  tsr_f32_dnorm_tail(0, rows, channels, dy, x, stride, mean, sums, NULL, NULL);
}

void tsr_f32_dnorm_ukernel__scalar_c1_dx(size_t rows, size_t channels, const float* dy, const float* x, size_t stride,
                                         const float* mean, const double* coefficients, float* dx) {
  tsr_f32_dnorm_tail(0, rows, channels, dy, x, stride, mean, NULL, coefficients, dx);
}
