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

enum { tsr_mr = 8, tsr_nr = 8 };

void tsr_f32_flash_gemm__neon_8x8(size_t mr, size_t nc, size_t kc, const float* a, size_t a_row_stride,
                                  size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,
                                  const float* c_scale) {
  /* rows past mr repeat row mr - 1: they store the same values to the same place */
  const float* ar[tsr_mr];
  size_t row[tsr_mr];
  for (size_t r = 0; r < tsr_mr; r++) {
    row[r] = r < mr ? r : mr - 1;
    ar[r] = a + row[r] * a_row_stride;
  }
  float32x4_t acc[tsr_mr][2];
  for (size_t r = 0; r < tsr_mr; r++) acc[r][0] = acc[r][1] = vdupq_n_f32(0.0f);
  float padded[tsr_nr] = {0};
  for (size_t k = 0, at = 0; k < kc; k++, at += a_k_stride, b += ldb) {
    const float* bk = b;
    if (nc != tsr_nr) {
      memcpy(padded, b, nc * sizeof(float));
      bk = padded;
    }
    const float32x4_t b0 = vld1q_f32(bk), b1 = vld1q_f32(bk + 4);
    for (size_t r = 0; r < tsr_mr; r++) {
      const float ak = ar[r][at];
      acc[r][0] = vfmaq_n_f32(acc[r][0], b0, ak);
      acc[r][1] = vfmaq_n_f32(acc[r][1], b1, ak);
    }
  }
  if (c_scale != NULL)
    for (size_t r = 0; r < tsr_mr; r++) {
      const float* cr = c + row[r] * ldc;
      acc[r][0] = vfmaq_n_f32(acc[r][0], vld1q_f32(cr), c_scale[row[r]]);
      acc[r][1] = vfmaq_n_f32(acc[r][1], vld1q_f32(cr + 4), c_scale[row[r]]);
    }
  for (size_t r = tsr_mr; r-- > 0;) {
    float* cr = c + row[r] * ldc;
    vst1q_f32(cr, acc[r][0]);
    vst1q_f32(cr + 4, acc[r][1]);
  }
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
