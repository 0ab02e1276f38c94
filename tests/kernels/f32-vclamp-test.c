/* Every f32 clamp microkernel, plain and streaming-store, against the reference, exact (tolerance
 * 0): sizes 1 to 3 tiles + 1 and a few large ones (outputs ending at a guard page start at every
 * alignment, so the streaming kernels' aligned head is exercised), every bound kind, NaN / infinity / signed zero inputs, in place, and
 * buffers against guard pages so any access past the end faults. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-vclamp/f32-vclamp.h"
#include "kernels/reference/activation-reference.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static const struct tsr_f32_minmax_params tsr_bounds[] = {
    {0.0f, INFINITY}, {0.0f, 6.0f}, {-2.5f, 1.5f}, {-INFINITY, INFINITY}, {3.0f, 3.0f}, {-INFINITY, -1.0f},
};

static void tsr_test_vclamp(tsr_isa isa, tsr_f32_vclamp_ukernel_fn ukernel, const char* name,
                            size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(42);
  size_t sizes[128], num_sizes = 0;
  for (size_t n = 1; n <= 3 * tile + 1; n++) sizes[num_sizes++] = n;
  const size_t large[] = {127, 1000, 4099};
  for (size_t i = 0; i < 3; i++) sizes[num_sizes++] = large[i];
  size_t cases = 0;
  for (size_t s = 0; s < num_sizes; s++) {
    const size_t n = sizes[s];
    float* x = tsr_guarded_alloc(n * sizeof(float));
    float* y = tsr_guarded_alloc(n * sizeof(float));
    float* expected = tsr_guarded_alloc(n * sizeof(float));
    for (size_t b = 0; b < sizeof(tsr_bounds) / sizeof(tsr_bounds[0]); b++) {
      const struct tsr_f32_minmax_params params = tsr_bounds[b];
      const tsr_activation activation = {tsr_activation_clamp, params.min, params.max};
      tsr_fill_uniform(&rng, x, n, -10.0f, 10.0f);
      const float specials[] = {NAN, INFINITY, -INFINITY, -0.0f, 0.0f};
      for (size_t k = 0; k < 5 && n >= 4; k++) x[tsr_rng_below(&rng, n)] = specials[k];
      tsr_reference_activation_f32(&activation, n, x, expected);
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s n=%zu bounds=[%g,%g]", tsr_isa_name(isa),
               TSR_TEST_ISA_NOTE, name, n, (double)params.min, (double)params.max);
      tsr_fill_nan(y, n);
      ukernel(n, x, y, &params);
      tsr_check_close(what, y, expected, n, 0.0, 0.0);
      memcpy(y, x, n * sizeof(float)); /* in place */
      ukernel(n, y, y, &params);
      tsr_check_close(what, y, expected, n, 0.0, 0.0);
      cases += 2;
    }
    tsr_guarded_free(x);
    tsr_guarded_free(y);
    tsr_guarded_free(expected);
  }
  printf("[%s%s] %s: %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) tsr_test_vclamp(isa, ukernel, #ukernel, tile);
#include "kernels/f32-vclamp/f32-vclamp.inc"
#include "kernels/f32-vclamp/f32-vclamp-nt.inc"
  return tsr_test_finish();
}
