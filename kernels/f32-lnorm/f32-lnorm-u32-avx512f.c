#include <math.h>

#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/simd-x86.h"

void tsr_f32_lnorm_ukernel__avx512f_u32(size_t n, const float* x, const float* gamma, const float* beta,
                                        double epsilon, float* y) {
  /* pass 1: the sum, four double accumulators to cover the add latency */
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd(), s2 = _mm512_setzero_pd(), s3 = _mm512_setzero_pd();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
    s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8)));
    s2 = _mm512_add_pd(s2, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 16)));
    s3 = _mm512_add_pd(s3, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 24)));
  }
  double sum = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
  for (size_t j = i; j < n; j++) sum += x[j];
  const double mean = sum / (double)n;
  /* pass 2: squared deviations */
  const __m512d vmean = _mm512_set1_pd(mean);
  s0 = s1 = s2 = s3 = _mm512_setzero_pd();
  for (i = 0; i + 32 <= n; i += 32) {
    const __m512d d0 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i)), vmean);
    const __m512d d1 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8)), vmean);
    const __m512d d2 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i + 16)), vmean);
    const __m512d d3 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i + 24)), vmean);
    s0 = _mm512_fmadd_pd(d0, d0, s0);
    s1 = _mm512_fmadd_pd(d1, d1, s1);
    s2 = _mm512_fmadd_pd(d2, d2, s2);
    s3 = _mm512_fmadd_pd(d3, d3, s3);
  }
  double squares = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
  for (size_t j = i; j < n; j++) squares += ((double)x[j] - mean) * ((double)x[j] - mean);
  const double inverse = 1.0 / sqrt(squares / (double)n + epsilon);
  /* pass 3: normalize, scale and shift, 8 at a time (one double vector) */
  const __m512d vinverse = _mm512_set1_pd(inverse);
  for (i = 0; i + 8 <= n; i += 8) {
    const __m512d d = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i)), vmean), vinverse);
    const __m512d r = _mm512_fmadd_pd(d, _mm512_cvtps_pd(_mm256_loadu_ps(gamma + i)),
                                      _mm512_cvtps_pd(_mm256_loadu_ps(beta + i)));
    _mm256_storeu_ps(y + i, _mm512_cvtpd_ps(r));
  }
  for (; i < n; i++) y[i] = (float)(((double)x[i] - mean) * inverse * gamma[i] + beta[i]);
}
