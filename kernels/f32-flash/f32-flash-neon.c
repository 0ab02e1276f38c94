/* The NEON fused attention kernel set: an 8 x 8 GEMM tile (16 accumulators), lane-wise online
 * softmax, row softmax, 4-row dot products and the additive-score tile, on the same exp2 as the
 * x86 sets (2^round(x) times a degree-6 polynomial), 4 lanes wide. NEON has no masked loads:
 * partial B panels and row tails go through a zero-padded copy. */
#include <arm_neon.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "kernels/f32-flash/f32-flash.h"

/* 2^x: relative error below 4e-7 for x >= -126; 0 for x < -126.5 and -inf. */
static inline float32x4_t tsr_exp2_neon(float32x4_t x) {
  x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-127.0f)), vdupq_n_f32(127.0f));
  const float32x4_t n = vrndnq_f32(x);
  const float32x4_t f = vsubq_f32(x, n);
  float32x4_t p = vdupq_n_f32(1.54035304e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.33335581e-3f), p, f);
  p = vfmaq_f32(vdupq_n_f32(9.61812911e-3f), p, f);
  p = vfmaq_f32(vdupq_n_f32(5.55041087e-2f), p, f);
  p = vfmaq_f32(vdupq_n_f32(2.40226507e-1f), p, f);
  p = vfmaq_f32(vdupq_n_f32(6.93147182e-1f), p, f);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, f);
  const int32x4_t bits = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  return vmulq_f32(p, vreinterpretq_f32_s32(bits));
}

/* tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)), |x| clamped to 9 (where tanh rounds to 1). */
static inline float32x4_t tsr_tanh_neon(float32x4_t x) {
  const float32x4_t ax = vminq_f32(vabsq_f32(x), vdupq_n_f32(9.0f));
  const float32x4_t e = tsr_exp2_neon(vmulq_f32(ax, vdupq_n_f32(2.88539008f))); /* 2 log2(e) */
  const float32x4_t t = vsubq_f32(vdupq_n_f32(1.0f), vdivq_f32(vdupq_n_f32(2.0f), vaddq_f32(e, vdupq_n_f32(1.0f))));
  const uint32x4_t sign = vdupq_n_u32(0x80000000u);
  return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(t), vandq_u32(sign, vreinterpretq_u32_f32(x))));
}

/* One tile of `rows` rows (a constant after inlining: only those rows are loaded, computed and
 * stored; the accumulators are named so that they stay in registers). */
