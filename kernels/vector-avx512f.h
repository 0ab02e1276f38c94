/* The vector primitives that kernel bodies written once for every ISA use (f32-vunary-body.h,
 * f32-pool-body.h), on AVX-512: 16-lane __m512 (against SIMDe in the test-only emulated build).
 * A kernel file of this ISA includes this header, names its functions, then includes the
 * family's body. */
#ifndef TSR_KERNELS_VECTOR_AVX512F_H
#define TSR_KERNELS_VECTOR_AVX512F_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "kernels/simd-x86.h"

typedef __m512 tsr_vf;
typedef __mmask16 tsr_vm;
#define TSR_VLANES 16
#define TSR_VREGISTERS 32 /* vector registers, for register-blocking choices */
/* Doubles, for sums carried past f32 (f32-lnorm-body.h, f32-colstats-blocked-body.h): half a
 * vector's lanes. */
typedef __m512d tsr_vd;

static inline tsr_vf tsr_v_load(const float* p) { return _mm512_loadu_ps(p); }
static inline void tsr_v_store(float* p, tsr_vf v) { _mm512_storeu_ps(p, v); }
/* Vertical-first max pooling's column moves (f32-pool-row-body.h), TSR_V_HAS_SHIFT_IN: a and b
 * (32 consecutive columns) split into even and odd columns, in tsr_v_load_deinterleaved's order
 * (here the columns' own), and the even columns one on (head: column 32 in lane 0); v's lanes
 * from the second (or third) on, then `next`'s first; a vector whose first `count` (1 or 2)
 * lanes are p[0, count), nothing else read; a mask of every lane and whether m holds every lane. */
#define TSR_V_HAS_SHIFT_IN 1
static inline void tsr_v_deinterleave(tsr_vf a, tsr_vf b, tsr_vf* even, tsr_vf* odd) {
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  *even = _mm512_permutex2var_ps(a, evens, b);
  *odd = _mm512_permutex2var_ps(a, _mm512_add_epi32(evens, _mm512_set1_epi32(1)), b);
}
static inline tsr_vf tsr_v_shift_in1(tsr_vf v, tsr_vf next) {
  return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(v), 1));
}
static inline void tsr_v_deinterleave3(tsr_vf a, tsr_vf b, tsr_vf head, tsr_vf* even, tsr_vf* odd,
                                       tsr_vf* even_next) {
  tsr_v_deinterleave(a, b, even, odd);
  *even_next = tsr_v_shift_in1(*even, head);
}
static inline tsr_vf tsr_v_shift_in2(tsr_vf v, tsr_vf next) {
  return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(v), 2));
}
static inline tsr_vf tsr_v_load_head(const float* p, size_t count) {
  if (count == 1) return _mm512_set1_ps(*p);
  double pair;
  memcpy(&pair, p, sizeof pair);
  return _mm512_castpd_ps(_mm512_set1_pd(pair));
}
static inline tsr_vm tsr_vm_all_lanes(void) { return (tsr_vm)0xFFFF; }
static inline bool tsr_vm_all(tsr_vm m) { return m == 0xFFFF; }
/* Two vectors' worth of consecutive floats from p split into even and odd columns (stride-2
 * pooling's taps), in an order of lanes that tsr_v_from_deinterleaved puts right: a lane-wise
 * computation on such vectors is undone once, at the end. */
static inline void tsr_v_load_deinterleaved(const float* p, tsr_vf* even, tsr_vf* odd) {
  tsr_v_deinterleave(_mm512_loadu_ps(p), _mm512_loadu_ps(p + 16), even, odd);
}
static inline tsr_vf tsr_v_from_deinterleaved(tsr_vf v) { return v; } /* already in order */
/* A streaming (non-temporal) store, p aligned to the vector; tsr_v_stream_fence orders the
 * streamed stores before what follows. */
