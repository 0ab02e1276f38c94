/* The AVX-512 fused attention kernel set: a 12 x 32 GEMM tile (24 accumulators), lane-wise online
 * softmax, row softmax, 4-row dot products and the additive-score tile, on the same exp2 as the
 * AVX2 set (2^round(x) times a degree-6 polynomial), 16 lanes wide. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels/f32-flash/f32-flash.h"
#include "kernels/simd-x86.h"

/* 2^x: relative error below 4e-7 for x >= -126; 0 for x < -126.5 and -inf. */
static inline __m512 tsr_exp2_avx512(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-127.0f)), _mm512_set1_ps(127.0f));
  const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(x, n);
  __m512 p = _mm512_set1_ps(1.54035304e-4f);
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.33335581e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.61812911e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.55041087e-2f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.40226507e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.93147182e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
  const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

/* tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)), |x| clamped to 9 (where tanh rounds to 1). */
static inline __m512 tsr_tanh_avx512(__m512 x) {
  const __m512i sign = _mm512_set1_epi32(INT32_MIN);
  const __m512i xi = _mm512_castps_si512(x);
  const __m512 ax = _mm512_min_ps(_mm512_castsi512_ps(_mm512_andnot_si512(sign, xi)), _mm512_set1_ps(9.0f));
  const __m512 e = tsr_exp2_avx512(_mm512_mul_ps(ax, _mm512_set1_ps(2.88539008f))); /* 2 log2(e) */
  const __m512 t = _mm512_sub_ps(_mm512_set1_ps(1.0f),
                                 _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), _mm512_and_si512(sign, xi)));
}

static inline __mmask16 tsr_mask_avx512(size_t count) { return _cvtu32_mask16((uint32_t)((1u << count) - 1u)); }

static inline float tsr_hsum_avx512(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  const __m256 h = _mm256_add_ps(lo, hi);
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_add_ss(x, _mm_movehdup_ps(x)));
}

static inline float tsr_hmax_avx512(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  const __m256 h = _mm256_max_ps(lo, hi);
  __m128 x = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  x = _mm_max_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
}

enum { tsr_mr = 12 };

