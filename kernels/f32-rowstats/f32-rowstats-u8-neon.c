/* NEON row statistics: 8 elements an iteration, widened to double, four accumulators per sum. */
#include <arm_neon.h>

#include "kernels/f32-rowstats/f32-rowstats.h"

void tsr_f32_rowstats_ukernel__neon_u8(size_t n, const float* x, double origin, double sums[2]) {
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
  sums[0] = vaddvq_f64(vaddq_f64(vaddq_f64(s0, s1), vaddq_f64(s2, s3)));
  sums[1] = vaddvq_f64(vaddq_f64(vaddq_f64(q0, q1), vaddq_f64(q2, q3)));
  tsr_f32_rowstats_tail(i, n, x, origin, sums);
}
