/* AVX-512 layer-norm row: statistics in one pass in double, the normalization in f32 (as the
 * AVX2 variant; see there). */

#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/simd-x86.h"

void tsr_f32_lnorm_ukernel__avx512f_u32(size_t n, const float* x, const float* gamma, const float* beta,
                                        double epsilon, float* y) {
  /* pass 1: sums of d = x - x[0] and d^2 in double, four accumulators each */
  const double origin = x[0];
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
  const double sum = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
  const double squares = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(q0, q1), _mm512_add_pd(q2, q3)));
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_statistics(n, x, i, origin, sum, squares, epsilon);
  /* pass 2 in f32, the mean as a float pair */
  const __m512 vhigh = _mm512_set1_ps(st.mean_high), vlow = _mm512_set1_ps(st.mean_low);
  const __m512 vinverse = _mm512_set1_ps(st.inverse);
  for (i = 0; i + 32 <= n; i += 32) {
    const __m512 t0 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vhigh), vlow), vinverse);
    const __m512 t1 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vhigh), vlow), vinverse);
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(t0, _mm512_loadu_ps(gamma + i), _mm512_loadu_ps(beta + i)));
    _mm512_storeu_ps(y + i + 16, _mm512_fmadd_ps(t1, _mm512_loadu_ps(gamma + i + 16), _mm512_loadu_ps(beta + i + 16)));
  }
  tsr_f32_lnorm_normalize_tail(i, n, x, gamma, beta, st, y);
}
