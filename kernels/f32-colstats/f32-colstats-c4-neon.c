/* NEON column statistics: 4 channels a chunk, widened to double (two vectors of 2), two rows an
 * iteration so that eight accumulators cover the add latency; and the blocked variant,
 * f32-colstats-blocked-body.h on vector-neon.h. */
#include <arm_neon.h>

#include "kernels/f32-colstats/f32-colstats.h"
#include "kernels/vector-neon.h"

void tsr_f32_colstats_ukernel__neon_c4(size_t rows, size_t channels, const float* x, size_t stride,
                                       const float* origin, double* sums) {
  size_t c = 0;
  for (; c + 4 <= channels; c += 4) {
    const float32x4_t vo = vld1q_f32(origin + c);
    const float64x2_t o0 = vcvt_f64_f32(vget_low_f32(vo)), o1 = vcvt_high_f64_f32(vo);
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    const float* p = x + c;
    size_t r = 0;
    for (; r + 2 <= rows; r += 2, p += 2 * stride) {
      const float32x4_t a = vld1q_f32(p), b = vld1q_f32(p + stride);
      const float64x2_t d0 = vsubq_f64(vcvt_f64_f32(vget_low_f32(a)), o0);
      const float64x2_t d1 = vsubq_f64(vcvt_high_f64_f32(a), o1);
      const float64x2_t d2 = vsubq_f64(vcvt_f64_f32(vget_low_f32(b)), o0);
      const float64x2_t d3 = vsubq_f64(vcvt_high_f64_f32(b), o1);
      s0 = vaddq_f64(s0, d0), q0 = vfmaq_f64(q0, d0, d0);
      s1 = vaddq_f64(s1, d1), q1 = vfmaq_f64(q1, d1, d1);
      s2 = vaddq_f64(s2, d2), q2 = vfmaq_f64(q2, d2, d2);
      s3 = vaddq_f64(s3, d3), q3 = vfmaq_f64(q3, d3, d3);
    }
    if (r < rows) {
      const float32x4_t a = vld1q_f32(p);
      const float64x2_t d0 = vsubq_f64(vcvt_f64_f32(vget_low_f32(a)), o0);
      const float64x2_t d1 = vsubq_f64(vcvt_high_f64_f32(a), o1);
      s0 = vaddq_f64(s0, d0), q0 = vfmaq_f64(q0, d0, d0);
      s1 = vaddq_f64(s1, d1), q1 = vfmaq_f64(q1, d1, d1);
    }
    vst1q_f64(sums + c, vaddq_f64(vld1q_f64(sums + c), vaddq_f64(s0, s2)));
    vst1q_f64(sums + c + 2, vaddq_f64(vld1q_f64(sums + c + 2), vaddq_f64(s1, s3)));
    vst1q_f64(sums + channels + c, vaddq_f64(vld1q_f64(sums + channels + c), vaddq_f64(q0, q2)));
    vst1q_f64(sums + channels + c + 2, vaddq_f64(vld1q_f64(sums + channels + c + 2), vaddq_f64(q1, q3)));
  }
  tsr_f32_colstats_tail(c, rows, channels, x, stride, origin, sums);
}

#define TSR_COLSTATS_BLOCKED_NAME tsr_f32_colstats_ukernel__neon_c4_blocked
#include "kernels/f32-colstats/f32-colstats-blocked-body.h"
