/* Portable layer norm backward: one element at a time, in double (f32-dlnorm.h). */
#include "kernels/f32-dlnorm/f32-dlnorm.h"

void tsr_f32_dlnorm_ukernel__scalar_c1(size_t n, const float* dy, const float* x, const float* gamma, double mean,
                                       double rstd, double sums[2], double* columns) {
  tsr_f32_dlnorm_tail(0, n, dy, x, gamma, mean, rstd, sums, columns, 0.0, 0.0, NULL);
}

void tsr_f32_dlnorm_ukernel__scalar_c1_dx(size_t n, const float* dy, const float* x, const float* gamma, double mean,
                                          double rstd, double b, double k, float* dx) {
  tsr_f32_dlnorm_tail(0, n, dy, x, gamma, mean, rstd, NULL, NULL, b, k, dx);
}
