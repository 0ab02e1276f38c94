/* The depthwise row kernel, written once over the vector primitives of kernels/vector-<isa>.h,
 * which each ISA's file includes, with the kernel's name (TSR_DWROW_NAME), before this body.
 * Two ways through a row:
 * - three taps along w at stride 1 or 2 (dilation 1): sliding windows. One channel vector at a
 *   time across the whole row, eight pixels a step (the rest in one step of its size): pixel j's
 *   tap t reads input column j s + t, so each input vector loaded serves every (pixel, tap) pair
 *   that reads it, (px - 1) s + 3 loads a kernel row for 3 px multiply-adds, and a 3x3 window's
 *   nine weight vectors load once for the row. About 0.42 loads per multiply-add at stride 1: the
 *   per-tap form below needs 1.25, and loads, not multiply-adds, bound a depthwise kernel (one
 *   512-bit load a cycle on Zen 4).
 * - any other window: four pixels at a time, then single pixels; for each, channel blocks of two
 *   vectors (CB = 2 x TSR_VLANES, f32-dwconv's packing), each tap loading the block's two weight
 *   vectors once for the four pixels (8 accumulators); a last part block in one vector.
 * Channels left past the vectors go one lane at a time (tsr_f32_dwrow_lanes). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/f32-dwrow/f32-dwrow.h"

#define TSR_DWROW_CB (2 * TSR_VLANES)
#define TSR_DWROW_PIXELS 4

/* px pixels (4 or 1) x nv vectors (2 or 1) of one channel block: x_offset and y point at the
 * first pixel's channel c0; wb at the block's bias. Constant px and nv unroll into registers. */
static inline __attribute__((always_inline)) void tsr_dwrow_group(
    size_t px, size_t nv, size_t nrows, size_t kw, const float* const* rows, size_t x_offset,
    size_t pixel_step, size_t tap_step, const float* wb, float* y, size_t y_step, tsr_vf vmin,
    tsr_vf vmax, tsr_vf vsum, int sum, int stream) {
  tsr_vf acc[TSR_DWROW_PIXELS][2];
  for (size_t v = 0; v < nv; v++) {
    const tsr_vf bias = tsr_v_load(wb + v * TSR_VLANES);
    for (size_t j = 0; j < px; j++) acc[j][v] = bias;
  }
  const float* wt = wb + TSR_DWROW_CB;
  for (size_t r = 0; r < nrows; r++) {
    if (rows[r] == NULL) {
      wt += kw * TSR_DWROW_CB;
      continue;
    }
    const float* x = rows[r] + x_offset;
    for (size_t t = 0; t < kw; t++, wt += TSR_DWROW_CB, x += tap_step) {
      tsr_vf wv[2];
      for (size_t v = 0; v < nv; v++) wv[v] = tsr_v_load(wt + v * TSR_VLANES);
      for (size_t j = 0; j < px; j++)
        for (size_t v = 0; v < nv; v++)
          acc[j][v] = tsr_v_fma(tsr_v_load(x + j * pixel_step + v * TSR_VLANES), wv[v], acc[j][v]);
    }
  }
  for (size_t j = 0; j < px; j++)
    for (size_t v = 0; v < nv; v++) {
      float* out = y + j * y_step + v * TSR_VLANES;
      tsr_vf value = acc[j][v];
      if (sum) value = tsr_v_fma(vsum, tsr_v_load(out), value);
      value = tsr_v_min_keep_nan(tsr_v_max_keep_nan(value, vmin), vmax);
      if (stream)
        tsr_v_store_stream(out, value);
      else
        tsr_v_store(out, value);
    }
}

/* Pixels [p, p + px) (px 4 or 1), every channel: the whole blocks, a last part block's vector,
 * then its single lanes. Pixels outside and channels inside, so the few input pixels of a step
 * stay in L1 across the channel blocks, and the weights (one block a tap) stay there too. */
