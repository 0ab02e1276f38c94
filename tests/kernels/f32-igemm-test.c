/* Every f32 indirect-GEMM microkernel against a direct computation, exact (integer inputs,
 * tolerance 0): every row count 1..MR and column count 1..NR, channels 1 to 33, 1, 2 and 9
 * taps, rows that point at the zero row, a nonzero offset on every other pointer, the sum with
 * scales 1 and 2, with and without the clamp, NaN in C when it must not be read, a sentinel
 * around the stored tile, and every buffer against a guard page; all of it again with streaming
 * stores asked for (params.stream, C 64-byte aligned and ldc a multiple of 16 as the contract
 * requires), which must store the same values. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-igemm/f32-igemm.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

#define TSR_SENTINEL 1234.0f

static size_t tsr_check_tile(size_t MR, size_t NR, size_t mr, size_t nc, size_t kc, size_t ks,
                             const float* const* rows, const float* w, const float* c_in, const float* c,
                             size_t ldc, const struct tsr_f32_conv_params* p) {
  size_t bad = 0;
  for (size_t r = 0; r < MR; r++)
    for (size_t j = 0; j < ldc; j++) {
      const float got = c[r * ldc + j];
      if (r >= mr || j >= nc) { /* outside the tile: untouched */
        bad += got != TSR_SENTINEL;
        continue;
      }
      double v = w[j];
      for (size_t t = 0; t < ks; t++)
        for (size_t k = 0; k < kc; k++) v += (double)rows[t * MR + r][k] * w[NR + (t * kc + k) * NR + j];
      if (p->sum_scale != 0.0f) v += (double)p->sum_scale * c_in[r * ldc + j];
      v = v < p->min ? p->min : v > p->max ? p->max : v;
      bad += got != (float)v;
    }
  return bad;
}

static void tsr_test_igemm(tsr_isa isa, tsr_f32_igemm_ukernel_fn ukernel, const char* name, size_t MR, size_t NR) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(7);
  const size_t kcs[] = {1, 2, 3, 7, 16, 33}, kss[] = {1, 2, 9};
  size_t cases = 0;
  for (int stream = 0; stream <= 1; stream++)
  for (size_t ki = 0; ki < sizeof(kcs) / sizeof(kcs[0]); ki++)
    for (size_t si = 0; si < sizeof(kss) / sizeof(kss[0]); si++) {
      const size_t kc = kcs[ki], ks = kss[si];
      /* streamed: rows 64 bytes apart and C at a guarded end, MR * ldc * 4 a multiple of 64 */
      const size_t ldc = stream ? (NR + 3 + 15) / 16 * 16 : NR + 3;
      float* data = tsr_guarded_alloc(MR * ks * kc * sizeof(float));
      /* the pointers are built against another live buffer, as the engine builds them against
       * the input of an earlier run; the kernel moves them by the distance to the data */
      float* base = tsr_guarded_alloc(MR * ks * kc * sizeof(float));
      const size_t shift = (size_t)((uintptr_t)data - (uintptr_t)base);
      float* zero = tsr_guarded_alloc(kc * sizeof(float));
      float* w = tsr_guarded_alloc((NR + ks * kc * NR) * sizeof(float));
      float* c = tsr_guarded_alloc(MR * ldc * sizeof(float));
      float* c_in = tsr_guarded_alloc(MR * ldc * sizeof(float));
      const float** a = tsr_guarded_alloc(MR * ks * sizeof(float*));
      const float** rows = tsr_guarded_alloc(MR * ks * sizeof(float*)); /* what each pointer reads */
      memset(zero, 0, kc * sizeof(float));
      for (size_t mr = 1; mr <= MR; mr++)
        for (size_t nc = 1; nc <= NR; nc++) {
          const int mode = (int)((mr + nc + ki) % 6);
          struct tsr_f32_conv_params p = {-INFINITY, INFINITY, (float)(mode % 3), stream};
          if (mode >= 3) p.min = -40.0f, p.max = 50.0f;
          tsr_fill_integers(&rng, data, MR * ks * kc, -3, 3);
          tsr_fill_integers(&rng, w, NR + ks * kc * NR, -3, 3);
          for (size_t i = 0; i < MR * ks; i++) {
            const bool padding = tsr_rng_below(&rng, 5) == 0;
            rows[i] = padding ? zero : data + i * kc;
            a[i] = padding ? zero : base + i * kc;
          }
          tsr_fill_integers(&rng, c_in, MR * ldc, -20, 20);
          for (size_t r = 0; r < MR; r++)
            for (size_t j = 0; j < ldc; j++) {
              const bool inside = r < mr && j < nc;
              c[r * ldc + j] = !inside ? TSR_SENTINEL : p.sum_scale != 0.0f ? c_in[r * ldc + j] : NAN;
            }
          ukernel(mr, nc, kc, ks, a, w, c, ldc, shift, zero, &p);
          const size_t bad = tsr_check_tile(MR, NR, mr, nc, kc, ks, rows, w, c_in, c, ldc, &p);
          char what[200];
          snprintf(what, sizeof(what), "[%s%s] %s mr=%zu nc=%zu kc=%zu ks=%zu sum=%g%s%s", tsr_isa_name(isa),
                   TSR_TEST_ISA_NOTE, name, mr, nc, kc, ks, (double)p.sum_scale, mode >= 3 ? " clamp" : "",
                   stream ? " stream" : "");
          tsr_check(bad == 0, what, "%zu elements wrong or written outside the tile", bad);
          cases++;
        }
      tsr_guarded_free(data);
      tsr_guarded_free(base);
      tsr_guarded_free(zero);
      tsr_guarded_free(w);
      tsr_guarded_free(c);
      tsr_guarded_free(c_in);
      tsr_guarded_free(a);
      tsr_guarded_free(rows);
    }
  printf("[%s%s] %s (%zux%zu): %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, MR, NR, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, mr, nr) tsr_test_igemm(isa, ukernel, #ukernel, mr, nr);
#include "kernels/f32-igemm/f32-igemm.inc"
  return tsr_test_finish();
}
