/* The elementwise binary kernels, written once over the vector primitives of
 * kernels/vector-<isa>.h. Each ISA's file includes its primitives, defines TSR_VBINARY_SUFFIX
 * (the variant's name suffix, e.g. avx2_u16), then includes this body, which defines every
 * kernel f32-vbinary.inc lists for that variant. One loop serves all of them: it is inlined into
 * each kernel with the op and which operand is broadcast fixed, so the compiler hoists the
 * broadcast out of the loop. Two vectors an iteration (the maps are memory-bound: two loads and
 * a store in flight per vector are enough), then one, then single elements with the same op.
 * With TSR_VBINARY_STREAM defined (the f32-vbinary-nt variants) the vector stores are streaming
 * stores, after single elements up to y's vector alignment, and a fence follows them. */
#include <stdint.h>

#include "kernels/f32-vbinary/f32-vbinary.h"

static inline tsr_vf tsr_vbinary_add(tsr_vf a, tsr_vf b) { return tsr_v_add(a, b); }
static inline tsr_vf tsr_vbinary_sub(tsr_vf a, tsr_vf b) { return tsr_v_sub(a, b); }
static inline tsr_vf tsr_vbinary_mul(tsr_vf a, tsr_vf b) { return tsr_v_mul(a, b); }
static inline tsr_vf tsr_vbinary_div(tsr_vf a, tsr_vf b) { return tsr_v_div(a, b); }
/* max_keep_nan(a, b) keeps a's NaN; b's NaN is put back by the select (tsr_f32_binary_max). */
static inline tsr_vf tsr_vbinary_max(tsr_vf a, tsr_vf b) {
  return tsr_v_select(tsr_v_is_nan(b), b, tsr_v_max_keep_nan(a, b));
}
static inline tsr_vf tsr_vbinary_min(tsr_vf a, tsr_vf b) {
  return tsr_v_select(tsr_v_is_nan(b), b, tsr_v_min_keep_nan(a, b));
}

/* The fused clamp: the bounds second, so a NaN result stays NaN. */
static inline tsr_vf tsr_vbinary_clamp(tsr_vf v, tsr_vf lo, tsr_vf hi) {
  return tsr_v_min_keep_nan(tsr_v_max_keep_nan(v, lo), hi);
}

/* y[i] = clamp(p[i or 0] op q[i or 0]): p_varies / q_varies say which operand steps. */
static inline __attribute__((always_inline)) void tsr_vbinary_loop(
    size_t n, const float* p, int p_varies, const float* q, int q_varies, float* y,
    const struct tsr_f32_minmax_params* params, tsr_vf (*vop)(tsr_vf, tsr_vf), float (*op)(float, float)) {
  const tsr_vf p0 = tsr_v_set(*p), q0 = tsr_v_set(*q);
  const tsr_vf lo = tsr_v_set(params->min), hi = tsr_v_set(params->max);
  size_t i = 0;
#ifdef TSR_VBINARY_STREAM /* streaming stores need y aligned to the vector: single elements first */
  for (; i < n && ((uintptr_t)(y + i) & (TSR_VLANES * sizeof(float) - 1)) != 0; i++)
    y[i] = tsr_f32_clamp(op(p[p_varies ? i : 0], q[q_varies ? i : 0]), params);
#define TSR_VBINARY_STORE tsr_v_store_stream
#else
#define TSR_VBINARY_STORE tsr_v_store
#endif
  for (; i + 2 * TSR_VLANES <= n; i += 2 * TSR_VLANES) {
    const tsr_vf y0 = vop(p_varies ? tsr_v_load(p + i) : p0, q_varies ? tsr_v_load(q + i) : q0);
    const tsr_vf y1 = vop(p_varies ? tsr_v_load(p + i + TSR_VLANES) : p0,
                          q_varies ? tsr_v_load(q + i + TSR_VLANES) : q0);
    TSR_VBINARY_STORE(y + i, tsr_vbinary_clamp(y0, lo, hi));
    TSR_VBINARY_STORE(y + i + TSR_VLANES, tsr_vbinary_clamp(y1, lo, hi));
  }
  for (; i + TSR_VLANES <= n; i += TSR_VLANES)
    TSR_VBINARY_STORE(y + i, tsr_vbinary_clamp(vop(p_varies ? tsr_v_load(p + i) : p0,
                                                   q_varies ? tsr_v_load(q + i) : q0),
                                               lo, hi));
#undef TSR_VBINARY_STORE
#ifdef TSR_VBINARY_STREAM
  tsr_v_stream_fence();
#endif
  for (; i < n; i++) y[i] = tsr_f32_clamp(op(p[p_varies ? i : 0], q[q_varies ? i : 0]), params);
}

#define TSR_VBINARY_PASTE2(kernel, suffix) tsr_f32_##kernel##_ukernel__##suffix
#define TSR_VBINARY_PASTE(kernel, suffix) TSR_VBINARY_PASTE2(kernel, suffix)
#define TSR_VBINARY_NAME(kernel) TSR_VBINARY_PASTE(kernel, TSR_VBINARY_SUFFIX)

/* vop (both vary) and vopc (b broadcast) for every op; vropc (b[0] op a[i]) where order matters. */
#define TSR_VBINARY_DEFINE(op)                                                              \
  void TSR_VBINARY_NAME(v##op)(size_t n, const float* a, const float* b, float* y,         \
                               const struct tsr_f32_minmax_params* params) {              \
    tsr_vbinary_loop(n, a, 1, b, 1, y, params, tsr_vbinary_##op, tsr_f32_binary_##op);     \
  }                                                                                         \
  void TSR_VBINARY_NAME(v##op##c)(size_t n, const float* a, const float* b, float* y,      \
                                  const struct tsr_f32_minmax_params* params) {           \
    tsr_vbinary_loop(n, a, 1, b, 0, y, params, tsr_vbinary_##op, tsr_f32_binary_##op);     \
  }
#define TSR_VBINARY_DEFINE_REVERSED(op)                                                     \
  void TSR_VBINARY_NAME(vr##op##c)(size_t n, const float* a, const float* b, float* y,     \
                                   const struct tsr_f32_minmax_params* params) {          \
    tsr_vbinary_loop(n, b, 0, a, 1, y, params, tsr_vbinary_##op, tsr_f32_binary_##op);     \
  }

TSR_VBINARY_DEFINE(add)
TSR_VBINARY_DEFINE(sub)
TSR_VBINARY_DEFINE(mul)
TSR_VBINARY_DEFINE(div)
TSR_VBINARY_DEFINE(max)
TSR_VBINARY_DEFINE(min)
TSR_VBINARY_DEFINE_REVERSED(sub)
TSR_VBINARY_DEFINE_REVERSED(div)
