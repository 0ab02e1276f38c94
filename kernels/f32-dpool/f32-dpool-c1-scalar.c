/* Portable pooling backward: one channel at a time (f32-dpool.h). */
#include "kernels/f32-dpool/f32-dpool.h"

void tsr_f32_dpool_ukernel__scalar_c1(size_t pixels, size_t channels, size_t taps, const size_t* offsets, size_t first,
                                      size_t last, size_t step, const float* x, const float* dy, size_t dy_step,
                                      float* dx) {
  for (size_t o = 0; o < pixels; o++)
    tsr_f32_dpool_tail(0, channels, taps, offsets, first, last, x + o * step, 1.0f, dy + o * dy_step, dx + o * step);
}

void tsr_f32_dpool_ukernel__scalar_c1_avg(size_t pixels, size_t channels, size_t taps, const size_t* offsets,
                                          size_t step, float divisor, const float* dy, size_t dy_step, float* dx) {
  for (size_t o = 0; o < pixels; o++)
    tsr_f32_dpool_tail(0, channels, taps, offsets, 0, taps, NULL, divisor, dy + o * dy_step, dx + o * step);
}
