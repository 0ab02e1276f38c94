/* The row-interpolation kernels, written once over the vector primitives of kernels/vector-<isa>.h,
 * which each ISA's file includes, with the kernels' names (TSR_VLERP_NAME, TSR_VBILERP_NAME),
 * before this body. The row kernel: two vectors an iteration, then one, then single elements
 * with the same two steps. */
#include <assert.h>

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

/* b t + a u (u = 1 - t), as the row kernel rounds it. */
static inline tsr_vf tsr_vlerp(tsr_vf a, tsr_vf b, tsr_vf t, tsr_vf u) { return tsr_v_fma(b, t, tsr_v_mul(a, u)); }
static inline float tsr_lerp(float a, float b, float t, float u) { return __builtin_fmaf(b, t, a * u); }

/* One output pixel's channels, each source pixel vector loaded once for every row: along w
 * (unless `along_w` is false: its weight is 0, the first neighbours as they are), then along h
 * into each row (a row whose weight is 0 takes the top). */
static inline __attribute__((always_inline)) void tsr_vbilerp_pixel(
    size_t channels, const float* top0, const float* top1, const float* bottom0, const float* bottom1, float tw,
    bool along_w, size_t rows, const float* th, const tsr_vf* vth, const tsr_vf* vuh, float* const* y,
    size_t offset) {
  const float uw = 1.0f - tw;
  const tsr_vf vtw = tsr_v_set(tw), vuw = tsr_v_set(uw);
  size_t k = 0;
  for (; k + TSR_VLANES <= channels; k += TSR_VLANES) {
    tsr_vf a = tsr_v_load(top0 + k), b = tsr_v_load(bottom0 + k);
    if (along_w) a = tsr_vlerp(a, tsr_v_load(top1 + k), vtw, vuw), b = tsr_vlerp(b, tsr_v_load(bottom1 + k), vtw, vuw);
    for (size_t g = 0; g < rows; g++)
      tsr_v_store(y[g] + offset + k, th[g] != 0.0f ? tsr_vlerp(a, b, vth[g], vuh[g]) : a);
  }
  for (; k < channels; k++) {
    float a = top0[k], b = bottom0[k];
    if (along_w) a = tsr_lerp(a, top1[k], tw, uw), b = tsr_lerp(b, bottom1[k], tw, uw);
    for (size_t g = 0; g < rows; g++) y[g][offset + k] = th[g] != 0.0f ? tsr_lerp(a, b, th[g], 1.0f - th[g]) : a;
  }
}

void TSR_VBILERP_NAME(size_t pixels, size_t channels, const float* top, const float* bottom, const size_t* index0,
                      const size_t* index1, const float* tw, size_t rows, const float* th, float* const* y) {
  assert(rows >= 1 && rows <= TSR_VBILERP_MAX_ROWS);
  tsr_vf vth[TSR_VBILERP_MAX_ROWS], vuh[TSR_VBILERP_MAX_ROWS];
  for (size_t g = 0; g < rows; g++) vth[g] = tsr_v_set(th[g]), vuh[g] = tsr_v_set(1.0f - th[g]);
  for (size_t j = 0; j < pixels; j++) {
    const size_t i0 = index0[j] * channels, i1 = index1[j] * channels, offset = j * channels;
    if (tw[j] != 0.0f)
      tsr_vbilerp_pixel(channels, top + i0, top + i1, bottom + i0, bottom + i1, tw[j], true, rows, th, vth, vuh, y,
                        offset);
    else
      tsr_vbilerp_pixel(channels, top + i0, top + i0, bottom + i0, bottom + i0, 0.0f, false, rows, th, vth, vuh, y,
                        offset);
  }
}
