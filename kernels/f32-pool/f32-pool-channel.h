/* Pooling of channels [begin, channels) one at a time, the rows moved by `offset` floats: the
 * scalar variant, and the vector variants' channels past their last whole vector. NaN anywhere
 * in the window gives NaN (max). */
#ifndef TSR_KERNELS_F32_POOL_CHANNEL_H
#define TSR_KERNELS_F32_POOL_CHANNEL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* One value into a scalar max (with its NaN flag) or sum, and the result: the scalar steps that
 * this and the plain rows' pixel (f32-pool-row-pixel.h) share. */
static inline void tsr_f32_pool_take(float* a, bool* nan, float v, bool max) {
  if (max) *nan = *nan || isnan(v), *a = v > *a ? v : *a;
  else *a += v;
}
static inline float tsr_f32_pool_result(float a, bool nan, float divisor, bool max) {
  return max ? (nan ? NAN : a) : a / divisor;
}

static inline void tsr_f32_pool_channels(size_t begin, size_t channels, size_t taps, const float* const* rows,
                                         size_t offset, const float* previous, float* y, float divisor, bool max) {
  for (size_t c = begin; c < channels; c++) {
    float a = previous != NULL ? previous[c] : (max ? -INFINITY : 0.0f);
    bool nan = isnan(a);
    for (size_t t = 0; t < taps; t++) tsr_f32_pool_take(&a, &nan, rows[t][offset + c], max);
    y[c] = tsr_f32_pool_result(a, nan, divisor, max);
  }
}

#endif