static inline __attribute__((always_inline)) void tsr_dwrow_pixels(
    size_t px, size_t p, size_t channels, size_t nrows, size_t kw, const float* const* rows, size_t pixel_step,
    size_t tap_step, const float* w, float* y, size_t y_step, const struct tsr_f32_conv_params* params,
    tsr_vf vmin, tsr_vf vmax, tsr_vf vsum, int sum, int stream) {
  const size_t block_floats = TSR_DWROW_CB * (nrows * kw + 1);
  size_t c0 = 0;
  for (; c0 + TSR_DWROW_CB <= channels; c0 += TSR_DWROW_CB, w += block_floats)
    tsr_dwrow_group(px, 2, nrows, kw, rows, p * pixel_step + c0, pixel_step, tap_step, w, y + p * y_step + c0,
                    y_step, vmin, vmax, vsum, sum, stream);
  size_t lanes = 0; /* of the last part block, done as one vector */
  if (channels - c0 >= TSR_VLANES) {
    tsr_dwrow_group(px, 1, nrows, kw, rows, p * pixel_step + c0, pixel_step, tap_step, w, y + p * y_step + c0,
                    y_step, vmin, vmax, vsum, sum, stream);
    lanes = TSR_VLANES;
  }
  if (c0 + lanes < channels) /* the lanes past the vectors, in the same part block */
    tsr_f32_dwrow_lanes(p, p + px, c0 + lanes, channels, TSR_DWROW_CB, nrows, kw, rows, pixel_step, tap_step, 0,
                        SIZE_MAX, w + lanes, y, y_step, params);
}

#define TSR_DWROW_SLIDE_PIXELS 8
#define TSR_DWROW_SLIDE_TAPS 3

/* px pixels (1 to 8) x one channel vector of a 3-tap row at stride s (1 or 2): the step's
 * columns i (0 to (px - 1) s + 2) are read where lo <= i < hi (the part inside the input; lo is
 * positive only in a step that starts in the padding), column i at rows[r] + c0 + (i - lo)
 * col_step. The weights: with `held`, wv[3 r + t] (registers, loaded once for the whole row);
 * otherwise loaded here from wb, the vector's bias in its weight block. Constant px, s and nrows
 * unroll the loops, so the accumulators stay in registers; `checked` false (a step inside the
 * input) drops the column checks. */
static inline __attribute__((always_inline)) void tsr_dwrow_slide_vector(
    size_t px, size_t s, bool checked, bool held, size_t nrows, const float* const* rows, size_t c0, ptrdiff_t lo,
    ptrdiff_t hi, size_t col_step, const tsr_vf* wv, const float* wb, float* y, size_t y_step, tsr_vf vmin,
    tsr_vf vmax, tsr_vf vsum, int sum, int stream) {
  tsr_vf acc[TSR_DWROW_SLIDE_PIXELS];
  const tsr_vf bias = tsr_v_load(wb);
#pragma GCC unroll 8
  for (size_t j = 0; j < px; j++) acc[j] = bias;
#pragma GCC unroll 3
  for (size_t r = 0; r < nrows; r++) {
    if (rows[r] == NULL) continue;
    const float* x = rows[r] + c0;
    tsr_vf w[TSR_DWROW_SLIDE_TAPS];
#pragma GCC unroll 3
    for (size_t t = 0; t < TSR_DWROW_SLIDE_TAPS; t++)
      w[t] = held ? wv[TSR_DWROW_SLIDE_TAPS * r + t] : tsr_v_load(wb + TSR_DWROW_CB * (1 + TSR_DWROW_SLIDE_TAPS * r + t));
#pragma GCC unroll 24
    for (size_t i = 0; i < (px - 1) * s + TSR_DWROW_SLIDE_TAPS; i++) {
      if (checked && ((ptrdiff_t)i < lo || (ptrdiff_t)i >= hi)) continue;
      const tsr_vf xi = tsr_v_load(x + ((ptrdiff_t)i - lo) * (ptrdiff_t)col_step);
#pragma GCC unroll 3
      for (size_t t = 0; t < TSR_DWROW_SLIDE_TAPS; t++)
        if (i >= t && (i - t) % s == 0 && (i - t) / s < px) acc[(i - t) / s] = tsr_v_fma(xi, w[t], acc[(i - t) / s]);
    }
  }
#pragma GCC unroll 8
  for (size_t j = 0; j < px; j++) {
    float* out = y + j * y_step;
    tsr_vf value = acc[j];
    if (sum) value = tsr_v_fma(vsum, tsr_v_load(out), value);
    value = tsr_v_min_keep_nan(tsr_v_max_keep_nan(value, vmin), vmax);
    if (stream)
      tsr_v_store_stream(out, value);
    else
      tsr_v_store(out, value);
  }
}

