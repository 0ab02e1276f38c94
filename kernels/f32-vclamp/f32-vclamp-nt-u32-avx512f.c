/* AVX-512 clamp with streaming stores: single elements until y is 64-byte aligned (VMOVNTPS
 * needs it), then 32 an iteration stored around the caches, the rest one at a time; a store
 * fence orders the streamed stores before the caller's next access. */
#include <stdint.h>

#include "kernels/f32-vclamp/f32-vclamp.h"
#include "kernels/simd-x86.h"

void tsr_f32_vclamp_nt_ukernel__avx512f_u32(size_t n, const float* x, float* y,
                                            const struct tsr_f32_minmax_params* params) {
  for (; n != 0 && ((uintptr_t)y & 63) != 0; n--) *y++ = tsr_f32_clamp(*x++, params);
  const __m512 vmin = _mm512_set1_ps(params->min), vmax = _mm512_set1_ps(params->max);
  /* max/min return their second operand when either is NaN: keeping x second propagates NaN */
  for (; n >= 32; n -= 32, x += 32, y += 32) {
    const __m512 a = _mm512_min_ps(vmax, _mm512_max_ps(vmin, _mm512_loadu_ps(x)));
    const __m512 b = _mm512_min_ps(vmax, _mm512_max_ps(vmin, _mm512_loadu_ps(x + 16)));
    _mm512_stream_ps(y, a);
    _mm512_stream_ps(y + 16, b);
  }
  _mm_sfence();
  for (; n != 0; n--) *y++ = tsr_f32_clamp(*x++, params);
}
