/* AVX2 softmax row: 16 elements an iteration, exp by range reduction and a degree-7 polynomial,
 * the sum in double. */
#include <immintrin.h>
#include <math.h>

#include "kernels/f32-softmax/f32-softmax.h"

/* exp(x - max) for x <= max: 0 below -104 and for -inf; NaN stays NaN (the clamps take the
 * value as their second operand, which max/min return when it is NaN). The difference is
 * carried exactly as d + e (TwoSum): rounding x - max to float alone would cost up to an ulp
 * of |x - max| in the exponent, 2.4e-6 relative at a distance of 40. */
static inline __m256 tsr_exp_shifted_avx2(__m256 v, __m256 neg_max) {
  const __m256 d = _mm256_add_ps(v, neg_max);
  const __m256 bv = _mm256_sub_ps(d, v);
  __m256 e = _mm256_add_ps(_mm256_sub_ps(v, _mm256_sub_ps(d, bv)), _mm256_sub_ps(neg_max, bv));
  e = _mm256_and_ps(e, _mm256_cmp_ps(d, _mm256_set1_ps(-104.0f), _CMP_GT_OQ)); /* -inf, far: no term */
  const __m256 x = _mm256_min_ps(_mm256_set1_ps(0.0f), _mm256_max_ps(_mm256_set1_ps(-104.0f), d));
  const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fmadd_ps(k, _mm256_set1_ps(-0.693145752f), x); /* ln2 high part: exact k * hi */
  r = _mm256_add_ps(_mm256_fmadd_ps(k, _mm256_set1_ps(-1.42860682e-6f), r), e); /* ln2 low part */
  __m256 p = _mm256_set1_ps(1.98412698e-4f);                         /* 1/7! */
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.38888889e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.33333333e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.16666667e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.66666667e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  /* 2^k for k >= -126; k below gives 0 (exponent field underflows to the pattern of 0) */
  const __m256i biased = _mm256_max_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), _mm256_setzero_si256());
  const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23));
  return _mm256_mul_ps(p, scale);
}

static inline __m256d tsr_widen_sum_avx2(__m256 v) {
  return _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

static inline __m256i tsr_tail_mask(size_t count) {
  static const int32_t ones_then_zeros[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i*)(ones_then_zeros + 8 - count));
}

void tsr_f32_softmax_ukernel__avx2_u16(size_t n, const float* x, float* y, bool logarithmic) {
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
  /* pass 2: exp(x - max), stored for softmax, summed in double */
  __m256d s0 = _mm256_setzero_pd();
  for (i = 0; i + 16 <= n; i += 16) {
    const __m256 e0 = tsr_exp_shifted_avx2(_mm256_loadu_ps(x + i), neg_max);
    const __m256 e1 = tsr_exp_shifted_avx2(_mm256_loadu_ps(x + i + 8), neg_max);
    if (!logarithmic) _mm256_storeu_ps(y + i, e0), _mm256_storeu_ps(y + i + 8, e1);
    s0 = _mm256_add_pd(s0, tsr_widen_sum_avx2(_mm256_add_ps(e0, e1))); /* one f32 add, then double */
  }
  for (; i < n; i += 8) { /* the tail, 8 at a time under a mask; masked-off lanes add 0 */
    const __m256i mask = tsr_tail_mask(n - i < 8 ? n - i : 8);
    const __m256 e = _mm256_and_ps(_mm256_castsi256_ps(mask),
                                   tsr_exp_shifted_avx2(_mm256_maskload_ps(x + i, mask), neg_max));
    if (!logarithmic) _mm256_maskstore_ps(y + i, mask, e);
    s0 = _mm256_add_pd(s0, tsr_widen_sum_avx2(e));
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