static inline void tsr_v_store_stream(float* p, tsr_vf v) { _mm512_stream_ps(p, v); }
static inline void tsr_v_stream_fence(void) { _mm_sfence(); }
static inline tsr_vf tsr_v_set(float c) { return _mm512_set1_ps(c); }
static inline tsr_vd tsr_vd_zero(void) { return _mm512_setzero_pd(); }
static inline tsr_vd tsr_vd_add(tsr_vd a, tsr_vd b) { return _mm512_add_pd(a, b); }
static inline double tsr_vd_reduce_add(tsr_vd v) { return _mm512_reduce_add_pd(v); }
static inline tsr_vd tsr_vd_load(const double* p) { return _mm512_loadu_pd(p); }
static inline void tsr_vd_store(double* p, tsr_vd v) { _mm512_storeu_pd(p, v); }
/* v's low and high half widened to double, lane for lane. */
static inline tsr_vd tsr_v_widen_low(tsr_vf v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
static inline tsr_vd tsr_v_widen_high(tsr_vf v) {
  return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}
/* v's lanes widened to double and added pairwise (the low half's lane i with the high half's). */
static inline tsr_vd tsr_v_widen_add(tsr_vf v) { return tsr_vd_add(tsr_v_widen_low(v), tsr_v_widen_high(v)); }
static inline tsr_vd tsr_vd_sub(tsr_vd a, tsr_vd b) { return _mm512_sub_pd(a, b); }
static inline tsr_vd tsr_vd_mul(tsr_vd a, tsr_vd b) { return _mm512_mul_pd(a, b); }
static inline tsr_vd tsr_vd_set(double c) { return _mm512_set1_pd(c); }
static inline tsr_vd tsr_vd_fma(tsr_vd a, tsr_vd b, tsr_vd c) { return _mm512_fmadd_pd(a, b, c); }
/* Two double vectors rounded to f32 into one vector: low's lanes first (tsr_v_widen_low's inverse). */
static inline tsr_vf tsr_vd_narrow(tsr_vd low, tsr_vd high) {
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(low))),
                                             _mm256_castps_pd(_mm512_cvtpd_ps(high)), 1));
}
static inline tsr_vf tsr_v_add(tsr_vf a, tsr_vf b) { return _mm512_add_ps(a, b); }
static inline tsr_vf tsr_v_sub(tsr_vf a, tsr_vf b) { return _mm512_sub_ps(a, b); }
static inline tsr_vf tsr_v_mul(tsr_vf a, tsr_vf b) { return _mm512_mul_ps(a, b); }
static inline tsr_vf tsr_v_div(tsr_vf a, tsr_vf b) { return _mm512_div_ps(a, b); }
static inline tsr_vf tsr_v_fma(tsr_vf a, tsr_vf b, tsr_vf c) { return _mm512_fmadd_ps(a, b, c); }
/* a b - c, rounded once */
static inline tsr_vf tsr_v_fms(tsr_vf a, tsr_vf b, tsr_vf c) { return _mm512_fmsub_ps(a, b, c); }
/* c - a b, rounded once */
static inline tsr_vf tsr_v_fnma(tsr_vf a, tsr_vf b, tsr_vf c) { return _mm512_fnmadd_ps(a, b, c); }
/* VMAXPS/VMINPS return the second operand when either is NaN. */
static inline tsr_vf tsr_v_max_keep_nan(tsr_vf x, tsr_vf bound) { return _mm512_max_ps(bound, x); }
static inline tsr_vf tsr_v_min_keep_nan(tsr_vf x, tsr_vf bound) { return _mm512_min_ps(bound, x); }
static inline tsr_vf tsr_v_max_drop_nan(tsr_vf x, tsr_vf bound) { return _mm512_max_ps(x, bound); }
static inline tsr_vf tsr_v_abs(tsr_vf x) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7FFFFFFF)));
}
static inline tsr_vf tsr_v_copysign(tsr_vf magnitude, tsr_vf sign) {
  const __m512i bit = _mm512_set1_epi32((int)0x80000000u);
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_andnot_si512(bit, _mm512_castps_si512(magnitude)),
                                             _mm512_and_si512(bit, _mm512_castps_si512(sign))));
}
static inline tsr_vm tsr_v_lt(tsr_vf a, tsr_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline tsr_vm tsr_v_eq(tsr_vf a, tsr_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline tsr_vm tsr_v_is_nan(tsr_vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
static inline tsr_vm tsr_vm_or(tsr_vm a, tsr_vm b) { return (tsr_vm)(a | b); }
static inline tsr_vm tsr_vm_and(tsr_vm a, tsr_vm b) { return (tsr_vm)(a & b); }
/* m with the lanes where v is NaN cleared (gcc makes it one masked compare). */
static inline tsr_vm tsr_vm_and_ordered(tsr_vm m, tsr_vf v) { return (tsr_vm)(m & _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q)); }
/* m with the lanes where a or b is NaN cleared: one masked compare for two vectors. */
static inline tsr_vm tsr_vm_and_ordered2(tsr_vm m, tsr_vf a, tsr_vf b) {
  return (tsr_vm)(m & _mm512_cmp_ps_mask(a, b, _CMP_ORD_Q));
}
static inline bool tsr_vm_any(tsr_vm m) { return m != 0; }
static inline tsr_vf tsr_v_select(tsr_vm m, tsr_vf if_true, tsr_vf if_false) {
  return _mm512_mask_blend_ps(m, if_false, if_true);
}
static inline tsr_vf tsr_v_round(tsr_vf x) {
  return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* 2^k for integer-valued k in [-126, 127], built in the exponent field. */
static inline tsr_vf tsr_v_pow2(tsr_vf k) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(k), _mm512_set1_epi32(127)), 23));
}
/* The float whose exponent field holds t's low 9 bits: 2^(j - 127) for t = 1.5 2^23 + j, j in
 * [1, 254], as rounding to an integer by adding 1.5 2^23 leaves it. */
