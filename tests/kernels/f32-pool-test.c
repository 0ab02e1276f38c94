/* Every pooling kernel variant (f32-pool.inc) against a direct loop in double: channels 1 to three
 * main-loop blocks + 1 (below, at and above the vector and eight-vector blocks), taps 1-4, 9, 25,
 * 16 and 49 (taps go by pairs, an odd one last: even and odd counts);
 * max and average; starting fresh, from a separate `previous` and in place (previous = y, a
 * split window's second part). Integer data in [-20, 20] make every sum exact and the quotient
 * correctly rounded in both: tolerance 0. Rows and y sit against guard pages and y is NaN
 * pre-filled. Then NaN: one NaN in a row or in `previous` makes that channel's max NaN. And the
 * average's quotient (a reciprocal and one FMA correction step) against float division on random
 * floats and divisors: the correctly rounded quotient, tolerance 0. And several output pixels per
 * call (an output row's interior), strides 1 and 2, outputs with gaps that must stay NaN, stored
 * plainly and streamed (params.stream: y and its pixel step aligned to the vector, as the engine
 * gives), by groups of four pixels and pixel by pixel (params.from_memory; 4 vectors + 1 channels
 * take the four-vector form then);
 * for max also with one NaN planted in the strip, which every window that holds it must return.
 * And 3x3 windows stepping two pixels over three rows, and stepping one packed end to end (the
 * shared-column forms).
 * Then the plain-row kernels (f32-pool-row.inc), 1-3 output rows a call with gaps between their
 * windows and between their outputs (which must stay NaN): output pixels 1 to three vectors + 2
 * (below, at and above a vector, and the odd window's extra column at stride 2), 55-57 (ResNet's
 * row), window widths 1-5, 7, 9 and 66 (past the local copy of the last pixels), 1-3 rows,
 * strides 1 and 2 (and 3 on the scalar variant), max and average with a window-sized, a
 * power-of-two and another divisor; every input row against a guard page at the last output
 * row's last column, y NaN pre-filled and guarded;
 * integer data, tolerance 0; max also with one NaN planted in a row. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-pool/f32-pool-row.h"
#include "kernels/f32-pool/f32-pool.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

#define TSR_MAX_TAPS 49

static void tsr_expected(size_t channels, size_t taps, float* const* rows, const float* previous, float divisor,
                         bool max, float* expected) {
  for (size_t c = 0; c < channels; c++) {
    double a = previous != NULL ? previous[c] : (max ? -INFINITY : 0.0);
    for (size_t t = 0; t < taps; t++) a = !max ? a + rows[t][c] : isnan(a) || isnan(rows[t][c]) ? NAN : fmax(a, rows[t][c]);
    expected[c] = (float)(max ? a : a / divisor);
  }
}

static void tsr_test_pool(tsr_isa isa, tsr_f32_pool_ukernel_fn maxpool, tsr_f32_pool_ukernel_fn avgpool,
                          const char* name, size_t lanes) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(17);
  const size_t tap_counts[] = {1, 2, 3, 4, 9, 25, 16, 49}; /* 16 on: the average sums by pairs of taps */
  size_t cases = 0;
  for (size_t channels = 1; channels <= 3 * 8 * lanes + 1; channels++)
    for (size_t ti = 0; ti < sizeof(tap_counts) / sizeof(tap_counts[0]); ti++) {
      const size_t taps = tap_counts[ti];
      float* rows[TSR_MAX_TAPS];
      for (size_t t = 0; t < taps; t++) {
        rows[t] = tsr_guarded_alloc(channels * sizeof(float));
        tsr_fill_integers(&rng, rows[t], channels, -20, 20);
      }
      float* previous = tsr_guarded_alloc(channels * sizeof(float));
      float* y = tsr_guarded_alloc(channels * sizeof(float));
      float* expected = tsr_guarded_alloc(channels * sizeof(float));
      for (int max = 0; max < 2; max++)
        for (int start = 0; start < 3; start++) { /* fresh, from previous, in place */
          const float divisor = (float)(taps + (size_t)start);
          const struct tsr_f32_pool_params params = {divisor, 0, 0};
          tsr_fill_integers(&rng, previous, channels, -20, 20);
          tsr_expected(channels, taps, rows, start ? previous : NULL, divisor, max, expected);
          if (start == 2) memcpy(y, previous, channels * sizeof(float));
          else tsr_fill_nan(y, channels);
          (max ? maxpool : avgpool)(1, channels, taps, (const float* const*)rows, 0,
                                    start == 0 ? NULL : start == 1 ? previous : y, y, channels, &params);
          char what[160];
          snprintf(what, sizeof(what), "[%s%s] %s channels=%zu taps=%zu %s %s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
                   name, channels, taps, max ? "max" : "avg", start == 0 ? "fresh" : start == 1 ? "previous" : "in place");
          tsr_check_close(what, y, expected, channels, 0.0, 0.0);
          cases++;
        }
      /* NaN in one row, and in previous, at random channels: max gives NaN there */
      const size_t at_row = tsr_rng_below(&rng, channels), at_previous = tsr_rng_below(&rng, channels);
      rows[tsr_rng_below(&rng, taps)][at_row] = NAN;
      tsr_fill_integers(&rng, previous, channels, -20, 20);
      previous[at_previous] = NAN;
      const struct tsr_f32_pool_params params = {1.0f, 0, 0};
      maxpool(1, channels, taps, (const float* const*)rows, 0, previous, y, channels, &params);
      size_t wrong = 0;
      for (size_t c = 0; c < channels; c++) wrong += isnan(y[c]) != (c == at_row || c == at_previous);
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s channels=%zu taps=%zu max NaN", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name,
               channels, taps);
      tsr_check(wrong == 0, what, "%zu channels wrong (NaN must propagate, only there)", wrong);
      for (size_t t = 0; t < taps; t++) tsr_guarded_free(rows[t]);
      tsr_guarded_free(previous);
      tsr_guarded_free(y);
      tsr_guarded_free(expected);
    }
  /* Several output pixels per call: a 1-D window of `taps` consecutive pixels, pixel j shifted by
   * j x stride pixels (row_step) and written at y + j x y_step, the gap between outputs left NaN.
   * 4 to 7 and 9 pixels: whole groups of four, and a last group of four overlapping the one
   * before by 1 to 3 pixels. */
  const size_t pixel_counts[] = {2, 3, 4, 5, 6, 7, 9}, strip_taps[] = {1, 3, 9};
  const size_t strip_channels[] = {1, lanes, 4 * lanes + 1, 8 * lanes + 1};
  for (int stream = 0; stream <= 1; stream++)
  for (int from_memory = 0; from_memory <= 1; from_memory++)
  for (size_t pi = 0; pi < sizeof(pixel_counts) / sizeof(pixel_counts[0]); pi++)
    for (size_t stride = 1; stride <= 2; stride++)
      for (size_t ti = 0; ti < 3; ti++)
        for (size_t ci = 0; ci < 4; ci++) {
          const size_t pixels = pixel_counts[pi], taps = strip_taps[ti], ch = strip_channels[ci];
          /* streamed: pixel steps of whole vectors (the engine streams a kernel's output when y and
           * its strides are aligned to its vector), y at a guarded end (a multiple of 64 bytes) */
          const size_t y_step = stream ? (ch + 1 + lanes - 1) / lanes * lanes : ch + 1, width = taps + (pixels - 1) * stride;
          float* strip = tsr_guarded_alloc(width * ch * sizeof(float));
          float* out = tsr_guarded_alloc(pixels * y_step * sizeof(float));
          float* want = tsr_guarded_alloc(pixels * y_step * sizeof(float));
          tsr_fill_integers(&rng, strip, width * ch, -20, 20);
          const float* rows[9];
          for (size_t t = 0; t < taps; t++) rows[t] = strip + t * ch;
          for (int max = 0; max < 3; max++) { /* 2: max with a NaN in the strip */
            const struct tsr_f32_pool_params params = {(float)taps, stream, from_memory};
            if (max == 2) strip[tsr_rng_below(&rng, width * ch)] = NAN;
            tsr_fill_nan(out, pixels * y_step);
            tsr_fill_nan(want, pixels * y_step);
            for (size_t j = 0; j < pixels; j++) {
              float* shifted[9];
              for (size_t t = 0; t < taps; t++) shifted[t] = (float*)rows[t] + j * stride * ch;
              tsr_expected(ch, taps, shifted, NULL, (float)taps, max, want + j * y_step);
            }
            (max ? maxpool : avgpool)(pixels, ch, taps, rows, stride * ch, NULL, out, y_step, &params);
            char what[160];
            snprintf(what, sizeof(what), "[%s%s] %s %zu pixels, stride %zu, taps=%zu, channels=%zu %s%s%s",
                     tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, pixels, stride, taps, ch,
                     max == 2 ? "max with a NaN" : max ? "max" : "avg", stream ? " streamed" : "",
                     from_memory ? " from memory" : "");
            tsr_check_close(what, out, want, pixels * y_step, 0.0, 0.0);
          }
          tsr_guarded_free(strip), tsr_guarded_free(out), tsr_guarded_free(want);
        }
  /* 3x3 windows stepping two pixels over a strip of three rows of pixels, one vector or two of
   * channels a pixel: the max pool's form that shares each window column between two pixels
   * (one vector), against the same windows pixel by pixel; with a NaN planted for max. */
  for (size_t pixels = 1; pixels <= 9; pixels++)
    for (size_t ch = lanes; ch <= 2 * lanes; ch += lanes)
      for (int kind = 0; kind < 3; kind++) { /* average, max, max with a NaN */
        const size_t width = 2 * pixels + 1, row_floats = width * ch;
        float* strip = tsr_guarded_alloc(3 * row_floats * sizeof(float));
        float* out = tsr_guarded_alloc(pixels * ch * sizeof(float));
        float* want = tsr_guarded_alloc(pixels * ch * sizeof(float));
        tsr_fill_integers(&rng, strip, 3 * row_floats, -20, 20);
        if (kind == 2) strip[tsr_rng_below(&rng, 3 * row_floats)] = NAN;
        const float* rows[9];
        for (size_t t = 0; t < 9; t++) rows[t] = strip + t / 3 * row_floats + t % 3 * ch;
        for (size_t j = 0; j < pixels; j++) {
          float* shifted[9];
          for (size_t t = 0; t < 9; t++) shifted[t] = (float*)rows[t] + j * 2 * ch;
          tsr_expected(ch, 9, shifted, NULL, 9.0f, kind != 0, want + j * ch);
        }
        tsr_fill_nan(out, pixels * ch);
        const struct tsr_f32_pool_params params = {9.0f, 0, 0};
        (kind != 0 ? maxpool : avgpool)(pixels, ch, 9, rows, 2 * ch, NULL, out, ch, &params);
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s 3x3 windows stepping 2, %zu pixels, channels=%zu %s", tsr_isa_name(isa),
                 TSR_TEST_ISA_NOTE, name, pixels, ch, kind == 2 ? "max with a NaN" : kind ? "max" : "avg");
        tsr_check_close(what, out, want, pixels * ch, 0.0, 0.0);
        tsr_guarded_free(strip), tsr_guarded_free(out), tsr_guarded_free(want);
      }
  /* The same windows stepping one pixel, packed end to end as the engine's flat form gives them:
   * one "pixel" of m vectors of channels whose taps are one vector apart (the shared-column form
   * at step 1 when a pixel is one vector). */
  for (size_t m = 1; m <= 6; m++)
    for (int kind = 0; kind < 3; kind++) {
      const size_t ch = m * lanes, row_floats = ch + 2 * lanes;
      float* strip = tsr_guarded_alloc(3 * row_floats * sizeof(float));
      float* out = tsr_guarded_alloc(ch * sizeof(float));
      float* want = tsr_guarded_alloc(ch * sizeof(float));
      tsr_fill_integers(&rng, strip, 3 * row_floats, -20, 20);
      if (kind == 2) strip[tsr_rng_below(&rng, 3 * row_floats)] = NAN;
      float* rows[9];
      for (size_t t = 0; t < 9; t++) rows[t] = strip + t / 3 * row_floats + t % 3 * lanes;
      tsr_expected(ch, 9, rows, NULL, 9.0f, kind != 0, want);
      tsr_fill_nan(out, ch);
      const struct tsr_f32_pool_params params = {9.0f, 0, 0};
      (kind != 0 ? maxpool : avgpool)(1, ch, 9, (const float* const*)rows, 0, NULL, out, ch, &params);
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s 3x3 windows stepping 1, flat, %zu vectors %s", tsr_isa_name(isa),
               TSR_TEST_ISA_NOTE, name, m, kind == 2 ? "max with a NaN" : kind ? "max" : "avg");
      tsr_check_close(what, out, want, ch, 0.0, 0.0);
      tsr_guarded_free(strip), tsr_guarded_free(out), tsr_guarded_free(want);
    }
  /* The average's quotient is the correctly rounded one for any data: one tap of random floats
   * over random divisors against float division. */
  const size_t channels = 4 * 8 * lanes + 3;
  float* row = tsr_guarded_alloc(channels * sizeof(float));
  float* y = tsr_guarded_alloc(channels * sizeof(float));
  float* expected = tsr_guarded_alloc(channels * sizeof(float));
  size_t wrong = 0;
  float wrong_divisor = 0.0f;
  for (size_t trial = 0; trial < 2000; trial++) {
    tsr_fill_uniform(&rng, row, channels, -1000.0f, 1000.0f);
    const struct tsr_f32_pool_params params = {(float)(1 + tsr_rng_below(&rng, 5000)), 0, 0};
    for (size_t c = 0; c < channels; c++) expected[c] = row[c] / params.divisor;
    avgpool(1, channels, 1, (const float* const*)&row, 0, NULL, y, channels, &params);
    const size_t mismatches = tsr_count_mismatches(y, expected, channels, 0.0, 0.0);
    if (mismatches != 0) wrong += mismatches, wrong_divisor = params.divisor;
  }
  char what[160];
  snprintf(what, sizeof(what), "[%s%s] %s quotients", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name);
  tsr_check(wrong == 0, what, "%zu quotients not correctly rounded (one by %g)", wrong, (double)wrong_divisor);
  tsr_guarded_free(row);
  tsr_guarded_free(y);
  tsr_guarded_free(expected);
  printf("[%s%s] %s: %zu cases\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

static void tsr_test_pool_row(tsr_isa isa, tsr_f32_pool_row_ukernel_fn maxpool, tsr_f32_pool_row_ukernel_fn avgpool,
                              const char* name, size_t lanes, size_t max_stride) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(29);
  const size_t widths[] = {1, 2, 3, 4, 5, 7, 9, 66};
  size_t cases = 0;
  for (size_t pixels = 1; pixels <= 3 * lanes + 2 || pixels <= 57; pixels++) {
    if (pixels > 3 * lanes + 2 && pixels < 55) continue;
    for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
      for (size_t stride = 1; stride <= 3 && stride <= max_stride; stride++)
        for (size_t rows = 1; rows <= 3; rows++) {
          const size_t kw = widths[wi], width = stride * (pixels - 1) + kw;
          if (kw == 66 && pixels > 2 * lanes + 2) continue; /* the wide window's last pixels suffice */
          /* out_rows output rows, each window `x_step` floats below the one before (the last
           * row's against the guard page), written `y_step` apart: the gaps must stay NaN */
          const size_t out_rows = 1 + (pixels + kw + stride + rows) % 3, x_step = width + 1 + pixels % 3;
          const size_t y_step = pixels + 2, x_size = (out_rows - 1) * x_step + width, y_size = out_rows * y_step;
          float* x[3];
          for (size_t r = 0; r < rows; r++) {
            x[r] = tsr_guarded_alloc(x_size * sizeof(float));
            tsr_fill_integers(&rng, x[r], x_size, -20, 20);
          }
          float* y = tsr_guarded_alloc(y_size * sizeof(float));
          float* want = tsr_guarded_alloc(y_size * sizeof(float));
          for (int kind = 0; kind < 5; kind++) { /* avg by rows*kw, by 4, by 7; max; max with a NaN */
            const bool max = kind >= 3;
            const float divisor = kind == 0 ? (float)(rows * kw) : kind == 1 ? 4.0f : 7.0f;
            if (kind == 4) x[tsr_rng_below(&rng, rows)][tsr_rng_below(&rng, x_size)] = NAN;
            tsr_fill_nan(want, y_size);
            for (size_t k = 0; k < out_rows; k++)
              for (size_t j = 0; j < pixels; j++) {
                double a = max ? -INFINITY : 0.0;
                for (size_t r = 0; r < rows; r++)
                  for (size_t t = 0; t < kw; t++) {
                    const double v = x[r][k * x_step + stride * j + t];
                    a = !max ? a + v : isnan(a) || isnan(v) ? NAN : fmax(a, v);
                  }
                want[k * y_step + j] = (float)(max ? a : a / divisor);
              }
            tsr_fill_nan(y, y_size);
            const struct tsr_f32_pool_params params = {divisor, 0, 0};
            (max ? maxpool : avgpool)(out_rows, pixels, rows, (const float* const*)x, x_step, kw, stride, y, y_step,
                                      &params);
            char what[160];
            snprintf(what, sizeof(what), "[%s%s] %s %zu rows of %zu pixels, %zu rows x %zu, stride %zu, %s",
                     tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, out_rows, pixels, rows, kw, stride,
                     kind == 4 ? "max with a NaN" : max ? "max" : kind == 0 ? "avg" : kind == 1 ? "avg / 4" : "avg / 7");
            tsr_check_close(what, y, want, y_size, 0.0, 0.0);
            cases++;
          }
          for (size_t r = 0; r < rows; r++) tsr_guarded_free(x[r]);
          tsr_guarded_free(y), tsr_guarded_free(want);
        }
  }
  printf("[%s%s] %s: %zu cases\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, maxpool, avgpool, lanes) tsr_test_pool(isa, maxpool, avgpool, #maxpool, lanes);
#include "kernels/f32-pool/f32-pool.inc"
#undef TSR_TEST_UKERNEL
#define TSR_TEST_UKERNEL(isa, maxpool, avgpool, lanes, max_stride) \
  tsr_test_pool_row(isa, maxpool, avgpool, #maxpool, lanes, max_stride);
#include "kernels/f32-pool/f32-pool-row.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
