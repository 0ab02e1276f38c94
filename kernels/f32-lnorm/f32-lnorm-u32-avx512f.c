/* AVX-512 layer-norm row: the statistics in f32 (f32-lnorm.h), 64 elements an iteration in four
 * accumulators per sum, blocks of 4 iterations carried in double; the normalization in f32 (as
 * the AVX2 variant; see there), streamed from y's first whole line when asked. */

#include <stdint.h>

#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/simd-x86.h"

/* The 16 lanes of v widened to double and added pairwise into 8. */
static inline __m512d tsr_widen_add(__m512 v) {
  return _mm512_add_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(v)),
                       _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
}

static float tsr_lnorm_origin_avx512f(const float* x) {
  const __m512 a = _mm512_add_ps(_mm512_loadu_ps(x), _mm512_loadu_ps(x + 16));
  const __m512 b = _mm512_add_ps(_mm512_loadu_ps(x + 32), _mm512_loadu_ps(x + 48));
  return (float)(_mm512_reduce_add_pd(tsr_widen_add(_mm512_add_ps(a, b))) / 64.0);
}

static void tsr_lnorm_sums_avx512f(size_t n, const float* x, float origin, double sums[2]) {
  const __m512 vorigin = _mm512_set1_ps(origin);
  __m512d s = _mm512_setzero_pd(), q = s;
  size_t i = 0;
  while (i + 64 <= n) {
    const size_t end = i + 256 <= n ? i + 256 : n - (n - i) % 64;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    for (; i < end; i += 64) {
      const __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), vorigin);
      const __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vorigin);
      const __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 32), vorigin);
      const __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 48), vorigin);
      s0 = _mm512_add_ps(s0, d0), q0 = _mm512_fmadd_ps(d0, d0, q0);
      s1 = _mm512_add_ps(s1, d1), q1 = _mm512_fmadd_ps(d1, d1, q1);
      s2 = _mm512_add_ps(s2, d2), q2 = _mm512_fmadd_ps(d2, d2, q2);
      s3 = _mm512_add_ps(s3, d3), q3 = _mm512_fmadd_ps(d3, d3, q3);
    }
    s = _mm512_add_pd(s, tsr_widen_add(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3))));
    q = _mm512_add_pd(q, tsr_widen_add(_mm512_add_ps(_mm512_add_ps(q0, q1), _mm512_add_ps(q2, q3))));
  }
  sums[0] = _mm512_reduce_add_pd(s);
  sums[1] = _mm512_reduce_add_pd(q);
  tsr_f32_rowstats_tail(i, n, x, origin, sums);
}

/* The normalization of [i, n - n % 32) in f32, the mean as a float pair; `stream` a constant at
 * each call, so each form is its own loop. Returns where it stopped. */
static inline size_t tsr_lnorm_normalize_avx512f(size_t i, size_t n, const float* x, const float* gamma,
                                                 const float* beta, struct tsr_f32_lnorm_statistics st, float* y,
                                                 const bool stream) {
  const __m512 vhigh = _mm512_set1_ps(st.mean_high), vlow = _mm512_set1_ps(st.mean_low);
  const __m512 vinverse = _mm512_set1_ps(st.inverse);
  for (; i + 32 <= n; i += 32) {
    const __m512 t0 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vhigh), vlow), vinverse);
    const __m512 t1 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vhigh), vlow), vinverse);
    const __m512 y0 = _mm512_fmadd_ps(t0, _mm512_loadu_ps(gamma + i), _mm512_loadu_ps(beta + i));
    const __m512 y1 = _mm512_fmadd_ps(t1, _mm512_loadu_ps(gamma + i + 16), _mm512_loadu_ps(beta + i + 16));
    if (stream) {
      _mm512_stream_ps(y + i, y0);
      _mm512_stream_ps(y + i + 16, y1);
    } else {
      _mm512_storeu_ps(y + i, y0);
      _mm512_storeu_ps(y + i + 16, y1);
    }
  }
  return i;
}

void tsr_f32_lnorm_ukernel__avx512f_u32(size_t n, const float* x, const float* gamma, const float* beta,
                                        double epsilon, bool stream, float* y) {
  const struct tsr_f32_lnorm_statistics st = tsr_f32_lnorm_take_statistics(
      n, x, epsilon, 64, tsr_lnorm_origin_avx512f, tsr_lnorm_sums_avx512f, tsr_f32_rowstats_ukernel__avx512f_u32);
  size_t i = 0;
  if (stream) { /* the elements before y's first 64-byte line one at a time, then whole lines */
    const size_t head = ((64 - (uintptr_t)y % 64) % 64) / sizeof(float);
    i = head < n ? head : n;
    tsr_f32_lnorm_normalize_tail(0, i, x, gamma, beta, st, y);
    i = tsr_lnorm_normalize_avx512f(i, n, x, gamma, beta, st, y, true);
  } else {
    i = tsr_lnorm_normalize_avx512f(0, n, x, gamma, beta, st, y, false);
  }
  tsr_f32_lnorm_normalize_tail(i, n, x, gamma, beta, st, y);
}
