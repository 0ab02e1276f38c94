/* Every row-interpolation kernel (f32-vlerp.inc) against b t + a (1 - t) in double with the same
 * t: within 2 x 2^-23 of max(|a|, |b|), the bound f32-vlerp.h states; weights near 0, near 1 and
 * around 0.5, lengths 1 to three main-loop blocks + 1 and a few large ones, against guard pages,
 * NaN pre-filled outputs, and in place on either row. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-vlerp/f32-vlerp.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_check_lerp(const char* what, size_t n, const float* a, const float* b, float t, const float* y) {
  size_t far = 0, first = n;
  for (size_t i = 0; i < n; i++) {
    const double exact = (double)b[i] * t + (double)a[i] * (1.0 - (double)t);
    const double bound = 2.0 * 0x1p-23 * fmax(fabs((double)a[i]), fabs((double)b[i]));
    if (!(fabs((double)y[i] - exact) <= bound) && far++ == 0) first = i;
  }
  tsr_check(far == 0, what, "%zu of %zu elements beyond 2 ulp of max(|a|, |b|), the first at %zu", far, n, first);
}

static void tsr_test_vlerp(tsr_isa isa, tsr_f32_vlerp_fn lerp, const char* name, size_t lanes) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  static const float weights[] = {1e-7f, 0.001f, 0.25f, 0.4999999f, 0.5f, 0.5000001f, 0.75f, 0.999f, 0.99999994f};
  tsr_rng rng = tsr_rng_seeded(37);
  size_t lengths[128], count = 0;
  for (size_t n = 1; n <= 3 * 2 * lanes + 1; n++) lengths[count++] = n;
  lengths[count++] = 1000, lengths[count++] = 4099;
  for (size_t k = 0; k < count; k++) {
    const size_t n = lengths[k];
    float *a = tsr_guarded_alloc(n * 4), *b = tsr_guarded_alloc(n * 4), *y = tsr_guarded_alloc(n * 4);
    tsr_fill_uniform(&rng, a, n, -100.0f, 100.0f);
    tsr_fill_uniform(&rng, b, n, -100.0f, 100.0f);
    for (size_t w = 0; w < sizeof(weights) / sizeof(weights[0]); w++) {
      const float t = weights[w];
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s n=%zu t=%.9g", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, n, (double)t);
      tsr_fill_nan(y, n);
      lerp(n, a, b, t, y);
      tsr_check_lerp(what, n, a, b, t, y);
      float* saved = tsr_guarded_alloc(n * 4);
      memcpy(saved, a, n * 4), memcpy(y, a, n * 4);
      lerp(n, y, b, t, y);
      strncat(what, " in place on a", sizeof(what) - strlen(what) - 1);
      tsr_check_lerp(what, n, saved, b, t, y);
      memcpy(saved, b, n * 4), memcpy(y, b, n * 4);
      lerp(n, a, y, t, y);
      strncat(what, " and on b", sizeof(what) - strlen(what) - 1);
      tsr_check_lerp(what, n, a, saved, t, y);
      tsr_guarded_free(saved);
    }
    tsr_guarded_free(a), tsr_guarded_free(b), tsr_guarded_free(y);
  }
  printf("[%s%s] %s: %zu lengths, %zu weights\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, count,
         sizeof(weights) / sizeof(weights[0]));
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, lanes) tsr_test_vlerp(isa, ukernel, #ukernel, lanes);
#include "kernels/f32-vlerp/f32-vlerp.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