static inline __attribute__((always_inline)) void tsr_gemm_8x8(bool masked, size_t rows, size_t nc, size_t kc,
                                                               const float* a, size_t rs, size_t ks, const float* b,
                                                               size_t ldb, float* c, size_t ldc,
                                                               const float* c_scale) {
  float padded[8] = {0};
  float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00;
  float32x4_t c10 = vdupq_n_f32(0.0f), c11 = c10;
  float32x4_t c20 = vdupq_n_f32(0.0f), c21 = c20;
  float32x4_t c30 = vdupq_n_f32(0.0f), c31 = c30;
  float32x4_t c40 = vdupq_n_f32(0.0f), c41 = c40;
  float32x4_t c50 = vdupq_n_f32(0.0f), c51 = c50;
  float32x4_t c60 = vdupq_n_f32(0.0f), c61 = c60;
  float32x4_t c70 = vdupq_n_f32(0.0f), c71 = c70;
  for (size_t k = 0, at = 0; k < kc; k++, at += ks, b += ldb) {
    const float* bk = b;
    if (masked) { /* no masked loads: the partial panel row goes through a zero-padded copy */
      memcpy(padded, b, nc * sizeof(float));
      bk = padded;
    }
    const float32x4_t b0 = vld1q_f32(bk), b1 = vld1q_f32(bk + 4);
    {
      const float ak = a[0 * rs + at];
      c00 = vfmaq_n_f32(c00, b0, ak), c01 = vfmaq_n_f32(c01, b1, ak);
    }
    if (rows > 1) {
      const float ak = a[1 * rs + at];
      c10 = vfmaq_n_f32(c10, b0, ak), c11 = vfmaq_n_f32(c11, b1, ak);
    }
    if (rows > 2) {
      const float ak = a[2 * rs + at];
      c20 = vfmaq_n_f32(c20, b0, ak), c21 = vfmaq_n_f32(c21, b1, ak);
    }
    if (rows > 3) {
      const float ak = a[3 * rs + at];
      c30 = vfmaq_n_f32(c30, b0, ak), c31 = vfmaq_n_f32(c31, b1, ak);
    }
    if (rows > 4) {
      const float ak = a[4 * rs + at];
      c40 = vfmaq_n_f32(c40, b0, ak), c41 = vfmaq_n_f32(c41, b1, ak);
    }
    if (rows > 5) {
      const float ak = a[5 * rs + at];
      c50 = vfmaq_n_f32(c50, b0, ak), c51 = vfmaq_n_f32(c51, b1, ak);
    }
    if (rows > 6) {
      const float ak = a[6 * rs + at];
      c60 = vfmaq_n_f32(c60, b0, ak), c61 = vfmaq_n_f32(c61, b1, ak);
    }
    if (rows > 7) {
      const float ak = a[7 * rs + at];
      c70 = vfmaq_n_f32(c70, b0, ak), c71 = vfmaq_n_f32(c71, b1, ak);
    }
  }
#define TSR_STORE_ROW(r, lo, hi)                                   \
  if (rows > r) {                                                  \
    float* cr = c + r * ldc;                                       \
    if (c_scale != NULL) {                                         \
      lo = vfmaq_n_f32(lo, vld1q_f32(cr), c_scale[r]);             \
      hi = vfmaq_n_f32(hi, vld1q_f32(cr + 4), c_scale[r]);         \
    }                                                              \
    vst1q_f32(cr, lo);                                             \
    vst1q_f32(cr + 4, hi);                                         \
  }
  TSR_STORE_ROW(0, c00, c01)
  TSR_STORE_ROW(1, c10, c11)
  TSR_STORE_ROW(2, c20, c21)
  TSR_STORE_ROW(3, c30, c31)
  TSR_STORE_ROW(4, c40, c41)
  TSR_STORE_ROW(5, c50, c51)
  TSR_STORE_ROW(6, c60, c61)
  TSR_STORE_ROW(7, c70, c71)
#undef TSR_STORE_ROW
}

