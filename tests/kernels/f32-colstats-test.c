/* Every column-statistics kernel variant (f32-colstats.inc), both forms, against sums taken one
 * element at a time in long double: channels 1 to three chunks + 1, rows 1 to 5, 16, 21 and 67
 * (the double form's two-row loop, odd and even; the blocked form's 16-row tree, 4-row blocks and
 * single rows), row strides equal to and wider than the channels, values centred, far from zero
 * (1000 +- 0.5), small (1e-15 +- 1e-16) and huge (-3e30 +- 1e28, where the blocked form's d^2
 * leaves f32's range: its sums of squares must not be finite), each channel's origin its first
 * value or 0, sums that start nonzero (the kernel adds to them), against guard pages. Tolerance: the
 * double form 1e-14 relative to the sum of magnitudes (double accumulation in another order); the
 * blocked form its stated bound, 5 x 2^-24 sum |d| and 7 x 2^-24 sum d^2, with 1e-6 of it for the
 * second-order terms (the largest error seen is printed, as a fraction of the bound). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "kernels/f32-colstats/f32-colstats.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_test_colstats(tsr_isa isa, tsr_f32_colstats_ukernel_fn ukernel, const char* name, size_t tile,
                              bool blocked) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(41);
  const size_t row_counts[] = {1, 2, 3, 4, 5, 16, 21, 67};
  const float shapes[][2] = {{0.0f, 1.0f}, {1000.0f, 0.5f}, {1e-15f, 1e-16f}, {-3e30f, 1e28f}};
  const long double u = ldexpl(1.0L, -24);
  double worst = 0.0;
  size_t cases = 0;
  for (size_t channels = 1; channels <= 3 * tile + 1; channels++)
    for (size_t ri = 0; ri < sizeof(row_counts) / sizeof(row_counts[0]); ri++)
      for (size_t extra = 0; extra <= 3; extra += 3) {
        const size_t rows = row_counts[ri], stride = channels + extra, n = (rows - 1) * stride + channels;
        float* x = tsr_guarded_alloc(n * sizeof(float));
        float* origin = tsr_guarded_alloc(channels * sizeof(float));
        double* sums = tsr_guarded_alloc(2 * channels * sizeof(double));
        const size_t s = cases % 4;
        for (size_t i = 0; i < n; i++) x[i] = shapes[s][0] + shapes[s][1] * tsr_rng_uniform(&rng, -1.0f, 1.0f);
        const int shifted = (int)(cases / 4 % 2);
        for (size_t c = 0; c < channels; c++) origin[c] = shifted ? x[c] : 0.0f;
        for (size_t c = 0; c < 2 * channels; c++) sums[c] = (double)c;
        ukernel(rows, channels, x, stride, origin, sums);
        size_t wrong = 0;
        /* huge values: d^2 past f32's range in the blocked form's vector chunks */
        const bool overflows = blocked && s == 3;
        for (size_t c = 0; c < channels; c++) {
          long double sum = c, squares = channels + c, magnitude = c, square_magnitude = channels + c;
          for (size_t r = 0; r < rows; r++) {
            const long double d = (long double)x[r * stride + c] - origin[c];
            sum += d, squares += d * d, magnitude += fabsl(d), square_magnitude += d * d;
          }
          const bool vector_lane = c < channels / tile * tile && tile > 1;
          if (overflows && vector_lane) {
            wrong += isfinite(sums[channels + c]) != 0;
            continue;
          }
          const long double sum_bound = blocked && vector_lane ? 5.000005L * u * magnitude : 1e-14L * magnitude;
          const long double square_bound =
              blocked && vector_lane ? 7.000007L * u * square_magnitude : 1e-14L * square_magnitude;
          wrong += fabsl(sums[c] - sum) > sum_bound + 1e-300L;
          wrong += fabsl(sums[channels + c] - squares) > square_bound + 1e-300L;
          if (blocked && vector_lane) {
            const double e1 = (double)(fabsl(sums[c] - sum) / sum_bound), e2 = (double)(fabsl(sums[channels + c] - squares) / square_bound);
            worst = e1 > worst ? e1 : worst, worst = e2 > worst ? e2 : worst;
          }
        }
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s%s rows=%zu channels=%zu stride=%zu values %g +- %g origin %s",
                 tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, blocked ? "_blocked" : "", rows, channels, stride, (double)shapes[s][0],
                 (double)shapes[s][1], shifted ? "first" : "0");
        tsr_check(wrong == 0, what, "%zu of %zu sums beyond their bound", wrong, 2 * channels);
        tsr_guarded_free(x), tsr_guarded_free(origin), tsr_guarded_free(sums);
        cases++;
      }
  if (blocked)
    printf("[%s%s] %s_blocked: %zu cases, largest error %.3f of the bound\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
           name, cases, worst);
  else
    printf("[%s%s] %s: %zu cases\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile)                                              \
  tsr_test_colstats(isa, (tsr_f32_colstats_ukernel_fn)ukernel, #ukernel, tile, false); \
  tsr_test_colstats(isa, (tsr_f32_colstats_ukernel_fn)ukernel##_blocked, #ukernel, tile, true);
#include "kernels/f32-colstats/f32-colstats.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