/* Pixels [p, p + px) of a 3-tap row at stride s, the channel vector at c0. The run's columns
 * [skip_left, end) are inside the input. */
static inline __attribute__((always_inline)) void tsr_dwrow_slide_step(
    size_t px, size_t s, bool held, size_t p, size_t nrows, const float* const* rows, size_t c0, size_t col_step,
    size_t skip_left, size_t end, const tsr_vf* wv, const float* wb, float* y, size_t y_step, tsr_vf vmin,
    tsr_vf vmax, tsr_vf vsum, int sum, int stream) {
  const ptrdiff_t lo = (ptrdiff_t)skip_left - (ptrdiff_t)(p * s), hi = (ptrdiff_t)end - (ptrdiff_t)(p * s);
  const bool inside = lo <= 0 && hi >= (ptrdiff_t)((px - 1) * s + TSR_DWROW_SLIDE_TAPS); /* no checks needed */
  if (inside)
    tsr_dwrow_slide_vector(px, s, false, held, nrows, rows, c0, lo, hi, col_step, wv, wb, y + p * y_step + c0, y_step,
                           vmin, vmax, vsum, sum, stream);
  else
    tsr_dwrow_slide_vector(px, s, true, held, nrows, rows, c0, lo, hi, col_step, wv, wb, y + p * y_step + c0, y_step,
                           vmin, vmax, vsum, sum, stream);
}

/* Pixels [p, end_p) of a 3-tap row at stride s, the channel vector at c0: eight pixels a step,
 * the rest in one step of its own size (a short row, 7 pixels in MobileNet's last layers, is one
 * step, not 4 + 1 + 1 + 1). With `held` (nrows the constant 3) the nine weight vectors are loaded
 * once here, not once a step. */
static inline __attribute__((always_inline)) void tsr_dwrow_slide_run(
    size_t s, bool held, size_t p, size_t end_p, size_t nrows, const float* const* rows, size_t c0, size_t col_step,
    size_t skip_left, size_t end, const float* wb, float* y, size_t y_step, tsr_vf vmin, tsr_vf vmax, tsr_vf vsum,
    int sum, int stream) {
  tsr_vf wv[3 * TSR_DWROW_SLIDE_TAPS];
  if (held)
#pragma GCC unroll 9
    for (size_t i = 0; i < nrows * TSR_DWROW_SLIDE_TAPS; i++) wv[i] = tsr_v_load(wb + TSR_DWROW_CB * (1 + i));
  for (; p + TSR_DWROW_SLIDE_PIXELS <= end_p; p += TSR_DWROW_SLIDE_PIXELS)
    tsr_dwrow_slide_step(TSR_DWROW_SLIDE_PIXELS, s, held, p, nrows, rows, c0, col_step, skip_left, end, wv, wb, y,
                         y_step, vmin, vmax, vsum, sum, stream);
#define TSR_DWROW_SLIDE_REST(px)                                                                                  \
  case px:                                                                                                        \
    tsr_dwrow_slide_step(px, s, held, p, nrows, rows, c0, col_step, skip_left, end, wv, wb, y, y_step, vmin, vmax, \
                         vsum, sum, stream);                                                                      \
    break;
  switch (end_p - p) {
    TSR_DWROW_SLIDE_REST(1)
    TSR_DWROW_SLIDE_REST(2)
    TSR_DWROW_SLIDE_REST(3)
    TSR_DWROW_SLIDE_REST(4)
    TSR_DWROW_SLIDE_REST(5)
    TSR_DWROW_SLIDE_REST(6)
    TSR_DWROW_SLIDE_REST(7)
    default:
      break;
  }
#undef TSR_DWROW_SLIDE_REST
}

