/* Every f32 layer-norm row kernel against the reference (tsr_reference_normalize_set): sizes 1 to
 * 3 tiles + 1, around the statistics' blocks and a few large ones; rows far from zero mean (where
 * f32 statistics would lose digits), tiny and huge scales (the double fallback), sorted rows and
 * rows whose first vectors are outliers (an origin far from the mean: the second pass); unit
 * affine, in place, streamed (bit for bit the plain stores' result), and buffers against guard
 * pages (so y's alignment varies with n). Tolerance: the bounds f32-lnorm.h states,
 * 2^-23 (7 |(x - mean) rstd gamma| + 4 |gamma| + 3 |beta|) per element for the vector variants
 * (f32 statistics) and 3 x 2^-23 (|(x - mean) rstd gamma| + |beta|) for the scalar one (double);
 * the largest error is printed as a fraction of the bound. Each variant's statistics function
 * (`<ukernel>_statistics`) against the row's double mean and 1 / sqrt(var + epsilon). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/reference/norm-reference.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

/* The bound f32-lnorm.h states: |y - exact| <= 2^-23 (t |(x - mean) rstd gamma| + g |gamma| + b |beta|), with the
 * statistics in double here (two passes); NaN fails unless the reference gives NaN there too. Returns the largest
 * error as a fraction of the bound. */
struct tsr_lnorm_bound {
  double t, g, b;
};

static double tsr_check_lnorm(const char* what, size_t n, const float* x, const float* gamma, const float* beta,
                              double epsilon, const float* y, const float* expected, struct tsr_lnorm_bound bound) {
  double mean = 0.0, variance = 0.0;
  for (size_t i = 0; i < n; i++) mean += x[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++) variance += ((double)x[i] - mean) * ((double)x[i] - mean);
  const double inverse = 1.0 / sqrt(variance / (double)n + epsilon);
  double worst = 0.0;
  size_t over = 0, at = 0;
  for (size_t i = 0; i < n; i++) {
    const double scale = bound.t * fabs(((double)x[i] - mean) * inverse * gamma[i]) + bound.g * fabs((double)gamma[i]) +
                         bound.b * fabs((double)beta[i]);
    double error = fabs((double)y[i] - (double)expected[i]) / (ldexp(1.0, -23) * scale + 1e-38);
    if (isnan(y[i]) && isnan(expected[i])) error = 0.0; /* a zero-variance row with epsilon 0 */
    if (!(error <= 1.0)) over++, at = i;
    if (error > worst || isnan(error)) worst = isnan(error) ? INFINITY : error, at = over ? at : i;
  }
  tsr_check(over == 0, what, "%zu of %zu elements beyond 2^-23 (%g |(x - mean) rstd gamma| + %g |gamma| + %g |beta|); "
            "element %zu: got %.9g, expected %.9g", over, n, bound.t, bound.g, bound.b, at, (double)y[at],
            (double)expected[at]);
  return worst;
}

/* The variant's statistics function (`<ukernel>_statistics`, which plain group norm also uses) against
 * the row's mean and 1 / sqrt(var + epsilon) in double: the mean within the bound f32-lnorm.h states,
 * 3.4 x 2^-23 sigma (plus 2^-40 |mean| for the float pair), and the inverse within 4.5 x 2^-23 of itself
 * (half the variance's 7.8 x 2^-23, and its rounding to f32). Returns the larger error as a fraction of
 * its bound. */
static double tsr_check_lnorm_statistics(const char* what, tsr_f32_lnorm_statistics_fn statistics, size_t n,
                                         const float* x, double epsilon) {
  double mean = 0.0, variance = 0.0;
  for (size_t i = 0; i < n; i++) mean += x[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++) variance += ((double)x[i] - mean) * ((double)x[i] - mean);
  variance /= (double)n;
  const double inverse = 1.0 / sqrt(variance + epsilon);
  const struct tsr_f32_lnorm_statistics st = statistics(n, x, epsilon);
  const double got_mean = (double)st.mean_high + (double)st.mean_low;
  const double mean_error =
      fabs(got_mean - mean) / (ldexp(3.4, -23) * sqrt(variance) + ldexp(fabs(mean), -40) + 1e-300);
  const double inverse_error = isinf(inverse) ? (isinf(st.inverse) ? 0.0 : INFINITY)
                                              : fabs((double)st.inverse - inverse) / (ldexp(4.5, -23) * inverse);
  const double worst = fmax(mean_error, inverse_error);
  tsr_check(worst <= 1.0, what, "statistics: mean %.17g (exact %.17g), inverse %.9g (exact %.17g)", got_mean, mean,
            (double)st.inverse, inverse);
  return worst;
}

