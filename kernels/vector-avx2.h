/* The vector primitives that kernel bodies written once for every ISA use (f32-vunary-body.h,
 * f32-pool-body.h), on AVX2: 8-lane __m256. A kernel file of this ISA includes this header, names
 * its functions, then includes the family's body. */
#ifndef TSR_KERNELS_VECTOR_AVX2_H
#define TSR_KERNELS_VECTOR_AVX2_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <immintrin.h>

typedef __m256 tsr_vf;
typedef __m256 tsr_vm; /* a comparison's all-ones / all-zeros lanes */
#define TSR_VLANES 8
#define TSR_VREGISTERS 16 /* vector registers, for register-blocking choices */
/* Doubles, for sums carried past f32 (f32-lnorm-body.h, f32-colstats-blocked-body.h): half a
 * vector's lanes. */
typedef __m256d tsr_vd;

static inline tsr_vf tsr_v_load(const float* p) { return _mm256_loadu_ps(p); }
static inline void tsr_v_store(float* p, tsr_vf v) { _mm256_storeu_ps(p, v); }
/* Two vectors' worth of consecutive floats from p split into even and odd columns (stride-2
 * pooling's taps), in an order of lanes that tsr_v_from_deinterleaved puts right: a lane-wise
 * computation on such vectors is undone once, at the end. */
static inline void tsr_v_load_deinterleaved(const float* p, tsr_vf* even, tsr_vf* odd) {
  const __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
  /* within each 128-bit half: a's two then b's two (columns 0 2 8 10 | 4 6 12 14) */
  *even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  *odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
}
static inline tsr_vf tsr_v_from_deinterleaved(tsr_vf v) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}
/* Vertical-first max pooling's column moves (f32-pool-row-body.h), TSR_V_HAS_SHIFT_IN: v's
 * lanes from the second (or third) on, then `next`'s first (across the 128-bit halves: the
 * halves' swap, then a byte shift within each); a and b (16 consecutive columns) split into even
 * and odd columns and the even ones one on (head: column 16 in lane 0), in
 * tsr_v_load_deinterleaved's order; a vector whose first `count` (1 or 2) lanes are p[0, count),
 * nothing else read; a mask of every lane and whether m holds every lane. */
#define TSR_V_HAS_SHIFT_IN 1
static inline tsr_vf tsr_v_shift_in1(tsr_vf v, tsr_vf next) {
  const __m256i across = _mm256_castps_si256(_mm256_permute2f128_ps(v, next, 0x21));
  return _mm256_castsi256_ps(_mm256_alignr_epi8(across, _mm256_castps_si256(v), 4));
}
static inline tsr_vf tsr_v_shift_in2(tsr_vf v, tsr_vf next) {
  const __m256i across = _mm256_castps_si256(_mm256_permute2f128_ps(v, next, 0x21));
  return _mm256_castsi256_ps(_mm256_alignr_epi8(across, _mm256_castps_si256(v), 8));
}
static inline void tsr_v_deinterleave3(tsr_vf a, tsr_vf b, tsr_vf head, tsr_vf* even, tsr_vf* odd,
                                       tsr_vf* even_next) {
  *even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  *odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  /* columns 2-9 and 10-17 (17 is a copy of 16: head's lanes are), their even ones */
  *even_next = _mm256_shuffle_ps(tsr_v_shift_in2(a, b), tsr_v_shift_in2(b, head), _MM_SHUFFLE(2, 0, 2, 0));
}
static inline tsr_vf tsr_v_load_head(const float* p, size_t count) {
  if (count == 1) return _mm256_set1_ps(*p);
  double pair;
  memcpy(&pair, p, sizeof pair);
  return _mm256_castpd_ps(_mm256_set1_pd(pair));
}
static inline tsr_vm tsr_vm_all_lanes(void) { return _mm256_castsi256_ps(_mm256_set1_epi32(-1)); }
static inline bool tsr_vm_all(tsr_vm m) { return _mm256_movemask_ps(m) == 0xFF; }
/* A streaming (non-temporal) store, p aligned to the vector; tsr_v_stream_fence orders the
 * streamed stores before what follows. */
