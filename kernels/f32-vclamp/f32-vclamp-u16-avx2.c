#include <immintrin.h>

#include "kernels/f32-vclamp/f32-vclamp.h"

/* max/min return their second operand when either is NaN: keeping x second propagates NaN. */
void tsr_f32_vclamp_ukernel__avx2_u16(size_t n, const float* x, float* y,
                                      const struct tsr_f32_minmax_params* params) {
  static const int32_t mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256 vmin = _mm256_set1_ps(params->min);
  const __m256 vmax = _mm256_set1_ps(params->max);
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    __m256 vacc01234567 = _mm256_loadu_ps(x);
    __m256 vacc89ABCDEF = _mm256_loadu_ps(x + 8);
    vacc01234567 = _mm256_min_ps(vmax, _mm256_max_ps(vmin, vacc01234567));
    vacc89ABCDEF = _mm256_min_ps(vmax, _mm256_max_ps(vmin, vacc89ABCDEF));
    _mm256_storeu_ps(y, vacc01234567);
    _mm256_storeu_ps(y + 8, vacc89ABCDEF);
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const __m256 vacc = _mm256_min_ps(vmax, _mm256_max_ps(vmin, _mm256_loadu_ps(x)));
    _mm256_storeu_ps(y, vacc);
  }
  if (n != 0) {
    const __m256i vmask = _mm256_loadu_si256((const __m256i*)&mask_table[8 - n]);
    const __m256 vacc = _mm256_min_ps(vmax, _mm256_max_ps(vmin, _mm256_maskload_ps(x, vmask)));
    _mm256_maskstore_ps(y, vmask, vacc);
  }
}
