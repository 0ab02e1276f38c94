#include "kernels/reference/gemm-reference.h"

#include "kernels/reference/activation-reference.h"

void tsr_reference_gemm_f32(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, float alpha,
                            const float* a, size_t lda, const float* b, size_t ldb, float beta,
                            float* c, size_t ldc, const float* bias, const tsr_activation* act) {
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < n; j++) {
      double sum = 0.0;
      for (size_t p = 0; p < k; p++) {
        const float x = trans_a ? a[p * lda + i] : a[i * lda + p];
        const float y = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        sum += (double)x * (double)y;
      }
      double value = (double)alpha * sum;
      if (beta != 0.0f) value += (double)beta * (double)c[i * ldc + j];
      if (bias != NULL) value += (double)bias[j];
      c[i * ldc + j] = act != NULL ? tsr_reference_activation(act, (float)value) : (float)value;
    }
  }
}
