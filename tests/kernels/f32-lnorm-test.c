/* Every f32 layer-norm row kernel against the reference (tsr_reference_normalize_set): sizes 1 to
 * 3 tiles + 1 and a few large ones, rows far from zero mean (where f32 statistics would lose
 * digits), tiny and huge scales, unit affine, in place, and buffers against guard pages.
 * Tolerance: 2.4e-7 relative (2 ulp: the variants may fuse the last multiply-add, which moves
 * the double result by an ulp of a double and so rarely the rounded float by one) plus 1e-30
 * absolute. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/reference/norm-reference.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

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
        tsr_check_close(what, y, expected, n, 1e-30, 2.4e-7);
        memcpy(y, x, n * sizeof(float)); /* in place */
        ukernel(n, y, gamma, beta, epsilon, y);
        tsr_check_close(what, y, expected, n, 1e-30, 2.4e-7);
        cases += 2;
      }
    tsr_guarded_free(x);
    tsr_guarded_free(y);
    tsr_guarded_free(gamma);
    tsr_guarded_free(beta);
    tsr_guarded_free(expected);
  }
  printf("[%s%s] %s: %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) tsr_test_lnorm(isa, ukernel, #ukernel, tile);
#include "kernels/f32-lnorm/f32-lnorm.inc"
  return tsr_test_finish();
}