static inline tsr_vf tsr_v_exponent_from_low_bits(tsr_vf t) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(t), 23));
}

#if !defined(TSR_SIMDE)
/* v 2^k rounded once, a result below 2^-126 included, for integer-valued k: VSCALEFPS, one
 * instruction for what the other ISAs do with two exponent-field factors (f32-vunary-body.h).
 * SIMDe's emulation flushes 2^k below 2^-149 to 0, so the emulated build keeps the two factors. */
#define TSR_V_HAS_LDEXP 1
static inline tsr_vf tsr_v_ldexp(tsr_vf v, tsr_vf k) { return _mm512_scalef_ps(v, k); }
#endif

/* x = m 2^k with m in [sqrt(1/2), sqrt(2)), for positive normal x: the exponent field of x moved by
 * the bits of sqrt(1/2), so m's range straddles 1. k converts through the 1.5 * 2^23 trick (exact
 * for |k| < 2^22), which SIMDe emulates where it lacks the integer conversion. */
static inline tsr_vf tsr_v_split_exponent(tsr_vf x, tsr_vf* k) {
  const __m512i bits = _mm512_add_epi32(_mm512_castps_si512(x), _mm512_set1_epi32(0x3F800000 - 0x3F3504F3));
  const __m512i biased = _mm512_srli_epi32(bits, 23); /* k + 127, in [0, 255] */
  *k = _mm512_sub_ps(_mm512_castsi512_ps(_mm512_add_epi32(biased, _mm512_set1_epi32(0x4B400000))),
                     _mm512_set1_ps(12582912.0f + 127.0f));
  const __m512i mantissa = _mm512_add_epi32(_mm512_and_si512(bits, _mm512_set1_epi32(0x007FFFFF)), _mm512_set1_epi32(0x3F3504F3));
  return _mm512_castsi512_ps(mantissa);
}

#endif
