/* Every row-interpolation kernel (f32-vlerp.inc) against b t + a (1 - t) in double with the same
 * t: within 2 x 2^-23 of max(|a|, |b|), the bound f32-vlerp.h states; weights near 0, near 1 and
 * around 0.5, lengths 1 to three main-loop blocks + 1 and a few large ones, against guard pages,
 * NaN pre-filled outputs, and in place on either row. Every bilinear NHWC kernel against the
 * contract's two steps done element by element with the same variant's row kernel (tolerance 0:
 * the same roundings) and against the bilinear value in double (within 4 x 2^-23 of the largest input):
 * channels 1 to three vectors + 1 and 64, 67; 1 to TSR_VBILERP_MAX_ROWS rows; weights 0 (with
 * inf and NaN in the neighbour that must stay out, and an infinite bottom row for rows of
 * weight 0), near 0, 0.25, 0.5, 0.75, near 1. */
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

/* One element by the same variant's row kernel (its own rounding: fused on x86 and NEON, a
 * multiply-add in the portable one), or a as it is where t is 0. */
static float tsr_lerp_expected(tsr_f32_vlerp_fn lerp, float a, float b, float t) {
  float y = a;
  if (t != 0.0f) lerp(1, &a, &b, t, &y);
  return y;
}

static void tsr_test_vbilerp(tsr_isa isa, tsr_f32_vlerp_fn lerp, tsr_f32_vbilerp_fn bilerp, const char* name,
                             size_t lanes) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  /* output pixels: their two source pixels (of 6) and weight; pixel 5 of each row holds inf or
   * NaN and is read only as a second neighbour of weight 0 */
  enum { pixels = 7, sources = 6 };
  static const size_t index0[pixels] = {0, 0, 1, 2, 4, 3, 4}, index1[pixels] = {5, 1, 2, 2, 5, 4, 3};
  static const float tw[pixels] = {0.0f, 0.25f, 0.75f, 0.5f, 0.0f, 1e-7f, 0.99999994f};
  static const float row_weights[] = {0.25f, 0.75f, 0.0f, 0.5f, 1e-7f, 0.99999994f, 0.25f, 0.75f};
  tsr_rng rng = tsr_rng_seeded(41);
  size_t channel_counts[64], count = 0, runs = 0;
  for (size_t c = 1; c <= 3 * lanes + 1; c++) channel_counts[count++] = c;
  channel_counts[count++] = 64, channel_counts[count++] = 67;
  for (size_t k = 0; k < count; k++) {
    const size_t c = channel_counts[k], n = pixels * c;
    float *top = tsr_guarded_alloc(sources * c * 4), *bottom = tsr_guarded_alloc(sources * c * 4);
    tsr_fill_uniform(&rng, top, sources * c, -100.0f, 100.0f);
    tsr_fill_uniform(&rng, bottom, sources * c, -100.0f, 100.0f);
    for (size_t i = 0; i < c; i++) top[5 * c + i] = i % 2 ? NAN : INFINITY, bottom[5 * c + i] = i % 2 ? -INFINITY : NAN;
    /* and the bottom's pixel 3 infinite: it must stay out of the rows whose weight is 0 */
    for (size_t i = 0; i < c; i++) bottom[3 * c + i] = INFINITY;
    for (size_t rows = 1; rows <= TSR_VBILERP_MAX_ROWS; rows++) {
      float* y[TSR_VBILERP_MAX_ROWS];
      for (size_t g = 0; g < rows; g++) y[g] = tsr_guarded_alloc(n * 4), tsr_fill_nan(y[g], n);
      bilerp(pixels, c, top, bottom, index0, index1, tw, rows, row_weights, y);
      size_t wrong = 0, far = 0;
      for (size_t g = 0; g < rows; g++)
        for (size_t j = 0; j < pixels; j++)
          for (size_t i = 0; i < c; i++) {
            const float *t0 = top + index0[j] * c + i, *t1 = top + index1[j] * c + i;
            const float *b0 = bottom + index0[j] * c + i, *b1 = bottom + index1[j] * c + i;
            const float a = tsr_lerp_expected(lerp, *t0, *t1, tw[j]), b = tsr_lerp_expected(lerp, *b0, *b1, tw[j]);
            const float expected = tsr_lerp_expected(lerp, a, b, row_weights[g]), got = y[g][j * c + i];
            wrong += memcmp(&expected, &got, sizeof(float)) != 0;
            /* the bilinear value in double, over the neighbours the weights use */
            const double w = tw[j], h = row_weights[g];
            double exact = (1.0 - h) * (1.0 - w) * *t0, largest = fabs((double)*t0);
            if (w != 0.0) exact += (1.0 - h) * w * *t1, largest = fmax(largest, fabs((double)*t1));
            if (h != 0.0) exact += h * (1.0 - w) * *b0, largest = fmax(largest, fabs((double)*b0));
            if (h != 0.0 && w != 0.0) exact += h * w * *b1, largest = fmax(largest, fabs((double)*b1));
            far += isfinite(expected) && !(fabs((double)got - exact) <= 4.0 * 0x1p-23 * largest);
          }
      char what[160];
      snprintf(what, sizeof(what), "[%s%s] %s channels=%zu rows=%zu", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, c,
               rows);
      tsr_check(wrong == 0, what, "%zu of %zu elements differ from the two float steps", wrong, rows * n);
      tsr_check(far == 0, what, "%zu of %zu elements beyond 4 ulp of the largest input from the double value", far,
                rows * n);
      for (size_t g = 0; g < rows; g++) tsr_guarded_free(y[g]);
      runs++;
    }
    tsr_guarded_free(top), tsr_guarded_free(bottom);
  }
  printf("[%s%s] %s: %zu channel counts x 1-%d rows (%zu calls)\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, count,
         TSR_VBILERP_MAX_ROWS, runs);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, bilerp, lanes) \
  tsr_test_vlerp(isa, ukernel, #ukernel, lanes);     \
  tsr_test_vbilerp(isa, ukernel, bilerp, #bilerp, lanes);
#include "kernels/f32-vlerp/f32-vlerp.inc"
#undef TSR_TEST_UKERNEL
  return tsr_test_finish();
}
