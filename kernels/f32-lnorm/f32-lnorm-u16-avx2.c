/* AVX2 layer-norm row: the statistics in f32 (f32-lnorm.h), 32 elements an iteration in four
 * accumulators per sum, blocks of 4 iterations carried in double; the normalization in f32,
 * streamed from y's first whole line when asked. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

static inline double tsr_hsum_pd(__m256d v) {
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

/* The 8 lanes of v widened to double and added pairwise into 4. */
static inline __m256d tsr_widen_add(__m256 v) {
  return _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

static float tsr_lnorm_origin_avx2(const float* x) {
  const __m256 a = _mm256_add_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(x + 8));
  const __m256 b = _mm256_add_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(x + 24));
  return (float)(tsr_hsum_pd(tsr_widen_add(_mm256_add_ps(a, b))) / 32.0);
}

static void tsr_lnorm_sums_avx2(size_t n, const float* x, float origin, double sums[2]) {
  const __m256 vorigin = _mm256_set1_ps(origin);
  __m256d s = _mm256_setzero_pd(), q = s;
  size_t i = 0;
  while (i + 32 <= n) {
    const size_t end = i + 128 <= n ? i + 128 : n - (n - i) % 32;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    for (; i < end; i += 32) {
      const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), vorigin);
      const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vorigin);
      const __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 16), vorigin);
      const __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 24), vorigin);
      s0 = _mm256_add_ps(s0, d0), q0 = _mm256_fmadd_ps(d0, d0, q0);
      s1 = _mm256_add_ps(s1, d1), q1 = _mm256_fmadd_ps(d1, d1, q1);
      s2 = _mm256_add_ps(s2, d2), q2 = _mm256_fmadd_ps(d2, d2, q2);
      s3 = _mm256_add_ps(s3, d3), q3 = _mm256_fmadd_ps(d3, d3, q3);
    }
    s = _mm256_add_pd(s, tsr_widen_add(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))));
    q = _mm256_add_pd(q, tsr_widen_add(_mm256_add_ps(_mm256_add_ps(q0, q1), _mm256_add_ps(q2, q3))));
  }
  sums[0] = tsr_hsum_pd(s);
  sums[1] = tsr_hsum_pd(q);
  tsr_f32_rowstats_tail(i, n, x, origin, sums);
}

/* The normalization of [i, n - n % 16) in f32: (x - mean) with the mean as a float pair (x - high
 * is exact where x is near the mean, where it matters), times 1/sigma, then one FMA with gamma
 * and beta; `stream` a constant at each call, so each form is its own loop. Returns where it
 * stopped. */
static inline size_t tsr_lnorm_normalize_avx2(size_t i, size_t n, const float* x, const float* gamma,
                                              const float* beta, struct tsr_f32_lnorm_statistics st, float* y,
                                              const bool stream) {
  const __m256 vhigh = _mm256_set1_ps(st.mean_high), vlow = _mm256_set1_ps(st.mean_low);
  const __m256 vinverse = _mm256_set1_ps(st.inverse);
  for (; i + 16 <= n; i += 16) {
    const __m256 t0 = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vhigh), vlow), vinverse);
    const __m256 t1 = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vhigh), vlow), vinverse);
    const __m256 y0 = _mm256_fmadd_ps(t0, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i));
    const __m256 y1 = _mm256_fmadd_ps(t1, _mm256_loadu_ps(gamma + i + 8), _mm256_loadu_ps(beta + i + 8));
    if (stream) {
      _mm256_stream_ps(y + i, y0);
      _mm256_stream_ps(y + i + 8, y1);
    } else {
      _mm256_storeu_ps(y + i, y0);
      _mm256_storeu_ps(y + i + 8, y1);
    }
  }
  return i;
}

void tsr_f32_lnorm_ukernel__avx2_u16(size_t n, const float* x, const float* gamma, const float* beta,
                                     double epsilon, bool stream, float* y) {
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_take_statistics(
      n, x, epsilon, 32, tsr_lnorm_origin_avx2, tsr_lnorm_sums_avx2, tsr_f32_rowstats_ukernel__avx2_u16);
  size_t i = 0;
  if (stream) { /* the elements before y's first 64-byte line one at a time, then whole lines */
    const size_t head = ((64 - (uintptr_t)y % 64) % 64) / sizeof(float);
    i = head < n ? head : n;
    tsr_f32_lnorm_normalize_tail(0, i, x, gamma, beta, st, y);
    i = tsr_lnorm_normalize_avx2(i, n, x, gamma, beta, st, y, true);
  } else {
    i = tsr_lnorm_normalize_avx2(0, n, x, gamma, beta, st, y, false);
  }
  tsr_f32_lnorm_normalize_tail(i, n, x, gamma, beta, st, y);
}
