/* The portable fused attention kernel set: plain loops, libm's exp2f and tanhf, a 4 x 4 tile. */
#include <math.h>

#include "kernels/f32-flash/f32-flash.h"

enum { tsr_nr = 4 };

void tsr_f32_flash_gemm__scalar_4x4(size_t mr, size_t nc, size_t kc, const float* a, size_t a_row_stride,
                                    size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,
                                    const float* c_scale) {
  for (size_t r = 0; r < mr; r++) {
    float acc[tsr_nr] = {0};
    const float* ar = a + r * a_row_stride;
    for (size_t k = 0; k < kc; k++) {
      const float ak = ar[k * a_k_stride];
      for (size_t n = 0; n < nc; n++) acc[n] += ak * b[k * ldb + n];
    }
    float* cr = c + r * ldc;
    for (size_t n = 0; n < tsr_nr; n++) cr[n] = c_scale != NULL ? c_scale[r] * cr[n] + acc[n] : acc[n];
  }
}

void tsr_f32_flash_softmax__scalar_4x4(size_t rows, size_t lanes, float* s, size_t lds, float* max, float* sum,
                                       float* alpha) {
  for (size_t l = 0; l < lanes; l++) {
    float m = max[l];
    for (size_t r = 0; r < rows; r++) m = fmaxf(m, s[r * lds + l]);
    const float u = m == -INFINITY ? 0.0f : m;
    float total = 0.0f;
    for (size_t r = 0; r < rows; r++) total += s[r * lds + l] = exp2f(s[r * lds + l] - u);
    alpha[l] = exp2f(max[l] - u);
    sum[l] = sum[l] * alpha[l] + total;
    max[l] = m;
  }
}

float tsr_f32_flash_rowexp__scalar_4x4(size_t n, float* s, float* max) {
  float m = *max;
  for (size_t j = 0; j < n; j++) m = fmaxf(m, s[j]);
  const float u = m == -INFINITY ? 0.0f : m;
  float total = 0.0f;
  for (size_t j = 0; j < n; j++) total += s[j] = exp2f(s[j] - u);
  *max = m;
  return total;
}

void tsr_f32_flash_dot__scalar_4x4(size_t n, size_t d, const float* k, size_t ldk, size_t rows, const float* q,
                                   size_t ldq, float* s, size_t lds) {
  for (size_t r = 0; r < rows; r++)
    for (size_t j = 0; j < n; j++) {
      float acc = 0.0f;
      for (size_t c = 0; c < d; c++) acc += k[j * ldk + c] * q[r * ldq + c];
      s[r * lds + j] = acc;
    }
}

void tsr_f32_flash_concat__scalar_4x4(size_t rows, size_t lanes, size_t d, const float* k, size_t ldk,
                                      float k_scale, const float* qt, size_t ldq, float weight, float* s,
                                      size_t lds) {
  for (size_t r = 0; r < rows; r++)
    for (size_t l = 0; l < lanes; l++) {
      float acc = 0.0f;
      for (size_t c = 0; c < d; c++) acc += tanhf(qt[c * ldq + l] + k_scale * k[r * ldk + c]);
      s[r * lds + l] = weight * acc;
    }
}
