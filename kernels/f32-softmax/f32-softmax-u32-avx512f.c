/* AVX-512 softmax row: 32 elements an iteration, exp by range reduction and a degree-7
 * polynomial, the sum in double. */
#include <math.h>

#include "kernels/f32-softmax/f32-softmax.h"
#include "kernels/simd-x86.h"

/* exp(x - max) for x <= max: 0 below -104 and for -inf; NaN stays NaN. The difference is
 * carried exactly as d + e (TwoSum), as in the AVX2 variant. */
static inline __m512 tsr_exp_shifted_avx512(__m512 v, __m512 neg_max) {
  const __m512 d = _mm512_add_ps(v, neg_max);
  const __m512 bv = _mm512_sub_ps(d, v);
  __m512 e = _mm512_add_ps(_mm512_sub_ps(v, _mm512_sub_ps(d, bv)), _mm512_sub_ps(neg_max, bv));
  e = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(d, _mm512_set1_ps(-104.0f), _CMP_GT_OQ), e);
  const __m512 x = _mm512_min_ps(_mm512_set1_ps(0.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), d));
  const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fmadd_ps(k, _mm512_set1_ps(-0.693145752f), x);
  r = _mm512_add_ps(_mm512_fmadd_ps(k, _mm512_set1_ps(-1.42860682e-6f), r), e);
  __m512 p = _mm512_set1_ps(1.98412698e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.38888889e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.33333333e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.16666667e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.66666667e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  const __m512i biased = _mm512_max_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(k), _mm512_set1_epi32(127)), _mm512_setzero_si512());
  return _mm512_mul_ps(p, _mm512_castsi512_ps(_mm512_slli_epi32(biased, 23)));
}

static inline __m512d tsr_widen_sum_avx512(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  return _mm512_add_pd(_mm512_cvtps_pd(lo), _mm512_cvtps_pd(hi));
}

static inline __mmask16 tsr_tail_mask(size_t count) { return _cvtu32_mask16((uint32_t)((1u << count) - 1u)); }

void tsr_f32_softmax_ukernel__avx512f_u32(size_t n, const float* x, float* y, bool logarithmic) {
  /* pass 1: the max (a NaN is caught by the next pass: x - max is NaN there) */
  __m512 m0 = _mm512_set1_ps(-INFINITY), m1 = m0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x + i));
    m1 = _mm512_max_ps(m1, _mm512_loadu_ps(x + i + 16));
  }
  float lanes[16];
  _mm512_storeu_ps(lanes, _mm512_max_ps(m0, m1));
  float max = -INFINITY;
  for (int l = 0; l < 16; l++) max = lanes[l] > max ? lanes[l] : max;
  for (; i < n; i++) max = x[i] > max ? x[i] : max;
  const __m512 vmax = _mm512_set1_ps(max), neg_max = _mm512_set1_ps(-max);
  /* pass 2: exp(x - max), stored for softmax, summed in double */
  __m512d s0 = _mm512_setzero_pd();
  for (i = 0; i + 32 <= n; i += 32) {
    const __m512 e0 = tsr_exp_shifted_avx512(_mm512_loadu_ps(x + i), neg_max);
    const __m512 e1 = tsr_exp_shifted_avx512(_mm512_loadu_ps(x + i + 16), neg_max);
    if (!logarithmic) _mm512_storeu_ps(y + i, e0), _mm512_storeu_ps(y + i + 16, e1);
    s0 = _mm512_add_pd(s0, tsr_widen_sum_avx512(_mm512_add_ps(e0, e1))); /* one f32 add, then double */
  }
  for (; i < n; i += 16) { /* the tail, 16 at a time under a mask; masked-off lanes add 0 */
    const __mmask16 mask = tsr_tail_mask(n - i < 16 ? n - i : 16);
    const __m512 e = _mm512_mask_blend_ps(mask, _mm512_setzero_ps(),
                                          tsr_exp_shifted_avx512(_mm512_maskz_loadu_ps(mask, x + i), neg_max));
    if (!logarithmic) _mm512_mask_storeu_ps(y + i, mask, e);
    s0 = _mm512_add_pd(s0, tsr_widen_sum_avx512(e));
  }
  const double sum = _mm512_reduce_add_pd(s0);
  /* pass 3 */
  if (logarithmic) {
    const float log_sum = (float)log(sum);
    const __m512 vlog = _mm512_set1_ps(log_sum);
    for (i = 0; i + 16 <= n; i += 16)
      _mm512_storeu_ps(y + i, _mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmax), vlog));
    for (; i < n; i++) y[i] = (x[i] - max) - log_sum;
  } else {
    const __m512 inverse = _mm512_set1_ps((float)(1.0 / sum));
    for (i = 0; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_loadu_ps(y + i), inverse));
    for (; i < n; i++) y[i] = y[i] * (float)(1.0 / sum);
  }
}
