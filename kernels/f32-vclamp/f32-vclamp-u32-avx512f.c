#include "kernels/simd-x86.h"

#include "kernels/f32-vclamp/f32-vclamp.h"

/* max/min return their second operand when either is NaN: keeping x second propagates NaN. */
void tsr_f32_vclamp_ukernel__avx512f_u32(size_t n, const float* x, float* y,
                                         const struct tsr_f32_minmax_params* params) {
  const __m512 vmin = _mm512_set1_ps(params->min);
  const __m512 vmax = _mm512_set1_ps(params->max);
  for (; n >= 32; n -= 32, x += 32, y += 32) {
    __m512 vacc0123456789ABCDEF = _mm512_loadu_ps(x);
    __m512 vaccGHIJKLMNOPQRSTUV = _mm512_loadu_ps(x + 16);
    vacc0123456789ABCDEF = _mm512_min_ps(vmax, _mm512_max_ps(vmin, vacc0123456789ABCDEF));
    vaccGHIJKLMNOPQRSTUV = _mm512_min_ps(vmax, _mm512_max_ps(vmin, vaccGHIJKLMNOPQRSTUV));
    _mm512_storeu_ps(y, vacc0123456789ABCDEF);
    _mm512_storeu_ps(y + 16, vaccGHIJKLMNOPQRSTUV);
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m512 vacc = _mm512_min_ps(vmax, _mm512_max_ps(vmin, _mm512_loadu_ps(x)));
    _mm512_storeu_ps(y, vacc);
  }
  if (n != 0) {
    const __mmask16 vmask = _cvtu32_mask16((uint32_t)((1u << n) - 1u));
    const __m512 vacc = _mm512_min_ps(vmax, _mm512_max_ps(vmin, _mm512_maskz_loadu_ps(vmask, x)));
    _mm512_mask_storeu_ps(y, vmask, vacc);
  }
}