#define TSR_GEMM_ROWS(masked)                                                                                \
  switch (mr) {                                                                                              \
    case 1: tsr_gemm_8x8(masked, 1, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 2: tsr_gemm_8x8(masked, 2, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 3: tsr_gemm_8x8(masked, 3, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 4: tsr_gemm_8x8(masked, 4, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 5: tsr_gemm_8x8(masked, 5, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 6: tsr_gemm_8x8(masked, 6, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    case 7: tsr_gemm_8x8(masked, 7, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
    default: tsr_gemm_8x8(masked, 8, nc, kc, a, a_row_stride, a_k_stride, b, ldb, c, ldc, c_scale); break; \
  }

void tsr_f32_flash_gemm__neon_8x8(size_t mr, size_t nc, size_t kc, const float* a, size_t a_row_stride,
                                  size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,
                                  const float* c_scale) {
  if (nc == 8) TSR_GEMM_ROWS(false)
  else TSR_GEMM_ROWS(true)
}

void tsr_f32_flash_softmax__neon_8x8(size_t rows, size_t lanes, float* s, size_t lds, float* max, float* sum,
                                     float* alpha) {
  for (size_t l = 0; l < lanes; l += 4) {
    float* col = s + l;
    const float32x4_t old = vld1q_f32(max + l);
    float32x4_t m = old;
    for (size_t r = 0; r < rows; r++) m = vmaxq_f32(m, vld1q_f32(col + r * lds));
    const uint32x4_t none = vceqq_f32(m, vdupq_n_f32(-INFINITY));
    const float32x4_t u = vbslq_f32(none, vdupq_n_f32(0.0f), m);
    float32x4_t t = vdupq_n_f32(0.0f);
    for (size_t r = 0; r < rows; r++) {
      const float32x4_t p = tsr_exp2_neon(vsubq_f32(vld1q_f32(col + r * lds), u));
      vst1q_f32(col + r * lds, p);
      t = vaddq_f32(t, p);
    }
    const float32x4_t a = tsr_exp2_neon(vsubq_f32(old, u));
    vst1q_f32(alpha + l, a);
    vst1q_f32(sum + l, vfmaq_f32(t, vld1q_f32(sum + l), a));
    vst1q_f32(max + l, m);
  }
}

float tsr_f32_flash_rowexp__neon_8x8(size_t n, float* s, float* max) {
  float32x4_t vm = vdupq_n_f32(*max);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) vm = vmaxq_f32(vm, vld1q_f32(s + j));
  float m = vmaxvq_f32(vm);
  for (size_t t = j; t < n; t++) m = fmaxf(m, s[t]);
  const float32x4_t u = vdupq_n_f32(m == -INFINITY ? 0.0f : m);
  float32x4_t total = vdupq_n_f32(0.0f);
  for (j = 0; j + 4 <= n; j += 4) {
    const float32x4_t p = tsr_exp2_neon(vsubq_f32(vld1q_f32(s + j), u));
    vst1q_f32(s + j, p);
    total = vaddq_f32(total, p);
  }
  if (j < n) { /* the tail through the same vector code, padding at -inf gives 0 */
    float tail[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    memcpy(tail, s + j, (n - j) * sizeof(float));
    const float32x4_t p = tsr_exp2_neon(vsubq_f32(vld1q_f32(tail), u));
    vst1q_f32(tail, p);
    memcpy(s + j, tail, (n - j) * sizeof(float));
    total = vaddq_f32(total, p);
  }
  *max = m;
  return vaddvq_f32(total);
}

void tsr_f32_flash_dot__neon_8x8(size_t n, size_t d, const float* k, size_t ldk, size_t rows, const float* q,
                                 size_t ldq, float* s, size_t lds) {
  const size_t body = d & ~(size_t)3;
  /* rows past `rows` repeat the last query; their sums are not stored */
  const float* qr[4];
  for (size_t r = 0; r < 4; r++) qr[r] = q + (r < rows ? r : rows - 1) * ldq;
  for (size_t j = 0; j < n; j += 2) {
    const float* ka = k + j * ldk;
    const float* kb = j + 1 < n ? ka + ldk : ka; /* an odd last key is computed twice */
    float32x4_t a[4], b[4];
    for (size_t r = 0; r < 4; r++) a[r] = b[r] = vdupq_n_f32(0.0f);
    for (size_t c = 0; c < body; c += 4) {
      const float32x4_t va = vld1q_f32(ka + c), vb = vld1q_f32(kb + c);
      for (size_t r = 0; r < 4; r++) {
        const float32x4_t vq = vld1q_f32(qr[r] + c);
        a[r] = vfmaq_f32(a[r], va, vq), b[r] = vfmaq_f32(b[r], vb, vq);
      }
    }
    for (size_t r = 0; r < rows; r++) {
      float sa = vaddvq_f32(a[r]), sb = vaddvq_f32(b[r]);
      for (size_t c = body; c < d; c++) sa += ka[c] * qr[r][c], sb += kb[c] * qr[r][c];
      s[r * lds + j] = sa;
      if (j + 1 < n) s[r * lds + j + 1] = sb;
    }
  }
}

void tsr_f32_flash_concat__neon_8x8(size_t rows, size_t lanes, size_t d, const float* k, size_t ldk,
                                    float k_scale, const float* qt, size_t ldq, float weight, float* s,
                                    size_t lds) {
  for (size_t r = 0; r < rows; r++) {
    const float* kr = k + r * ldk;
    for (size_t l = 0; l < lanes; l += 8) {
      float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
      for (size_t c = 0; c < d; c++) {
        const float32x4_t vk = vdupq_n_f32(k_scale * kr[c]);
        acc0 = vaddq_f32(acc0, tsr_tanh_neon(vaddq_f32(vld1q_f32(qt + c * ldq + l), vk)));
        acc1 = vaddq_f32(acc1, tsr_tanh_neon(vaddq_f32(vld1q_f32(qt + c * ldq + l + 4), vk)));
      }
      vst1q_f32(s + r * lds + l, vmulq_n_f32(acc0, weight));
      vst1q_f32(s + r * lds + l + 4, vmulq_n_f32(acc1, weight));
    }
  }
}
