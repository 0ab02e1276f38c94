/* AVX-512 row statistics: 32 elements an iteration, widened to double, four accumulators per
 * sum. */
#include "kernels/f32-rowstats/f32-rowstats.h"
#include "kernels/simd-x86.h"

void tsr_f32_rowstats_ukernel__avx512f_u32(size_t n, const float* x, double origin, double sums[2]) {
  const __m512d vorigin = _mm512_set1_pd(origin);
  __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512d d0 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i)), vorigin);
    const __m512d d1 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8)), vorigin);
    const __m512d d2 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i + 16)), vorigin);
    const __m512d d3 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i + 24)), vorigin);
    s0 = _mm512_add_pd(s0, d0), q0 = _mm512_fmadd_pd(d0, d0, q0);
    s1 = _mm512_add_pd(s1, d1), q1 = _mm512_fmadd_pd(d1, d1, q1);
    s2 = _mm512_add_pd(s2, d2), q2 = _mm512_fmadd_pd(d2, d2, q2);
    s3 = _mm512_add_pd(s3, d3), q3 = _mm512_fmadd_pd(d3, d3, q3);
  }
  sums[0] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
  sums[1] = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(q0, q1), _mm512_add_pd(q2, q3)));
  tsr_f32_rowstats_tail(i, n, x, origin, sums);
}
