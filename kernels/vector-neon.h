/* The vector primitives that kernel bodies written once for every ISA use (f32-vunary-body.h,
 * f32-pool-body.h), on NEON: 4-lane float32x4_t. A kernel file of this ISA includes this header, names
 * its functions, then includes the family's body. */
#ifndef TSR_KERNELS_VECTOR_NEON_H
#define TSR_KERNELS_VECTOR_NEON_H

#include <stdbool.h>
#include <arm_neon.h>

typedef float32x4_t tsr_vf;
typedef uint32x4_t tsr_vm;
#define TSR_VLANES 4
#define TSR_VREGISTERS 32 /* vector registers, for register-blocking choices */
/* Doubles, for sums carried past f32 (f32-lnorm-body.h, f32-colstats-blocked-body.h): half a
 * vector's lanes. */
typedef float64x2_t tsr_vd;

static inline tsr_vf tsr_v_load(const float* p) { return vld1q_f32(p); }
static inline void tsr_v_store(float* p, tsr_vf v) { vst1q_f32(p, v); }
/* Two vectors' worth of consecutive floats from p split into even and odd columns (stride-2
 * pooling's taps), in an order of lanes that tsr_v_from_deinterleaved puts right: a lane-wise
 * computation on such vectors is undone once, at the end. */
