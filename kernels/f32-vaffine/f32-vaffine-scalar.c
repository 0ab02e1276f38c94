/* Portable per-channel affine maps: one element at a time (f32-vaffine.h). */
#include "kernels/f32-vaffine/f32-vaffine.h"

void tsr_f32_vaffine_c_ukernel__scalar_u1(size_t rows, size_t channels, const float* x, const float* mean,
                                          const float* scale, const float* shift, float* y) {
  for (; rows != 0; rows--, x += channels, y += channels) tsr_f32_vaffine_elements(0, channels, x, mean, scale, shift, 1, y);
}

void tsr_f32_vaffine_s_ukernel__scalar_u1(size_t n, const float* x, const float* mean, const float* scale,
                                          const float* shift, float* y) {
  tsr_f32_vaffine_elements(0, n, x, mean, scale, shift, 0, y);
}
