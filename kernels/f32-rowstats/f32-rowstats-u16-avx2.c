/* AVX2 row statistics: 16 elements an iteration, widened to double, four accumulators per sum
 * to cover the add latency. */
#include <immintrin.h>

#include "kernels/f32-rowstats/f32-rowstats.h"

static inline double tsr_hsum_pd(__m256d v) {
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

void tsr_f32_rowstats_ukernel__avx2_u16(size_t n, const float* x, double origin, double sums[2]) {
  const __m256d vorigin = _mm256_set1_pd(origin);
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)), vorigin);
    const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)), vorigin);
    const __m256d d2 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(b)), vorigin);
    const __m256d d3 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)), vorigin);
    s0 = _mm256_add_pd(s0, d0), q0 = _mm256_fmadd_pd(d0, d0, q0);
    s1 = _mm256_add_pd(s1, d1), q1 = _mm256_fmadd_pd(d1, d1, q1);
    s2 = _mm256_add_pd(s2, d2), q2 = _mm256_fmadd_pd(d2, d2, q2);
    s3 = _mm256_add_pd(s3, d3), q3 = _mm256_fmadd_pd(d3, d3, q3);
  }
  sums[0] = tsr_hsum_pd(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  sums[1] = tsr_hsum_pd(_mm256_add_pd(_mm256_add_pd(q0, q1), _mm256_add_pd(q2, q3)));
  tsr_f32_rowstats_tail(i, n, x, origin, sums);
}
