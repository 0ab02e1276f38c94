/* The row-interpolation kernel, written once over the vector primitives of kernels/vector-<isa>.h,
 * which each ISA's file includes, with the kernel's name (TSR_VLERP_NAME), before this body. Two
 * vectors an iteration, then one, then single elements with the same two steps. */
#include "kernels/f32-vlerp/f32-vlerp.h"

void TSR_VLERP_NAME(size_t n, const float* a, const float* b, float t, float* y) {
  const float u = 1.0f - t;
  const tsr_vf vt = tsr_v_set(t), vu = tsr_v_set(u);
  size_t i = 0;
  for (; i + 2 * TSR_VLANES <= n; i += 2 * TSR_VLANES) {
    const tsr_vf y0 = tsr_v_fma(tsr_v_load(b + i), vt, tsr_v_mul(tsr_v_load(a + i), vu));
    const tsr_vf y1 = tsr_v_fma(tsr_v_load(b + i + TSR_VLANES), vt, tsr_v_mul(tsr_v_load(a + i + TSR_VLANES), vu));
    tsr_v_store(y + i, y0);
    tsr_v_store(y + i + TSR_VLANES, y1);
  }
  for (; i + TSR_VLANES <= n; i += TSR_VLANES)
    tsr_v_store(y + i, tsr_v_fma(tsr_v_load(b + i), vt, tsr_v_mul(tsr_v_load(a + i), vu)));
  for (; i < n; i++) y[i] = __builtin_fmaf(b[i], t, a[i] * u);
}
