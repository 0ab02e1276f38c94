/* Every elementwise binary kernel (f32-vbinary.inc), in its three forms, against the scalar op
 * element by element (one IEEE operation each, so tolerance 0; NaN must give NaN, and max/min of
 * two zeros may give either): operands drawn from ordinary values and specials (±0, ±inf, NaN,
 * subnormals, the largest float), with the fused clamp open (infinite bounds) and closed,
 * lengths 1 to three main-loop blocks + 1 and a few large ones,
 * against guard pages (the broadcast operand alone before one), NaN pre-filled outputs, and in
 * place on either operand. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-vbinary/f32-vbinary.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static const char* const tsr_op_names[] = {"add", "sub", "mul", "div", "max", "min"};

static void tsr_fill_operand(tsr_rng* rng, float* x, size_t n) {
  static const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-40f, -3e-42f, 3.4028235e38f, 1.0f};
  for (size_t i = 0; i < n; i++)
    x[i] = tsr_rng_below(rng, 6) == 0 ? specials[tsr_rng_below(rng, sizeof(specials) / sizeof(specials[0]))]
                                       : tsr_rng_uniform(rng, -100.0f, 100.0f);
}

/* y[i] against p[i or 0] op q[i or 0]. */
static void tsr_check_form(const char* what, enum tsr_f32_vbinary_op op, size_t n, const float* p, int p_varies,
                           const float* q, int q_varies, const struct tsr_f32_minmax_params* params, const float* y) {
  size_t wrong = 0, first = n;
  for (size_t i = 0; i < n; i++) {
    const float expected = tsr_f32_clamp(tsr_f32_binary(op, p[p_varies ? i : 0], q[q_varies ? i : 0]), params);
    const int same = (expected != expected) ? y[i] != y[i] : y[i] == expected;
    if (!same && wrong++ == 0) first = i;
  }
  tsr_check(wrong == 0, what, "%zu of %zu elements differ, the first at %zu", wrong, n, first);
}

static void tsr_test_vbinary(tsr_isa isa, enum tsr_f32_vbinary_op op, tsr_f32_vbinary_fn vop, tsr_f32_vbinary_fn vopc,
                             tsr_f32_vbinary_fn vropc, const char* name, size_t lanes) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(31 + op);
  size_t lengths[128], count = 0;
  for (size_t n = 1; n <= 3 * 2 * lanes + 1; n++) lengths[count++] = n;
  lengths[count++] = 1000, lengths[count++] = 4099;
  for (size_t k = 0; k < count; k++) {
    const size_t n = lengths[k];
    float* a = tsr_guarded_alloc(n * sizeof(float));
    float* b = tsr_guarded_alloc(n * sizeof(float));
    float* y = tsr_guarded_alloc(n * sizeof(float));
    tsr_fill_operand(&rng, a, n);
    tsr_fill_operand(&rng, b, n);
    const float* c = b + n - 1; /* the broadcast operand, against the guard page */
    static const struct tsr_f32_minmax_params clamps[2] = {{-INFINITY, INFINITY}, {-1.5f, 2.25f}};
    for (int form = 0; form < 6; form++) {
      const struct tsr_f32_minmax_params* params = &clamps[form / 3];
      const tsr_f32_vbinary_fn fn = form % 3 == 0 ? vop : form % 3 == 1 ? vopc : vropc;
      const char* form_name = form % 3 == 0 ? "a[i] op b[i]" : form % 3 == 1 ? "a[i] op b[0]" : "b[0] op a[i]";
      const float* bb = form % 3 == 0 ? b : c;
      char what[200];
      snprintf(what, sizeof(what), "[%s%s] %s (%s: %s, clamp [%g, %g]) n=%zu", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
               name, tsr_op_names[op], form_name, params->min, params->max, n);
      tsr_fill_nan(y, n);
      fn(n, a, bb, y, params);
      if (form % 3 == 2) tsr_check_form(what, op, n, c, 0, a, 1, params, y);
      else tsr_check_form(what, op, n, a, 1, bb, form % 3 == 0, params, y);
      /* in place on a (every form), and on b (both-varying form) */
      float* saved = tsr_guarded_alloc(n * sizeof(float));
      memcpy(saved, a, n * sizeof(float));
      memcpy(y, a, n * sizeof(float));
      fn(n, y, bb, y, params);
      strncat(what, " in place", sizeof(what) - strlen(what) - 1);
      if (form % 3 == 2) tsr_check_form(what, op, n, c, 0, saved, 1, params, y);
      else tsr_check_form(what, op, n, saved, 1, bb, form % 3 == 0, params, y);
      if (form % 3 == 0) {
        memcpy(y, b, n * sizeof(float));
        fn(n, a, y, y, params);
        strncat(what, " (on b)", sizeof(what) - strlen(what) - 1);
        tsr_check_form(what, op, n, a, 1, b, 1, params, y);
      }
      tsr_guarded_free(saved);
    }
    tsr_guarded_free(a), tsr_guarded_free(b), tsr_guarded_free(y);
  }
  printf("[%s%s] %s (%s): %zu lengths, 3 forms, with and without a clamp\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, tsr_op_names[op],
         count);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, op, vop, vopc, vropc, lanes) tsr_test_vbinary(isa, op, vop, vopc, vropc, #vop, lanes);
#include "kernels/f32-vbinary/f32-vbinary.inc"
#include "kernels/f32-vbinary/f32-vbinary-nt.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
