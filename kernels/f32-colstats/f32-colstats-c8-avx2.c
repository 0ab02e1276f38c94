/* AVX2 column statistics: 8 channels a chunk, widened to double (two vectors of 4), two rows an
 * iteration so that eight accumulators cover the add latency; and the blocked variant,
 * f32-colstats-blocked-body.h on vector-avx2.h. */
#include <immintrin.h>

#include "kernels/f32-colstats/f32-colstats.h"
#include "kernels/vector-avx2.h"

void tsr_f32_colstats_ukernel__avx2_c8(size_t rows, size_t channels, const float* x, size_t stride,
                                       const float* origin, double* sums) {
  size_t c = 0;
  for (; c + 8 <= channels; c += 8) {
    const __m256 vo = _mm256_loadu_ps(origin + c);
    const __m256d o0 = _mm256_cvtps_pd(_mm256_castps256_ps128(vo)), o1 = _mm256_cvtps_pd(_mm256_extractf128_ps(vo, 1));
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    const float* p = x + c;
    size_t r = 0;
    for (; r + 2 <= rows; r += 2, p += 2 * stride) {
      const __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + stride);
      const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)), o0);
      const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)), o1);
      const __m256d d2 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(b)), o0);
      const __m256d d3 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)), o1);
      s0 = _mm256_add_pd(s0, d0), q0 = _mm256_fmadd_pd(d0, d0, q0);
      s1 = _mm256_add_pd(s1, d1), q1 = _mm256_fmadd_pd(d1, d1, q1);
      s2 = _mm256_add_pd(s2, d2), q2 = _mm256_fmadd_pd(d2, d2, q2);
      s3 = _mm256_add_pd(s3, d3), q3 = _mm256_fmadd_pd(d3, d3, q3);
    }
    if (r < rows) {
      const __m256 a = _mm256_loadu_ps(p);
      const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)), o0);
      const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)), o1);
      s0 = _mm256_add_pd(s0, d0), q0 = _mm256_fmadd_pd(d0, d0, q0);
      s1 = _mm256_add_pd(s1, d1), q1 = _mm256_fmadd_pd(d1, d1, q1);
    }
    _mm256_storeu_pd(sums + c, _mm256_add_pd(_mm256_loadu_pd(sums + c), _mm256_add_pd(s0, s2)));
    _mm256_storeu_pd(sums + c + 4, _mm256_add_pd(_mm256_loadu_pd(sums + c + 4), _mm256_add_pd(s1, s3)));
    _mm256_storeu_pd(sums + channels + c, _mm256_add_pd(_mm256_loadu_pd(sums + channels + c), _mm256_add_pd(q0, q2)));
    _mm256_storeu_pd(sums + channels + c + 4,
                     _mm256_add_pd(_mm256_loadu_pd(sums + channels + c + 4), _mm256_add_pd(q1, q3)));
  }
  tsr_f32_colstats_tail(c, rows, channels, x, stride, origin, sums);
}

#define TSR_COLSTATS_BLOCKED_NAME tsr_f32_colstats_ukernel__avx2_c8_blocked
#include "kernels/f32-colstats/f32-colstats-blocked-body.h"
