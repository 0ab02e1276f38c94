/* NEON layer-norm row: statistics in one pass in double, the normalization in f32 (as the AVX2
 * variant; see there). */
#include <arm_neon.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

void tsr_f32_lnorm_ukernel__neon_u8(size_t n, const float* x, const float* gamma, const float* beta,
                                    double epsilon, float* y) {
  /* pass 1: sums of d = x - x[0] and d^2 in double, four accumulators each */
  const double origin = x[0];
  const float64x2_t vorigin = vdupq_n_f64(origin);
  float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t a = vld1q_f32(x + i), b = vld1q_f32(x + i + 4);
    const float64x2_t d0 = vsubq_f64(vcvt_f64_f32(vget_low_f32(a)), vorigin);
    const float64x2_t d1 = vsubq_f64(vcvt_high_f64_f32(a), vorigin);
    const float64x2_t d2 = vsubq_f64(vcvt_f64_f32(vget_low_f32(b)), vorigin);
    const float64x2_t d3 = vsubq_f64(vcvt_high_f64_f32(b), vorigin);
    s0 = vaddq_f64(s0, d0), q0 = vfmaq_f64(q0, d0, d0);
    s1 = vaddq_f64(s1, d1), q1 = vfmaq_f64(q1, d1, d1);
    s2 = vaddq_f64(s2, d2), q2 = vfmaq_f64(q2, d2, d2);
    s3 = vaddq_f64(s3, d3), q3 = vfmaq_f64(q3, d3, d3);
  }
  const double sum = vaddvq_f64(vaddq_f64(vaddq_f64(s0, s1), vaddq_f64(s2, s3)));
  const double squares = vaddvq_f64(vaddq_f64(vaddq_f64(q0, q1), vaddq_f64(q2, q3)));
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_statistics(n, x, i, origin, sum, squares, epsilon);
  /* pass 2 in f32, the mean as a float pair */
  const float32x4_t vhigh = vdupq_n_f32(st.mean_high), vlow = vdupq_n_f32(st.mean_low);
  const float32x4_t vinverse = vdupq_n_f32(st.inverse);
  for (i = 0; i + 8 <= n; i += 8) {
    const float32x4_t t0 = vmulq_f32(vsubq_f32(vsubq_f32(vld1q_f32(x + i), vhigh), vlow), vinverse);
    const float32x4_t t1 = vmulq_f32(vsubq_f32(vsubq_f32(vld1q_f32(x + i + 4), vhigh), vlow), vinverse);
    vst1q_f32(y + i, vfmaq_f32(vld1q_f32(beta + i), t0, vld1q_f32(gamma + i)));
    vst1q_f32(y + i + 4, vfmaq_f32(vld1q_f32(beta + i + 4), t1, vld1q_f32(gamma + i + 4)));
  }
  tsr_f32_lnorm_normalize_tail(i, n, x, gamma, beta, st, y);
}