static void tsr_test_lnorm(tsr_isa isa, tsr_f32_lnorm_ukernel_fn ukernel, tsr_f32_lnorm_statistics_fn statistics,
                           const char* name, size_t tile) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(7);
  size_t sizes[160], num_sizes = 0;
  for (size_t n = 1; n <= 3 * tile + 1; n++) sizes[num_sizes++] = n;
  /* around the statistics' blocks (64 to 256 elements by ISA) and model widths */
  const size_t large[] = {127, 128, 129, 255, 256, 257, 383, 768, 1000, 1025, 4099};
  for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++) sizes[num_sizes++] = large[i];
  const struct tsr_lnorm_bound bound = isa == tsr_isa_scalar ? (struct tsr_lnorm_bound){3, 0, 3}
                                                             : (struct tsr_lnorm_bound){7, 4, 3};
  /* (offset, spread) of the rows: centred, far from zero, tiny (double statistics), huge (f32's
   * squares overflow: double), small (f32 squares near 2^-100); then sorted rows and rows whose
   * first 64 elements sit 50 spreads above the rest (origins far from the mean) */
  const float shapes[][2] = {{0.0f, 1.0f}, {1000.0f, 0.5f}, {0.0f, 1e-20f}, {-3e30f, 1e28f}, {0.0f, 3e-15f},
                             {0.0f, 1.0f}, {0.0f, 1.0f}};
  const size_t num_shapes = sizeof(shapes) / sizeof(shapes[0]);
  size_t cases = 0;
  double worst = 0.0, worst_statistics = 0.0;
  for (size_t s = 0; s < num_sizes; s++) {
    const size_t n = sizes[s];
    float* x = tsr_guarded_alloc(n * sizeof(float));
    float* y = tsr_guarded_alloc(n * sizeof(float));
    float* gamma = tsr_guarded_alloc(n * sizeof(float));
    float* beta = tsr_guarded_alloc(n * sizeof(float));
    float* expected = tsr_guarded_alloc(n * sizeof(float));
    float* plain = tsr_guarded_alloc(n * sizeof(float));
    for (size_t k = 0; k < num_shapes; k++)
      for (int unit = 0; unit < 2; unit++) {
        const float offset = shapes[k][0], spread = shapes[k][1];
        for (size_t i = 0; i < n; i++) x[i] = offset + spread * tsr_rng_uniform(&rng, -1.0f, 1.0f);
        if (k == num_shapes - 2) /* sorted ascending */
          for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
              const float t = x[j];
              x[j] = x[j - 1], x[j - 1] = t;
            }
        if (k == num_shapes - 1)
          for (size_t i = 0; i < n && i < 64; i++) x[i] += 50.0f * spread;
        if (unit) {
          for (size_t i = 0; i < n; i++) gamma[i] = 1.0f, beta[i] = 0.0f;
        } else {
          tsr_fill_uniform(&rng, gamma, n, -2.0f, 2.0f);
          tsr_fill_uniform(&rng, beta, n, -1.0f, 1.0f);
        }
        const double epsilon = k == 2 || k == 4 ? 0.0 : 1e-5; /* tiny rows: epsilon would swamp them */
        const struct tsr_norm_set set = {.outer = 1, .inner = n, .inner_stride = 1, .gamma = gamma, .beta = beta,
                                         .affine_inner_stride = 1, .epsilon = epsilon};
        tsr_reference_normalize_set(&set, x, expected, NULL, NULL);
        if (!unit) {
          char what[160];
          snprintf(what, sizeof(what), "[%s%s] %s_statistics n=%zu rows %g +- %g", tsr_isa_name(isa),
                   TSR_TEST_ISA_NOTE, name, n, (double)offset, (double)spread);
          worst_statistics = fmax(worst_statistics, tsr_check_lnorm_statistics(what, statistics, n, x, epsilon));
        }
        for (int stream = 0; stream < 2; stream++) { /* streamed: y's head before its first line, then lines */
          char what[160];
          snprintf(what, sizeof(what), "[%s%s] %s n=%zu rows %g +- %g%s%s", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name,
                   n, (double)offset, (double)spread, unit ? " unit affine" : "", stream ? " streamed" : "");
          tsr_fill_nan(y, n);
          ukernel(1, n, x, n, gamma, beta, epsilon, stream, y, n);
          worst = fmax(worst, tsr_check_lnorm(what, n, x, gamma, beta, epsilon, y, expected, bound));
          if (!stream) memcpy(plain, y, n * sizeof(float));
          else tsr_check(memcmp(plain, y, n * sizeof(float)) == 0, what, "differs from the plain stores' result");
          memcpy(y, x, n * sizeof(float)); /* in place */
          ukernel(1, n, y, n, gamma, beta, epsilon, stream, y, n);
          worst = fmax(worst, tsr_check_lnorm(what, n, x, gamma, beta, epsilon, y, expected, bound));
          cases += 2;
        }
      }
    tsr_guarded_free(x);
    tsr_guarded_free(y);
    tsr_guarded_free(gamma);
    tsr_guarded_free(beta);
    tsr_guarded_free(expected);
    tsr_guarded_free(plain);
  }
  printf("[%s%s] %s: %zu cases run, largest error %.3g of the bound 2^-23 (%g |(x - mean) rstd gamma| + %g |gamma| + "
         "%g |beta|); statistics %.3g of theirs\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases, worst, bound.t,
         bound.g, bound.b, worst_statistics);
}

