/* One output pixel of a plain row (f32-pool-row.h) with plain floats: the scalar variant, and the
 * vector variants' last pixels when a window is too wide for their local copy. NaN anywhere in
 * the window gives NaN (max); the average divides the sum (taps in order, row after row). */
#ifndef TSR_KERNELS_F32_POOL_ROW_PIXEL_H
#define TSR_KERNELS_F32_POOL_ROW_PIXEL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

static inline float tsr_f32_pool_row_pixel(size_t rows, const float* const* x, size_t offset, size_t kw,
                                           float divisor, bool max) {
  float a = max ? -INFINITY : 0.0f;
  bool nan = false;
  for (size_t r = 0; r < rows; r++) {
    for (size_t t = 0; t < kw; t++) {
      const float v = x[r][offset + t];
      if (max) nan = nan || isnan(v), a = v > a ? v : a;
      else a += v;
    }
  }
  return max ? (nan ? NAN : a) : a / divisor;
}

#endif