static inline void tsr_v_store_stream(float* p, tsr_vf v) { _mm256_stream_ps(p, v); }
static inline void tsr_v_stream_fence(void) { _mm_sfence(); }
static inline tsr_vf tsr_v_set(float c) { return _mm256_set1_ps(c); }
static inline tsr_vd tsr_vd_zero(void) { return _mm256_setzero_pd(); }
static inline tsr_vd tsr_vd_add(tsr_vd a, tsr_vd b) { return _mm256_add_pd(a, b); }
static inline double tsr_vd_reduce_add(tsr_vd v) {
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}
static inline tsr_vd tsr_vd_load(const double* p) { return _mm256_loadu_pd(p); }
static inline void tsr_vd_store(double* p, tsr_vd v) { _mm256_storeu_pd(p, v); }
/* v's low and high half widened to double, lane for lane. */
static inline tsr_vd tsr_v_widen_low(tsr_vf v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
static inline tsr_vd tsr_v_widen_high(tsr_vf v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
/* v's lanes widened to double and added pairwise (the low half's lane i with the high half's). */
static inline tsr_vd tsr_v_widen_add(tsr_vf v) { return tsr_vd_add(tsr_v_widen_low(v), tsr_v_widen_high(v)); }
static inline tsr_vd tsr_vd_sub(tsr_vd a, tsr_vd b) { return _mm256_sub_pd(a, b); }
static inline tsr_vd tsr_vd_mul(tsr_vd a, tsr_vd b) { return _mm256_mul_pd(a, b); }
static inline tsr_vd tsr_vd_set(double c) { return _mm256_set1_pd(c); }
static inline tsr_vd tsr_vd_fma(tsr_vd a, tsr_vd b, tsr_vd c) { return _mm256_fmadd_pd(a, b, c); }
/* Two double vectors rounded to f32 into one vector: low's lanes first (tsr_v_widen_low's inverse). */
static inline tsr_vf tsr_vd_narrow(tsr_vd low, tsr_vd high) {
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(low)), _mm256_cvtpd_ps(high), 1);
}
static inline tsr_vf tsr_v_add(tsr_vf a, tsr_vf b) { return _mm256_add_ps(a, b); }
static inline tsr_vf tsr_v_sub(tsr_vf a, tsr_vf b) { return _mm256_sub_ps(a, b); }
static inline tsr_vf tsr_v_mul(tsr_vf a, tsr_vf b) { return _mm256_mul_ps(a, b); }
static inline tsr_vf tsr_v_div(tsr_vf a, tsr_vf b) { return _mm256_div_ps(a, b); }
static inline tsr_vf tsr_v_fma(tsr_vf a, tsr_vf b, tsr_vf c) { return _mm256_fmadd_ps(a, b, c); }
/* a b - c, rounded once */
static inline tsr_vf tsr_v_fms(tsr_vf a, tsr_vf b, tsr_vf c) { return _mm256_fmsub_ps(a, b, c); }
/* c - a b, rounded once */
static inline tsr_vf tsr_v_fnma(tsr_vf a, tsr_vf b, tsr_vf c) { return _mm256_fnmadd_ps(a, b, c); }
/* MAXPS/MINPS return the second operand when either is NaN. */
static inline tsr_vf tsr_v_max_keep_nan(tsr_vf x, tsr_vf bound) { return _mm256_max_ps(bound, x); }
static inline tsr_vf tsr_v_min_keep_nan(tsr_vf x, tsr_vf bound) { return _mm256_min_ps(bound, x); }
static inline tsr_vf tsr_v_max_drop_nan(tsr_vf x, tsr_vf bound) { return _mm256_max_ps(x, bound); }
static inline tsr_vf tsr_v_abs(tsr_vf x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
static inline tsr_vf tsr_v_copysign(tsr_vf magnitude, tsr_vf sign) {
  const __m256 bit = _mm256_set1_ps(-0.0f);
  return _mm256_or_ps(_mm256_andnot_ps(bit, magnitude), _mm256_and_ps(bit, sign));
}
static inline tsr_vm tsr_v_lt(tsr_vf a, tsr_vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline tsr_vm tsr_v_eq(tsr_vf a, tsr_vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
static inline tsr_vm tsr_v_is_nan(tsr_vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
static inline tsr_vm tsr_vm_or(tsr_vm a, tsr_vm b) { return _mm256_or_ps(a, b); }
static inline tsr_vm tsr_vm_and(tsr_vm a, tsr_vm b) { return _mm256_and_ps(a, b); }
/* m with the lanes where v is NaN cleared. */
static inline tsr_vm tsr_vm_and_ordered(tsr_vm m, tsr_vf v) { return _mm256_and_ps(m, _mm256_cmp_ps(v, v, _CMP_ORD_Q)); }
/* m with the lanes where a or b is NaN cleared: one compare for two vectors. */
static inline tsr_vm tsr_vm_and_ordered2(tsr_vm m, tsr_vf a, tsr_vf b) {
  return _mm256_and_ps(m, _mm256_cmp_ps(a, b, _CMP_ORD_Q));
}
static inline bool tsr_vm_any(tsr_vm m) { return _mm256_movemask_ps(m) != 0; }
static inline tsr_vf tsr_v_select(tsr_vm m, tsr_vf if_true, tsr_vf if_false) {
  return _mm256_blendv_ps(if_false, if_true, m);
}
static inline tsr_vf tsr_v_round(tsr_vf x) {
  return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* 2^k for integer-valued k in [-126, 127], built in the exponent field. */
static inline tsr_vf tsr_v_pow2(tsr_vf k) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23));
}
/* The float whose exponent field holds t's low 9 bits: 2^(j - 127) for t = 1.5 2^23 + j, j in
 * [1, 254], as rounding to an integer by adding 1.5 2^23 leaves it. */
static inline tsr_vf tsr_v_exponent_from_low_bits(tsr_vf t) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));
}

/* x = m 2^k with m in [sqrt(1/2), sqrt(2)), for positive normal x: the exponent field of x moved by
 * the bits of sqrt(1/2), so m's range straddles 1. */
static inline tsr_vf tsr_v_split_exponent(tsr_vf x, tsr_vf* k) {
  const __m256i bits = _mm256_add_epi32(_mm256_castps_si256(x), _mm256_set1_epi32(0x3F800000 - 0x3F3504F3));
  *k = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
  const __m256i mantissa = _mm256_add_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x3F3504F3));
  return _mm256_castsi256_ps(mantissa);
}

#endif