static inline __attribute__((always_inline)) void tsr_gemm_12x32(bool masked, size_t mr, size_t nc, size_t kc,
                                                                 const float* a, size_t rs, size_t ks,
                                                                 const float* b, size_t ldb, float* c,
                                                                 size_t ldc, const float* c_scale) {
  /* rows past mr repeat row mr - 1: they store the same values to the same place */
  const float* ar[tsr_mr];
  size_t row[tsr_mr];
  for (size_t r = 0; r < tsr_mr; r++) {
    row[r] = r < mr ? r : mr - 1;
    ar[r] = a + row[r] * rs;
  }
  const __mmask16 mask0 = masked ? tsr_mask_avx512(nc < 16 ? nc : 16) : 0;
  const __mmask16 mask1 = masked ? tsr_mask_avx512(nc > 16 ? nc - 16 : 0) : 0;
  __m512 acc[tsr_mr][2];
  for (size_t r = 0; r < tsr_mr; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (size_t k = 0, at = 0; k < kc; k++, at += ks, b += ldb) {
    const __m512 b0 = masked ? _mm512_maskz_loadu_ps(mask0, b) : _mm512_loadu_ps(b);
    const __m512 b1 = masked ? _mm512_maskz_loadu_ps(mask1, b + 16) : _mm512_loadu_ps(b + 16);
    for (size_t r = 0; r < tsr_mr; r++) { /* unrolled by the compiler: tsr_mr is a constant */
      const __m512 va = _mm512_set1_ps(ar[r][at]);
      acc[r][0] = _mm512_fmadd_ps(va, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(va, b1, acc[r][1]);
    }
  }
  if (c_scale != NULL)
    for (size_t r = 0; r < tsr_mr; r++) {
      const __m512 s = _mm512_set1_ps(c_scale[row[r]]);
      const float* cr = c + row[r] * ldc;
      acc[r][0] = _mm512_fmadd_ps(s, _mm512_loadu_ps(cr), acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(s, _mm512_loadu_ps(cr + 16), acc[r][1]);
    }
  for (size_t r = tsr_mr; r-- > 0;) {
    float* cr = c + row[r] * ldc;
    _mm512_storeu_ps(cr, acc[r][0]);
    _mm512_storeu_ps(cr + 16, acc[r][1]);
  }
}

void tsr_f32_flash_gemm__avx512f_12x32(size_t mr, size_t nc, size_t kc, const float* a, size_t a_row_stride,
                                       size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,
                                       const float* c_scale) {
  if (nc == 32) tsr_gemm_12x32(false, mr, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale);
  else tsr_gemm_12x32(true, mr, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale);
}

void tsr_f32_flash_softmax__avx512f_12x32(size_t rows, size_t lanes, float* s, size_t lds, float* max,
                                          float* sum, float* alpha) {
  for (size_t l = 0; l < lanes; l += 16) {
    float* col = s + l;
    const __m512 old = _mm512_loadu_ps(max + l);
    __m512 m0 = old, m1 = old;
    size_t r = 0;
    for (; r + 2 <= rows; r += 2) {
      m0 = _mm512_max_ps(m0, _mm512_loadu_ps(col + r * lds));
      m1 = _mm512_max_ps(m1, _mm512_loadu_ps(col + (r + 1) * lds));
    }
    if (r < rows) m0 = _mm512_max_ps(m0, _mm512_loadu_ps(col + r * lds));
    const __m512 m = _mm512_max_ps(m0, m1);
    const __mmask16 none = _mm512_cmp_ps_mask(m, _mm512_set1_ps(-INFINITY), _CMP_EQ_OQ);
    const __m512 u = _mm512_mask_blend_ps(none, m, _mm512_setzero_ps());
    __m512 t0 = _mm512_setzero_ps(), t1 = _mm512_setzero_ps();
    for (r = 0; r + 2 <= rows; r += 2) {
      const __m512 p0 = tsr_exp2_avx512(_mm512_sub_ps(_mm512_loadu_ps(col + r * lds), u));
      const __m512 p1 = tsr_exp2_avx512(_mm512_sub_ps(_mm512_loadu_ps(col + (r + 1) * lds), u));
      _mm512_storeu_ps(col + r * lds, p0);
      _mm512_storeu_ps(col + (r + 1) * lds, p1);
      t0 = _mm512_add_ps(t0, p0), t1 = _mm512_add_ps(t1, p1);
    }
    if (r < rows) {
      const __m512 p0 = tsr_exp2_avx512(_mm512_sub_ps(_mm512_loadu_ps(col + r * lds), u));
      _mm512_storeu_ps(col + r * lds, p0);
      t0 = _mm512_add_ps(t0, p0);
    }
    const __m512 a = tsr_exp2_avx512(_mm512_sub_ps(old, u));
    _mm512_storeu_ps(alpha + l, a);
    _mm512_storeu_ps(sum + l, _mm512_fmadd_ps(_mm512_loadu_ps(sum + l), a, _mm512_add_ps(t0, t1)));
    _mm512_storeu_ps(max + l, m);
  }
}

float tsr_f32_flash_rowexp__avx512f_12x32(size_t n, float* s, float* max) {
  __m512 vm = _mm512_set1_ps(*max);
  size_t j = 0;
  for (; j + 16 <= n; j += 16) vm = _mm512_max_ps(vm, _mm512_loadu_ps(s + j));
  float m = tsr_hmax_avx512(vm);
  for (size_t t = j; t < n; t++) m = fmaxf(m, s[t]);
  const __m512 u = _mm512_set1_ps(m == -INFINITY ? 0.0f : m);
  __m512 total = _mm512_setzero_ps();
  for (j = 0; j + 16 <= n; j += 16) {
    const __m512 p = tsr_exp2_avx512(_mm512_sub_ps(_mm512_loadu_ps(s + j), u));
    _mm512_storeu_ps(s + j, p);
    total = _mm512_add_ps(total, p);
  }
  if (j < n) { /* the tail through the same vector code, masked lanes at -inf give 0 */
    const __mmask16 mask = tsr_mask_avx512(n - j);
    const __m512 x = _mm512_mask_blend_ps(mask, _mm512_set1_ps(-INFINITY), _mm512_maskz_loadu_ps(mask, s + j));
    const __m512 p = tsr_exp2_avx512(_mm512_sub_ps(x, u));
    _mm512_mask_storeu_ps(s + j, mask, p);
    total = _mm512_add_ps(total, p);
  }
  *max = m;
  return tsr_hsum_avx512(total);
}

void tsr_f32_flash_dot__avx512f_12x32(size_t n, size_t d, const float* k, size_t ldk, size_t rows, const float* q,
                                      size_t ldq, float* s, size_t lds) {
  const size_t body = d & ~(size_t)15;
  const __mmask16 tail = tsr_mask_avx512(d - body);
  /* rows past `rows` repeat the last query; their sums are not stored */
  const float* qr[4];
  for (size_t r = 0; r < 4; r++) qr[r] = q + (r < rows ? r : rows - 1) * ldq;
  for (size_t j = 0; j < n; j += 2) {
    const float* ka = k + j * ldk;
    const float* kb = j + 1 < n ? ka + ldk : ka; /* an odd last key is computed twice */
    __m512 a[4], b[4];
    for (size_t r = 0; r < 4; r++) a[r] = b[r] = _mm512_setzero_ps();
    for (size_t c = 0; c < body; c += 16) {
      const __m512 va = _mm512_loadu_ps(ka + c), vb = _mm512_loadu_ps(kb + c);
      for (size_t r = 0; r < 4; r++) {
        const __m512 vq = _mm512_loadu_ps(qr[r] + c);
        a[r] = _mm512_fmadd_ps(va, vq, a[r]), b[r] = _mm512_fmadd_ps(vb, vq, b[r]);
      }
    }
    if (body < d) {
      const __m512 va = _mm512_maskz_loadu_ps(tail, ka + body), vb = _mm512_maskz_loadu_ps(tail, kb + body);
      for (size_t r = 0; r < 4; r++) {
        const __m512 vq = _mm512_maskz_loadu_ps(tail, qr[r] + body);
        a[r] = _mm512_fmadd_ps(va, vq, a[r]), b[r] = _mm512_fmadd_ps(vb, vq, b[r]);
      }
    }
    for (size_t r = 0; r < rows; r++) {
      s[r * lds + j] = tsr_hsum_avx512(a[r]);
      if (j + 1 < n) s[r * lds + j + 1] = tsr_hsum_avx512(b[r]);
    }
  }
}

void tsr_f32_flash_concat__avx512f_12x32(size_t rows, size_t lanes, size_t d, const float* k, size_t ldk,
                                         float k_scale, const float* qt, size_t ldq, float weight, float* s,
                                         size_t lds) {
  const __m512 vw = _mm512_set1_ps(weight);
  for (size_t r = 0; r < rows; r++) {
    const float* kr = k + r * ldk;
    for (size_t l = 0; l < lanes; l += 32) {
      __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
      for (size_t c = 0; c < d; c++) {
        const __m512 vk = _mm512_set1_ps(k_scale * kr[c]);
        acc0 = _mm512_add_ps(acc0, tsr_tanh_avx512(_mm512_add_ps(_mm512_loadu_ps(qt + c * ldq + l), vk)));
        acc1 = _mm512_add_ps(acc1, tsr_tanh_avx512(_mm512_add_ps(_mm512_loadu_ps(qt + c * ldq + l + 16), vk)));
      }
      _mm512_storeu_ps(s + r * lds + l, _mm512_mul_ps(vw, acc0));
      _mm512_storeu_ps(s + r * lds + l + 16, _mm512_mul_ps(vw, acc1));
    }
  }
}
