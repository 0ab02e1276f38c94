#include "kernels/f32-vclamp/f32-vclamp.h"

/* Written as compares rather than fminf/fmaxf so that a NaN input stays NaN (fmaxf would return
 * the bound). */
static inline float tsr_clamp(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

void tsr_f32_vclamp_ukernel__scalar_u4(size_t n, const float* x, float* y,
                                       const struct tsr_f32_minmax_params* params) {
  const float vmin = params->min, vmax = params->max;
  for (; n >= 4; n -= 4, x += 4, y += 4) {
    const float vx0 = x[0], vx1 = x[1], vx2 = x[2], vx3 = x[3];
    y[0] = tsr_clamp(vx0, vmin, vmax);
    y[1] = tsr_clamp(vx1, vmin, vmax);
    y[2] = tsr_clamp(vx2, vmin, vmax);
    y[3] = tsr_clamp(vx3, vmin, vmax);
  }
  for (; n != 0; n--) *y++ = tsr_clamp(*x++, vmin, vmax);
}
