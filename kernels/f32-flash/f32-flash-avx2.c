/* The AVX2 fused attention kernel set: a 6 x 16 GEMM tile (12 accumulators), lane-wise online
 * softmax, row softmax, 4-row dot products and the additive-score tile, all on one vector exp2:
 * 2^x = 2^round(x) * p(x - round(x)), p a degree-6 polynomial on [-1/2, 1/2]. */
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernels/f32-flash/f32-flash.h"

/* 2^x: relative error below 4e-7 for x >= -126; 0 for x < -126.5 and -inf. */
static inline __m256 tsr_exp2_avx2(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(127.0f));
  const __m256 n = _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 f = _mm256_sub_ps(x, n);
  __m256 p = _mm256_set1_ps(1.54035304e-4f);
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.33335581e-3f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.61812911e-3f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(5.55041087e-2f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.40226507e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.93147182e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f));
  /* n = -127 gives the bit pattern of 0.0 */
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/* tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)), |x| clamped to 9 (where tanh rounds to 1). */
static inline __m256 tsr_tanh_avx2(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_min_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(9.0f));
  const __m256 e = tsr_exp2_avx2(_mm256_mul_ps(ax, _mm256_set1_ps(2.88539008f))); /* 2 log2(e) */
  const __m256 t = _mm256_sub_ps(_mm256_set1_ps(1.0f),
                                 _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
  return _mm256_or_ps(t, _mm256_and_ps(sign, x));
}

/* Lanes below `count` (0..8) set. */
static inline __m256i tsr_mask_avx2(size_t count) {
  static const int32_t ones_then_zeros[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i*)(ones_then_zeros + 8 - count));
}

/* One tile of `rows` rows (a constant after inlining: only those rows are loaded, computed and
 * stored). */
static inline __attribute__((always_inline)) void tsr_gemm_6x16(bool masked, size_t rows, size_t nc, size_t kc,
                                                                const float* a, size_t rs, size_t ks,
                                                                const float* b, size_t ldb, float* c, size_t ldc,
                                                                const float* c_scale) {
  __m256i mask0 = _mm256_setzero_si256(), mask1 = _mm256_setzero_si256();
  if (masked) {
    mask0 = tsr_mask_avx2(nc < 8 ? nc : 8);
    mask1 = tsr_mask_avx2(nc > 8 ? nc - 8 : 0);
  }
  const float* a0 = a;
  const float* a1 = a0 + rs;
  const float* a2 = a1 + rs;
  const float* a3 = a2 + rs;
  const float* a4 = a3 + rs;
  const float* a5 = a4 + rs;
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (size_t k = 0, at = 0; k < kc; k++, at += ks, b += ldb) {
    const __m256 b0 = masked ? _mm256_maskload_ps(b, mask0) : _mm256_loadu_ps(b);
    const __m256 b1 = masked ? _mm256_maskload_ps(b + 8, mask1) : _mm256_loadu_ps(b + 8);
    __m256 va = _mm256_broadcast_ss(a0 + at);
    c00 = _mm256_fmadd_ps(va, b0, c00), c01 = _mm256_fmadd_ps(va, b1, c01);
    if (rows > 1) {
      va = _mm256_broadcast_ss(a1 + at);
      c10 = _mm256_fmadd_ps(va, b0, c10), c11 = _mm256_fmadd_ps(va, b1, c11);
    }
    if (rows > 2) {
      va = _mm256_broadcast_ss(a2 + at);
      c20 = _mm256_fmadd_ps(va, b0, c20), c21 = _mm256_fmadd_ps(va, b1, c21);
    }
    if (rows > 3) {
      va = _mm256_broadcast_ss(a3 + at);
      c30 = _mm256_fmadd_ps(va, b0, c30), c31 = _mm256_fmadd_ps(va, b1, c31);
    }
    if (rows > 4) {
      va = _mm256_broadcast_ss(a4 + at);
      c40 = _mm256_fmadd_ps(va, b0, c40), c41 = _mm256_fmadd_ps(va, b1, c41);
    }
    if (rows > 5) {
      va = _mm256_broadcast_ss(a5 + at);
      c50 = _mm256_fmadd_ps(va, b0, c50), c51 = _mm256_fmadd_ps(va, b1, c51);
    }
  }
#define TSR_STORE_ROW(r, lo, hi)                                                     \
  if (rows > r) {                                                                    \
    float* cr = c + r * ldc;                                                         \
    if (c_scale != NULL) {                                                           \
      const __m256 scale = _mm256_broadcast_ss(c_scale + r);                         \
      lo = _mm256_fmadd_ps(scale, _mm256_loadu_ps(cr), lo);                          \
      hi = _mm256_fmadd_ps(scale, _mm256_loadu_ps(cr + 8), hi);                      \
    }                                                                                \
    _mm256_storeu_ps(cr, lo);                                                        \
    _mm256_storeu_ps(cr + 8, hi);                                                    \
  }
  TSR_STORE_ROW(0, c00, c01)
  TSR_STORE_ROW(1, c10, c11)
  TSR_STORE_ROW(2, c20, c21)
  TSR_STORE_ROW(3, c30, c31)
  TSR_STORE_ROW(4, c40, c41)
  TSR_STORE_ROW(5, c50, c51)
#undef TSR_STORE_ROW
}

