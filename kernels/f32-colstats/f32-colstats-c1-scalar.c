/* Portable column statistics: one channel at a time, in double (f32-colstats.h); the blocked form
 * is the same. */
#include "kernels/f32-colstats/f32-colstats.h"

void tsr_f32_colstats_ukernel__scalar_c1(size_t rows, size_t channels, const float* x, size_t stride,
                                         const float* origin, double* sums) {
  tsr_f32_colstats_tail(0, rows, channels, x, stride, origin, sums);
}

void tsr_f32_colstats_ukernel__scalar_c1_blocked(size_t rows, size_t channels, const float* x, size_t stride,
                                                 const float* origin, double* sums) {
  tsr_f32_colstats_tail(0, rows, channels, x, stride, origin, sums);
}
