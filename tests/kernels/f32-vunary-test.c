/* Every vectorized activation kernel (f32-vunary.inc) against the activation's definition in
 * double precision (kernels/reference), over the whole float range (tests/harness/float-range.h:
 * about two million inputs over the bit patterns of both signs, subnormals, +-inf and NaN): the
 * error in ulps (units of 2^-149 below 2^-126) must stay within the bound the list states, and
 * the largest error seen is printed. SiLU with alpha 1, -0.5 and 2.5. Then every length from 1
 * to 3 vectors + 1 against guard pages with a NaN pre-filled output (a lane past n must neither
 * be read nor written; an unwritten element fails), and in place. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-vunary/f32-vunary.h"
#include "kernels/reference/activation-reference.h"
#include "tests/harness/float-range.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static float tsr_x[TSR_FLOAT_RANGE_MAX_INPUTS], tsr_y[TSR_FLOAT_RANGE_MAX_INPUTS];

static void tsr_test_vunary(tsr_isa isa, tsr_activation_kind kind, tsr_f32_vunary_fn ukernel, const char* name,
                            size_t lanes, double max_ulps) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  const float alphas[] = {1.0f, -0.5f, 2.5f};
  const size_t num_alphas = kind == tsr_activation_silu ? 3 : 1;
  const size_t n = tsr_float_range_inputs(tsr_x);
  for (size_t a = 0; a < num_alphas; a++) {
    const tsr_activation activation = {kind, alphas[a], 0.0f};
    const struct tsr_f32_activation_params params = {alphas[a], 0.0f};
    ukernel(n, tsr_x, tsr_y, &params);
    double worst = 0.0;
    size_t worst_at = 0, over = 0, wrong_sign = 0, wrong_sign_at = 0;
    for (size_t i = 0; i < n; i++) {
      const double exact = tsr_reference_activation_f64(&activation, (double)tsr_x[i]);
      const double e = tsr_ulp_error(tsr_y[i], exact);
      if (e > worst) worst = e, worst_at = i;
      over += e > max_ulps;
      /* a result rounded to zero keeps the exact result's sign, as rounding does (at +-inf the
       * reference's zeros are a convention, not a rounding) */
      if (isfinite(tsr_x[i]) && !isnan(exact) && !signbit(tsr_y[i]) != !signbit(exact)) wrong_sign_at = i, wrong_sign++;
    }
    char what[160];
    snprintf(what, sizeof(what), "[%s%s] %s alpha=%g within %g ulp", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name,
             (double)alphas[a], max_ulps);
    tsr_check(over == 0, what, "%zu of %zu inputs over the bound; worst %.3g ulp at x=%.9g: got %.9g, exact %.17g",
              over, n, worst, (double)tsr_x[worst_at], (double)tsr_y[worst_at],
              tsr_reference_activation_f64(&activation, (double)tsr_x[worst_at]));
    snprintf(what, sizeof(what), "[%s%s] %s alpha=%g signs", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name,
             (double)alphas[a]);
    tsr_check(wrong_sign == 0, what, "%zu of %zu results with the wrong sign; one at x=%.9g: got %.9g, exact %.17g",
              wrong_sign, n, (double)tsr_x[wrong_sign_at], (double)tsr_y[wrong_sign_at],
              tsr_reference_activation_f64(&activation, (double)tsr_x[wrong_sign_at]));
    printf("[%s%s] %-40s alpha %-4g max error %.3g ulp (bound %g)\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name,
           (double)alphas[a], worst, max_ulps);
  }

  /* lengths around the vector width: guard pages, NaN pre-fill, in place */
  tsr_rng rng = tsr_rng_seeded(5);
  const struct tsr_f32_activation_params params = {1.0f, 0.0f};
  for (size_t len = 1; len <= 3 * lanes + 1; len++) {
    float* x = tsr_guarded_alloc(len * sizeof(float));
    float* y = tsr_guarded_alloc(len * sizeof(float));
    float* expected = tsr_guarded_alloc(len * sizeof(float));
    tsr_fill_uniform(&rng, x, len, -12.0f, 12.0f);
    for (size_t i = 0; i < len; i++) { /* one element at a time: no tail handling in play */
      ukernel(1, x + i, expected + i, &params);
    }
    tsr_fill_nan(y, len);
    ukernel(len, x, y, &params);
    char what[160];
    snprintf(what, sizeof(what), "[%s%s] %s n=%zu", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, len);
    tsr_check_close(what, y, expected, len, 0.0, 0.0);
    ukernel(len, x, x, &params);
    snprintf(what, sizeof(what), "[%s%s] %s n=%zu in place", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, len);
    tsr_check_close(what, x, expected, len, 0.0, 0.0);
    tsr_guarded_free(x);
    tsr_guarded_free(y);
    tsr_guarded_free(expected);
  }
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, kind, ukernel, lanes, ulps) \
  tsr_test_vunary(isa, tsr_activation_##kind, ukernel, #ukernel, lanes, ulps);
#include "kernels/f32-vunary/f32-vunary.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
