/* AVX2 softmax row: 48 elements an iteration, exp by range reduction and a degree-7 polynomial,
 * the sum in double.
 *
 * One vector's exp is a chain of about 20 dependent operations (some 60 cycles), while its 23
 * operations keep the two FMA pipes busy for only 6: with the vectors' chains one after another,
 * Zen 4 ran 18 cycles a vector, the scheduler filled with the waiting chain. Six vectors taken
 * step by step together (each step applied to all six before the next) run at 14, and rounding
 * by the 1.5 * 2^23 addition instead of round + convert + clamp, with one mask for the range
 * instead of two clamps, drops 4 operations a vector: 0.66 -> 0.51 ns an element in L1 (see
 * docs/PERFORMANCE.md). Eight vectors measured the same as six; four, slower. */
#include <immintrin.h>
#include <math.h>

#include "kernels/f32-softmax/f32-softmax.h"

enum { TSR_SOFTMAX_AVX2_VECTORS = 6 };

/* out[j] = exp(v[j] - max), for j < count: exact for x - max >= -87.3365 (results >= 2^-126)
 * to the stated bound, 0 below that and for -inf; NaN stays NaN. The difference is carried
 * exactly as d + e (TwoSum): rounding x - max to float alone would cost up to an ulp of |x - max|
 * in the exponent, 2.4e-6 relative at a distance of 40. */
static inline void tsr_exp_shifted_avx2(size_t count, const __m256* v, __m256 neg_max, __m256* out) {
  /* the smallest argument kept, just below ln(2^-126), so that k >= -126 below */
  const __m256 lowest = _mm256_set1_ps(-87.33655f);
  /* k + 127 lands in the low mantissa bits of k_biased: 1.5 * 2^23 + 127 + x log2(e) rounds
   * x log2(e) to the nearest integer (the spacing of floats there is 1) */
  const __m256 magic = _mm256_set1_ps(12583039.0f);
  __m256 d[TSR_SOFTMAX_AVX2_VECTORS], e[TSR_SOFTMAX_AVX2_VECTORS], k_biased[TSR_SOFTMAX_AVX2_VECTORS];
  __m256 k[TSR_SOFTMAX_AVX2_VECTORS], r[TSR_SOFTMAX_AVX2_VECTORS], p[TSR_SOFTMAX_AVX2_VECTORS];
  for (size_t j = 0; j < count; j++) {
    d[j] = _mm256_add_ps(v[j], neg_max);
    const __m256 bv = _mm256_sub_ps(d[j], v[j]);
    e[j] = _mm256_add_ps(_mm256_sub_ps(v[j], _mm256_sub_ps(d[j], bv)), _mm256_sub_ps(neg_max, bv));
  }
  for (size_t j = 0; j < count; j++) r[j] = _mm256_max_ps(lowest, d[j]); /* NaN d stays: 2nd operand */
  for (size_t j = 0; j < count; j++) k_biased[j] = _mm256_fmadd_ps(r[j], _mm256_set1_ps(1.44269504f), magic);
  /* r = x - k ln2 + e, ln2 in two parts (k * high is exact) */
  for (size_t j = 0; j < count; j++) k[j] = _mm256_sub_ps(k_biased[j], magic);
  for (size_t j = 0; j < count; j++) r[j] = _mm256_fmadd_ps(k[j], _mm256_set1_ps(-0.693145752f), r[j]);
  for (size_t j = 0; j < count; j++) r[j] = _mm256_fmadd_ps(k[j], _mm256_set1_ps(-1.42860682e-6f), r[j]);
  for (size_t j = 0; j < count; j++) r[j] = _mm256_add_ps(r[j], e[j]);
  for (size_t j = 0; j < count; j++)
    p[j] = _mm256_fmadd_ps(_mm256_set1_ps(1.98412698e-4f), r[j], _mm256_set1_ps(1.38888889e-3f));
  for (size_t j = 0; j < count; j++) p[j] = _mm256_fmadd_ps(p[j], r[j], _mm256_set1_ps(8.33333333e-3f));
  for (size_t j = 0; j < count; j++) p[j] = _mm256_fmadd_ps(p[j], r[j], _mm256_set1_ps(4.16666667e-2f));
  for (size_t j = 0; j < count; j++) p[j] = _mm256_fmadd_ps(p[j], r[j], _mm256_set1_ps(1.66666667e-1f));
  for (size_t j = 0; j < count; j++) p[j] = _mm256_fmadd_ps(p[j], r[j], _mm256_set1_ps(0.5f));
  for (size_t j = 0; j < count; j++) p[j] = _mm256_fmadd_ps(p[j], r[j], _mm256_set1_ps(1.0f));
  for (size_t j = 0; j < count; j++) p[j] = _mm256_fmadd_ps(p[j], r[j], _mm256_set1_ps(1.0f));
  for (size_t j = 0; j < count; j++) { /* times 2^k; below `lowest` (or -inf: e is NaN there) 0 */
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(k_biased[j]), 23));
    const __m256 kept = _mm256_cmp_ps(d[j], lowest, _CMP_NLT_UQ);
    out[j] = _mm256_and_ps(_mm256_mul_ps(p[j], scale), kept);
  }
}

