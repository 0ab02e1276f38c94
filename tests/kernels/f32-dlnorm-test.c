/* Every layer-norm-backward kernel variant (f32-dlnorm.inc), the row sums and dx (with and without
 * the dgamma / dbeta columns), against the same terms taken one element at a time in long double: lengths 0 to three vectors + 1 and 67, values centred and far from zero (1000 +- 0.5,
 * the origin and mean near them), sums and columns that start nonzero (the kernel adds to them), dx
 * pre-filled with NaN, against guard pages. Tolerance: the sums 1e-14 relative to the sum of
 * magnitudes (double terms added in another order); dx half an f32 ulp of the exact value plus
 * 1e-14 of the terms' magnitudes (rounded once from double, as f32-dlnorm.h states). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "kernels/f32-dlnorm/f32-dlnorm.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_test_dlnorm(tsr_isa isa, tsr_f32_dlnorm_ukernel_fn sums_kernel, tsr_f32_dlnorm_dx_ukernel_fn dx_kernel,
                            const char* name, size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(47);
  const float shapes[][2] = {{0.0f, 1.0f}, {1000.0f, 0.5f}};
  size_t cases = 0;
  for (size_t n = 0; n <= 3 * tile + 1 || n == 67; n = n == 3 * tile + 1 ? 67 : n + 1) {
    for (int with_columns = 0; with_columns <= 1; with_columns++) {
      const size_t alloc = n > 0 ? n : 1;
      float* dy = tsr_guarded_alloc(alloc * sizeof(float));
      float* x = tsr_guarded_alloc(alloc * sizeof(float));
      float* gamma = tsr_guarded_alloc(alloc * sizeof(float));
      float* dx = tsr_guarded_alloc(alloc * sizeof(float));
      double* columns = tsr_guarded_alloc(2 * alloc * sizeof(double));
      const size_t s = cases % 2;
      for (size_t i = 0; i < n; i++) {
        dy[i] = tsr_rng_uniform(&rng, -1.0f, 1.0f);
        x[i] = shapes[s][0] + shapes[s][1] * tsr_rng_uniform(&rng, -1.0f, 1.0f);
        gamma[i] = tsr_rng_uniform(&rng, 0.5f, 2.0f);
      }
      for (size_t i = 0; i < 2 * n; i++) columns[i] = (double)i;
      const double origin = x[0], mean = shapes[s][0] + shapes[s][1] * 0.01, rstd = 1.7 / shapes[s][1];
      const double b = -0.3, k = 0.05;
      double sums[4] = {1.0, 2.0, 3.0, 4.0};
      tsr_fill_nan(dx, alloc);
      sums_kernel(n, dy, x, gamma, n > 0 ? origin : 0.0, sums);
      dx_kernel(n, dy, x, gamma, mean, rstd, b, k, dx, with_columns ? columns : NULL);
      size_t wrong = 0;
      long double want[4] = {1.0L, 2.0L, 3.0L, 4.0L}, magnitude[4] = {1.0L, 2.0L, 3.0L, 4.0L};
      for (size_t i = 0; i < n; i++) {
        const long double g = dy[i], w = gamma[i], e = (long double)x[i] - origin, d = (long double)x[i] - mean;
        const long double terms[4] = {e, e * e, g * w, g * w * e};
        for (int j = 0; j < 4; j++) want[j] += terms[j], magnitude[j] += fabsl(terms[j]);
        const long double column = (long double)i + g * d * rstd, beta = (long double)(n + i) + g;
        if (with_columns) {
          wrong += !(fabsl(columns[i] - column) <= 1e-14L * (i + fabsl(g * d * rstd)));
          wrong += !(fabsl(columns[n + i] - beta) <= 1e-14L * (n + i + fabsl(g)));
        } else {
          wrong += columns[i] != (double)i || columns[n + i] != (double)(n + i);
        }
        const long double a = rstd * w * g, t = b * d, exact = a + t + k, got = dx[i];
        const long double ulp = ldexpl(1.0L, ilogbl(exact) - 23);
        wrong += !(fabsl(got - exact) <= 0.5L * ulp + 1e-14L * (fabsl(a) + fabsl(t) + fabsl(k)));
      }
      for (int j = 0; j < 4; j++) wrong += !(fabsl(sums[j] - want[j]) <= 1e-14L * magnitude[j]);
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s n=%zu columns=%d values %g +- %g", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
               name, n, with_columns, (double)shapes[s][0], (double)shapes[s][1]);
      tsr_check(wrong == 0, what, "%zu sums, columns or dx values beyond their bound", wrong);
      tsr_guarded_free(dy), tsr_guarded_free(x), tsr_guarded_free(gamma), tsr_guarded_free(dx);
      tsr_guarded_free(columns);
      cases++;
    }
    if (n == 67) break;
  }
  printf("[%s%s] %s: %zu cases\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) \
  tsr_test_dlnorm(isa, (tsr_f32_dlnorm_ukernel_fn)ukernel, (tsr_f32_dlnorm_dx_ukernel_fn)ukernel##_dx, #ukernel, tile);
#include "kernels/f32-dlnorm/f32-dlnorm.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
