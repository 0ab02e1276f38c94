/* Every per-channel affine kernel variant (f32-vaffine.inc), channelwise and broadcast, against
 * y = fmaf(x - mean, scale, shift) element by element (the one rounding sequence every variant
 * promises, so tolerance 0) and against the map in double (within 2 ulp of the larger of
 * |(x - mean) scale| and |shift|): lengths 1 to three main-loop blocks + 1 and a few large ones,
 * against guard pages, NaN pre-filled outputs, and in place; the channelwise form also over
 * several rows at once. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-vaffine/f32-vaffine.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_check_map(const char* what, size_t n, const float* x, const float* mean, const float* scale,
                          const float* shift, size_t stride, const float* y) {
  size_t wrong = 0, far = 0;
  for (size_t i = 0; i < n; i++) {
    const float m = mean[i * stride], a = scale[i * stride], b = shift[i * stride];
    wrong += !(y[i] == fmaf(x[i] - m, a, b));
    const double exact = ((double)x[i] - m) * a + b;
    const double size = fmax(fabs(((double)x[i] - m) * a), fabs((double)b));
    far += fabs((double)y[i] - exact) > 2.0 * 1.2e-7 * size;
  }
  tsr_check(wrong == 0 && far == 0, what, "%zu of %zu elements differ from fmaf(x - mean, scale, shift), %zu beyond 2 ulp",
            wrong, n, far);
}

static void tsr_test_vaffine(tsr_isa isa, tsr_f32_vaffine_channelwise_fn channelwise, tsr_f32_vaffine_broadcast_fn broadcast,
                             const char* name, size_t lanes) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(29);
  size_t lengths[128], count = 0;
  for (size_t n = 1; n <= 3 * 2 * lanes + 1; n++) lengths[count++] = n;
  lengths[count++] = 1000, lengths[count++] = 4099;
  for (size_t k = 0; k < count; k++) {
    const size_t n = lengths[k];
    float* x = tsr_guarded_alloc(n * sizeof(float));
    float* mean = tsr_guarded_alloc(n * sizeof(float));
    float* scale = tsr_guarded_alloc(n * sizeof(float));
    float* shift = tsr_guarded_alloc(n * sizeof(float));
    float* y = tsr_guarded_alloc(n * sizeof(float));
    tsr_fill_uniform(&rng, x, n, -10.0f, 10.0f);
    tsr_fill_uniform(&rng, mean, n, -2.0f, 2.0f);
    tsr_fill_uniform(&rng, scale, n, 0.1f, 3.0f);
    tsr_fill_uniform(&rng, shift, n, -1.0f, 1.0f);
    for (int form = 0; form < 2; form++) {
      const size_t stride = form == 0 ? 1 : 0;
      /* broadcast parameters: one value each, alone against a guard page */
      const float* m = form == 0 ? mean : mean + n - 1;
      const float* a = form == 0 ? scale : scale + n - 1;
      const float* b = form == 0 ? shift : shift + n - 1;
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s n=%zu %s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, n,
               form == 0 ? "channelwise, one row" : "broadcast");
      tsr_fill_nan(y, n);
      if (form == 0) channelwise(1, n, x, m, a, b, y);
      else broadcast(n, x, m, a, b, y);
      tsr_check_map(what, n, x, m, a, b, stride, y);
      memcpy(y, x, n * sizeof(float));
      if (form == 0) channelwise(1, n, y, m, a, b, y);
      else broadcast(n, y, m, a, b, y);
      strncat(what, " in place", sizeof(what) - strlen(what) - 1);
      tsr_check_map(what, n, x, m, a, b, stride, y);
    }
    /* several rows: n split into rows of a divisor of n, the parameters repeating per row */
    for (size_t channels = 1; channels <= n; channels++) {
      if (n % channels != 0 || (channels != 1 && channels != n / 2 && channels != n / 3)) continue;
      float* expected = tsr_guarded_alloc(n * sizeof(float));
      for (size_t i = 0; i < n; i++) expected[i] = fmaf(x[i] - mean[i % channels], scale[i % channels], shift[i % channels]);
      tsr_fill_nan(y, n);
      channelwise(n / channels, channels, x, mean, scale, shift, y);
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s %zu rows of %zu", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name,
               n / channels, channels);
      tsr_check_close(what, y, expected, n, 0.0, 0.0);
      tsr_guarded_free(expected);
    }
    tsr_guarded_free(x), tsr_guarded_free(mean), tsr_guarded_free(scale), tsr_guarded_free(shift), tsr_guarded_free(y);
  }
  printf("[%s%s] %s: %zu lengths\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, count);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, channelwise, broadcast, lanes) \
  tsr_test_vaffine(isa, channelwise, broadcast, #channelwise, lanes);
#include "kernels/f32-vaffine/f32-vaffine.inc"
#include "kernels/f32-vaffine/f32-vaffine-nt.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
