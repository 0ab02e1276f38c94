/* AVX-512 column statistics: 16 channels a chunk, widened to double (two vectors of 8), two rows
 * an iteration so that eight accumulators cover the add latency; and the blocked variant,
 * f32-colstats-blocked-body.h on vector-avx512f.h. */
#include "kernels/f32-colstats/f32-colstats.h"
#include "kernels/vector-avx512f.h"
#include "kernels/simd-x86.h"

void tsr_f32_colstats_ukernel__avx512f_c16(size_t rows, size_t channels, const float* x, size_t stride,
                                           const float* origin, double* sums) {
  size_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    const __m512d o0 = _mm512_cvtps_pd(_mm256_loadu_ps(origin + c)), o1 = _mm512_cvtps_pd(_mm256_loadu_ps(origin + c + 8));
    __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    const float* p = x + c;
    size_t r = 0;
    for (; r + 2 <= rows; r += 2, p += 2 * stride) {
      const __m512d d0 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p)), o0);
      const __m512d d1 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p + 8)), o1);
      const __m512d d2 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p + stride)), o0);
      const __m512d d3 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p + stride + 8)), o1);
      s0 = _mm512_add_pd(s0, d0), q0 = _mm512_fmadd_pd(d0, d0, q0);
      s1 = _mm512_add_pd(s1, d1), q1 = _mm512_fmadd_pd(d1, d1, q1);
      s2 = _mm512_add_pd(s2, d2), q2 = _mm512_fmadd_pd(d2, d2, q2);
      s3 = _mm512_add_pd(s3, d3), q3 = _mm512_fmadd_pd(d3, d3, q3);
    }
    if (r < rows) {
      const __m512d d0 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p)), o0);
      const __m512d d1 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p + 8)), o1);
      s0 = _mm512_add_pd(s0, d0), q0 = _mm512_fmadd_pd(d0, d0, q0);
      s1 = _mm512_add_pd(s1, d1), q1 = _mm512_fmadd_pd(d1, d1, q1);
    }
    _mm512_storeu_pd(sums + c, _mm512_add_pd(_mm512_loadu_pd(sums + c), _mm512_add_pd(s0, s2)));
    _mm512_storeu_pd(sums + c + 8, _mm512_add_pd(_mm512_loadu_pd(sums + c + 8), _mm512_add_pd(s1, s3)));
    _mm512_storeu_pd(sums + channels + c, _mm512_add_pd(_mm512_loadu_pd(sums + channels + c), _mm512_add_pd(q0, q2)));
    _mm512_storeu_pd(sums + channels + c + 8,
                     _mm512_add_pd(_mm512_loadu_pd(sums + channels + c + 8), _mm512_add_pd(q1, q3)));
  }
  tsr_f32_colstats_tail(c, rows, channels, x, stride, origin, sums);
}

#define TSR_COLSTATS_BLOCKED_NAME tsr_f32_colstats_ukernel__avx512f_c16_blocked
#include "kernels/f32-colstats/f32-colstats-blocked-body.h"
