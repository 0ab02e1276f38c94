/* Two vectors of an ISA as one: the primitives f32-vunary-body.h uses, each applied to both
 * halves, so that the body's long dependency chains (some 40 operations for a GELU) run two at
 * a time, interleaved instruction by instruction. Unrolling the loop instead put one chain after
 * the other in the instruction stream, and the out-of-order window did not overlap them enough:
 * in L1, 1 thread, Zen 4, the erf GELU took 0.64 ns an element on AVX-512 and 1.15 on AVX2 with
 * one, two or four vectors a loop iteration, and 0.58 and 0.95-0.98 as pairs (the tanh GELU
 * 0.64 -> 0.58, SiLU on AVX2 0.68 -> 0.57; the others level within 4%), bit for bit the same
 * results.
 *
 * A kernel file defines TSR_VECTOR_PAIR_BASE as its ISA's header and includes this one instead
 * of it. While the ISA's header is included, its type and the primitives wrapped here are
 * renamed tsr_base_*; its other primitives keep their names and take the single vector type. */
#ifndef TSR_KERNELS_VECTOR_PAIR_H
#define TSR_KERNELS_VECTOR_PAIR_H

#include <stdbool.h>

#define tsr_vf tsr_base_vf
#define tsr_vm tsr_base_vm
#define tsr_v_load tsr_base_v_load
#define tsr_v_store tsr_base_v_store
#define tsr_v_set tsr_base_v_set
#define tsr_v_add tsr_base_v_add
#define tsr_v_sub tsr_base_v_sub
#define tsr_v_mul tsr_base_v_mul
#define tsr_v_div tsr_base_v_div
#define tsr_v_fma tsr_base_v_fma
#define tsr_v_fms tsr_base_v_fms
#define tsr_v_fnma tsr_base_v_fnma
#define tsr_v_max_keep_nan tsr_base_v_max_keep_nan
#define tsr_v_min_keep_nan tsr_base_v_min_keep_nan
#define tsr_v_max_drop_nan tsr_base_v_max_drop_nan
#define tsr_v_abs tsr_base_v_abs
#define tsr_v_copysign tsr_base_v_copysign
#define tsr_v_lt tsr_base_v_lt
#define tsr_v_eq tsr_base_v_eq
#define tsr_vm_any tsr_base_vm_any
#define tsr_v_select tsr_base_v_select
#define tsr_v_round tsr_base_v_round
#define tsr_v_pow2 tsr_base_v_pow2
#define tsr_v_exponent_from_low_bits tsr_base_v_exponent_from_low_bits
#define tsr_v_split_exponent tsr_base_v_split_exponent
#define tsr_v_ldexp tsr_base_v_ldexp
#include TSR_VECTOR_PAIR_BASE
#undef tsr_vf
#undef tsr_vm
#undef tsr_v_load
#undef tsr_v_store
#undef tsr_v_set
#undef tsr_v_add
#undef tsr_v_sub
#undef tsr_v_mul
#undef tsr_v_div
#undef tsr_v_fma
#undef tsr_v_fms
#undef tsr_v_fnma
#undef tsr_v_max_keep_nan
#undef tsr_v_min_keep_nan
#undef tsr_v_max_drop_nan
#undef tsr_v_abs
#undef tsr_v_copysign
#undef tsr_v_lt
#undef tsr_v_eq
#undef tsr_vm_any
#undef tsr_v_select
#undef tsr_v_round
#undef tsr_v_pow2
#undef tsr_v_exponent_from_low_bits
#undef tsr_v_split_exponent
#undef tsr_v_ldexp

enum { tsr_base_vlanes = TSR_VLANES };
#undef TSR_VLANES
#define TSR_VLANES (2 * tsr_base_vlanes)

typedef struct {
  tsr_base_vf lo, hi;
} tsr_vf;
typedef struct {
  tsr_base_vm lo, hi;
} tsr_vm;

/* tsr_<name> on pairs, from tsr_base_<name> on single vectors */
#define TSR_PAIR_UNARY(name, result) \
  static inline result tsr_##name(tsr_vf x) { return (result){tsr_base_##name(x.lo), tsr_base_##name(x.hi)}; }
#define TSR_PAIR_BINARY(name, result)                                                   \
  static inline result tsr_##name(tsr_vf a, tsr_vf b) {                                 \
    return (result){tsr_base_##name(a.lo, b.lo), tsr_base_##name(a.hi, b.hi)};         \
  }
#define TSR_PAIR_TERNARY(name)                                                          \
  static inline tsr_vf tsr_##name(tsr_vf a, tsr_vf b, tsr_vf c) {                       \
    return (tsr_vf){tsr_base_##name(a.lo, b.lo, c.lo), tsr_base_##name(a.hi, b.hi, c.hi)}; \
  }

TSR_PAIR_BINARY(v_add, tsr_vf)
TSR_PAIR_BINARY(v_sub, tsr_vf)
TSR_PAIR_BINARY(v_mul, tsr_vf)
TSR_PAIR_BINARY(v_div, tsr_vf)
TSR_PAIR_TERNARY(v_fma)
TSR_PAIR_TERNARY(v_fms)
TSR_PAIR_TERNARY(v_fnma)
TSR_PAIR_BINARY(v_max_keep_nan, tsr_vf)
TSR_PAIR_BINARY(v_min_keep_nan, tsr_vf)
TSR_PAIR_BINARY(v_max_drop_nan, tsr_vf)
TSR_PAIR_UNARY(v_abs, tsr_vf)
TSR_PAIR_BINARY(v_copysign, tsr_vf)
TSR_PAIR_BINARY(v_lt, tsr_vm)
TSR_PAIR_BINARY(v_eq, tsr_vm)
TSR_PAIR_UNARY(v_round, tsr_vf)
TSR_PAIR_UNARY(v_pow2, tsr_vf)
TSR_PAIR_UNARY(v_exponent_from_low_bits, tsr_vf)
#if defined(TSR_V_HAS_LDEXP)
TSR_PAIR_BINARY(v_ldexp, tsr_vf)
#endif

#undef TSR_PAIR_UNARY
#undef TSR_PAIR_BINARY
#undef TSR_PAIR_TERNARY

static inline tsr_vf tsr_v_load(const float* p) {
  return (tsr_vf){tsr_base_v_load(p), tsr_base_v_load(p + tsr_base_vlanes)};
}
static inline void tsr_v_store(float* p, tsr_vf v) {
  tsr_base_v_store(p, v.lo);
  tsr_base_v_store(p + tsr_base_vlanes, v.hi);
}
static inline tsr_vf tsr_v_set(float c) { return (tsr_vf){tsr_base_v_set(c), tsr_base_v_set(c)}; }
static inline bool tsr_vm_any(tsr_vm m) { return tsr_base_vm_any(m.lo) || tsr_base_vm_any(m.hi); }
static inline tsr_vf tsr_v_select(tsr_vm m, tsr_vf if_true, tsr_vf if_false) {
  return (tsr_vf){tsr_base_v_select(m.lo, if_true.lo, if_false.lo), tsr_base_v_select(m.hi, if_true.hi, if_false.hi)};
}
static inline tsr_vf tsr_v_split_exponent(tsr_vf x, tsr_vf* k) {
  tsr_vf m;
  m.lo = tsr_base_v_split_exponent(x.lo, &k->lo);
  m.hi = tsr_base_v_split_exponent(x.hi, &k->hi);
  return m;
}

#endif
