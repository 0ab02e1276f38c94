/* Every f32 depthwise-convolution microkernel against a direct computation, exact (integer
 * inputs, tolerance 0): every channel count from 1 to two blocks and a half, 1 to 4, 9 and 25
 * taps, taps that read the zero row, a nonzero pointer offset, the sum with scales 1 and 2, with
 * and without the clamp, NaN in the output when it must not be read, and every tap row, the
 * weights and the output ending at a guard page (a read or write past the channels faults). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-dwconv/f32-dwconv.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_test_dwconv(tsr_isa isa, tsr_f32_dwconv_ukernel_fn ukernel, const char* name, size_t cb) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(5);
  const size_t kss[] = {1, 2, 3, 4, 9, 25};
  size_t cases = 0;
  for (size_t channels = 1; channels <= 2 * cb + cb / 2 + 1; channels++)
    for (size_t si = 0; si < sizeof(kss) / sizeof(kss[0]); si++) {
      const size_t ks = kss[si], blocks = (channels + cb - 1) / cb, wn = blocks * cb * (ks + 1);
      float* rows[25];
      const float* a[25];
      float* zero = tsr_guarded_alloc(channels * sizeof(float));
      float* w = tsr_guarded_alloc(wn * sizeof(float));
      float* c = tsr_guarded_alloc(channels * sizeof(float));
      float* c_in = tsr_guarded_alloc(channels * sizeof(float));
      float* expected = tsr_guarded_alloc(channels * sizeof(float));
      memset(zero, 0, channels * sizeof(float));
      const int mode = (int)((channels + si) % 6);
      struct tsr_f32_conv_params p = {-INFINITY, INFINITY, (float)(mode % 3), 0};
      if (mode >= 3) p.min = -30.0f, p.max = 40.0f;
      /* Odd cases: every tap row on its own, ending at a guard page, read through its own
       * pointer. Even cases: the rows in one block, read through pointers built against another
       * live block and moved by the distance, as the engine builds them against the input of an
       * earlier run. */
      const bool moved = (channels + si) % 2 == 0;
      float* data = moved ? tsr_guarded_alloc(ks * channels * sizeof(float)) : NULL;
      float* base = moved ? tsr_guarded_alloc(ks * channels * sizeof(float)) : NULL;
      const size_t shift = moved ? (size_t)((uintptr_t)data - (uintptr_t)base) : 0;
      for (size_t t = 0; t < ks; t++) {
        rows[t] = moved ? data + t * channels : tsr_guarded_alloc(channels * sizeof(float));
        tsr_fill_integers(&rng, rows[t], channels, -3, 3);
        const bool padding = tsr_rng_below(&rng, 4) == 0;
        a[t] = padding ? zero : moved ? base + t * channels : rows[t];
      }
      tsr_fill_integers(&rng, w, wn, -3, 3);
      tsr_fill_integers(&rng, c_in, channels, -20, 20);
      for (size_t j = 0; j < channels; j++) {
        const float* block = w + (j / cb) * cb * (ks + 1);
        double v = block[j % cb];
        for (size_t t = 0; t < ks; t++)
          v += (a[t] == zero ? 0.0 : (double)rows[t][j]) * block[cb * (t + 1) + j % cb];
        if (p.sum_scale != 0.0f) v += (double)p.sum_scale * c_in[j];
        expected[j] = (float)(v < p.min ? p.min : v > p.max ? p.max : v);
        c[j] = p.sum_scale != 0.0f ? c_in[j] : NAN;
      }
      ukernel(channels, ks, a, w, c, shift, zero, &p);
      char what[200];
      snprintf(what, sizeof(what), "[%s%s] %s channels=%zu ks=%zu sum=%g%s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
               name, channels, ks, (double)p.sum_scale, mode >= 3 ? " clamp" : "");
      tsr_check_close(what, c, expected, channels, 0.0, 0.0);
      cases++;
      for (size_t t = 0; t < ks && !moved; t++) tsr_guarded_free(rows[t]);
      tsr_guarded_free(data);
      tsr_guarded_free(base);
      tsr_guarded_free(zero);
      tsr_guarded_free(w);
      tsr_guarded_free(c);
      tsr_guarded_free(c_in);
      tsr_guarded_free(expected);
    }
  printf("[%s%s] %s (c%zu): %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cb, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, cb) tsr_test_dwconv(isa, ukernel, #ukernel, cb);
#include "kernels/f32-dwconv/f32-dwconv.inc"
  return tsr_test_finish();
}