/* A 3-tap row at stride s. At stride 1 with 32 vector registers: channel vector by channel
 * vector, each across the whole row with its 3x3 weights held in nine registers (`held`): ~0.42
 * loads per multiply-add instead of ~0.54. Otherwise steps of eight pixels, every channel vector
 * in each, the weights loaded a step. Measured (MobileNet v2 depthwise layers, 1 thread, Zen 4,
 * ratio to oneDNN, medians of 4 rounds): stride 1 gains (b8.dw 0.94 -> 1.22, b12.dw 1.02 ->
 * 1.32, b1.dw 0.90 -> 1.03); at stride 2 the held form lost (b4.dw_s 0.95 -> 0.81, b7.dw_s 0.98
 * -> 0.87), and with AVX2's 16 registers nine weights and eight accumulators do not fit (10-20%
 * slower). The lanes past the vectors go last, one at a time. */
static inline __attribute__((always_inline)) void tsr_dwrow_slide_rows(
    size_t s, bool held, size_t pixels, size_t channels, size_t nrows, const float* const* rows, size_t col_step,
    size_t skip_left, size_t skip_right, const float* w, float* y, size_t y_step,
    const struct tsr_f32_conv_params* params, tsr_vf vmin, tsr_vf vmax, tsr_vf vsum, int sum, int stream) {
  const size_t end = (pixels - 1) * s + TSR_DWROW_SLIDE_TAPS - skip_right; /* columns inside: [skip_left, end) */
  const size_t block_floats = TSR_DWROW_CB * (nrows * TSR_DWROW_SLIDE_TAPS + 1);
  const size_t vectors_end = channels / TSR_VLANES * TSR_VLANES;
  if (held && s == 1 && TSR_VREGISTERS >= 32) {
    for (size_t c0 = 0; c0 < vectors_end; c0 += TSR_VLANES)
      tsr_dwrow_slide_run(s, true, 0, pixels, nrows, rows, c0, col_step, skip_left, end,
                          w + c0 / TSR_DWROW_CB * block_floats + c0 % TSR_DWROW_CB, y, y_step, vmin, vmax, vsum, sum,
                          stream);
  } else {
    size_t p = 0;
    for (; p + TSR_DWROW_SLIDE_PIXELS <= pixels; p += TSR_DWROW_SLIDE_PIXELS)
      for (size_t c0 = 0; c0 < vectors_end; c0 += TSR_VLANES)
        tsr_dwrow_slide_step(TSR_DWROW_SLIDE_PIXELS, s, false, p, nrows, rows, c0, col_step, skip_left, end, NULL,
                             w + c0 / TSR_DWROW_CB * block_floats + c0 % TSR_DWROW_CB, y, y_step, vmin, vmax, vsum,
                             sum, stream);
    if (p < pixels)
      for (size_t c0 = 0; c0 < vectors_end; c0 += TSR_VLANES)
        tsr_dwrow_slide_run(s, false, p, pixels, nrows, rows, c0, col_step, skip_left, end,
                            w + c0 / TSR_DWROW_CB * block_floats + c0 % TSR_DWROW_CB, y, y_step, vmin, vmax, vsum,
                            sum, stream);
  }
  if (vectors_end < channels)
    tsr_f32_dwrow_lanes(0, pixels, vectors_end, channels, TSR_DWROW_CB, nrows, TSR_DWROW_SLIDE_TAPS, rows,
                        s * col_step, col_step, skip_left * col_step, end * col_step,
                        w + vectors_end / TSR_DWROW_CB * block_floats + vectors_end % TSR_DWROW_CB, y, y_step, params);
}

