/* The portable indirect-GEMM tile: 4 pixels x 4 channels, plain C. */
#include <stdint.h>

#include "kernels/f32-igemm/f32-igemm.h"

void tsr_f32_igemm_minmax_ukernel_4x4__scalar(size_t mr, size_t nc, size_t kc, size_t ks,
                                              const float* const* restrict a, const float* restrict w,
                                              float* restrict c, size_t ldc, size_t a_offset,
                                              const float* zero, const struct tsr_f32_conv_params* params) {
  float acc[4][4];
  for (size_t r = 0; r < 4; r++)
    for (size_t j = 0; j < 4; j++) acc[r][j] = w[j];
  w += 4;
  for (; ks != 0; ks--, a += 4) {
    const float* rows[4];
    for (size_t r = 0; r < 4; r++)
      rows[r] = a[r] == zero ? zero : (const float*)((uintptr_t)a[r] + a_offset);
    for (size_t k = 0; k < kc; k++, w += 4)
      for (size_t r = 0; r < 4; r++)
        for (size_t j = 0; j < 4; j++) acc[r][j] += rows[r][k] * w[j];
  }
  tsr_f32_igemm_store_edge(mr, nc, &acc[0][0], 4, c, ldc, params);
}
