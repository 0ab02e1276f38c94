/* AVX2 clamp with streaming stores: single elements until y is 32-byte aligned (VMOVNTPS needs
 * it), then 16 an iteration stored around the caches, the rest one at a time; a store fence
 * orders the streamed stores before the caller's next access. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels/f32-vclamp/f32-vclamp.h"

void tsr_f32_vclamp_nt_ukernel__avx2_u16(size_t n, const float* x, float* y,
                                         const struct tsr_f32_minmax_params* params) {
  for (; n != 0 && ((uintptr_t)y & 31) != 0; n--) *y++ = tsr_f32_clamp(*x++, params);
  const __m256 vmin = _mm256_set1_ps(params->min), vmax = _mm256_set1_ps(params->max);
  /* max/min return their second operand when either is NaN: keeping x second propagates NaN */
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m256 a = _mm256_min_ps(vmax, _mm256_max_ps(vmin, _mm256_loadu_ps(x)));
    const __m256 b = _mm256_min_ps(vmax, _mm256_max_ps(vmin, _mm256_loadu_ps(x + 8)));
    _mm256_stream_ps(y, a);
    _mm256_stream_ps(y + 8, b);
  }
  _mm_sfence();
  for (; n != 0; n--) *y++ = tsr_f32_clamp(*x++, params);
}
