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

/* One tile of `rows` rows (a constant after inlining: only those rows are loaded, computed and
 * stored; the accumulators are named so that they stay in registers). */
static inline __attribute__((always_inline)) void tsr_gemm_12x32(bool masked, size_t rows, size_t nc, size_t kc,
                                                                 const float* a, size_t rs, size_t ks,
                                                                 const float* b, size_t ldb, float* c,
                                                                 size_t ldc, const float* c_scale) {
  const __mmask16 mask0 = masked ? tsr_mask_avx512(nc < 16 ? nc : 16) : 0;
  const __mmask16 mask1 = masked ? tsr_mask_avx512(nc > 16 ? nc - 16 : 0) : 0;
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
  __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
  __m512 c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps();
  __m512 c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps();
  __m512 c100 = _mm512_setzero_ps(), c101 = _mm512_setzero_ps();
  __m512 c110 = _mm512_setzero_ps(), c111 = _mm512_setzero_ps();
  for (size_t k = 0, at = 0; k < kc; k++, at += ks, b += ldb) {
    const __m512 b0 = masked ? _mm512_maskz_loadu_ps(mask0, b) : _mm512_loadu_ps(b);
    const __m512 b1 = masked ? _mm512_maskz_loadu_ps(mask1, b + 16) : _mm512_loadu_ps(b + 16);
    {
      const __m512 va = _mm512_set1_ps(a[0 * rs + at]);
      c00 = _mm512_fmadd_ps(va, b0, c00), c01 = _mm512_fmadd_ps(va, b1, c01);
    }
    if (rows > 1) {
      const __m512 va = _mm512_set1_ps(a[1 * rs + at]);
      c10 = _mm512_fmadd_ps(va, b0, c10), c11 = _mm512_fmadd_ps(va, b1, c11);
    }
    if (rows > 2) {
      const __m512 va = _mm512_set1_ps(a[2 * rs + at]);
      c20 = _mm512_fmadd_ps(va, b0, c20), c21 = _mm512_fmadd_ps(va, b1, c21);
    }
    if (rows > 3) {
      const __m512 va = _mm512_set1_ps(a[3 * rs + at]);
      c30 = _mm512_fmadd_ps(va, b0, c30), c31 = _mm512_fmadd_ps(va, b1, c31);
    }
    if (rows > 4) {
      const __m512 va = _mm512_set1_ps(a[4 * rs + at]);
      c40 = _mm512_fmadd_ps(va, b0, c40), c41 = _mm512_fmadd_ps(va, b1, c41);
    }
    if (rows > 5) {
      const __m512 va = _mm512_set1_ps(a[5 * rs + at]);
      c50 = _mm512_fmadd_ps(va, b0, c50), c51 = _mm512_fmadd_ps(va, b1, c51);
    }
    if (rows > 6) {
      const __m512 va = _mm512_set1_ps(a[6 * rs + at]);
      c60 = _mm512_fmadd_ps(va, b0, c60), c61 = _mm512_fmadd_ps(va, b1, c61);
    }
    if (rows > 7) {
      const __m512 va = _mm512_set1_ps(a[7 * rs + at]);
      c70 = _mm512_fmadd_ps(va, b0, c70), c71 = _mm512_fmadd_ps(va, b1, c71);
    }
    if (rows > 8) {
      const __m512 va = _mm512_set1_ps(a[8 * rs + at]);
      c80 = _mm512_fmadd_ps(va, b0, c80), c81 = _mm512_fmadd_ps(va, b1, c81);
    }
    if (rows > 9) {
      const __m512 va = _mm512_set1_ps(a[9 * rs + at]);
      c90 = _mm512_fmadd_ps(va, b0, c90), c91 = _mm512_fmadd_ps(va, b1, c91);
    }
    if (rows > 10) {
      const __m512 va = _mm512_set1_ps(a[10 * rs + at]);
      c100 = _mm512_fmadd_ps(va, b0, c100), c101 = _mm512_fmadd_ps(va, b1, c101);
    }
    if (rows > 11) {
      const __m512 va = _mm512_set1_ps(a[11 * rs + at]);
      c110 = _mm512_fmadd_ps(va, b0, c110), c111 = _mm512_fmadd_ps(va, b1, c111);
    }
  }
#define TSR_STORE_ROW(r, lo, hi)                                       \
  if (rows > r) {                                                      \
    float* cr = c + r * ldc;                                           \
    if (c_scale != NULL) {                                             \
      const __m512 scale = _mm512_set1_ps(c_scale[r]);                 \
      lo = _mm512_fmadd_ps(scale, _mm512_loadu_ps(cr), lo);            \
      hi = _mm512_fmadd_ps(scale, _mm512_loadu_ps(cr + 16), hi);       \
    }                                                                  \
    _mm512_storeu_ps(cr, lo);                                          \
    _mm512_storeu_ps(cr + 16, hi);                                     \
  }
  TSR_STORE_ROW(0, c00, c01)
  TSR_STORE_ROW(1, c10, c11)
  TSR_STORE_ROW(2, c20, c21)
  TSR_STORE_ROW(3, c30, c31)
  TSR_STORE_ROW(4, c40, c41)
  TSR_STORE_ROW(5, c50, c51)
  TSR_STORE_ROW(6, c60, c61)
  TSR_STORE_ROW(7, c70, c71)
  TSR_STORE_ROW(8, c80, c81)
  TSR_STORE_ROW(9, c90, c91)
  TSR_STORE_ROW(10, c100, c101)
  TSR_STORE_ROW(11, c110, c111)
#undef TSR_STORE_ROW
}

#define TSR_GEMM_ROWS(masked)                                                                                  \
  switch (mr) {                                                                                                \
    case 1: tsr_gemm_12x32(masked, 1, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 2: tsr_gemm_12x32(masked, 2, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 3: tsr_gemm_12x32(masked, 3, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 4: tsr_gemm_12x32(masked, 4, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 5: tsr_gemm_12x32(masked, 5, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 6: tsr_gemm_12x32(masked, 6, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 7: tsr_gemm_12x32(masked, 7, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 8: tsr_gemm_12x32(masked, 8, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 9: tsr_gemm_12x32(masked, 9, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 10: tsr_gemm_12x32(masked, 10, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 11: tsr_gemm_12x32(masked, 11, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    default: tsr_gemm_12x32(masked, 12, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
  }

void tsr_f32_flash_gemm__avx512f_12x32(size_t mr, size_t nc, size_t kc, const float* a, size_t a_row_stride,
                                       size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,
                                       const float* c_scale) {
  if (nc == 32) TSR_GEMM_ROWS(false)
  else TSR_GEMM_ROWS(true)
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
