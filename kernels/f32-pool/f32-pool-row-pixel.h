/* One output pixel of a plain row (f32-pool-row.h) with plain floats: the scalar variant, the
 * vector variants' pixels that no whole vector covers (rows shorter than a vector, the last pixel
 * at kw = 1 and stride 2), and the engine's clipped pixels (engine/pool-plain.c). NaN anywhere in
 * the window gives NaN (max); the average divides the sum (taps in order, row after row). */
#ifndef TSR_KERNELS_F32_POOL_ROW_PIXEL_H
#define TSR_KERNELS_F32_POOL_ROW_PIXEL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernels/f32-pool/f32-pool-channel.h"

static inline float tsr_f32_pool_row_pixel(size_t rows, const float* const* x, size_t offset, size_t kw,
                                           float divisor, bool max) {
  float a = max ? -INFINITY : 0.0f;
  bool nan = false;
  for (size_t r = 0; r < rows; r++)
    for (size_t t = 0; t < kw; t++) tsr_f32_pool_take(&a, &nan, x[r][offset + t], max);
  return tsr_f32_pool_result(a, nan, divisor, max);
}

#endif
