#include <arm_neon.h>
#include <math.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

void tsr_f32_lnorm_ukernel__neon_u8(size_t n, const float* x, const float* gamma, const float* beta,
                                    double epsilon, float* y) {
  /* pass 1: the sum, four double accumulators to cover the add latency */
  float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t a = vld1q_f32(x + i), b = vld1q_f32(x + i + 4);
    s0 = vaddq_f64(s0, vcvt_f64_f32(vget_low_f32(a)));
    s1 = vaddq_f64(s1, vcvt_high_f64_f32(a));
    s2 = vaddq_f64(s2, vcvt_f64_f32(vget_low_f32(b)));
    s3 = vaddq_f64(s3, vcvt_high_f64_f32(b));
  }
  double sum = vaddvq_f64(vaddq_f64(vaddq_f64(s0, s1), vaddq_f64(s2, s3)));
  for (size_t j = i; j < n; j++) sum += x[j];
  const double mean = sum / (double)n;
  /* pass 2: squared deviations */
  const float64x2_t vmean = vdupq_n_f64(mean);
  s0 = s1 = s2 = s3 = vdupq_n_f64(0.0);
  for (i = 0; i + 8 <= n; i += 8) {
    const float32x4_t a = vld1q_f32(x + i), b = vld1q_f32(x + i + 4);
    const float64x2_t d0 = vsubq_f64(vcvt_f64_f32(vget_low_f32(a)), vmean);
    const float64x2_t d1 = vsubq_f64(vcvt_high_f64_f32(a), vmean);
    const float64x2_t d2 = vsubq_f64(vcvt_f64_f32(vget_low_f32(b)), vmean);
    const float64x2_t d3 = vsubq_f64(vcvt_high_f64_f32(b), vmean);
    s0 = vfmaq_f64(s0, d0, d0);
    s1 = vfmaq_f64(s1, d1, d1);
    s2 = vfmaq_f64(s2, d2, d2);
    s3 = vfmaq_f64(s3, d3, d3);
  }
  double squares = vaddvq_f64(vaddq_f64(vaddq_f64(s0, s1), vaddq_f64(s2, s3)));
  for (size_t j = i; j < n; j++) squares += ((double)x[j] - mean) * ((double)x[j] - mean);
  const double inverse = 1.0 / sqrt(squares / (double)n + epsilon);
  /* pass 3: normalize, scale and shift, 4 at a time */
  const float64x2_t vinverse = vdupq_n_f64(inverse);
  for (i = 0; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(x + i), g = vld1q_f32(gamma + i), b = vld1q_f32(beta + i);
    const float64x2_t lo = vfmaq_f64(vcvt_f64_f32(vget_low_f32(b)),
                                     vmulq_f64(vsubq_f64(vcvt_f64_f32(vget_low_f32(v)), vmean), vinverse),
                                     vcvt_f64_f32(vget_low_f32(g)));
    const float64x2_t hi = vfmaq_f64(vcvt_high_f64_f32(b), vmulq_f64(vsubq_f64(vcvt_high_f64_f32(v), vmean), vinverse),
                                     vcvt_high_f64_f32(g));
    vst1q_f32(y + i, vcvt_high_f32_f64(vcvt_f32_f64(lo), hi));
  }
  for (; i < n; i++) y[i] = (float)(((double)x[i] - mean) * inverse * gamma[i] + beta[i]);
}
