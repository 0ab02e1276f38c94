/* The per-channel affine kernels, written once over the vector primitives of
 * kernels/vector-<isa>.h, which each ISA's file includes, with the kernels' names
 * (TSR_VAFFINE_C_NAME, TSR_VAFFINE_S_NAME), before this body. Two vectors an iteration (the map
 * is memory-bound: two independent loads and stores in flight are enough), then one, then the
 * elements left one at a time. With TSR_VAFFINE_STREAM defined (the f32-vaffine-nt variants)
 * the channelwise form stores around the caches where its rows are vector-aligned, and the
 * broadcast form its whole vectors from y's first vector boundary on. */
#include <stdint.h>

#include "kernels/f32-vaffine/f32-vaffine.h"

void TSR_VAFFINE_C_NAME(size_t rows, size_t channels, const float* x, const float* mean, const float* scale,
                        const float* shift, float* y) {
#ifdef TSR_VAFFINE_STREAM
  /* Streaming stores when every row starts on a vector boundary (y aligned, channels a whole
   * number of vectors); otherwise the plain loop below. */
  if (((uintptr_t)y & (TSR_VLANES * sizeof(float) - 1)) == 0 && channels % TSR_VLANES == 0) {
    for (; rows != 0; rows--, x += channels, y += channels)
      for (size_t i = 0; i < channels; i += TSR_VLANES)
        tsr_v_store_stream(y + i, tsr_v_fma(tsr_v_sub(tsr_v_load(x + i), tsr_v_load(mean + i)), tsr_v_load(scale + i),
                                            tsr_v_load(shift + i)));
    tsr_v_stream_fence();
    return;
  }
#endif
  for (; rows != 0; rows--, x += channels, y += channels) {
    size_t i = 0;
    for (; i + 2 * TSR_VLANES <= channels; i += 2 * TSR_VLANES) {
      const tsr_vf v0 = tsr_v_sub(tsr_v_load(x + i), tsr_v_load(mean + i));
      const tsr_vf v1 = tsr_v_sub(tsr_v_load(x + i + TSR_VLANES), tsr_v_load(mean + i + TSR_VLANES));
      tsr_v_store(y + i, tsr_v_fma(v0, tsr_v_load(scale + i), tsr_v_load(shift + i)));
      tsr_v_store(y + i + TSR_VLANES,
                  tsr_v_fma(v1, tsr_v_load(scale + i + TSR_VLANES), tsr_v_load(shift + i + TSR_VLANES)));
    }
    for (; i + TSR_VLANES <= channels; i += TSR_VLANES)
      tsr_v_store(y + i, tsr_v_fma(tsr_v_sub(tsr_v_load(x + i), tsr_v_load(mean + i)), tsr_v_load(scale + i),
                                   tsr_v_load(shift + i)));
    tsr_f32_vaffine_elements(i, channels, x, mean, scale, shift, 1, y);
  }
}

void TSR_VAFFINE_S_NAME(size_t n, const float* x, const float* mean, const float* scale, const float* shift,
                        float* y) {
  const tsr_vf vmean = tsr_v_set(*mean), vscale = tsr_v_set(*scale), vshift = tsr_v_set(*shift);
  size_t i = 0;
#ifdef TSR_VAFFINE_STREAM
  /* The elements before y's first vector boundary one at a time, then whole vectors around the
   * caches; the tail below. The caller fences (a plane can be a few lines: a fence each cost
   * more than streaming saved). */
  const size_t head = (TSR_VLANES - (uintptr_t)y / sizeof(float) % TSR_VLANES) % TSR_VLANES;
  if (head + TSR_VLANES <= n) {
    tsr_f32_vaffine_elements(0, head, x, mean, scale, shift, 0, y);
    for (i = head; i + TSR_VLANES <= n; i += TSR_VLANES)
      tsr_v_store_stream(y + i, tsr_v_fma(tsr_v_sub(tsr_v_load(x + i), vmean), vscale, vshift));
  }
#endif
  for (; i + 2 * TSR_VLANES <= n; i += 2 * TSR_VLANES) {
    const tsr_vf v0 = tsr_v_sub(tsr_v_load(x + i), vmean), v1 = tsr_v_sub(tsr_v_load(x + i + TSR_VLANES), vmean);
    tsr_v_store(y + i, tsr_v_fma(v0, vscale, vshift));
    tsr_v_store(y + i + TSR_VLANES, tsr_v_fma(v1, vscale, vshift));
  }
  for (; i + TSR_VLANES <= n; i += TSR_VLANES)
    tsr_v_store(y + i, tsr_v_fma(tsr_v_sub(tsr_v_load(x + i), vmean), vscale, vshift));
  tsr_f32_vaffine_elements(i, n, x, mean, scale, shift, 0, y);
}
