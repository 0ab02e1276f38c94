/* x86 intrinsics for kernels compiled for AVX-512. In the test-only SIMDe build (TSR_SIMDE) the
 * same source compiles against SIMDe, which emulates AVX-512 with AVX2, so the kernels run and
 * are checked on machines without AVX-512. */
#ifndef TSR_KERNELS_SIMD_X86_H
#define TSR_KERNELS_SIMD_X86_H

#if defined(TSR_SIMDE)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <stdint.h>

/* Intrinsics Debian's SIMDe (0.7.4) does not emulate yet, written lane by lane with the same
 * semantics: masked-off lanes are neither read nor written, so guard-page tests stay valid. */
static inline simde__mmask16 tsr_simde_cvtu32_mask16(uint32_t bits) { return (simde__mmask16)bits; }

static inline simde__m512 tsr_simde_maskz_loadu_ps(simde__mmask16 mask, const void* pointer) {
  float lanes[16] = {0};
  for (int i = 0; i < 16; i++)
    if ((mask >> i) & 1) lanes[i] = ((const float*)pointer)[i];
  return simde_mm512_loadu_ps(lanes);
}

static inline void tsr_simde_mask_storeu_ps(void* pointer, simde__mmask16 mask, simde__m512 v) {
  float lanes[16];
  simde_mm512_storeu_ps(lanes, v);
  for (int i = 0; i < 16; i++)
    if ((mask >> i) & 1) ((float*)pointer)[i] = lanes[i];
}

/* f32 <-> f64 conversions and the f64 reduction (the layer-norm kernels) */
static inline simde__m512d tsr_simde_cvtps_pd(simde__m256 a) {
  float in[8];
  double out[8];
  simde_mm256_storeu_ps(in, a);
  for (int i = 0; i < 8; i++) out[i] = in[i];
  return simde_mm512_loadu_pd(out);
}

static inline simde__m256 tsr_simde_cvtpd_ps(simde__m512d a) {
  double in[8];
  float out[8];
  simde_mm512_storeu_pd(in, a);
  for (int i = 0; i < 8; i++) out[i] = (float)in[i];
  return simde_mm256_loadu_ps(out);
}

static inline double tsr_simde_reduce_add_pd(simde__m512d a) {
  double in[8];
  simde_mm512_storeu_pd(in, a);
  return ((in[0] + in[4]) + (in[2] + in[6])) + ((in[1] + in[5]) + (in[3] + in[7]));
}

/* f32 -> i32, rounding to nearest even as the default MXCSR does (the flash kernels' exp2) */
static inline simde__m512i tsr_simde_cvtps_epi32(simde__m512 a) {
  float in[16];
  int32_t out[16];
  simde_mm512_storeu_ps(in, a);
  for (int i = 0; i < 16; i++) out[i] = (int32_t)__builtin_rintf(in[i]);
  return simde_mm512_loadu_si512(out);
}

/* VALIGND: lanes shift.. of b, then lanes of a, as one 32-lane vector a:b shifted right */
static inline simde__m512i tsr_simde_alignr_epi32(simde__m512i a, simde__m512i b, int shift) {
  int32_t in[32], out[16];
  simde_mm512_storeu_si512(in, b);
  simde_mm512_storeu_si512(in + 16, a);
  for (int i = 0; i < 16; i++) out[i] = in[i + shift];
  return simde_mm512_loadu_si512(out);
}

#define _mm512_alignr_epi32(a, b, shift) tsr_simde_alignr_epi32(a, b, shift)
#define _cvtu32_mask16(bits) tsr_simde_cvtu32_mask16(bits)
#define _mm512_cvtps_epi32(a) tsr_simde_cvtps_epi32(a)
#define _mm512_cvtps_pd(a) tsr_simde_cvtps_pd(a)
#define _mm512_cvtpd_ps(a) tsr_simde_cvtpd_ps(a)
#define _mm512_reduce_add_pd(a) tsr_simde_reduce_add_pd(a)
#define _mm512_maskz_loadu_ps(mask, pointer) tsr_simde_maskz_loadu_ps(mask, pointer)
#define _mm512_mask_storeu_ps(pointer, mask, v) tsr_simde_mask_storeu_ps(pointer, mask, v)
/* a streaming store is a store to the emulation (the results are the same; only caching differs) */
#define _mm512_stream_ps(pointer, v) simde_mm512_storeu_ps(pointer, v)
#else
#include <immintrin.h>
#endif

#endif
