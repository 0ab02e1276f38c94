/* NEON layer-norm row: the statistics in f32 (f32-lnorm.h), 16 elements an iteration in four
 * accumulators per sum, blocks of 4 iterations carried in double; the normalization in f32 (as
 * the AVX2 variant; see there). */
#include <arm_neon.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

/* The 4 lanes of v widened to double and added pairwise into 2. */
static inline float64x2_t tsr_widen_add(float32x4_t v) {
  return vaddq_f64(vcvt_f64_f32(vget_low_f32(v)), vcvt_high_f64_f32(v));
}

static float tsr_lnorm_origin_neon(const float* x) {
  const float32x4_t a = vaddq_f32(vld1q_f32(x), vld1q_f32(x + 4));
  const float32x4_t b = vaddq_f32(vld1q_f32(x + 8), vld1q_f32(x + 12));
  return (float)(vaddvq_f64(tsr_widen_add(vaddq_f32(a, b))) / 16.0);
}

static void tsr_lnorm_sums_neon(size_t n, const float* x, float origin, double sums[2]) {
  const float32x4_t vorigin = vdupq_n_f32(origin);
  float64x2_t s = vdupq_n_f64(0.0), q = s;
  size_t i = 0;
  while (i + 16 <= n) {
    const size_t end = i + 64 <= n ? i + 64 : n - (n - i) % 16;
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    for (; i < end; i += 16) {
      const float32x4_t d0 = vsubq_f32(vld1q_f32(x + i), vorigin);
      const float32x4_t d1 = vsubq_f32(vld1q_f32(x + i + 4), vorigin);
      const float32x4_t d2 = vsubq_f32(vld1q_f32(x + i + 8), vorigin);
      const float32x4_t d3 = vsubq_f32(vld1q_f32(x + i + 12), vorigin);
      s0 = vaddq_f32(s0, d0), q0 = vfmaq_f32(q0, d0, d0);
      s1 = vaddq_f32(s1, d1), q1 = vfmaq_f32(q1, d1, d1);
      s2 = vaddq_f32(s2, d2), q2 = vfmaq_f32(q2, d2, d2);
      s3 = vaddq_f32(s3, d3), q3 = vfmaq_f32(q3, d3, d3);
    }
    s = vaddq_f64(s, tsr_widen_add(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3))));
    q = vaddq_f64(q, tsr_widen_add(vaddq_f32(vaddq_f32(q0, q1), vaddq_f32(q2, q3))));
  }
  sums[0] = vaddvq_f64(s);
  sums[1] = vaddvq_f64(q);
  tsr_f32_rowstats_tail(i, n, x, origin, sums);
}

void tsr_f32_lnorm_ukernel__neon_u8(size_t n, const float* x, const float* gamma, const float* beta,
                                    double epsilon, bool stream, float* y) {
  (void)stream; /* no streaming stores here */
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_take_statistics(
      n, x, epsilon, 16, tsr_lnorm_origin_neon, tsr_lnorm_sums_neon, tsr_f32_rowstats_ukernel__neon_u8);
  /* the normalization in f32, the mean as a float pair */
  const float32x4_t vhigh = vdupq_n_f32(st.mean_high), vlow = vdupq_n_f32(st.mean_low);
  const float32x4_t vinverse = vdupq_n_f32(st.inverse);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t t0 = vmulq_f32(vsubq_f32(vsubq_f32(vld1q_f32(x + i), vhigh), vlow), vinverse);
    const float32x4_t t1 = vmulq_f32(vsubq_f32(vsubq_f32(vld1q_f32(x + i + 4), vhigh), vlow), vinverse);
    vst1q_f32(y + i, vfmaq_f32(vld1q_f32(beta + i), t0, vld1q_f32(gamma + i)));
    vst1q_f32(y + i + 4, vfmaq_f32(vld1q_f32(beta + i + 4), t1, vld1q_f32(gamma + i + 4)));
  }
  tsr_f32_lnorm_normalize_tail(i, n, x, gamma, beta, st, y);
}