#define TSR_GEMM_ROWS(masked)                                                                   \
  switch (mr) {                                                                                 \
    case 1: tsr_gemm_6x16(masked, 1, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 2: tsr_gemm_6x16(masked, 2, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 3: tsr_gemm_6x16(masked, 3, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 4: tsr_gemm_6x16(masked, 4, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 5: tsr_gemm_6x16(masked, 5, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    default: tsr_gemm_6x16(masked, 6, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
  }

void tsr_f32_flash_gemm__avx2_6x16(size_t mr, size_t nc, size_t kc, const float* a, size_t a_row_stride,
                                   size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,
                                   const float* c_scale) {
  if (nc == 16) TSR_GEMM_ROWS(false)
  else TSR_GEMM_ROWS(true)
}

void tsr_f32_flash_softmax__avx2_6x16(size_t rows, size_t lanes, float* s, size_t lds, float* max, float* sum,
                                      float* alpha) {
  for (size_t l = 0; l < lanes; l += 8) {
    float* col = s + l;
    const __m256 old = _mm256_loadu_ps(max + l);
    __m256 m0 = old, m1 = old;
    size_t r = 0;
    for (; r + 2 <= rows; r += 2) {
      m0 = _mm256_max_ps(m0, _mm256_loadu_ps(col + r * lds));
      m1 = _mm256_max_ps(m1, _mm256_loadu_ps(col + (r + 1) * lds));
    }
    if (r < rows) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(col + r * lds));
    const __m256 m = _mm256_max_ps(m0, m1);
    const __m256 u = _mm256_andnot_ps(_mm256_cmp_ps(m, _mm256_set1_ps(-INFINITY), _CMP_EQ_OQ), m);
    __m256 t0 = _mm256_setzero_ps(), t1 = _mm256_setzero_ps();
    for (r = 0; r + 2 <= rows; r += 2) {
      const __m256 p0 = tsr_exp2_avx2(_mm256_sub_ps(_mm256_loadu_ps(col + r * lds), u));
      const __m256 p1 = tsr_exp2_avx2(_mm256_sub_ps(_mm256_loadu_ps(col + (r + 1) * lds), u));
      _mm256_storeu_ps(col + r * lds, p0);
      _mm256_storeu_ps(col + (r + 1) * lds, p1);
      t0 = _mm256_add_ps(t0, p0), t1 = _mm256_add_ps(t1, p1);
    }
    if (r < rows) {
      const __m256 p0 = tsr_exp2_avx2(_mm256_sub_ps(_mm256_loadu_ps(col + r * lds), u));
      _mm256_storeu_ps(col + r * lds, p0);
      t0 = _mm256_add_ps(t0, p0);
    }
    const __m256 a = tsr_exp2_avx2(_mm256_sub_ps(old, u));
    _mm256_storeu_ps(alpha + l, a);
    _mm256_storeu_ps(sum + l, _mm256_fmadd_ps(_mm256_loadu_ps(sum + l), a, _mm256_add_ps(t0, t1)));
    _mm256_storeu_ps(max + l, m);
  }
}

static inline float tsr_hsum_avx2(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_add_ss(x, _mm_movehdup_ps(x)));
}

static inline float tsr_hmax_avx2(__m256 v) {
  __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_max_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
}

float tsr_f32_flash_rowexp__avx2_6x16(size_t n, float* s, float* max) {
  __m256 vm = _mm256_set1_ps(*max);
  size_t j = 0;
  for (; j + 8 <= n; j += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(s + j));
  float m = tsr_hmax_avx2(vm);
  for (size_t t = j; t < n; t++) m = fmaxf(m, s[t]);
  const __m256 u = _mm256_set1_ps(m == -INFINITY ? 0.0f : m);
  __m256 total = _mm256_setzero_ps();
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 p = tsr_exp2_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j), u));
    _mm256_storeu_ps(s + j, p);
    total = _mm256_add_ps(total, p);
  }
  if (j < n) { /* the tail through the same vector code, masked lanes at -inf give 0 */
    const __m256i mask = tsr_mask_avx2(n - j);
    const __m256 x = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(s + j, mask),
                                      _mm256_castsi256_ps(mask));
    const __m256 p = tsr_exp2_avx2(_mm256_sub_ps(x, u));
    _mm256_maskstore_ps(s + j, mask, p);
    total = _mm256_add_ps(total, p);
  }
  *max = m;
  return tsr_hsum_avx2(total);
}

