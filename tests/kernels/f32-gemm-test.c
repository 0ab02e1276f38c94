/* Every f32 GEMM microkernel against a direct computation, exact (integer inputs, tolerance 0):
 * kc from 1 to past the block depth, both initializations (accumulate from C, start from a bias
 * row), with and without the clamp, a prime row stride for C, NaN in C when it must not be read,
 * and every buffer against a guard page so any access past its end faults. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-gemm/f32-gemm.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_expected_tile(size_t mr, size_t nr, size_t kc, const float* a, const float* b,
                              size_t ldb, const float* c_in, size_t ldc, const float* init,
                              const struct tsr_f32_minmax_params* clamp, float* expected) {
  for (size_t r = 0; r < mr; r++)
    for (size_t j = 0; j < nr; j++) {
      float v = init != NULL ? init[j] : c_in[r * ldc + j];
      for (size_t p = 0; p < kc; p++) v += a[p * mr + r] * b[p * ldb + j];
      if (clamp != NULL) v = fminf(fmaxf(v, clamp->min), clamp->max);
      expected[r * nr + j] = v;
    }
}

static void tsr_test_gemm(tsr_isa isa, tsr_f32_gemm_ukernel_fn ukernel, const char* name, size_t mr,
                          size_t nr) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(11);
  const size_t ldc = nr + 3; /* a row stride that is not a multiple of anything */
  const size_t kcs[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 255, 256, 257, 383, 384, 385, 386};
  size_t cases = 0;
  for (size_t ki = 0; ki < sizeof(kcs) / sizeof(kcs[0]); ki++) {
    const size_t kc = kcs[ki];
    float* a = tsr_guarded_alloc(kc * mr * sizeof(float));
    /* B as packed (ldb = nr) in even cases, read in place from a wider, unaligned matrix (ldb =
     * nr + 5, a prime gap) in odd ones; its last row ends at the guard page either way. */
    const size_t ldb = ki % 2 == 0 ? nr : nr + 5;
    const size_t b_floats = (kc - 1) * ldb + nr;
    float* b_area = tsr_guarded_alloc(b_floats * sizeof(float));
    float* b = b_area;
    float* c = tsr_guarded_alloc(((mr - 1) * ldc + nr) * sizeof(float));
    float* c_in = tsr_guarded_alloc(((mr - 1) * ldc + nr) * sizeof(float));
    float* init = tsr_guarded_alloc(nr * sizeof(float));
    float* expected = tsr_guarded_alloc(mr * nr * sizeof(float));
    for (int mode = 0; mode < 4; mode++) {
      const bool accumulate = mode & 1, clamped = mode & 2;
      const struct tsr_f32_minmax_params bounds = {-50.0f, 60.0f};
      tsr_fill_integers(&rng, a, kc * mr, -3, 3);
      tsr_fill_integers(&rng, b, b_floats, -3, 3);
      tsr_fill_integers(&rng, init, nr, -20, 20);
      tsr_fill_integers(&rng, c_in, (mr - 1) * ldc + nr, -20, 20);
      if (accumulate) memcpy(c, c_in, ((mr - 1) * ldc + nr) * sizeof(float));
      else tsr_fill_nan(c, (mr - 1) * ldc + nr); /* must not be read */
      for (size_t r = 0; r + 1 < mr; r++) /* the gaps between rows stay as they were */
        for (size_t j = nr; j < ldc; j++) c[r * ldc + j] = c_in[r * ldc + j] = 1234.0f;
      const float* init_arg = accumulate ? NULL : init;
      const struct tsr_f32_minmax_params* clamp_arg = clamped ? &bounds : NULL;
      tsr_expected_tile(mr, nr, kc, a, b, ldb, c_in, ldc, init_arg, clamp_arg, expected);
      ukernel(kc, a, b, ldb, c, ldc, init_arg, clamp_arg);
      char what[200];
      snprintf(what, sizeof(what), "[%s%s] %s kc=%zu ldb=%zu %s%s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
               name, kc, ldb, accumulate ? "accumulate" : "init", clamped ? " clamp" : "");
      size_t bad = 0;
      for (size_t r = 0; r < mr; r++) {
        bad += tsr_count_mismatches(c + r * ldc, expected + r * nr, nr, 0.0, 0.0);
        for (size_t j = nr; j < ldc && r + 1 < mr; j++) bad += c[r * ldc + j] != 1234.0f;
      }
      tsr_check(bad == 0, what, "%zu elements wrong or written outside the tile", bad);
      cases++;
    }
    tsr_guarded_free(a);
    tsr_guarded_free(b_area);
    tsr_guarded_free(c);
    tsr_guarded_free(c_in);
    tsr_guarded_free(init);
    tsr_guarded_free(expected);
  }
  /* NaN in A or B gives NaN out, through the clamp too. */
  {
    const size_t kc = 3;
    float* a = tsr_guarded_alloc(kc * mr * sizeof(float));
    float* b_area = tsr_guarded_alloc(kc * nr * sizeof(float));
    float* b = b_area;
    float* c = tsr_guarded_alloc(mr * nr * sizeof(float));
    tsr_fill_integers(&rng, a, kc * mr, -3, 3);
    tsr_fill_integers(&rng, b, kc * nr, -3, 3);
    a[0] = NAN; /* row 0 */
    const struct tsr_f32_minmax_params relu = {0.0f, INFINITY};
    ukernel(kc, a, b, nr, c, nr, (const float[64]){0}, &relu);
    size_t nan_row = 0;
    for (size_t j = 0; j < nr; j++) nan_row += isnan(c[j]);
    tsr_check(nan_row == nr, name, "NaN in A row 0 gave %zu NaN of %zu in C row 0", nan_row, nr);
    tsr_guarded_free(a);
    tsr_guarded_free(b_area);
    tsr_guarded_free(c);
  }
  printf("[%s%s] %s (%zux%zu): %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, mr, nr, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, mr, nr) tsr_test_gemm(isa, ukernel, #ukernel, mr, nr);
#include "kernels/f32-gemm/f32-gemm.inc"
  return tsr_test_finish();
}
