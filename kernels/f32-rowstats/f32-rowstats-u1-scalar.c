/* Portable row statistics: one element at a time. */
#include "kernels/f32-rowstats/f32-rowstats.h"

void tsr_f32_rowstats_ukernel__scalar_u1(size_t n, const float* x, double origin, double sums[2]) {
  sums[0] = sums[1] = 0.0;
  tsr_f32_rowstats_tail(0, n, x, origin, sums);
}