/* Sums of four vectors: lane r of the result is the sum of v[r]. */
static inline __m128 tsr_hsum4_avx2(__m256 v0, __m256 v1, __m256 v2, __m256 v3) {
  const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(v0, v1), _mm256_hadd_ps(v2, v3));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

/* Dot products of `rows` queries (a constant after inlining) with two keys at a time. */
static inline __attribute__((always_inline)) void tsr_dot_2x4(size_t rows, size_t n, size_t d, const float* k,
                                                              size_t ldk, const float* q, size_t ldq, float* s,
                                                              size_t lds) {
  const size_t body = d & ~(size_t)7;
  const __m256i tail = tsr_mask_avx2(d - body);
  const float* q0 = q;
  const float* q1 = q0 + ldq;
  const float* q2 = q1 + ldq;
  const float* q3 = q2 + ldq;
  for (size_t j = 0; j < n; j += 2) {
    const float* ka = k + j * ldk;
    const float* kb = j + 1 < n ? ka + ldk : ka; /* an odd last key is computed twice */
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (size_t c = 0; c <= d; c += 8) {
      if (c == body && body == d) break;
      const bool last = c == body; /* the masked tail */
      const __m256 va = last ? _mm256_maskload_ps(ka + c, tail) : _mm256_loadu_ps(ka + c);
      const __m256 vb = last ? _mm256_maskload_ps(kb + c, tail) : _mm256_loadu_ps(kb + c);
      __m256 vq = last ? _mm256_maskload_ps(q0 + c, tail) : _mm256_loadu_ps(q0 + c);
      a0 = _mm256_fmadd_ps(va, vq, a0), b0 = _mm256_fmadd_ps(vb, vq, b0);
      if (rows > 1) {
        vq = last ? _mm256_maskload_ps(q1 + c, tail) : _mm256_loadu_ps(q1 + c);
        a1 = _mm256_fmadd_ps(va, vq, a1), b1 = _mm256_fmadd_ps(vb, vq, b1);
      }
      if (rows > 2) {
        vq = last ? _mm256_maskload_ps(q2 + c, tail) : _mm256_loadu_ps(q2 + c);
        a2 = _mm256_fmadd_ps(va, vq, a2), b2 = _mm256_fmadd_ps(vb, vq, b2);
      }
      if (rows > 3) {
        vq = last ? _mm256_maskload_ps(q3 + c, tail) : _mm256_loadu_ps(q3 + c);
        a3 = _mm256_fmadd_ps(va, vq, a3), b3 = _mm256_fmadd_ps(vb, vq, b3);
      }
    }
    float sa[4], sb[4];
    _mm_storeu_ps(sa, tsr_hsum4_avx2(a0, a1, a2, a3));
    _mm_storeu_ps(sb, tsr_hsum4_avx2(b0, b1, b2, b3));
    for (size_t r = 0; r < rows; r++) {
      s[r * lds + j] = sa[r];
      if (j + 1 < n) s[r * lds + j + 1] = sb[r];
    }
  }
}