/* Blocks of rows (strided, rows past the block count, spans past TSR_F32_LNORM_SPAN): each row bit for bit
 * what a call on that row alone gives (checked against the reference above), out of place and in place, and
 * nothing written between the rows. */
static void tsr_test_lnorm_rows(tsr_isa isa, tsr_f32_lnorm_ukernel_fn ukernel, const char* name) {
  if (!tsr_test_isa_runs(isa)) return;
  tsr_rng rng = tsr_rng_seeded(11);
  const size_t widths[] = {1, 17, TSR_F32_LNORM_SPAN - 1, TSR_F32_LNORM_SPAN, TSR_F32_LNORM_SPAN + 1,
                           2 * TSR_F32_LNORM_SPAN + 52, 4099, 9001};
  const size_t counts[] = {1, 2, TSR_F32_LNORM_MAX_BLOCK_ROWS, TSR_F32_LNORM_MAX_BLOCK_ROWS + 1, 19};
  size_t cases = 0;
  for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
    for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
      for (int stream = 0; stream < 2; stream++) {
        const size_t n = widths[w], rows = counts[c], x_stride = n + 3, y_stride = n + 5;
        float* x = tsr_guarded_alloc(rows * x_stride * sizeof(float));
        float* y = tsr_guarded_alloc(rows * y_stride * sizeof(float));
        float* alone = tsr_guarded_alloc(rows * y_stride * sizeof(float));
        float* gamma = tsr_guarded_alloc(n * sizeof(float));
        float* beta = tsr_guarded_alloc(n * sizeof(float));
        tsr_fill_uniform(&rng, x, rows * x_stride, -3.0f, 5.0f);
        tsr_fill_uniform(&rng, gamma, n, -2.0f, 2.0f);
        tsr_fill_uniform(&rng, beta, n, -1.0f, 1.0f);
        tsr_fill_nan(alone, rows * y_stride);
        for (size_t r = 0; r < rows; r++)
          ukernel(1, n, x + r * x_stride, n, gamma, beta, 1e-5, stream, alone + r * y_stride, n);
        char what[160];
        snprintf(what, sizeof(what), "[%s%s] %s %zu rows of %zu (strides %zu, %zu)%s", tsr_isa_name(isa),
                 TSR_TEST_ISA_NOTE, name, rows, n, x_stride, y_stride, stream ? " streamed" : "");
        tsr_fill_nan(y, rows * y_stride);
        ukernel(rows, n, x, x_stride, gamma, beta, 1e-5, stream, y, y_stride);
        tsr_check(memcmp(y, alone, rows * y_stride * sizeof(float)) == 0, what,
                  "differs from the rows one at a time (or wrote between rows)");
        for (size_t r = 0; r < rows; r++) /* in place, on x's stride */
          for (size_t i = 0; i < x_stride; i++) x[r * x_stride + i] = i < n ? x[r * x_stride + i] : NAN;
        ukernel(rows, n, x, x_stride, gamma, beta, 1e-5, stream, x, x_stride);
        bool same = true;
        for (size_t r = 0; r < rows; r++)
          same = same && memcmp(x + r * x_stride, alone + r * y_stride, n * sizeof(float)) == 0 &&
                 isnan(x[r * x_stride + n]) && isnan(x[r * x_stride + n + 2]);
        tsr_check(same, what, "in place: differs from the rows one at a time (or wrote between rows)");
        cases += 2;
        tsr_guarded_free(x);
        tsr_guarded_free(y);
        tsr_guarded_free(alone);
        tsr_guarded_free(gamma);
        tsr_guarded_free(beta);
      }
  printf("[%s%s] %s: %zu blocks of rows run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) \
  tsr_test_lnorm(isa, ukernel, ukernel##_statistics, #ukernel, tile); \
  tsr_test_lnorm_rows(isa, ukernel, #ukernel);
#include "kernels/f32-lnorm/f32-lnorm.inc"
  return tsr_test_finish();
}
