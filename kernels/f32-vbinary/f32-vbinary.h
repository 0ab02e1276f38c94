/* Elementwise binary maps y = a op b, for op add, sub, mul, div, max and min: the elementwise op
 * with broadcasting (engine/binary.c) runs on them. Three forms per op:
 *   vop   y[i] = a[i] op b[i]   both operands vary (tsr_f32_vadd_ukernel__...)
 *   vopc  y[i] = a[i] op b[0]   the second is one broadcast value (tsr_f32_vaddc_ukernel__...)
 *   vropc y[i] = b[0] op a[i]   the reversed form, needed only where order matters (sub, div;
 *                               tsr_f32_vrsubc_ukernel__...): the broadcast value comes first
 * Every op is one IEEE operation, so every variant gives the same bits as the scalar functions
 * below (tolerance 0), except for which NaN and which sign of zero max and min return: max and
 * min return NaN when either operand is NaN (unlike fmaxf), and either zero for max(-0, +0).
 *
 * Each form also clamps its result (see tsr_f32_vbinary_fn).
 *
 * Contract: n >= 1; y either does not overlap a and b or is the same pointer as one of them
 * (and as a in the c forms); nothing outside the n elements (one for the broadcast operand) is
 * read or written. */
#ifndef TSR_KERNELS_F32_VBINARY_H
#define TSR_KERNELS_F32_VBINARY_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"

/* y[i] = min(max(a op b, params->min), params->max): a clamp (ReLU, ReLU6, none with infinite
 * bounds) fused into the store, free in a memory-bound map; a NaN result stays NaN. */
typedef void (*tsr_f32_vbinary_fn)(size_t n, const float* a, const float* b, float* y,
                                   const struct tsr_f32_minmax_params* params);

/* The ops, in the order of tessera.h's tsr_binary_kind (from 1) and of each ISA's list lines. */
enum tsr_f32_vbinary_op {
  tsr_f32_vbinary_add,
  tsr_f32_vbinary_sub,
  tsr_f32_vbinary_mul,
  tsr_f32_vbinary_div,
  tsr_f32_vbinary_max,
  tsr_f32_vbinary_min,
  tsr_f32_vbinary_op_count
};

#define TSR_VBINARY_UKERNEL(isa, op, vop, vopc, vropc, lanes)                                       \
  void vop(size_t n, const float* a, const float* b, float* y, const struct tsr_f32_minmax_params* params);  \
  void vopc(size_t n, const float* a, const float* b, float* y, const struct tsr_f32_minmax_params* params); \
  void vropc(size_t n, const float* a, const float* b, float* y, const struct tsr_f32_minmax_params* params);
#include "kernels/f32-vbinary/f32-vbinary.inc"
#include "kernels/f32-vbinary/f32-vbinary-nt.inc"
#undef TSR_VBINARY_UKERNEL

/// One op of one variant: its ISA, the three forms and their names, elements per vector.
struct tsr_f32_vbinary_entry {
  tsr_isa isa;
  enum tsr_f32_vbinary_op op;
  tsr_f32_vbinary_fn vop, vopc, vropc;
  const char *vop_name, *vopc_name, *vropc_name;
  size_t lanes;
};

extern const struct tsr_f32_vbinary_entry tsr_f32_vbinary_ukernels[];
extern const size_t tsr_f32_vbinary_ukernel_count;
/* The streaming-store list (f32-vbinary-nt.inc), in the same order. */
extern const struct tsr_f32_vbinary_entry tsr_f32_vbinary_nt_ukernels[];
extern const size_t tsr_f32_vbinary_nt_ukernel_count;

/* The ops on one element: the scalar variant, the vector variants' tails, and the testers'
 * expectation. max and min mirror what the vector form computes (MAXPS(b, a), then b where b is
 * NaN). */
static inline float tsr_f32_binary_add(float a, float b) { return a + b; }
static inline float tsr_f32_binary_sub(float a, float b) { return a - b; }
static inline float tsr_f32_binary_mul(float a, float b) { return a * b; }
static inline float tsr_f32_binary_div(float a, float b) { return a / b; }
static inline float tsr_f32_binary_max(float a, float b) { return b != b ? b : (b > a ? b : a); }
static inline float tsr_f32_binary_min(float a, float b) { return b != b ? b : (b < a ? b : a); }

/// a op b for one of the ops, by its enum value (testers and references).
static inline float tsr_f32_binary(enum tsr_f32_vbinary_op op, float a, float b) {
  switch (op) {
    case tsr_f32_vbinary_add: return tsr_f32_binary_add(a, b);
    case tsr_f32_vbinary_sub: return tsr_f32_binary_sub(a, b);
    case tsr_f32_vbinary_mul: return tsr_f32_binary_mul(a, b);
    case tsr_f32_vbinary_div: return tsr_f32_binary_div(a, b);
    case tsr_f32_vbinary_max: return tsr_f32_binary_max(a, b);
    default: return tsr_f32_binary_min(a, b);
  }
}

#endif
