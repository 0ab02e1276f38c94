/* NEON softmax row: 8 elements an iteration, exp by range reduction and a degree-7 polynomial,
 * the sum in double. */
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "kernels/f32-softmax/f32-softmax.h"

/* exp(x - max) for x <= max: 0 below -104 and for -inf; NaN stays NaN (NEON's vmaxq/vminq
 * return NaN when either input is NaN). The difference is carried exactly as d + e (TwoSum),
 * as in the AVX2 variant. */
static inline float32x4_t tsr_exp_shifted_neon(float32x4_t v, float32x4_t neg_max) {
  const float32x4_t d = vaddq_f32(v, neg_max);
  const float32x4_t bv = vsubq_f32(d, v);
  float32x4_t e = vaddq_f32(vsubq_f32(v, vsubq_f32(d, bv)), vsubq_f32(neg_max, bv));
  e = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(e), vcgtq_f32(d, vdupq_n_f32(-104.0f))));
  const float32x4_t x = vminq_f32(vdupq_n_f32(0.0f), vmaxq_f32(vdupq_n_f32(-104.0f), d));
  const float32x4_t k = vrndnq_f32(vmulq_n_f32(x, 1.44269504f));
  float32x4_t r = vfmaq_n_f32(x, k, -0.693145752f);
  r = vaddq_f32(vfmaq_n_f32(r, k, -1.42860682e-6f), e);
  float32x4_t p = vdupq_n_f32(1.98412698e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.38888889e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.33333333e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.16666667e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.66666667e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  const int32x4_t biased = vmaxq_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), vdupq_n_s32(0));
  return vmulq_f32(p, vreinterpretq_f32_s32(vshlq_n_s32(biased, 23)));
}

static inline float64x2_t tsr_widen_sum_neon(float64x2_t acc, float32x4_t v) {
  return vaddq_f64(acc, vaddq_f64(vcvt_f64_f32(vget_low_f32(v)), vcvt_high_f64_f32(v)));
}

void tsr_f32_softmax_ukernel__neon_u8(size_t n, const float* x, float* y, bool logarithmic) {
  float32x4_t m0 = vdupq_n_f32(-INFINITY), m1 = m0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) { /* vmaxnm: a NaN is caught by the next pass (x - max is NaN) */
    m0 = vmaxnmq_f32(m0, vld1q_f32(x + i));
    m1 = vmaxnmq_f32(m1, vld1q_f32(x + i + 4));
  }
  float max = vmaxnmvq_f32(vmaxnmq_f32(m0, m1));
  for (; i < n; i++) max = x[i] > max ? x[i] : max;
  const float32x4_t vmax = vdupq_n_f32(max), neg_max = vdupq_n_f32(-max);
  float64x2_t s0 = vdupq_n_f64(0.0);
  for (i = 0; i + 8 <= n; i += 8) {
    const float32x4_t e0 = tsr_exp_shifted_neon(vld1q_f32(x + i), neg_max);
    const float32x4_t e1 = tsr_exp_shifted_neon(vld1q_f32(x + i + 4), neg_max);
    if (!logarithmic) vst1q_f32(y + i, e0), vst1q_f32(y + i + 4, e1);
    s0 = tsr_widen_sum_neon(s0, vaddq_f32(e0, e1)); /* one f32 add, then double */
  }
  for (; i < n; i += 4) { /* the tail through a copy padded with -inf (exp gives 0) */
    const size_t count = n - i < 4 ? n - i : 4;
    float lanes[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    memcpy(lanes, x + i, count * sizeof(float));
    const float32x4_t e = tsr_exp_shifted_neon(vld1q_f32(lanes), neg_max);
    vst1q_f32(lanes, e);
    if (!logarithmic) memcpy(y + i, lanes, count * sizeof(float));
    s0 = tsr_widen_sum_neon(s0, e);
  }
  const double sum = vaddvq_f64(s0);
  if (logarithmic) {
    const float log_sum = (float)log(sum);
    const float32x4_t vlog = vdupq_n_f32(log_sum);
    for (i = 0; i + 4 <= n; i += 4) vst1q_f32(y + i, vsubq_f32(vsubq_f32(vld1q_f32(x + i), vmax), vlog));
    for (; i < n; i++) y[i] = (x[i] - max) - log_sum;
  } else {
    const float inverse = (float)(1.0 / sum);
    for (i = 0; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_n_f32(vld1q_f32(y + i), inverse));
    for (; i < n; i++) y[i] = y[i] * inverse;
  }
}
