/* Portable elementwise binary maps: f32-vbinary-body.h on one-element "vectors", the few
 * primitives it uses defined here on plain floats with the same NaN rules as the x86 ones. */
typedef float tsr_vf;
typedef int tsr_vm;
#define TSR_VLANES 1

static inline tsr_vf tsr_v_load(const float* p) { return *p; }
static inline void tsr_v_store(float* p, tsr_vf v) { *p = v; }
static inline tsr_vf tsr_v_set(float c) { return c; }
static inline tsr_vf tsr_v_add(tsr_vf a, tsr_vf b) { return a + b; }
static inline tsr_vf tsr_v_sub(tsr_vf a, tsr_vf b) { return a - b; }
static inline tsr_vf tsr_v_mul(tsr_vf a, tsr_vf b) { return a * b; }
static inline tsr_vf tsr_v_div(tsr_vf a, tsr_vf b) { return a / b; }
/* x when either is NaN, as MAXPS(bound, x) and MINPS(bound, x) */
static inline tsr_vf tsr_v_max_keep_nan(tsr_vf x, tsr_vf bound) { return bound > x ? bound : x; }
static inline tsr_vf tsr_v_min_keep_nan(tsr_vf x, tsr_vf bound) { return bound < x ? bound : x; }
static inline tsr_vm tsr_v_is_nan(tsr_vf a) { return a != a; }
static inline tsr_vf tsr_v_select(tsr_vm m, tsr_vf if_true, tsr_vf if_false) { return m ? if_true : if_false; }

#define TSR_VBINARY_SUFFIX scalar_u1

#include "kernels/f32-vbinary/f32-vbinary-body.h"
