/* Pooling backward over channel-contiguous (NHWC) windows: for each of `pixels` outputs o in
 * order, whose window's taps lie at x + o * step + offsets[t] (t < taps, in the window's raster
 * order) and the same offsets in dx, and each channel c < channels:
 *
 *   ukernel (max):  dx[tap* + c] += dy[o * dy_step + c], tap* the window's first largest x
 *                   (its first NaN if it holds one), if tap* is one of taps [first, last): the
 *                   maximum is over the whole window, the addition only within that range (a
 *                   task that owns some of the input rows adds only into them)
 *   ukernel##_avg:  dx[tap + c] += dy[o * dy_step + c] / divisor, every tap of the window
 *
 * The additions land in the order of the reference loop (outputs in order, a window's taps in
 * order) and the quotient is f32 division (equal to the reference's double quotient rounded to
 * f32: double rounding is harmless for a quotient of floats), so the result is the reference's
 * bit for bit. Windows may overlap (stride below the kernel): each output's additions are done
 * before the next's. One lane a channel; channels past the vector chunks go one at a time
 * (tsr_f32_dpool_tail).
 *
 * Contract: pixels, channels, taps >= 1; first < last <= taps; divisor > 0; nothing outside the taps' channels of x and
 * dx or the outputs' channels of dy is read, nothing outside the taps' channels of dx written;
 * dx may not alias x or dy. */
#ifndef TSR_KERNELS_F32_DPOOL_H
#define TSR_KERNELS_F32_DPOOL_H

#include <math.h>
#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_dpool_max_ukernel_fn)(size_t pixels, size_t channels, size_t taps, const size_t* offsets,
                                             size_t first, size_t last, size_t step, const float* x, const float* dy,
                                             size_t dy_step, float* dx);
typedef void (*tsr_f32_dpool_avg_ukernel_fn)(size_t pixels, size_t channels, size_t taps, const size_t* offsets,
                                             size_t step, float divisor, const float* dy, size_t dy_step, float* dx);

#define TSR_UKERNEL(isa, ukernel, tile)                                                                           \
  void ukernel(size_t pixels, size_t channels, size_t taps, const size_t* offsets, size_t first, size_t last,     \
               size_t step, const float* x, const float* dy, size_t dy_step, float* dx);                         \
  void ukernel##_avg(size_t pixels, size_t channels, size_t taps, const size_t* offsets, size_t step,            \
                     float divisor, const float* dy, size_t dy_step, float* dx);
#include "kernels/f32-dpool/f32-dpool.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_dpool_ukernels[];
extern const size_t tsr_f32_dpool_ukernel_count;
/// The variants' average forms, in the same order.
extern const struct tsr_ukernel_entry tsr_f32_dpool_avg_ukernels[];

/// One output's channels [start, channels) one at a time: the scalar variant and the vector
/// variants' last channels. x NULL: the average form, dividing by `divisor` (first and last
/// unused).
static inline void tsr_f32_dpool_tail(size_t start, size_t channels, size_t taps, const size_t* offsets, size_t first,
                                      size_t last, const float* x, float divisor, const float* dy, float* dx) {
  for (size_t c = start; c < channels; c++) {
    if (x == NULL) {
      const float g = dy[c] / divisor;
      for (size_t t = 0; t < taps; t++) dx[offsets[t] + c] += g;
      continue;
    }
    size_t best = 0;
    for (size_t t = 1; t < taps; t++) {
      const float v = x[offsets[t] + c], b = x[offsets[best] + c];
      if (v > b || (isnan(v) && !isnan(b))) best = t;
    }
    if (best >= first && best < last) dx[offsets[best] + c] += dy[c];
  }
}

#endif
