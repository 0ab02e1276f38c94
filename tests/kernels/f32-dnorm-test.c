/* Every normalization-gradient kernel variant (f32-dnorm.inc), the sums and dx, against the same
 * terms taken one element at a time in long double: channels 1 to three chunks + 1, rows 1 to 5
 * and 16 (the sums' two-row loop, odd and even), row strides equal to and wider than the
 * channels, values centred and far from zero (1000 +- 0.5, the mean near them), sums that start
 * nonzero (the kernel adds to them), dx pre-filled with NaN and the gaps between rows checked
 * untouched, against guard pages. Tolerance: the sums 1e-14 relative to the sum of magnitudes
 * (double terms added in another order); dx half an f32 ulp of the exact value plus 1e-14 of the
 * terms' magnitudes (rounded once from double, as f32-dnorm.h states). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "kernels/f32-dnorm/f32-dnorm.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_test_dnorm(tsr_isa isa, tsr_f32_dnorm_ukernel_fn sums_kernel, tsr_f32_dnorm_dx_ukernel_fn dx_kernel,
                           const char* name, size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(43);
  const size_t row_counts[] = {1, 2, 3, 4, 5, 16};
  const float shapes[][2] = {{0.0f, 1.0f}, {1000.0f, 0.5f}};
  size_t cases = 0;
  for (size_t channels = 1; channels <= 3 * tile + 1; channels++)
    for (size_t ri = 0; ri < sizeof(row_counts) / sizeof(row_counts[0]); ri++)
      for (size_t extra = 0; extra <= 3; extra += 3) {
        const size_t rows = row_counts[ri], stride = channels + extra, n = (rows - 1) * stride + channels;
        float* dy = tsr_guarded_alloc(n * sizeof(float));
        float* x = tsr_guarded_alloc(n * sizeof(float));
        float* dx = tsr_guarded_alloc(n * sizeof(float));
        float* mean = tsr_guarded_alloc(channels * sizeof(float));
        double* sums = tsr_guarded_alloc(2 * channels * sizeof(double));
        double* coefficients = tsr_guarded_alloc(3 * channels * sizeof(double));
        const size_t s = cases % 2;
        for (size_t i = 0; i < n; i++) {
          dy[i] = tsr_rng_uniform(&rng, -1.0f, 1.0f);
          x[i] = shapes[s][0] + shapes[s][1] * tsr_rng_uniform(&rng, -1.0f, 1.0f);
        }
        for (size_t c = 0; c < channels; c++) {
          mean[c] = shapes[s][0] + shapes[s][1] * tsr_rng_uniform(&rng, -0.1f, 0.1f);
          coefficients[c] = tsr_rng_uniform(&rng, 0.5f, 2.0f) / 3.0;
          coefficients[channels + c] = tsr_rng_uniform(&rng, -1.0f, 1.0f) / 7.0;
          coefficients[2 * channels + c] = tsr_rng_uniform(&rng, -0.1f, 0.1f) / 11.0;
        }
        for (size_t c = 0; c < 2 * channels; c++) sums[c] = (double)c;
        tsr_fill_nan(dx, n);
        sums_kernel(rows, channels, dy, x, stride, mean, sums);
        dx_kernel(rows, channels, dy, x, stride, mean, coefficients, dx);
        size_t wrong = 0;
        for (size_t c = 0; c < channels; c++) {
          long double s1 = c, s2 = channels + c, m1 = c, m2 = channels + c;
          for (size_t r = 0; r < rows; r++) {
            const long double g = dy[r * stride + c], d = (long double)x[r * stride + c] - mean[c];
            s1 += g, s2 += g * d, m1 += fabsl(g), m2 += fabsl(g * d);
            const long double a = coefficients[c] * g, b = coefficients[channels + c] * d, k = coefficients[2 * channels + c];
            const long double exact = a + b + k, got = dx[r * stride + c];
            const long double ulp = ldexpl(1.0L, ilogbl(exact) - 23);
            wrong += !(fabsl(got - exact) <= 0.5L * ulp + 1e-14L * (fabsl(a) + fabsl(b) + fabsl(k)));
          }
          wrong += !(fabsl(sums[c] - s1) <= 1e-14L * m1);
          wrong += !(fabsl(sums[channels + c] - s2) <= 1e-14L * m2);
        }
        for (size_t r = 0; r + 1 < rows; r++)
          for (size_t c = channels; c < stride; c++) wrong += !isnan(dx[r * stride + c]);
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s rows=%zu channels=%zu stride=%zu values %g +- %g", tsr_isa_name(isa),
                 TSR_TEST_ISA_NOTE, name, rows, channels, stride, (double)shapes[s][0], (double)shapes[s][1]);
        tsr_check(wrong == 0, what, "%zu sums or dx values beyond their bound, or gaps written", wrong);
        tsr_guarded_free(dy), tsr_guarded_free(x), tsr_guarded_free(dx), tsr_guarded_free(mean);
        tsr_guarded_free(sums), tsr_guarded_free(coefficients);
        cases++;
      }
  printf("[%s%s] %s: %zu cases\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) \
  tsr_test_dnorm(isa, (tsr_f32_dnorm_ukernel_fn)ukernel, (tsr_f32_dnorm_dx_ukernel_fn)ukernel##_dx, #ukernel, tile);
#include "kernels/f32-dnorm/f32-dnorm.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
