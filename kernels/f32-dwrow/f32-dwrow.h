/* The f32 depthwise-convolution row microkernel family: a run of output pixels along w, every
 * channel, where each pixel's window lies inside the input along w (the caller gives the pixels
 * at the row's edges to f32-dwconv, except for the 3-tap windows below). Several pixels per step share each loaded weight vector, and
 * for three taps at stride 1 or 2 each loaded input vector serves every tap that reads it, so the
 * kernel loads 0.5-1.25 vectors per multiply-add where the per-pixel kernel loads two.
 *
 * Contract of a kernel with channel block CB (f32-dwconv's tile for the same ISA, so both use
 * one packing):
 * - rows: nrows pointers, one per kernel row (kd x kh, row-major), each at channel 0 of the
 *   first pixel's first window column in that input row; NULL for a row in the padding, which
 *   adds nothing. Window column t of pixel p is at rows[r] + p * pixel_step + t * tap_step.
 * - skip_left, skip_right: 0, except for a 3-tap window with pixel_step = s * tap_step (s = 1
 *   or 2; the sliding-window form), where the run may reach into the padding along w: the run's
 *   columns are then numbered q = p s + t (0 to (pixels - 1) s + 2), its first skip_left and last
 *   skip_right lie in the padding (add nothing, are not read), and rows[r] points at column
 *   skip_left, so column q is at rows[r] + (q - skip_left) * tap_step. The caller then needs no
 *   per-pixel kernel at a row's edges.
 * - w: blocks of CB channels: CB bias values, then for each tap (row r, column t: r * kw + t)
 *   CB weights; the last block is padded to CB.
 * - y: pixel p's `channels` outputs at y + p * y_step, y = clamp(acc + sum_scale * y_old) with
 *   struct tsr_f32_conv_params (sum_scale 0: y is not read). Nothing else is read or written.
 */
#ifndef TSR_KERNELS_F32_DWROW_H
#define TSR_KERNELS_F32_DWROW_H

#include <stddef.h>
#include <stdint.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_dwrow_ukernel_fn)(size_t pixels, size_t channels, size_t nrows, size_t kw,
                                         const float* const* rows, size_t pixel_step, size_t tap_step,
                                         size_t skip_left, size_t skip_right, const float* w, float* y,
                                         size_t y_step, const struct tsr_f32_conv_params* params);

#define TSR_DWROW_UKERNEL(isa, ukernel, cb)                                                        \
  void ukernel(size_t pixels, size_t channels, size_t nrows, size_t kw, const float* const* rows, \
               size_t pixel_step, size_t tap_step, size_t skip_left, size_t skip_right,           \
               const float* w, float* y, size_t y_step, const struct tsr_f32_conv_params* params);
#include "kernels/f32-dwrow/f32-dwrow.inc"
#undef TSR_DWROW_UKERNEL

/// The family's list (tile = CB), best ISA first.
extern const struct tsr_ukernel_entry tsr_f32_dwrow_ukernels[];
extern const size_t tsr_f32_dwrow_ukernel_count;

/// Pixels [p0, p1) x channels [c0, channels) one at a time, w pointing at the block that holds
/// channel c0 (any count for the scalar variant, cb = 1; fewer than a vector for the SIMD ones):
/// the lanes every variant leaves after its vectors. Window column t of pixel p is read at
/// offset o = p * pixel_step + t * tap_step from the run's origin when lo <= o < hi, at
/// rows[r] + o - lo (lo = skip_left * tap_step; lo = 0 and hi = SIZE_MAX without skips).
static inline void tsr_f32_dwrow_lanes(size_t p0, size_t p1, size_t c0, size_t channels, size_t cb,
                                       size_t nrows, size_t kw, const float* const* rows, size_t pixel_step,
                                       size_t tap_step, size_t lo, size_t hi, const float* w, float* y,
                                       size_t y_step, const struct tsr_f32_conv_params* params) {
  const size_t taps = nrows * kw;
  for (size_t p = p0; p < p1; p++)
    for (size_t c = c0; c < channels; c++) {
      const float* block = w + (c - c0) / cb * cb * (taps + 1);
      const size_t lane = (c - c0) % cb;
      float acc = block[lane];
      for (size_t r = 0; r < nrows; r++) {
        if (rows[r] == NULL) continue;
        for (size_t t = 0; t < kw; t++) {
          const size_t o = p * pixel_step + t * tap_step;
          if (o >= lo && o < hi) acc += rows[r][o - lo + c] * block[cb * (1 + r * kw + t) + lane];
        }
      }
      float* out = y + p * y_step + c;
      if (params->sum_scale != 0.0f) acc += params->sum_scale * *out;
      acc = acc < params->min ? params->min : acc; /* compares: NaN stays NaN */
      *out = acc > params->max ? params->max : acc;
    }
}

/// The column offsets [lo, hi) tsr_f32_dwrow_lanes reads for a run with these skips.
static inline void tsr_f32_dwrow_read_range(size_t pixels, size_t kw, size_t pixel_step, size_t tap_step,
                                            size_t skip_left, size_t skip_right, size_t* lo, size_t* hi) {
  *lo = skip_left * tap_step;
  *hi = skip_left == 0 && skip_right == 0 ? SIZE_MAX : (pixels - 1) * pixel_step + (kw - skip_right) * tap_step;
}

#endif
