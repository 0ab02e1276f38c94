/* Weight initializers: bounds and moments within 5 standard errors over 2^20 values for every
 * kind, the stated scales (Xavier, He) against their formulas, determinism by seed, the fans of
 * dense and convolution weights, and the argument checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"

static void tsr_moments(const float* x, size_t n, double* mean, double* std, float* min, float* max) {
  double sum = 0, squares = 0;
  *min = INFINITY, *max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    sum += x[i];
    *min = fminf(*min, x[i]);
    *max = fmaxf(*max, x[i]);
  }
  *mean = sum / n;
  for (size_t i = 0; i < n; i++) squares += (x[i] - *mean) * (x[i] - *mean);
  *std = sqrt(squares / n);
}

int main(void) {
  const size_t n = 1 << 20;
  float* x = tsr_guarded_alloc(n * sizeof(float));
  float* again = tsr_guarded_alloc(n * sizeof(float));
  struct { tsr_initializer kind; float a, b; int64_t fan_in, fan_out; double low, high, mean, std; } cases[] = {
      {tsr_init_uniform, -2, 3, 0, 0, -2, 3, 0.5, 5 / sqrt(12)},
      {tsr_init_normal, 1, 0.5f, 0, 0, -INFINITY, INFINITY, 1, 0.5},
      {tsr_init_xavier_uniform, 0, 0, 300, 100, -sqrt(6.0 / 400), sqrt(6.0 / 400), 0, sqrt(6.0 / 400) / sqrt(3)},
      {tsr_init_xavier_normal, 2, 0, 300, 100, -INFINITY, INFINITY, 0, 2 * sqrt(2.0 / 400)},
      {tsr_init_he_uniform, 0, 0, 512, 0, -sqrt(6.0 / 512), sqrt(6.0 / 512), 0, sqrt(6.0 / 512) / sqrt(3)},
      {tsr_init_he_normal, 0.2f, 0, 512, 0, -INFINITY, INFINITY, 0, sqrt(2.0 / (1.04 * 512))},
  };
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    char what[64];
    snprintf(what, sizeof(what), "initializer %d", (int)cases[c].kind);
    tsr_check_status(tsr_initialize(cases[c].kind, cases[c].a, cases[c].b, cases[c].fan_in, cases[c].fan_out, 42, x, (int64_t)n),
                     tsr_status_success, what);
    double mean, std;
    float min, max;
    tsr_moments(x, n, &mean, &std, &min, &max);
    const double se = cases[c].std / sqrt((double)n);
    tsr_check(min >= cases[c].low && max < cases[c].high, what, "range [%g, %g] outside [%g, %g)", (double)min, (double)max, cases[c].low, cases[c].high);
    tsr_check(fabs(mean - cases[c].mean) <= 5 * se, what, "mean %.6g, expected %.6g +- %.3g", mean, cases[c].mean, 5 * se);
    tsr_check(fabs(std - cases[c].std) <= 0.01 * cases[c].std, what, "std %.6g, expected %.6g", std, cases[c].std);
    tsr_initialize(cases[c].kind, cases[c].a, cases[c].b, cases[c].fan_in, cases[c].fan_out, 42, again, (int64_t)n);
    tsr_check(memcmp(x, again, n * sizeof(float)) == 0, what, "the same seed gave different values");
    tsr_initialize(cases[c].kind, cases[c].a, cases[c].b, cases[c].fan_in, cases[c].fan_out, 43, again, (int64_t)n);
    tsr_check(memcmp(x, again, n * sizeof(float)) != 0, what, "seeds 42 and 43 gave the same values");
  }
  tsr_initialize(tsr_init_ones, 0, 0, 0, 0, 0, x, 5);
  tsr_initialize(tsr_init_zeros, 0, 0, 0, 0, 0, x + 5, 5);
  tsr_check(x[0] == 1 && x[4] == 1 && x[5] == 0 && x[9] == 0, "ones and zeros", "%g %g", (double)x[0], (double)x[5]);
  int64_t fan_in = 0, fan_out = 0;
  tsr_dense_fans(768, 3072, &fan_in, &fan_out);
  tsr_check(fan_in == 768 && fan_out == 3072, "dense fans", "%lld %lld", (long long)fan_in, (long long)fan_out);
  const int64_t kernel[] = {3, 3};
  tsr_conv_fans(64, 32, 2, kernel, &fan_in, &fan_out); /* [64, 32, 3, 3] */
  tsr_check(fan_in == 288 && fan_out == 576, "conv fans", "%lld %lld", (long long)fan_in, (long long)fan_out);
  tsr_check_status(tsr_initialize(tsr_init_uniform, 1, 1, 0, 0, 0, x, 4), tsr_status_invalid_parameter, "uniform b == a");
  tsr_check_status(tsr_initialize(tsr_init_normal, 0, -1, 0, 0, 0, x, 4), tsr_status_invalid_parameter, "normal std -1");
  tsr_check_status(tsr_initialize(tsr_init_he_normal, 0, 0, 0, 0, 0, x, 4), tsr_status_invalid_parameter, "he fan_in 0");
  tsr_check_status(tsr_initialize(tsr_init_xavier_uniform, 0, 0, 4, 0, 0, x, 4), tsr_status_invalid_parameter, "xavier fan_out 0");
  tsr_check_status(tsr_initialize((tsr_initializer)9, 0, 0, 1, 1, 0, x, 4), tsr_status_invalid_parameter, "kind 9");
  tsr_check_status(tsr_initialize(tsr_init_ones, 0, 0, 0, 0, 0, NULL, 4), tsr_status_invalid_parameter, "data NULL");
  tsr_check_status(tsr_initialize(tsr_init_ones, 0, 0, 0, 0, 0, x, 0), tsr_status_invalid_parameter, "count 0");
  tsr_check_status(tsr_initialize(tsr_init_uniform, NAN, 1, 0, 0, 0, x, 4), tsr_status_invalid_parameter, "a NaN");
  tsr_check_status(tsr_conv_fans(64, 32, 2, (const int64_t[]){3, 0}, &fan_in, &fan_out), tsr_status_invalid_parameter, "kernel 0");
  tsr_check_status(tsr_dense_fans(0, 3, &fan_in, &fan_out), tsr_status_invalid_parameter, "dense fans 0");
  tsr_guarded_free(x);
  tsr_guarded_free(again);
  return tsr_test_finish();
}
