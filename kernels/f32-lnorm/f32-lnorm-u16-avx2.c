#include <immintrin.h>
#include <math.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

static inline double tsr_hsum_pd(__m256d v) {
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

void tsr_f32_lnorm_ukernel__avx2_u16(size_t n, const float* x, const float* gamma, const float* beta,
                                     double epsilon, float* y) {
  /* pass 1: the sum, four double accumulators to cover the add latency */
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(a)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)));
    s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm256_castps256_ps128(b)));
    s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)));
  }
  double sum = tsr_hsum_pd(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  for (size_t j = i; j < n; j++) sum += x[j];
  const double mean = sum / (double)n;
  /* pass 2: squared deviations */
  const __m256d vmean = _mm256_set1_pd(mean);
  s0 = s1 = s2 = s3 = _mm256_setzero_pd();
  for (i = 0; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)), vmean);
    const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)), vmean);
    const __m256d d2 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(b)), vmean);
    const __m256d d3 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)), vmean);
    s0 = _mm256_fmadd_pd(d0, d0, s0);
    s1 = _mm256_fmadd_pd(d1, d1, s1);
    s2 = _mm256_fmadd_pd(d2, d2, s2);
    s3 = _mm256_fmadd_pd(d3, d3, s3);
  }
  double squares = tsr_hsum_pd(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  for (size_t j = i; j < n; j++) squares += ((double)x[j] - mean) * ((double)x[j] - mean);
  const double inverse = 1.0 / sqrt(squares / (double)n + epsilon);
  /* pass 3: normalize, scale and shift, 8 at a time */
  const __m256d vinverse = _mm256_set1_pd(inverse);
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i), g = _mm256_loadu_ps(gamma + i), b = _mm256_loadu_ps(beta + i);
    const __m256d lo = _mm256_fmadd_pd(
        _mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), vmean), vinverse),
        _mm256_cvtps_pd(_mm256_castps256_ps128(g)), _mm256_cvtps_pd(_mm256_castps256_ps128(b)));
    const __m256d hi = _mm256_fmadd_pd(
        _mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), vmean), vinverse),
        _mm256_cvtps_pd(_mm256_extractf128_ps(g, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)));
    _mm256_storeu_ps(y + i, _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1));
  }
  for (; i < n; i++) y[i] = (float)(((double)x[i] - mean) * inverse * gamma[i] + beta[i]);
}