static inline void tsr_v_load_deinterleaved(const float* p, tsr_vf* even, tsr_vf* odd) {
  const float32x4x2_t v = vld2q_f32(p);
  *even = v.val[0], *odd = v.val[1];
}
static inline tsr_vf tsr_v_from_deinterleaved(tsr_vf v) { return v; } /* already in order */
/* a plain store: no output is streamed on AArch64 (STNP pairs are left for a measured need) */
static inline void tsr_v_store_stream(float* p, tsr_vf v) { vst1q_f32(p, v); }
static inline tsr_vf tsr_v_set(float c) { return vdupq_n_f32(c); }
static inline tsr_vd tsr_vd_zero(void) { return vdupq_n_f64(0.0); }
static inline tsr_vd tsr_vd_add(tsr_vd a, tsr_vd b) { return vaddq_f64(a, b); }
static inline double tsr_vd_reduce_add(tsr_vd v) { return vaddvq_f64(v); }
static inline tsr_vd tsr_vd_load(const double* p) { return vld1q_f64(p); }
static inline void tsr_vd_store(double* p, tsr_vd v) { vst1q_f64(p, v); }
/* v's low and high half widened to double, lane for lane. */
static inline tsr_vd tsr_v_widen_low(tsr_vf v) { return vcvt_f64_f32(vget_low_f32(v)); }
static inline tsr_vd tsr_v_widen_high(tsr_vf v) { return vcvt_high_f64_f32(v); }
/* v's lanes widened to double and added pairwise (the low half's lane i with the high half's). */
static inline tsr_vd tsr_v_widen_add(tsr_vf v) { return tsr_vd_add(tsr_v_widen_low(v), tsr_v_widen_high(v)); }
static inline tsr_vd tsr_vd_sub(tsr_vd a, tsr_vd b) { return vsubq_f64(a, b); }
static inline tsr_vd tsr_vd_mul(tsr_vd a, tsr_vd b) { return vmulq_f64(a, b); }
static inline tsr_vd tsr_vd_set(double c) { return vdupq_n_f64(c); }
static inline tsr_vd tsr_vd_fma(tsr_vd a, tsr_vd b, tsr_vd c) { return vfmaq_f64(c, a, b); }
/* Two double vectors rounded to f32 into one vector: low's lanes first (tsr_v_widen_low's inverse). */
static inline tsr_vf tsr_vd_narrow(tsr_vd low, tsr_vd high) { return vcvt_high_f32_f64(vcvt_f32_f64(low), high); }
static inline tsr_vf tsr_v_add(tsr_vf a, tsr_vf b) { return vaddq_f32(a, b); }
static inline tsr_vf tsr_v_sub(tsr_vf a, tsr_vf b) { return vsubq_f32(a, b); }
static inline tsr_vf tsr_v_mul(tsr_vf a, tsr_vf b) { return vmulq_f32(a, b); }
static inline tsr_vf tsr_v_div(tsr_vf a, tsr_vf b) { return vdivq_f32(a, b); }
static inline tsr_vf tsr_v_fma(tsr_vf a, tsr_vf b, tsr_vf c) { return vfmaq_f32(c, a, b); }
/* a b - c, rounded once */
static inline tsr_vf tsr_v_fms(tsr_vf a, tsr_vf b, tsr_vf c) { return vnegq_f32(vfmsq_f32(c, a, b)); }
/* c - a b, rounded once */
static inline tsr_vf tsr_v_fnma(tsr_vf a, tsr_vf b, tsr_vf c) { return vfmsq_f32(c, a, b); }
/* FMAX/FMIN return NaN when either operand is NaN; FMAXNM returns the number. */
static inline tsr_vf tsr_v_max_keep_nan(tsr_vf x, tsr_vf bound) { return vmaxq_f32(x, bound); }
static inline tsr_vf tsr_v_min_keep_nan(tsr_vf x, tsr_vf bound) { return vminq_f32(x, bound); }
static inline tsr_vf tsr_v_max_drop_nan(tsr_vf x, tsr_vf bound) { return vmaxnmq_f32(x, bound); }
static inline tsr_vf tsr_v_abs(tsr_vf x) { return vabsq_f32(x); }
static inline tsr_vf tsr_v_copysign(tsr_vf magnitude, tsr_vf sign) {
  return vbslq_f32(vdupq_n_u32(0x80000000u), sign, magnitude);
}
static inline tsr_vm tsr_v_lt(tsr_vf a, tsr_vf b) { return vcltq_f32(a, b); }
static inline tsr_vm tsr_v_eq(tsr_vf a, tsr_vf b) { return vceqq_f32(a, b); }
static inline tsr_vm tsr_v_is_nan(tsr_vf a) { return vmvnq_u32(vceqq_f32(a, a)); }
static inline tsr_vm tsr_vm_or(tsr_vm a, tsr_vm b) { return vorrq_u32(a, b); }
static inline tsr_vm tsr_vm_and(tsr_vm a, tsr_vm b) { return vandq_u32(a, b); }
/* m with the lanes where v is NaN cleared. */
static inline tsr_vm tsr_vm_and_ordered(tsr_vm m, tsr_vf v) { return vandq_u32(m, vceqq_f32(v, v)); }
/* m with the lanes where a or b is NaN cleared (NEON has no ordered compare of two vectors). */
static inline tsr_vm tsr_vm_and_ordered2(tsr_vm m, tsr_vf a, tsr_vf b) {
  return vandq_u32(m, vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b)));
}
static inline bool tsr_vm_any(tsr_vm m) { return vmaxvq_u32(m) != 0; }
static inline tsr_vf tsr_v_select(tsr_vm m, tsr_vf if_true, tsr_vf if_false) {
  return vbslq_f32(m, if_true, if_false);
}
static inline tsr_vf tsr_v_round(tsr_vf x) { return vrndnq_f32(x); }
/* 2^k for integer-valued k in [-126, 127], built in the exponent field. */
static inline tsr_vf tsr_v_pow2(tsr_vf k) {
  return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23));
}
/* The float whose exponent field holds t's low 9 bits: 2^(j - 127) for t = 1.5 2^23 + j, j in
 * [1, 254], as rounding to an integer by adding 1.5 2^23 leaves it. */
static inline tsr_vf tsr_v_exponent_from_low_bits(tsr_vf t) {
  return vreinterpretq_f32_s32(vshlq_n_s32(vreinterpretq_s32_f32(t), 23));
}

/* x = m 2^k with m in [sqrt(1/2), sqrt(2)), for positive normal x: the exponent field of x moved by
 * the bits of sqrt(1/2), so m's range straddles 1. */
static inline tsr_vf tsr_v_split_exponent(tsr_vf x, tsr_vf* k) {
  const uint32x4_t bits = vaddq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x3F800000 - 0x3F3504F3));
  *k = vcvtq_f32_s32(vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(bits, 23)), vdupq_n_s32(127)));
  const uint32x4_t mantissa = vaddq_u32(vandq_u32(bits, vdupq_n_u32(0x007FFFFF)), vdupq_n_u32(0x3F3504F3));
  return vreinterpretq_f32_u32(mantissa);
}

#endif
