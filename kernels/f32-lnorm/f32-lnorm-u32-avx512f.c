/* AVX-512 layer-norm row: statistics in one pass in double, the normalization in f32 (as the
 * AVX2 variant; see there). */

#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/simd-x86.h"

void tsr_f32_lnorm_ukernel__avx512f_u32(size_t n, const float* x, const float* gamma, const float* beta,
                                        double epsilon, float* y) {
  /* pass 1: the statistics in double, shifted by the row's first element (f32-rowstats) */
  double sums[2];
  tsr_f32_rowstats_ukernel__avx512f_u32(n, x, x[0], sums);
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_statistics(n, x[0], sums, epsilon);
  /* pass 2 in f32, the mean as a float pair */
  const __m512 vhigh = _mm512_set1_ps(st.mean_high), vlow = _mm512_set1_ps(st.mean_low);
  const __m512 vinverse = _mm512_set1_ps(st.inverse);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 t0 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vhigh), vlow), vinverse);
    const __m512 t1 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vhigh), vlow), vinverse);
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(t0, _mm512_loadu_ps(gamma + i), _mm512_loadu_ps(beta + i)));
    _mm512_storeu_ps(y + i + 16, _mm512_fmadd_ps(t1, _mm512_loadu_ps(gamma + i + 16), _mm512_loadu_ps(beta + i + 16)));
  }
  tsr_f32_lnorm_normalize_tail(i, n, x, gamma, beta, st, y);
}
