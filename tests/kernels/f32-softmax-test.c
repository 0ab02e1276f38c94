/* Every f32 softmax row kernel against the reference (tsr_reference_softmax_f32, in double):
 * sizes 1 to 3 tiles + 1 and a few large ones, rows in [-20, 20], spread over [-150, 0] (results
 * near and below 2^-126), constant rows, in place, buffers against guard pages, NaN pre-fill.
 * Tolerance: softmax 4.8e-7 relative (the 4 ulp the header states) plus 2^-126 absolute (results
 * below it are flushed to 0); log-softmax 2.4e-7 relative plus 4e-6 absolute (2 ulp of values
 * up to 40). Special values: NaN in a row gives a NaN row, +inf gives NaN, -inf elements give 0
 * (softmax) and -inf (log-softmax), as the reference. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-softmax/f32-softmax.h"
#include "kernels/reference/softmax-reference.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

/* The largest softmax error over the row as a fraction of the stated bound (0 for log-softmax). */
static double check_row(tsr_f32_softmax_ukernel_fn ukernel, const char* what, size_t n, const float* x,
                        bool logarithmic, float* y, float* expected) {
  tsr_reference_softmax_f32(logarithmic, n, x, 1, expected, 1);
  tsr_fill_nan(y, n);
  ukernel(n, x, y, logarithmic);
  if (logarithmic) {
    tsr_check_close(what, y, expected, n, 4e-6, 2.4e-7);
    return 0.0;
  }
  tsr_check_close(what, y, expected, n, 1.18e-38, 4.8e-7);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(expected[i]))
      worst = fmax(worst, fabs((double)y[i] - expected[i]) / (1.18e-38 + 4.8e-7 * fabs(expected[i])));
  return worst;
}

static void tsr_test_softmax(tsr_isa isa, tsr_f32_softmax_ukernel_fn ukernel, const char* name, size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(11);
  size_t sizes[160], num_sizes = 0;
  for (size_t n = 1; n <= 3 * tile + 1; n++) sizes[num_sizes++] = n;
  const size_t large[] = {127, 1000, 4099, 32768};
  for (size_t i = 0; i < 4; i++) sizes[num_sizes++] = large[i];
  const float shapes[][2] = {{-20.0f, 20.0f}, {-150.0f, 0.0f}, {3.0f, 3.0f}};
  size_t cases = 0;
  double worst = 0.0;
  for (size_t s = 0; s < num_sizes; s++) {
    const size_t n = sizes[s];
    float* x = tsr_guarded_alloc(n * sizeof(float));
    float* y = tsr_guarded_alloc(n * sizeof(float));
    float* expected = tsr_guarded_alloc(n * sizeof(float));
    for (size_t k = 0; k < 3; k++)
      for (int logarithmic = 0; logarithmic < 2; logarithmic++) {
        tsr_fill_uniform(&rng, x, n, shapes[k][0], shapes[k][1]);
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s n=%zu in [%g, %g]%s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, n,
                 (double)shapes[k][0], (double)shapes[k][1], logarithmic ? " log" : "");
        worst = fmax(worst, check_row(ukernel, what, n, x, logarithmic, y, expected));
        memcpy(y, x, n * sizeof(float)); /* in place */
        ukernel(n, y, y, logarithmic);
        if (logarithmic) tsr_check_close(what, y, expected, n, 4e-6, 2.4e-7);
        else tsr_check_close(what, y, expected, n, 1.18e-38, 4.8e-7);
        cases += 2;
      }
    /* special values at a random place */
    const float specials[] = {NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < 3; k++)
      for (int logarithmic = 0; logarithmic < 2; logarithmic++) {
        tsr_fill_uniform(&rng, x, n, -5.0f, 5.0f);
        x[tsr_rng_below(&rng, n)] = specials[k];
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s n=%zu with %g%s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, n,
                 (double)specials[k], logarithmic ? " log" : "");
        check_row(ukernel, what, n, x, logarithmic, y, expected);
        cases++;
      }
    tsr_guarded_free(x), tsr_guarded_free(y), tsr_guarded_free(expected);
  }
  printf("[%s%s] %s: %zu rows checked, largest softmax error %.3g of the bound (4.8e-7 relative + 2^-126)\n",
         tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases, worst);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) tsr_test_softmax(isa, ukernel, #ukernel, tile);
#include "kernels/f32-softmax/f32-softmax.inc"
  return tsr_test_finish();
}
