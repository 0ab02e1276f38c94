/* Every f32 depthwise row microkernel against a direct computation, exact (integer inputs,
 * tolerance 0): every channel count from 1 to two blocks and a half, runs of 1 to 17 pixels
 * (below, at and above the 4- and 8-pixel steps), 1-5 kernel rows and columns, strides and dilations 1
 * and 2, padded (NULL) rows, an input channel stride above the channel count, the sum with scales
 * 1 and 2, with and without the clamp, and for the sliding form (3 taps) 0-2 columns skipped at
 * either end of the run. Each input row and the output end at a guard page (a read
 * or write past the last element faults), the outputs are NaN where they must not be read, and
 * the output gaps between pixels must stay untouched. Everything runs again with streaming stores
 * asked for (params.stream: the output 64-byte aligned, pixels a multiple of 16 floats apart, as
 * the engine guarantees; the guard then lies past the output rounded up to 16 floats). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-dwrow/f32-dwrow.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_test_dwrow(tsr_isa isa, tsr_f32_dwrow_ukernel_fn ukernel, const char* name, size_t cb) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(7);
  const size_t pixel_counts[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17};
  const size_t shapes[][4] = {{3, 3, 1, 1}, {3, 3, 2, 1}, {1, 1, 1, 1}, {5, 5, 1, 1}, {3, 3, 1, 2},
                              {5, 5, 2, 1}, {1, 3, 1, 1}, {2, 4, 2, 2}}; /* rows, kw, stride, dilation */
  size_t cases = 0;
  for (int stream = 0; stream <= 1; stream++)
  for (size_t channels = 1; channels <= 2 * cb + cb / 2 + 1; channels++)
    for (size_t pi = 0; pi < sizeof(pixel_counts) / sizeof(pixel_counts[0]); pi++) {
      const size_t pixels = pixel_counts[pi], variant = channels * 3 + pi;
      const size_t* s = shapes[variant % (sizeof(shapes) / sizeof(shapes[0]))];
      const size_t nrows = s[0], kw = s[1], stride = s[2], dilation = s[3], taps = nrows * kw;
      const size_t x_c = channels + (variant % 3 == 0 ? 3 : 0);   /* input floats per pixel */
      const size_t gap = variant % 4 == 1 ? 5 : 0;
      const size_t y_step = stream ? (channels + gap + 15) / 16 * 16 : channels + gap; /* output floats per pixel */
      const size_t pixel_step = stride * x_c, tap_step = dilation * x_c;
      /* the sliding form (3 taps, stride 1 or 2 times the dilation) may skip columns at both ends
       * of the run (in the padding): the skipped left ones hold NaN, the right ones are past the
       * guard page, so reading either fails */
      const bool slide = kw == 3 && (stride == dilation || stride == 2 * dilation);
      const size_t span = (pixels - 1) * (stride / dilation) + kw; /* columns, sliding form */
      size_t skip_left = slide ? variant % 3 : 0, skip_right = slide ? variant / 3 % 3 : 0;
      if (skip_left + skip_right >= span) skip_right = span - 1 - skip_left;
      const size_t row_floats = (pixels - 1) * pixel_step + (kw - 1 - skip_right) * tap_step + channels;
      const size_t y_end = (pixels - 1) * y_step + channels; /* streamed: the guard 64-byte aligned */
      const size_t y_floats = stream ? (y_end + 15) / 16 * 16 : y_end;
      const size_t blocks = (channels + cb - 1) / cb, wn = blocks * cb * (taps + 1);
      float* data[5];
      const float* rows[5];
      for (size_t r = 0; r < nrows; r++) {
        data[r] = tsr_guarded_alloc(row_floats * sizeof(float));
        tsr_fill_integers(&rng, data[r], row_floats, -3, 3);
        for (size_t i = 0; i < skip_left * tap_step; i++) data[r][i] = NAN;
        rows[r] = nrows > 1 && tsr_rng_below(&rng, 4) == 0 ? NULL : data[r] + skip_left * tap_step;
      }
      float* w = tsr_guarded_alloc(wn * sizeof(float));
      float* y = tsr_guarded_alloc(y_floats * sizeof(float));
      float* expected = tsr_guarded_alloc(y_floats * sizeof(float));
      tsr_fill_integers(&rng, w, wn, -3, 3);
      const int mode = (int)(variant % 6);
      struct tsr_f32_conv_params p = {-INFINITY, INFINITY, (float)(mode % 3), stream};
      if (mode >= 3) p.min = -30.0f, p.max = 40.0f;
      tsr_fill_integers(&rng, y, y_floats, -20, 20);
      for (size_t q = 0; q < pixels; q++)
        for (size_t j = 0; j < y_step && q * y_step + j < y_floats; j++) {
          const size_t i = q * y_step + j;
          if (j >= channels) { /* a gap between pixels: must stay as it is */
            expected[i] = y[i];
            continue;
          }
          const float* block = w + (j / cb) * cb * (taps + 1);
          double v = block[j % cb];
          for (size_t r = 0; r < nrows; r++)
            for (size_t t = 0; t < kw && rows[r] != NULL; t++) {
              const size_t column = (q * pixel_step + t * tap_step) / tap_step; /* sliding form's q s + t */
              if (slide && (column < skip_left || column >= span - skip_right)) continue;
              v += (double)data[r][q * pixel_step + t * tap_step + j] * block[cb * (1 + r * kw + t) + j % cb];
            }
          if (p.sum_scale != 0.0f) v += (double)p.sum_scale * y[i];
          expected[i] = (float)(v < p.min ? p.min : v > p.max ? p.max : v);
          if (p.sum_scale == 0.0f) y[i] = NAN;
        }
      ukernel(pixels, channels, nrows, kw, rows, pixel_step, tap_step, skip_left, skip_right, w, y, y_step, &p);
      char what[200];
      snprintf(what, sizeof(what),
               "[%s%s] %s channels=%zu pixels=%zu rows=%zu kw=%zu s=%zu d=%zu skip=%zu,%zu sum=%g%s%s",
               tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, channels, pixels, nrows, kw, stride, dilation, skip_left,
               skip_right, (double)p.sum_scale, mode >= 3 ? " clamp" : "", stream ? " stream" : "");
      tsr_check_close(what, y, expected, y_floats, 0.0, 0.0);
      cases++;
      for (size_t r = 0; r < nrows; r++) tsr_guarded_free(data[r]);
      tsr_guarded_free(w);
      tsr_guarded_free(y);
      tsr_guarded_free(expected);
    }
  printf("[%s%s] %s (c%zu): %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cb, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, cb) tsr_test_dwrow(isa, ukernel, #ukernel, cb);
#include "kernels/f32-dwrow/f32-dwrow.inc"
  return tsr_test_finish();
}
