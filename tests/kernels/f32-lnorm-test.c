/* Every f32 layer-norm row kernel against the reference (tsr_reference_normalize_set): sizes 1 to
 * 3 tiles + 1 and a few large ones, rows far from zero mean (where f32 statistics would lose
 * digits), tiny and huge scales, unit affine, in place, and buffers against guard pages.
 * Tolerance: the bound f32-lnorm.h states, 3 x 2^-23 (|(x - mean) rstd gamma| + |beta|) per element
 * (the normalization runs in f32; the statistics in double); the largest error is printed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/reference/norm-reference.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

/* The bound f32-lnorm.h states: |y - exact| <= 3 x 2^-23 (|(x - mean) rstd gamma| + |beta|), with the statistics in double here (two
 * passes); NaN fails unless the reference gives NaN there too. Returns the largest error in those units. */
static double tsr_check_lnorm(const char* what, size_t n, const float* x, const float* gamma, const float* beta,
                              double epsilon, const float* y, const float* expected) {
  double mean = 0.0, variance = 0.0;
  for (size_t i = 0; i < n; i++) mean += x[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++) variance += ((double)x[i] - mean) * ((double)x[i] - mean);
  const double inverse = 1.0 / sqrt(variance / (double)n + epsilon);
  double worst = 0.0;
  size_t over = 0, at = 0;
  for (size_t i = 0; i < n; i++) {
    const double scale = fabs(((double)x[i] - mean) * inverse * gamma[i]) + fabs((double)beta[i]);
    double error = fabs((double)y[i] - (double)expected[i]) / (ldexp(1.0, -23) * scale + 1e-38);
    if (isnan(y[i]) && isnan(expected[i])) error = 0.0; /* a zero-variance row with epsilon 0 */
    if (!(error <= 3.0)) over++, at = i;
    if (error > worst || isnan(error)) worst = isnan(error) ? INFINITY : error, at = over ? at : i;
  }
  tsr_check(over == 0, what, "%zu of %zu elements beyond 3 x 2^-23 of |(x - mean) rstd gamma| + |beta|; element %zu: "
            "got %.9g, expected %.9g", over, n, at, (double)y[at], (double)expected[at]);
  return worst;
}

static void tsr_test_lnorm(tsr_isa isa, tsr_f32_lnorm_ukernel_fn ukernel, const char* name, size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(7);
  size_t sizes[160], num_sizes = 0;
  for (size_t n = 1; n <= 3 * tile + 1; n++) sizes[num_sizes++] = n;
  const size_t large[] = {127, 768, 1000, 4099};
  for (size_t i = 0; i < 4; i++) sizes[num_sizes++] = large[i];
  /* (offset, spread) of the rows: centred, far from zero, tiny, huge */
  const float shapes[][2] = {{0.0f, 1.0f}, {1000.0f, 0.5f}, {0.0f, 1e-20f}, {-3e30f, 1e28f}};
  size_t cases = 0;
  double worst = 0.0;
  for (size_t s = 0; s < num_sizes; s++) {
    const size_t n = sizes[s];
    float* x = tsr_guarded_alloc(n * sizeof(float));
    float* y = tsr_guarded_alloc(n * sizeof(float));
    float* gamma = tsr_guarded_alloc(n * sizeof(float));
    float* beta = tsr_guarded_alloc(n * sizeof(float));
    float* expected = tsr_guarded_alloc(n * sizeof(float));
    for (size_t k = 0; k < 4; k++)
      for (int unit = 0; unit < 2; unit++) {
        const float offset = shapes[k][0], spread = shapes[k][1];
        for (size_t i = 0; i < n; i++) x[i] = offset + spread * tsr_rng_uniform(&rng, -1.0f, 1.0f);
        if (unit) {
          for (size_t i = 0; i < n; i++) gamma[i] = 1.0f, beta[i] = 0.0f;
        } else {
          tsr_fill_uniform(&rng, gamma, n, -2.0f, 2.0f);
          tsr_fill_uniform(&rng, beta, n, -1.0f, 1.0f);
        }
        const double epsilon = k == 2 ? 0.0 : 1e-5;
        const struct tsr_norm_set set = {.outer = 1, .inner = n, .inner_stride = 1, .gamma = gamma, .beta = beta,
                                         .affine_inner_stride = 1, .epsilon = epsilon};
        tsr_reference_normalize_set(&set, x, expected, NULL, NULL);
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s n=%zu rows %g +- %g%s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, n,
                 (double)offset, (double)spread, unit ? " unit affine" : "");
        tsr_fill_nan(y, n);
        ukernel(n, x, gamma, beta, epsilon, y);
        worst = fmax(worst, tsr_check_lnorm(what, n, x, gamma, beta, epsilon, y, expected));
        memcpy(y, x, n * sizeof(float)); /* in place */
        ukernel(n, y, gamma, beta, epsilon, y);
        worst = fmax(worst, tsr_check_lnorm(what, n, x, gamma, beta, epsilon, y, expected));
        cases += 2;
      }
    tsr_guarded_free(x);
    tsr_guarded_free(y);
    tsr_guarded_free(gamma);
    tsr_guarded_free(beta);
    tsr_guarded_free(expected);
  }
  printf("[%s%s] %s: %zu cases run, largest error %.3g x 2^-23 of |(x - mean) rstd gamma| + |beta|\n", tsr_isa_name(isa),
         TSR_TEST_ISA_NOTE, name, cases, worst);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) tsr_test_lnorm(isa, ukernel, #ukernel, tile);
#include "kernels/f32-lnorm/f32-lnorm.inc"
  return tsr_test_finish();
}