/* One query against four keys at a time (decode without GQA): four independent key streams. */
static void tsr_dot_4x1(size_t n, size_t d, const float* k, size_t ldk, const float* q, float* s) {
  const size_t body = d & ~(size_t)7;
  const __m256i tail = tsr_mask_avx2(d - body);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* k0 = k + j * ldk;
    const float* k1 = k0 + ldk;
    const float* k2 = k1 + ldk;
    const float* k3 = k2 + ldk;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t c = 0; c < body; c += 8) {
      const __m256 vq = _mm256_loadu_ps(q + c);
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(k0 + c), vq, s0);
      s1 = _mm256_fmadd_ps(_mm256_loadu_ps(k1 + c), vq, s1);
      s2 = _mm256_fmadd_ps(_mm256_loadu_ps(k2 + c), vq, s2);
      s3 = _mm256_fmadd_ps(_mm256_loadu_ps(k3 + c), vq, s3);
    }
    if (body < d) {
      const __m256 vq = _mm256_maskload_ps(q + body, tail);
      s0 = _mm256_fmadd_ps(_mm256_maskload_ps(k0 + body, tail), vq, s0);
      s1 = _mm256_fmadd_ps(_mm256_maskload_ps(k1 + body, tail), vq, s1);
      s2 = _mm256_fmadd_ps(_mm256_maskload_ps(k2 + body, tail), vq, s2);
      s3 = _mm256_fmadd_ps(_mm256_maskload_ps(k3 + body, tail), vq, s3);
    }
    _mm_storeu_ps(s + j, tsr_hsum4_avx2(s0, s1, s2, s3));
  }
  if (j < n) tsr_dot_2x4(1, n - j, d, k + j * ldk, ldk, q, 0, s + j, 0);
}

void tsr_f32_flash_dot__avx2_6x16(size_t n, size_t d, const float* k, size_t ldk, size_t rows, const float* q,
                                  size_t ldq, float* s, size_t lds) {
  switch (rows) {
    case 1: tsr_dot_4x1(n, d, k, ldk, q, s); break;
    case 2: tsr_dot_2x4(2, n, d, k, ldk, q, ldq, s, lds); break;
    case 3: tsr_dot_2x4(3, n, d, k, ldk, q, ldq, s, lds); break;
    default: tsr_dot_2x4(4, n, d, k, ldk, q, ldq, s, lds); break;
  }
}

void tsr_f32_flash_concat__avx2_6x16(size_t rows, size_t lanes, size_t d, const float* k, size_t ldk,
                                     float k_scale, const float* qt, size_t ldq, float weight, float* s,
                                     size_t lds) {
  const __m256 vw = _mm256_set1_ps(weight);
  for (size_t r = 0; r < rows; r++) {
    const float* kr = k + r * ldk;
    for (size_t l = 0; l < lanes; l += 16) {
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
      for (size_t c = 0; c < d; c++) {
        const __m256 vk = _mm256_set1_ps(k_scale * kr[c]);
        acc0 = _mm256_add_ps(acc0, tsr_tanh_avx2(_mm256_add_ps(_mm256_loadu_ps(qt + c * ldq + l), vk)));
        acc1 = _mm256_add_ps(acc1, tsr_tanh_avx2(_mm256_add_ps(_mm256_loadu_ps(qt + c * ldq + l + 8), vk)));
      }
      _mm256_storeu_ps(s + r * lds + l, _mm256_mul_ps(vw, acc0));
      _mm256_storeu_ps(s + r * lds + l + 8, _mm256_mul_ps(vw, acc1));
    }
  }
}
