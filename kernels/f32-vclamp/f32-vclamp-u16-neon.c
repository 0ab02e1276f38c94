#include <arm_neon.h>

#include "kernels/f32-vclamp/f32-vclamp.h"

/* NEON's FMAX/FMIN return NaN when either operand is NaN, so NaN propagates. */
void tsr_f32_vclamp_ukernel__neon_u16(size_t n, const float* x, float* y,
                                      const struct tsr_f32_minmax_params* params) {
  const float32x4_t vmin = vdupq_n_f32(params->min);
  const float32x4_t vmax = vdupq_n_f32(params->max);
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    float32x4_t vacc0123 = vld1q_f32(x);
    float32x4_t vacc4567 = vld1q_f32(x + 4);
    float32x4_t vacc89AB = vld1q_f32(x + 8);
    float32x4_t vaccCDEF = vld1q_f32(x + 12);
    vacc0123 = vminq_f32(vmaxq_f32(vacc0123, vmin), vmax);
    vacc4567 = vminq_f32(vmaxq_f32(vacc4567, vmin), vmax);
    vacc89AB = vminq_f32(vmaxq_f32(vacc89AB, vmin), vmax);
    vaccCDEF = vminq_f32(vmaxq_f32(vaccCDEF, vmin), vmax);
    vst1q_f32(y, vacc0123);
    vst1q_f32(y + 4, vacc4567);
    vst1q_f32(y + 8, vacc89AB);
    vst1q_f32(y + 12, vaccCDEF);
  }
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    vst1q_f32(y, vminq_f32(vmaxq_f32(vld1q_f32(x), vmin), vmax));
  }
  if (n & 2) {
    const float32x2_t vacc01 = vmin_f32(vmax_f32(vld1_f32(x), vget_low_f32(vmin)), vget_low_f32(vmax));
    vst1_f32(y, vacc01);
    x += 2;
    y += 2;
  }
  if (n & 1) {
    const float32x2_t vacc0 = vmin_f32(vmax_f32(vld1_dup_f32(x), vget_low_f32(vmin)), vget_low_f32(vmax));
    vst1_lane_f32(y, vacc0, 0);
  }
}
