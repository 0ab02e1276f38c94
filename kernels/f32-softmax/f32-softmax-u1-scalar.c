/* Portable softmax row: the reference loop (everything in double, rounded once). */
#include "kernels/f32-softmax/f32-softmax.h"
#include "kernels/reference/softmax-reference.h"

void tsr_f32_softmax_ukernel__scalar_u1(size_t n, const float* x, float* y, bool logarithmic) {
  tsr_reference_softmax_f32(logarithmic, n, x, 1, y, 1);
}
