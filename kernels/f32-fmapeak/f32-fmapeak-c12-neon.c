#include <arm_neon.h>
#include "kernels/f32-fmapeak/f32-fmapeak.h"

/* acc = acc * a + b with a < 1 converges to b / (1 - a): values stay normal, never denormal. */
float tsr_f32_fmapeak__neon_c12(size_t iterations) {
  const float32x4_t va = vdupq_n_f32(0.999f);
  const float32x4_t vb = vdupq_n_f32(0.001f);
  float32x4_t vacc0 = vdupq_n_f32(0.0f);
  float32x4_t vacc1 = vdupq_n_f32(1.0f);
  float32x4_t vacc2 = vdupq_n_f32(2.0f);
  float32x4_t vacc3 = vdupq_n_f32(3.0f);
  float32x4_t vacc4 = vdupq_n_f32(4.0f);
  float32x4_t vacc5 = vdupq_n_f32(5.0f);
  float32x4_t vacc6 = vdupq_n_f32(6.0f);
  float32x4_t vacc7 = vdupq_n_f32(7.0f);
  float32x4_t vacc8 = vdupq_n_f32(8.0f);
  float32x4_t vacc9 = vdupq_n_f32(9.0f);
  float32x4_t vacc10 = vdupq_n_f32(10.0f);
  float32x4_t vacc11 = vdupq_n_f32(11.0f);
  for (size_t i = 0; i < iterations; i++) {
    vacc0 = vfmaq_f32(vb, vacc0, va);
    vacc1 = vfmaq_f32(vb, vacc1, va);
    vacc2 = vfmaq_f32(vb, vacc2, va);
    vacc3 = vfmaq_f32(vb, vacc3, va);
    vacc4 = vfmaq_f32(vb, vacc4, va);
    vacc5 = vfmaq_f32(vb, vacc5, va);
    vacc6 = vfmaq_f32(vb, vacc6, va);
    vacc7 = vfmaq_f32(vb, vacc7, va);
    vacc8 = vfmaq_f32(vb, vacc8, va);
    vacc9 = vfmaq_f32(vb, vacc9, va);
    vacc10 = vfmaq_f32(vb, vacc10, va);
    vacc11 = vfmaq_f32(vb, vacc11, va);
  }
  vacc0 = vaddq_f32(vacc0, vacc1);
  vacc2 = vaddq_f32(vacc2, vacc3);
  vacc4 = vaddq_f32(vacc4, vacc5);
  vacc6 = vaddq_f32(vacc6, vacc7);
  vacc8 = vaddq_f32(vacc8, vacc9);
  vacc10 = vaddq_f32(vacc10, vacc11);
  vacc0 = vaddq_f32(vacc0, vacc2);
  vacc4 = vaddq_f32(vacc4, vacc6);
  vacc8 = vaddq_f32(vacc8, vacc10);
  vacc0 = vaddq_f32(vacc0, vacc4);
  vacc0 = vaddq_f32(vacc0, vacc8);
  return vgetq_lane_f32(vacc0, 0);
}