/* The kernel rows as a constant where there are three (3x3 windows): the row loop unrolls on
 * every ISA, and where tsr_dwrow_slide_rows holds weights (stride 1, 32 registers) the nine weight
 * vectors stay in registers. `held` = true only says that the count is the constant 3; the AVX2
 * gain measured with this change (0.98 -> 1.12 of oneDNN) most likely comes from that unrolling,
 * which the step loop did not have before. Any other count loads the weights a step. */
static inline __attribute__((always_inline)) void tsr_dwrow_slide(
    size_t s, size_t pixels, size_t channels, size_t nrows, const float* const* rows, size_t col_step,
    size_t skip_left, size_t skip_right, const float* w, float* y, size_t y_step,
    const struct tsr_f32_conv_params* params, tsr_vf vmin, tsr_vf vmax, tsr_vf vsum, int sum, int stream) {
  switch (nrows) {
    case 3:
      tsr_dwrow_slide_rows(s, true, pixels, channels, 3, rows, col_step, skip_left, skip_right, w, y, y_step, params,
                           vmin, vmax, vsum, sum, stream);
      return;
    default:
      tsr_dwrow_slide_rows(s, false, pixels, channels, nrows, rows, col_step, skip_left, skip_right, w, y, y_step,
                           params, vmin, vmax, vsum, sum, stream);
      return;
  }
}

/* The kernel with `stream` a constant (see TSR_DWROW_NAME). */
static inline __attribute__((always_inline)) void tsr_dwrow(
    size_t pixels, size_t channels, size_t nrows, size_t kw, const float* const* rows, size_t pixel_step,
    size_t tap_step, size_t skip_left, size_t skip_right, const float* w, float* y, size_t y_step,
    const struct tsr_f32_conv_params* params, int stream) {
  const tsr_vf vmin = tsr_v_set(params->min), vmax = tsr_v_set(params->max);
  const tsr_vf vsum = tsr_v_set(params->sum_scale);
  const int sum = params->sum_scale != 0.0f;
  if (kw == TSR_DWROW_SLIDE_TAPS && pixel_step == tap_step) {
    tsr_dwrow_slide(1, pixels, channels, nrows, rows, tap_step, skip_left, skip_right, w, y, y_step, params, vmin,
                    vmax, vsum, sum, stream);
    return;
  }
  if (kw == TSR_DWROW_SLIDE_TAPS && pixel_step == 2 * tap_step) {
    tsr_dwrow_slide(2, pixels, channels, nrows, rows, tap_step, skip_left, skip_right, w, y, y_step, params, vmin,
                    vmax, vsum, sum, stream);
    return;
  }
  size_t p = 0;
  for (; p + TSR_DWROW_PIXELS <= pixels; p += TSR_DWROW_PIXELS)
    tsr_dwrow_pixels(TSR_DWROW_PIXELS, p, channels, nrows, kw, rows, pixel_step, tap_step, w, y, y_step, params,
                     vmin, vmax, vsum, sum, stream);
  for (; p < pixels; p++)
    tsr_dwrow_pixels(1, p, channels, nrows, kw, rows, pixel_step, tap_step, w, y, y_step, params, vmin, vmax,
                     vsum, sum, stream);
}

/* Streaming or not as a constant, each its own copy, so the plain kernel has no branch beside
 * every store (runs across processes could not tell the two forms apart at batch 1). */
void TSR_DWROW_NAME(size_t pixels, size_t channels, size_t nrows, size_t kw, const float* const* rows,
                    size_t pixel_step, size_t tap_step, size_t skip_left, size_t skip_right, const float* w,
                    float* y, size_t y_step, const struct tsr_f32_conv_params* params) {
  if (params->stream)
    tsr_dwrow(pixels, channels, nrows, kw, rows, pixel_step, tap_step, skip_left, skip_right, w, y, y_step, params, 1);
  else
    tsr_dwrow(pixels, channels, nrows, kw, rows, pixel_step, tap_step, skip_left, skip_right, w, y, y_step, params, 0);
}
