/* Portable layer norm backward: one element at a time, in double (f32-dlnorm.h). */
#include "kernels/f32-dlnorm/f32-dlnorm.h"

void tsr_f32_dlnorm_ukernel__scalar_c1(size_t n, const float* dy, const float* x, const float* gamma, double origin,
                                       double sums[4]) {
  tsr_f32_dlnorm_tail(0, n, dy, x, gamma, origin, sums, 0.0, 0.0, 0.0, 0.0, NULL, NULL);
}

void tsr_f32_dlnorm_ukernel__scalar_c1_dx(size_t n, const float* dy, const float* x, const float* gamma, double mean,
                                          double rstd, double b, double k, float* dx, double* columns) {
  tsr_f32_dlnorm_tail(0, n, dy, x, gamma, 0.0, NULL, mean, rstd, b, k, dx, columns);
}
