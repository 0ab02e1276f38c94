/* Dropout and its generator: Philox4x32-10 against Random123's known-answer vectors; the kept
 * fraction and the preserved mean within 5 standard deviations over a million elements; results
 * bitwise identical on 1, 2 and 3 threads; a different seed giving a different mask; the
 * spatial and sample modes sharing one factor per channel / sample (plain and nhwc agreeing);
 * inference as the identity; the mask output; and the argument checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/random.h"
#include "tests/harness/harness.h"

static void tsr_run(tsr_op* op, const tsr_tensor* x, float* y, float* mask, tsr_threadpool* pool) {
  tsr_tensor outs[2] = {{x->desc, y}, {x->desc, mask}};
  tsr_check_status(tsr_op_run(op, 1, x, mask ? 2 : 1, outs, pool), tsr_status_success, tsr_op_describe(op));
}

int main(void) {
  /* Random123 kat_vectors: philox4x32 10, all zeros and the digits of pi. */
  const uint32_t zero_ctr[4] = {0, 0, 0, 0}, zero_key[2] = {0, 0}, zero_out[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
  const uint32_t pi_ctr[4] = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, pi_key[2] = {0xa4093822, 0x299f31d0};
  const uint32_t pi_out[4] = {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
  uint32_t out[4];
  tsr_philox4x32_10(zero_ctr, zero_key, out);
  tsr_check(memcmp(out, zero_out, sizeof(out)) == 0, "philox4x32-10 zeros", "%08x %08x %08x %08x", out[0], out[1], out[2], out[3]);
  tsr_philox4x32_10(pi_ctr, pi_key, out);
  tsr_check(memcmp(out, pi_out, sizeof(out)) == 0, "philox4x32-10 pi", "%08x %08x %08x %08x", out[0], out[1], out[2], out[3]);

  const size_t n = 1 << 20;
  const int64_t dims[] = {1 << 20};
  tsr_tensor x = {.data = tsr_guarded_alloc(n * sizeof(float))};
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, 1, dims);
  float* y1 = tsr_guarded_alloc(n * sizeof(float));
  float* y2 = tsr_guarded_alloc(n * sizeof(float));
  float* mask = tsr_guarded_alloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) ((float*)x.data)[i] = 1.0f;
  const float rates[] = {0.0f, 0.1f, 0.5f, 0.9f};
  for (size_t r = 0; r < 4; r++) {
    const float rate = rates[r];
    tsr_op* op = NULL;
    tsr_dropout_create(rate, tsr_dropout_elementwise, 1, 1234, &op);
    tsr_run(op, &x, y1, mask, NULL);
    double kept = 0, sum = 0;
    bool factors_ok = true;
    for (size_t i = 0; i < n; i++) {
      kept += y1[i] != 0.0f;
      sum += y1[i];
      factors_ok = factors_ok && mask[i] == y1[i] && (y1[i] == 0.0f || y1[i] == 1.0f / (1.0f - rate));
    }
    const double p = 1.0 - rate, sigma_kept = sqrt((double)n * p * (1 - p));
    const double sigma_mean = sqrt(rate / (1.0 - rate)) / sqrt((double)n);
    char what[80];
    snprintf(what, sizeof(what), "dropout rate %g", (double)rate);
    tsr_check(fabs(kept - n * p) <= 5 * sigma_kept + 0.5, what, "kept %.0f of %zu, expected %.0f +- %.0f", kept, n, n * p, 5 * sigma_kept);
    tsr_check(fabs(sum / n - 1.0) <= 5 * sigma_mean + 1e-6, what, "mean %.6f, expected 1 +- %.6f", sum / n, 5 * sigma_mean);
    tsr_check(factors_ok, what, "mask is not y / x, or a factor is neither 0 nor 1 / (1 - rate)");
    for (uint32_t threads = 2; threads <= 3; threads++) { /* bitwise identical on any thread count */
      tsr_threadpool* pool = NULL;
      tsr_threadpool_create(threads, &pool);
      tsr_run(op, &x, y2, NULL, pool);
      tsr_check(memcmp(y1, y2, n * sizeof(float)) == 0, what, "differs on %u threads", threads);
      tsr_threadpool_destroy(pool);
    }
    tsr_op_destroy(op);
    if (rate > 0.0f) { /* another seed, another mask */
      tsr_dropout_create(rate, tsr_dropout_elementwise, 1, 1235, &op);
      tsr_run(op, &x, y2, NULL, NULL);
      size_t differ = 0;
      for (size_t i = 0; i < n; i++) differ += y1[i] != y2[i];
      tsr_check(differ > n / 100, what, "seeds 1234 and 1235 differ in only %zu elements", differ);
      tsr_op_destroy(op);
    }
  }
  /* Inference: the identity, mask of ones. */
  {
    tsr_op* op = NULL;
    tsr_dropout_create(0.5f, tsr_dropout_elementwise, 0, 1, &op);
    tsr_rng rng = tsr_rng_seeded(3);
    tsr_fill_uniform(&rng, x.data, n, -1, 1);
    tsr_run(op, &x, y1, mask, NULL);
    size_t ones = 0;
    for (size_t i = 0; i < n; i++) ones += mask[i] == 1.0f;
    tsr_check(memcmp(y1, x.data, n * sizeof(float)) == 0 && ones == n, "dropout inference", "not the identity");
    tsr_op_destroy(op);
  }
  /* Spatial and sample modes: one factor per (sample, channel) / per sample; nhwc agrees. */
  {
    const int64_t d4[] = {8, 16, 5, 3};
    tsr_tensor a = {.data = x.data}, b = {.data = x.data};
    tsr_tensor_desc_init(&a.desc, tsr_dtype_f32, tsr_layout_plain, 4, d4);
    tsr_tensor_desc_init(&b.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, d4);
    const size_t count = 8 * 16 * 15;
    for (size_t i = 0; i < count; i++) ((float*)x.data)[i] = 1.0f;
    tsr_op* op = NULL;
    tsr_dropout_create(0.5f, tsr_dropout_spatial, 1, 99, &op);
    tsr_run(op, &a, y1, NULL, NULL);
    tsr_run(op, &b, y2, NULL, NULL);
    size_t uniform_planes = 0, agree = 0, dropped = 0;
    for (size_t s = 0; s < 8; s++)
      for (size_t c = 0; c < 16; c++) {
        bool same = true;
        for (size_t p = 0; p < 15; p++) {
          same = same && y1[(s * 16 + c) * 15 + p] == y1[(s * 16 + c) * 15];
          agree += y1[(s * 16 + c) * 15 + p] == y2[s * 16 * 15 + p * 16 + c];
        }
        uniform_planes += same;
        dropped += y1[(s * 16 + c) * 15] == 0.0f;
      }
    tsr_check(uniform_planes == 128 && agree == count && dropped > 20 && dropped < 108, "spatial dropout",
              "%zu of 128 channels uniform, %zu of %zu nhwc elements agree, %zu channels dropped",
              uniform_planes, agree, count, dropped);
    tsr_op_destroy(op);
    tsr_dropout_create(0.5f, tsr_dropout_sample, 1, 7, &op);
    tsr_run(op, &a, y1, NULL, NULL);
    size_t uniform_samples = 0;
    for (size_t s = 0; s < 8; s++) {
      bool same = true;
      for (size_t i = 0; i < 240; i++) same = same && y1[s * 240 + i] == y1[s * 240];
      uniform_samples += same;
    }
    tsr_check(uniform_samples == 8, "stochastic depth", "%zu of 8 samples uniform", uniform_samples);
    tsr_op_destroy(op);
  }
  /* Argument checks. */
  {
    tsr_op* op = (tsr_op*)0x1;
    tsr_check_status(tsr_dropout_create(1.0f, 0, 1, 0, &op), tsr_status_invalid_parameter, "rate 1");
    tsr_check(strstr(tsr_last_error_message(), "rate") != NULL, "rate message", "'%s'", tsr_last_error_message());
    tsr_check_status(tsr_dropout_create(-0.1f, 0, 1, 0, &op), tsr_status_invalid_parameter, "rate -0.1");
    tsr_check_status(tsr_dropout_create(NAN, 0, 1, 0, &op), tsr_status_invalid_parameter, "rate NaN");
    tsr_check_status(tsr_dropout_create(0.5f, 5, 1, 0, &op), tsr_status_invalid_parameter, "mode 5");
    tsr_check(op == (tsr_op*)0x1, "dropout create failures", "op written");
    tsr_dropout_create(0.5f, tsr_dropout_spatial, 1, 0, &op);
    tsr_fill_nan(y1, 16);
    const int64_t one[] = {16};
    tsr_tensor v = {.data = x.data};
    tsr_tensor_desc_init(&v.desc, tsr_dtype_f32, tsr_layout_plain, 1, one);
    tsr_tensor outs[1] = {{v.desc, y1}};
    tsr_check_status(tsr_op_run(op, 1, &v, 1, outs, NULL), tsr_status_invalid_parameter, "spatial on 1-D");
    tsr_check(isnan(y1[0]), "spatial on 1-D", "output written");
    tsr_op_destroy(op);
  }
  tsr_guarded_free(x.data);
  tsr_guarded_free(y1);
  tsr_guarded_free(y2);
  tsr_guarded_free(mask);
  return tsr_test_finish();
}
