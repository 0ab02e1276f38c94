/* AVX2 layer-norm row: statistics in one pass in double, the normalization in f32. */
#include <immintrin.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

void tsr_f32_lnorm_ukernel__avx2_u16(size_t n, const float* x, const float* gamma, const float* beta,
                                     double epsilon, float* y) {
  /* pass 1: the statistics in double, shifted by the row's first element (f32-rowstats) */
  double sums[2];
  tsr_f32_rowstats_ukernel__avx2_u16(n, x, x[0], sums);
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_statistics(n, x[0], sums, epsilon);
  /* pass 2 in f32: (x - mean) with the mean as a float pair (x - high is exact where x is near
   * the mean, where it matters), times 1/sigma, then one FMA with gamma and beta */
  const __m256 vhigh = _mm256_set1_ps(st.mean_high), vlow = _mm256_set1_ps(st.mean_low);
  const __m256 vinverse = _mm256_set1_ps(st.inverse);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 t0 = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vhigh), vlow), vinverse);
    const __m256 t1 = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vhigh), vlow), vinverse);
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(t0, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i)));
    _mm256_storeu_ps(y + i + 8, _mm256_fmadd_ps(t1, _mm256_loadu_ps(gamma + i + 8), _mm256_loadu_ps(beta + i + 8)));
  }
  tsr_f32_lnorm_normalize_tail(i, n, x, gamma, beta, st, y);
}
