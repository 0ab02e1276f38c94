/* Every row-statistics kernel variant (f32-rowstats.inc) against the sums taken one element at a
 * time in long double: lengths 0 to three main-loop blocks + 1 and a few large ones, rows centred,
 * far from zero (1000 +- 0.5) and huge (-3e30 +- 1e28, whose squares overflow float but not
 * double), with the row's first element and 0 as origins, against guard pages. Tolerance: the
 * sums agree to 1e-14 relative to the sum of magnitudes (double accumulation in another order). */
#include <math.h>
#include <stdio.h>

#include "kernels/f32-rowstats/f32-rowstats.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_test_rowstats(tsr_isa isa, tsr_f32_rowstats_ukernel_fn ukernel, const char* name, size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(31);
  size_t lengths[160], count = 0;
  for (size_t n = 0; n <= 3 * tile + 1; n++) lengths[count++] = n;
  lengths[count++] = 1000, lengths[count++] = 4099;
  const float shapes[][2] = {{0.0f, 1.0f}, {1000.0f, 0.5f}, {-3e30f, 1e28f}};
  for (size_t k = 0; k < count; k++) {
    const size_t n = lengths[k];
    float* x = tsr_guarded_alloc((n ? n : 1) * sizeof(float));
    for (size_t s = 0; s < 3; s++)
      for (int shifted = 0; shifted < 2; shifted++) {
        for (size_t i = 0; i < n; i++) x[i] = shapes[s][0] + shapes[s][1] * tsr_rng_uniform(&rng, -1.0f, 1.0f);
        const double origin = shifted && n != 0 ? x[0] : 0.0;
        long double sum = 0, squares = 0, magnitude = 0, square_magnitude = 0;
        for (size_t i = 0; i < n; i++) {
          const long double d = (long double)x[i] - origin;
          sum += d, squares += d * d, magnitude += fabsl(d), square_magnitude += d * d;
        }
        double sums[2] = {NAN, NAN};
        ukernel(n, x, origin, sums);
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s n=%zu rows %g +- %g origin %g", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
                 name, n, (double)shapes[s][0], (double)shapes[s][1], origin);
        tsr_check(fabsl(sums[0] - sum) <= 1e-14L * magnitude && fabsl(sums[1] - squares) <= 1e-14L * square_magnitude,
                  what, "sums %.17g %.17g, expected %.17Lg %.17Lg", sums[0], sums[1], sum, squares);
      }
    tsr_guarded_free(x);
  }
  printf("[%s%s] %s: %zu lengths\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, count);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) tsr_test_rowstats(isa, (tsr_f32_rowstats_ukernel_fn)ukernel, #ukernel, tile);
#include "kernels/f32-rowstats/f32-rowstats.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
