/* NEON layer-norm row: statistics in one pass in double, the normalization in f32 (as the AVX2
 * variant; see there). */
#include <arm_neon.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

void tsr_f32_lnorm_ukernel__neon_u8(size_t n, const float* x, const float* gamma, const float* beta,
                                    double epsilon, float* y) {
  /* pass 1: the statistics in double, shifted by the row's first element (f32-rowstats) */
  double sums[2];
  tsr_f32_rowstats_ukernel__neon_u8(n, x, x[0], sums);
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_statistics(n, x[0], sums, epsilon);
  /* pass 2 in f32, the mean as a float pair */
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