static inline __m256d tsr_widen_sum_avx2(__m256 v) {
  return _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

static inline __m256i tsr_tail_mask(size_t count) {
  static const int32_t ones_then_zeros[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i*)(ones_then_zeros + 8 - count));
}

void tsr_f32_softmax_ukernel__avx2_u48(size_t n, const float* x, float* y, bool logarithmic) {
  /* pass 1: the max (a NaN is caught by the next pass: x - max is NaN there) */
  __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
    m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
  }
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(_mm256_max_ps(m0, m1)), _mm256_extractf128_ps(_mm256_max_ps(m0, m1), 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  float max = _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
  for (; i < n; i++) max = x[i] > max ? x[i] : max;
  const __m256 vmax = _mm256_set1_ps(max), neg_max = _mm256_set1_ps(-max);
  /* pass 2: exp(x - max), stored for softmax, summed in double: each pair of exp vectors is
   * added in f32 first (one rounding of 2^-24 relative, the sum being of positive terms) and
   * widened once */
  __m256d s0 = _mm256_setzero_pd();
  __m256 v[TSR_SOFTMAX_AVX2_VECTORS], e[TSR_SOFTMAX_AVX2_VECTORS];
  for (i = 0; i + 8 * TSR_SOFTMAX_AVX2_VECTORS <= n; i += 8 * TSR_SOFTMAX_AVX2_VECTORS) {
    for (size_t j = 0; j < TSR_SOFTMAX_AVX2_VECTORS; j++) v[j] = _mm256_loadu_ps(x + i + 8 * j);
    tsr_exp_shifted_avx2(TSR_SOFTMAX_AVX2_VECTORS, v, neg_max, e);
    if (!logarithmic)
      for (size_t j = 0; j < TSR_SOFTMAX_AVX2_VECTORS; j++) _mm256_storeu_ps(y + i + 8 * j, e[j]);
    for (size_t j = 0; j < TSR_SOFTMAX_AVX2_VECTORS; j += 2)
      s0 = _mm256_add_pd(s0, tsr_widen_sum_avx2(_mm256_add_ps(e[j], e[j + 1])));
  }
  for (; i + 8 <= n; i += 8) {
    v[0] = _mm256_loadu_ps(x + i);
    tsr_exp_shifted_avx2(1, v, neg_max, e);
    if (!logarithmic) _mm256_storeu_ps(y + i, e[0]);
    s0 = _mm256_add_pd(s0, tsr_widen_sum_avx2(e[0]));
  }
  if (i < n) { /* the last 1-7 under a mask; masked-off lanes add 0 */
    const __m256i mask = tsr_tail_mask(n - i);
    v[0] = _mm256_maskload_ps(x + i, mask);
    tsr_exp_shifted_avx2(1, v, neg_max, e);
    e[0] = _mm256_and_ps(_mm256_castsi256_ps(mask), e[0]);
    if (!logarithmic) _mm256_maskstore_ps(y + i, mask, e[0]);
    s0 = _mm256_add_pd(s0, tsr_widen_sum_avx2(e[0]));
  }
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(s0), _mm256_extractf128_pd(s0, 1));
  const double sum = _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
  /* pass 3 */
  if (logarithmic) {
    const float log_sum = (float)log(sum);
    const __m256 vlog = _mm256_set1_ps(log_sum);
    for (i = 0; i + 8 <= n; i += 8)
      _mm256_storeu_ps(y + i, _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax), vlog));
    for (; i < n; i++) y[i] = (x[i] - max) - log_sum;
  } else {
    const __m256 inverse = _mm256_set1_ps((float)(1.0 / sum));
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), inverse));
    for (; i < n; i++) y[i] = y[i] * (float)(1.0 / sum);
  }
}
