/* The pooling-backward kernels (f32-dpool.h) written once over kernels/vector-<isa>.h: channels in
 * groups of TSR_DPOOL_GROUP vectors (independent chains, so that the max's and the deposit's
 * latencies overlap), then single vectors, then one at a time. Max: the window's largest value
 * first, then the taps again in order, each adding what is left of dy where it equals that value
 * (or is NaN, if the window holds one) and taking it off what is left, so only the first match
 * gets it; taps past it add zero (dx is never -0: it starts at +0 and only +0 + -0 could make
 * one). The including file defines TSR_DPOOL_NAME and TSR_DPOOL_AVG_NAME. */
#include <math.h>
#include <stddef.h>

#define TSR_DPOOL_GROUP 4

/* One output's channels [c, c + vectors x TSR_VLANES) of the max form. The first pass takes the
 * largest value and the sum of the taps, NaN exactly where some tap is NaN (or where infinities
 * of both signs meet, which only sends the window down the exact path): without a NaN, a tap
 * matches where it equals the largest value; with one, NaN lanes are worked out again. */
static inline __attribute__((always_inline)) void tsr_dpool_max_vectors(size_t vectors, size_t c, size_t taps,
                                                                        const size_t* offsets, size_t first,
                                                                        size_t last, const float* x, const float* dy,
                                                                        float* dx) {
  const tsr_vf zero = tsr_v_set(0.0f);
  tsr_vf largest[TSR_DPOOL_GROUP], probe[TSR_DPOOL_GROUP], left[TSR_DPOOL_GROUP];
  for (size_t j = 0; j < vectors; j++) largest[j] = probe[j] = tsr_v_load(x + offsets[0] + c + j * TSR_VLANES);
  for (size_t t = 1; t < taps; t++)
    for (size_t j = 0; j < vectors; j++) {
      const tsr_vf v = tsr_v_load(x + offsets[t] + c + j * TSR_VLANES);
      largest[j] = tsr_v_max_keep_nan(v, largest[j]);
      probe[j] = tsr_v_add(probe[j], v);
    }
  tsr_vm maybe_nan = tsr_v_is_nan(probe[0]);
  for (size_t j = 0; j < vectors; j++) {
    maybe_nan = tsr_vm_or(maybe_nan, tsr_v_is_nan(probe[j]));
    left[j] = tsr_v_load(dy + c + j * TSR_VLANES);
  }
  if (!tsr_vm_any(maybe_nan)) {
    for (size_t t = 0; t < first; t++) /* matches before the range take their share off only */
      for (size_t j = 0; j < vectors; j++)
        left[j] = tsr_v_select(tsr_v_eq(tsr_v_load(x + offsets[t] + c + j * TSR_VLANES), largest[j]), zero, left[j]);
    for (size_t t = first; t < last; t++)
      for (size_t j = 0; j < vectors; j++) {
        const tsr_vm hit = tsr_v_eq(tsr_v_load(x + offsets[t] + c + j * TSR_VLANES), largest[j]);
        float* d = dx + offsets[t] + c + j * TSR_VLANES;
        tsr_v_store(d, tsr_v_add(tsr_v_load(d), tsr_v_select(hit, left[j], zero)));
        left[j] = tsr_v_select(hit, zero, left[j]);
      }
    return;
  }
  const tsr_vf nan = tsr_v_set(NAN);
  for (size_t j = 0; j < vectors; j++) {
    tsr_vm has_nan = tsr_v_is_nan(tsr_v_load(x + offsets[0] + c + j * TSR_VLANES));
    for (size_t t = 1; t < taps; t++)
      has_nan = tsr_vm_or(has_nan, tsr_v_is_nan(tsr_v_load(x + offsets[t] + c + j * TSR_VLANES)));
    largest[j] = tsr_v_select(has_nan, nan, largest[j]);
    for (size_t t = 0; t < last; t++) {
      const tsr_vf v = tsr_v_load(x + offsets[t] + c + j * TSR_VLANES);
      const tsr_vm hit = tsr_vm_or(tsr_v_eq(v, largest[j]), tsr_vm_and(tsr_v_is_nan(v), has_nan));
      if (t >= first) {
        float* d = dx + offsets[t] + c + j * TSR_VLANES;
        tsr_v_store(d, tsr_v_add(tsr_v_load(d), tsr_v_select(hit, left[j], zero)));
      }
      left[j] = tsr_v_select(hit, zero, left[j]);
    }
  }
}

/* One output's channels [c, c + vectors x TSR_VLANES) of the average form. */
static inline __attribute__((always_inline)) void tsr_dpool_avg_vectors(size_t vectors, size_t c, size_t taps,
                                                                        const size_t* offsets, tsr_vf divisor,
                                                                        const float* dy, float* dx) {
  tsr_vf g[TSR_DPOOL_GROUP];
  for (size_t j = 0; j < vectors; j++) g[j] = tsr_v_div(tsr_v_load(dy + c + j * TSR_VLANES), divisor);
  for (size_t t = 0; t < taps; t++)
    for (size_t j = 0; j < vectors; j++) {
      float* p = dx + offsets[t] + c + j * TSR_VLANES;
      tsr_v_store(p, tsr_v_add(tsr_v_load(p), g[j]));
    }
}

void TSR_DPOOL_NAME(size_t pixels, size_t channels, size_t taps, const size_t* offsets, size_t first, size_t last,
                    size_t step, const float* x, const float* dy, size_t dy_step, float* dx) {
  for (size_t o = 0; o < pixels; o++, x += step, dx += step, dy += dy_step) {
    size_t c = 0;
    for (; c + TSR_DPOOL_GROUP * TSR_VLANES <= channels; c += TSR_DPOOL_GROUP * TSR_VLANES)
      tsr_dpool_max_vectors(TSR_DPOOL_GROUP, c, taps, offsets, first, last, x, dy, dx);
    for (; c + TSR_VLANES <= channels; c += TSR_VLANES)
      tsr_dpool_max_vectors(1, c, taps, offsets, first, last, x, dy, dx);
    if (c < channels) tsr_f32_dpool_tail(c, channels, taps, offsets, first, last, x, 1.0f, dy, dx);
  }
}

void TSR_DPOOL_AVG_NAME(size_t pixels, size_t channels, size_t taps, const size_t* offsets, size_t step,
                        float divisor, const float* dy, size_t dy_step, float* dx) {
  const tsr_vf d = tsr_v_set(divisor);
  for (size_t o = 0; o < pixels; o++, dx += step, dy += dy_step) {
    size_t c = 0;
    for (; c + TSR_DPOOL_GROUP * TSR_VLANES <= channels; c += TSR_DPOOL_GROUP * TSR_VLANES)
      tsr_dpool_avg_vectors(TSR_DPOOL_GROUP, c, taps, offsets, d, dy, dx);
    for (; c + TSR_VLANES <= channels; c += TSR_VLANES) tsr_dpool_avg_vectors(1, c, taps, offsets, d, dy, dx);
    if (c < channels) tsr_f32_dpool_tail(c, channels, taps, offsets, 0, taps, NULL, divisor, dy, dx);
  }
}
