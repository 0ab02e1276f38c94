/* Every pooling-backward kernel variant (f32-dpool.inc), max and average, against the reference
 * loop's rule written out here one channel at a time (the first largest value of a window, its
 * first NaN if it holds one; dy / divisor in double rounded to f32): channels 1 to five vectors
 * + 1 (the kernels take groups of 4 vectors, then single vectors, then one at a time); windows
 * 1x1 to 3x3 over pixels wider than the channels (gaps pre-filled with NaN and checked
 * untouched); strides 1 to 3 along w (overlapping windows, whose additions must land in order);
 * 1 to 5 outputs a call; max's additions confined to a range of taps (the rest of the window
 * still counting for its maximum); values from a small integer range with ties, +-0, -inf and
 * NaN; divisors 1 to 9; against guard pages. Tolerance 0: the kernels promise the reference's
 * bits. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-dpool/f32-dpool.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static float tsr_dpool_value(tsr_rng* rng) {
  const uint32_t pick = tsr_rng_below(rng, 40);
  if (pick == 0) return NAN;
  if (pick == 1) return -INFINITY;
  if (pick == 2) return -0.0f;
  return (float)((int)tsr_rng_below(rng, 7) - 3);
}

static void tsr_test_dpool(tsr_isa isa, tsr_f32_dpool_max_ukernel_fn max_kernel,
                           tsr_f32_dpool_avg_ukernel_fn avg_kernel, const char* name, size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(47);
  size_t cases = 0;
  for (size_t channels = 1; channels <= 5 * tile + 1; channels++) /* past a group of 4 vectors and one more */
    for (size_t kh = 1; kh <= 3; kh++)
      for (size_t kw = 1; kw <= 3; kw++)
        for (size_t stride = 1; stride <= 3; stride++) {
          const size_t pixels = 1 + cases % 5, pixel = channels + (cases % 3 == 0 ? 0 : 5);
          const size_t width = (pixels - 1) * stride + kw, row = width * pixel + 3, n = kh * row;
          const size_t taps = kh * kw, step = stride * pixel, dy_step = channels + 2;
          size_t offsets[9];
          for (size_t i = 0; i < kh; i++)
            for (size_t j = 0; j < kw; j++) offsets[i * kw + j] = i * row + j * pixel;
          float* x = tsr_guarded_alloc(n * sizeof(float));
          float* dy = tsr_guarded_alloc(pixels * dy_step * sizeof(float));
          float* dx = tsr_guarded_alloc(n * sizeof(float));
          float* expected = tsr_guarded_alloc(n * sizeof(float));
          for (size_t i = 0; i < n; i++) x[i] = tsr_dpool_value(&rng);
          for (size_t i = 0; i < pixels * dy_step; i++) dy[i] = (float)((int)tsr_rng_below(&rng, 21) - 10);
          const float divisor = (float)(1 + cases % 9);
          /* max adds only into taps [first, last): every third case the whole window */
          const size_t first = cases % 3 == 0 ? 0 : (cases / 3) % taps;
          const size_t last = cases % 3 == 0 ? taps : first + 1 + (cases / 7) % (taps - first);
          for (int avg = 0; avg <= 1; avg++) {
            tsr_fill_nan(dx, n);
            for (size_t o = 0; o < pixels; o++) /* the channels of every tap: dx's start */
              for (size_t t = 0; t < taps; t++)
                for (size_t c = 0; c < channels; c++) dx[o * step + offsets[t] + c] = (float)(c % 5);
            memcpy(expected, dx, n * sizeof(float));
            for (size_t o = 0; o < pixels; o++)
              for (size_t c = 0; c < channels; c++) {
                const float g = dy[o * dy_step + c];
                const float* w = x + o * step + c;
                float* e = expected + o * step + c;
                if (avg) {
                  for (size_t t = 0; t < taps; t++) e[offsets[t]] += (float)((double)g / (double)divisor);
                  continue;
                }
                size_t best = 0;
                for (size_t t = 1; t < taps; t++)
                  if (w[offsets[t]] > w[offsets[best]] || (isnan(w[offsets[t]]) && !isnan(w[offsets[best]]))) best = t;
                if (best >= first && best < last) e[offsets[best]] += g;
              }
            if (avg)
              avg_kernel(pixels, channels, taps, offsets, step, divisor, dy, dy_step, dx);
            else
              max_kernel(pixels, channels, taps, offsets, first, last, step, x, dy, dy_step, dx);
            char what[200];
            snprintf(what, sizeof(what),
                     "[%s%s] %s%s pixels=%zu channels=%zu window %zux%zu stride %zu pixel %zu taps %zu-%zu",
                     tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, avg ? "_avg" : "", pixels, channels, kh, kw, stride,
                     pixel, first, last);
            tsr_check_close(what, dx, expected, n, 0.0, 0.0); /* NaN gaps must stay NaN */
          }
          tsr_guarded_free(x), tsr_guarded_free(dy), tsr_guarded_free(dx), tsr_guarded_free(expected);
          cases++;
        }
  printf("[%s%s] %s: %zu cases\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile)                                                                   \
  tsr_test_dpool(isa, (tsr_f32_dpool_max_ukernel_fn)ukernel, (tsr_f32_dpool_avg_ukernel_fn)ukernel##_avg, #ukernel, \
                 tile);
#include "kernels/f32-dpool/f32-dpool.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
