/* The vector primitives on one-element "vectors" (plain floats), so that a kernel body written
 * once over kernels/vector-<isa>.h also gives the portable variant (f32-vbinary, f32-vlerp). Only
 * the primitives those bodies use; NaN rules as on x86 (max/min keep x's NaN); fma is a
 * multiply and an add (two roundings: the portable build has no FMA instruction to rely on). */
#ifndef TSR_KERNELS_VECTOR_SCALAR_H
#define TSR_KERNELS_VECTOR_SCALAR_H

typedef float tsr_vf;
typedef int tsr_vm;
#define TSR_VLANES 1

static inline tsr_vf tsr_v_load(const float* p) { return *p; }
static inline void tsr_v_store(float* p, tsr_vf v) { *p = v; }
/* no streaming store in portable C: a plain one (the same values) */
static inline void tsr_v_store_stream(float* p, tsr_vf v) { *p = v; }
static inline tsr_vf tsr_v_set(float c) { return c; }
static inline tsr_vf tsr_v_add(tsr_vf a, tsr_vf b) { return a + b; }
static inline tsr_vf tsr_v_sub(tsr_vf a, tsr_vf b) { return a - b; }
static inline tsr_vf tsr_v_mul(tsr_vf a, tsr_vf b) { return a * b; }
static inline tsr_vf tsr_v_div(tsr_vf a, tsr_vf b) { return a / b; }
static inline tsr_vf tsr_v_fma(tsr_vf a, tsr_vf b, tsr_vf c) { return a * b + c; }
/* x when either is NaN, as MAXPS(bound, x) and MINPS(bound, x) */
static inline tsr_vf tsr_v_max_keep_nan(tsr_vf x, tsr_vf bound) { return bound > x ? bound : x; }
static inline tsr_vf tsr_v_min_keep_nan(tsr_vf x, tsr_vf bound) { return bound < x ? bound : x; }
static inline tsr_vm tsr_v_is_nan(tsr_vf a) { return a != a; }
static inline tsr_vf tsr_v_select(tsr_vm m, tsr_vf if_true, tsr_vf if_false) { return m ? if_true : if_false; }

#endif
