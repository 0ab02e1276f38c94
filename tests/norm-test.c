/* Layer, batch (inference and training), group and instance norm. Each is checked against a
 * direct computation written here (Welford statistics in double, independent of the library's
 * two-pass reference) with tolerance 2e-6 relative + 2e-6 absolute on inputs in [-10, 10];
 * against oneDNN's layer and batch normalization (inference with global statistics, and
 * training, whose batch mean and variance are compared too) at 1e-5; running statistics against
 * values worked by hand for both momentum conventions; layouts plain and nhwc, 2-D to 5-D,
 * 1 to 3 threads, in place; and every bad argument. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "engine/cpu.h"
#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

#define TSR_ATOL 2e-6
#define TSR_RTOL 2e-6

/* Normalizes the elements at offsets[0..count) of x into y (Welford mean and variance). */
static void tsr_normalize_direct(const float* x, float* y, const size_t* offsets, const size_t* affine,
                                 size_t count, const float* gamma, const float* beta, double eps) {
  double mean = 0.0, m2 = 0.0;
  for (size_t i = 0; i < count; i++) {
    const double v = x[offsets[i]], delta = v - mean;
    mean += delta / (double)(i + 1);
    m2 += delta * (v - mean);
  }
  const double inverse = 1.0 / sqrt(m2 / (double)count + eps);
  for (size_t i = 0; i < count; i++)
    y[offsets[i]] = (float)((x[offsets[i]] - mean) * inverse * (gamma ? gamma[affine[i]] : 1.0) +
                            (beta ? beta[affine[i]] : 0.0));
}

/* Offset of (n, c, s) in an [N, C, spatial] tensor of the given layout. */
static size_t tsr_at(const tsr_tensor_desc* d, size_t n, size_t c, size_t s) {
  const size_t C = (size_t)d->dims[1];
  size_t S = 1;
  for (int k = 2; k < d->ndims; k++) S *= (size_t)d->dims[k];
  return d->layout == tsr_layout_nhwc ? n * S * C + s * C + c : n * C * S + c * S + s;
}

static size_t tsr_spatial(const tsr_tensor_desc* d) {
  size_t S = 1;
  for (int k = 2; k < d->ndims; k++) S *= (size_t)d->dims[k];
  return S;
}

struct tsr_buffers {
  tsr_tensor x, y;
  float* expected;
  size_t n;
};

static struct tsr_buffers tsr_buffers_make(tsr_rng* rng, const tsr_tensor_desc* d) {
  struct tsr_buffers b = {{*d, NULL}, {*d, NULL}, NULL, tsr_tensor_desc_elements(d)};
  b.x.data = tsr_guarded_alloc(b.n * sizeof(float));
  b.y.data = tsr_guarded_alloc(b.n * sizeof(float));
  b.expected = tsr_guarded_alloc(b.n * sizeof(float));
  tsr_fill_uniform(rng, b.x.data, b.n, -10.0f, 10.0f);
  tsr_fill_nan(b.y.data, b.n);
  return b;
}

static void tsr_buffers_free(struct tsr_buffers* b) {
  tsr_guarded_free(b->x.data);
  tsr_guarded_free(b->y.data);
  tsr_guarded_free(b->expected);
}

/* Runs `op`, compares with b->expected, then runs in place and compares again. */
static void tsr_run_and_compare(tsr_op* op, struct tsr_buffers* b, tsr_threadpool* pool, const char* what) {
  char label[256];
  snprintf(label, sizeof(label), "%s %s threads %u", tsr_op_describe(op), what, tsr_threadpool_threads(pool));
  tsr_check_status(tsr_op_run(op, 1, &b->x, 1, &b->y, pool), tsr_status_success, label);
  tsr_check_close(label, b->y.data, b->expected, b->n, TSR_ATOL, TSR_RTOL);
  tsr_check_status(tsr_op_run(op, 1, &b->x, 1, &b->x, pool), tsr_status_success, label);
  tsr_check_close(label, b->x.data, b->expected, b->n, TSR_ATOL, TSR_RTOL);
}

/* The fused residual: y = LN(x + r) against the direct normalization of the f32 sum, the kept
 * sum (outputs[1]) exactly x + r, with and without outputs[1], and in place (y is x); then a
 * residual of other dims, and outputs[1] without a residual, are refused with y untouched. */
static void tsr_test_layer_norm_residual(tsr_op* op, struct tsr_buffers* b, size_t length, const float* gamma,
                                         const float* beta, tsr_threadpool* pool, tsr_rng* rng) {
  const size_t n = b->n;
  float* x = malloc(n * sizeof(float));
  float* r = malloc(n * sizeof(float));
  float* sum = malloc(n * sizeof(float));
  float* expected_sum = malloc(n * sizeof(float));
  float* expected = malloc(n * sizeof(float));
  size_t* offsets = malloc(length * sizeof(size_t));
  size_t* index = malloc(length * sizeof(size_t));
  tsr_fill_uniform(rng, x, n, -10.0f, 10.0f);
  tsr_fill_uniform(rng, r, n, -10.0f, 10.0f);
  for (size_t i = 0; i < n; i++) expected_sum[i] = x[i] + r[i];
  for (size_t row = 0; row < n / length; row++) {
    for (size_t i = 0; i < length; i++) offsets[i] = row * length + i, index[i] = i;
    tsr_normalize_direct(expected_sum, expected, offsets, index, length, gamma, beta, 1e-5);
  }
  tsr_tensor ins[2] = {b->x, b->x}, outs[2] = {b->y, b->y};
  ins[0].data = x, ins[1].data = r, outs[1].data = sum;
  char label[256];
  snprintf(label, sizeof(label), "%s fused residual", tsr_op_describe(op));
  tsr_fill_nan(b->y.data, n);
  tsr_fill_nan(sum, n);
  tsr_check_status(tsr_op_run(op, 2, ins, 2, outs, pool), tsr_status_success, label);
  tsr_check_close(label, b->y.data, expected, n, TSR_ATOL, TSR_RTOL);
  tsr_check_close("layer norm's kept sum x + residual", sum, expected_sum, n, 0.0, 0.0);
  tsr_fill_nan(b->y.data, n);
  tsr_check_status(tsr_op_run(op, 2, ins, 1, outs, pool), tsr_status_success, label);
  tsr_check_close("layer norm fused residual, no kept sum", b->y.data, expected, n, TSR_ATOL, TSR_RTOL);
  outs[0].data = x; /* in place: y is x */
  tsr_check_status(tsr_op_run(op, 2, ins, 1, outs, pool), tsr_status_success, label);
  tsr_check_close("layer norm fused residual in place", x, expected, n, TSR_ATOL, TSR_RTOL);
  /* refusals */
  tsr_fill_nan(b->y.data, n);
  outs[0].data = b->y.data;
  tsr_tensor wrong = ins[1];
  const int64_t other[2] = {1, (int64_t)n + 1};
  tsr_tensor_desc_init(&wrong.desc, tsr_dtype_f32, tsr_layout_plain, 2, other);
  const tsr_tensor bad_ins[2] = {ins[0], wrong};
  tsr_check_status(tsr_op_run(op, 2, bad_ins, 1, outs, pool), tsr_status_invalid_parameter, "residual of other dims");
  tsr_check(strstr(tsr_last_error_message(), "inputs[1] (residual)") != NULL, "residual message", "'%s'",
            tsr_last_error_message());
  tsr_check_status(tsr_op_run(op, 1, ins, 2, outs, pool), tsr_status_invalid_parameter, "kept sum without residual");
  size_t written = 0;
  for (size_t i = 0; i < n; i++) written += !isnan(((float*)b->y.data)[i]);
  tsr_check(written == 0, "layer norm refused runs", "%zu outputs written", written);
  free(x), free(r), free(sum), free(expected_sum), free(expected), free(offsets), free(index);
}

static void tsr_test_layer_norm(tsr_threadpool* pool, tsr_rng* rng) {
  /* 401 x 768: x + y past half the 4 MiB LLC this test sets, so y is streamed (and so are the
   * residual forms); rows past TSR_F32_LNORM_SPAN, which the kernels and the residual take in blocks */
  const int64_t shapes[][3] = {{7, 1, 0},    {3, 768, 0},   {4, 5, 6},   {1, 1, 1},
                               {401, 768, 0}, {11, 1500, 0}, {3, 4, 1100}};
  const int32_t ranks[] = {2, 2, 3, 3, 2, 2, 3};
  for (size_t s = 0; s < sizeof(ranks) / sizeof(ranks[0]); s++)
    for (int32_t k = 1; k <= ranks[s] - 1 && k <= 2; k++)
      for (int affine = 0; affine < 2; affine++) {
        tsr_tensor_desc d;
        tsr_tensor_desc_init(&d, tsr_dtype_f32, tsr_layout_plain, ranks[s], shapes[s]);
        struct tsr_buffers b = tsr_buffers_make(rng, &d);
        size_t length = 1;
        for (int32_t i = 0; i < k; i++) length *= (size_t)shapes[s][ranks[s] - k + i];
        float gamma[768 * 6], beta[768 * 6];
        tsr_fill_uniform(rng, gamma, length, 0.5f, 2.0f);
        tsr_fill_uniform(rng, beta, length, -1.0f, 1.0f);
        size_t offsets[768 * 6], index[768 * 6];
        for (size_t row = 0; row < b.n / length; row++) {
          for (size_t i = 0; i < length; i++) offsets[i] = row * length + i, index[i] = i;
          tsr_normalize_direct(b.x.data, b.expected, offsets, index, length, affine ? gamma : NULL,
                               affine ? beta : NULL, 1e-5);
        }
        tsr_op* op = NULL;
        tsr_layer_norm_create(k, &shapes[s][ranks[s] - k], affine ? gamma : NULL, affine ? beta : NULL, 1e-5f, &op);
        tsr_run_and_compare(op, &b, pool, "");
        tsr_test_layer_norm_residual(op, &b, length, affine ? gamma : NULL, affine ? beta : NULL, pool, rng);
        tsr_op_destroy(op);
        tsr_buffers_free(&b);
      }
}

/* Batch norm inference, training, group norm: expected values for one [N, C, spatial] tensor. */
static void tsr_expected_sets(const tsr_tensor_desc* d, const float* x, float* y, size_t groups, bool per_channel,
                              const float* gamma, const float* beta, double eps) {
  const size_t N = (size_t)d->dims[0], C = (size_t)d->dims[1], S = tsr_spatial(d);
  static size_t offsets[1 << 16], affine[1 << 16];
  if (per_channel) { /* batch norm: one set per channel over N x S */
    for (size_t c = 0; c < C; c++) {
      size_t count = 0;
      for (size_t n = 0; n < N; n++)
        for (size_t s = 0; s < S; s++) offsets[count] = tsr_at(d, n, c, s), affine[count++] = c;
      tsr_normalize_direct(x, y, offsets, affine, count, gamma, beta, eps);
    }
    return;
  }
  const size_t per = C / groups;
  for (size_t n = 0; n < N; n++)
    for (size_t g = 0; g < groups; g++) {
      size_t count = 0;
      for (size_t c = g * per; c < (g + 1) * per; c++)
        for (size_t s = 0; s < S; s++) offsets[count] = tsr_at(d, n, c, s), affine[count++] = c;
      tsr_normalize_direct(x, y, offsets, affine, count, gamma, beta, eps);
    }
}

static void tsr_test_group_norm(tsr_threadpool* pool, tsr_rng* rng) {
  /* the 63-pixel planes reach the vector kernels' main loops, not only their tails; the last two
   * give NHWC several pixel blocks (so several tasks and partial sums per sample) and channel
   * counts past the column-statistics chunks with a tail */
  const int64_t shapes[][5] = {{2, 6, 0, 0, 0},  {3, 8, 5, 0, 0},   {2, 12, 3, 4, 0}, {1, 4, 2, 3, 2},
                               {2, 6, 7, 9, 0}, {1, 40, 30, 30, 0}, {2, 24, 9, 31, 0}};
  const int32_t ranks[] = {2, 3, 4, 5, 4, 4, 4};
  for (size_t s = 0; s < 7; s++)
    for (int layout = 0; layout < 2; layout++) {
      if (layout == 1 && ranks[s] < 3) continue;
      const int64_t C = shapes[s][1];
      for (int64_t groups = 1; groups <= C; groups++) {
        if (C % groups != 0) continue;
        tsr_tensor_desc d;
        tsr_tensor_desc_init(&d, tsr_dtype_f32, layout ? tsr_layout_nhwc : tsr_layout_plain, ranks[s], shapes[s]);
        struct tsr_buffers b = tsr_buffers_make(rng, &d);
        float gamma[64], beta[64];
        tsr_fill_uniform(rng, gamma, (size_t)C, 0.5f, 2.0f);
        tsr_fill_uniform(rng, beta, (size_t)C, -1.0f, 1.0f);
        tsr_expected_sets(&d, b.x.data, b.expected, (size_t)groups, false, gamma, beta, 1e-3);
        tsr_op* op = NULL;
        if (groups == C) tsr_instance_norm_create(C, gamma, beta, 1e-3f, &op);
        else tsr_group_norm_create(C, groups, gamma, beta, 1e-3f, &op);
        tsr_run_and_compare(op, &b, pool, tsr_layout_name(d.layout));
        /* far from zero, 1000 +- 0.5: an f32 mean alone would be off by 2e-4 after rstd; plain
         * groups take the layer-norm kernels' statistics (the mean as a float pair), whose stated
         * bound, 2^-23 (7 |(x - mean) rstd gamma| + 4 |gamma| + 3 |beta|) with |x - mean| <= 0.5,
         * rstd <= 3.5, |gamma| <= 2 and |beta| <= 1, is 4.3e-6 here; NHWC's, 2^-23 (11 |(x - mean)
         * s| + 4 |gamma| + 3 |beta| + 3 |(mean - x0) s|) with |mean - x0| <= 0.5 as well, 7.2e-6 */
        float* x = b.x.data;
        for (size_t i = 0; i < b.n; i++) x[i] = 1000.0f + tsr_rng_uniform(rng, -0.5f, 0.5f);
        tsr_expected_sets(&d, b.x.data, b.expected, (size_t)groups, false, gamma, beta, 1e-3);
        tsr_fill_nan(b.y.data, b.n);
        tsr_check_status(tsr_op_run(op, 1, &b.x, 1, &b.y, pool), tsr_status_success, "group norm far from zero");
        char label[200];
        snprintf(label, sizeof(label), "%s %s rows 1000 +- 0.5", tsr_op_describe(op), tsr_layout_name(d.layout));
        tsr_check_close(label, b.y.data, b.expected, b.n, layout ? 7.2e-6 : 4.3e-6, 0.0);
        tsr_op_destroy(op);
        tsr_buffers_free(&b);
      }
    }
}

/* NHWC group norm whose f32 column statistics must not be trusted, so that the pass is taken again
 * in double (engine/group-norm-nhwc.c): the 32 pixels a channel's origin is the mean of (pixel
 * i * P / 32) hold 1e4 and the others 0.3, putting the origin about 11 deviations from the
 * channel's mean, with d = 0.3 - 1e4 rounded the same way every time (sample 0: every channel;
 * sample 1: channel 1 only, the others -1..1); without the second pass y is off by up to 5e-4
 * here. And a sample of constant
 * channels with epsilon 1e-31 (instance norm's var + epsilon under 2^-100, where the blocked sums
 * are not trusted either). Tolerance: the bound in tessera.h, 2^-23 (11 |(x - mean) s| +
 * 4 |gamma| + 3 |beta| + 3 |(mean - x0) s|), with |(mean - x0) s| at most the largest
 * |(x - mean) s| (x0 is a mean of the group's values). */
/* 16 channels: a whole AVX-512 chunk (channels past the chunks are summed in double). Samples 3-5
 * are plain random ones: 6 samples put x and y past half the 4 MiB LLC this test sets, so they go
 * in passes of 4 and 2, the second pass in double taken for the first pass only. */
static void tsr_test_group_norm_far_origins(tsr_threadpool* pool, tsr_rng* rng) {
  const int64_t dims[4] = {6, 16, 64, 64};
  const size_t C = 16, P = 64 * 64;
  for (int64_t groups = 1; groups <= 16; groups *= 4) {
    tsr_tensor_desc d;
    tsr_tensor_desc_init(&d, tsr_dtype_f32, tsr_layout_nhwc, 4, dims);
    struct tsr_buffers b = tsr_buffers_make(rng, &d);
    float* x = b.x.data;
    tsr_fill_uniform(rng, x, b.n, -1.0f, 1.0f);
    for (size_t p = 0; p < P; p++)
      for (size_t c = 0; c < C; c++) x[p * C + c] = 0.3f, x[(P + p) * C + 1] = 0.3f;
    for (size_t i = 0; i < 32; i++)
      for (size_t c = 0; c < C; c++) x[(i * P / 32) * C + c] = 1e4f, x[(P + i * P / 32) * C + 1] = 1e4f;
    for (size_t i = 2 * P * C; i < 3 * P * C; i++) x[i] = (float)(i % C) - 1.5f;
    float gamma[16], beta[16];
    tsr_fill_uniform(rng, gamma, C, 0.5f, 2.0f);
    tsr_fill_uniform(rng, beta, C, -1.0f, 1.0f);
    tsr_expected_sets(&d, x, b.expected, (size_t)groups, false, gamma, beta, 1e-31);
    double largest = 0.0; /* the largest |(x - mean) s| */
    for (size_t i = 0; i < b.n; i++) {
      const double z = fabs((double)b.expected[i] - beta[i % C]);
      largest = z > largest ? z : largest;
    }
    const double bound = ldexp(14.0 * largest + 4.0 * 2.0 + 3.0 * 1.0, -23);
    tsr_op* op = NULL;
    tsr_group_norm_create((int64_t)C, groups, gamma, beta, 1e-31f, &op);
    char label[200];
    snprintf(label, sizeof(label), "%s nhwc, origins far from the mean, threads %u", tsr_op_describe(op),
             tsr_threadpool_threads(pool));
    tsr_check_status(tsr_op_run(op, 1, &b.x, 1, &b.y, pool), tsr_status_success, label);
    tsr_check_close(label, b.y.data, b.expected, b.n, bound, 0.0);
    tsr_op_destroy(op);
    tsr_buffers_free(&b);
  }
}

/* gamma, beta, mean and a positive variance for C channels. */
static void tsr_fill_batch_norm_parameters(tsr_rng* rng, size_t C, float* gamma, float* beta, float* mean, float* var) {
  tsr_fill_uniform(rng, gamma, C, 0.5f, 2.0f);
  tsr_fill_uniform(rng, beta, C, -1.0f, 1.0f);
  tsr_fill_uniform(rng, mean, C, -2.0f, 2.0f);
  tsr_fill_uniform(rng, var, C, 0.5f, 4.0f);
}

static void tsr_test_batch_norm(tsr_threadpool* pool, tsr_rng* rng) {
  /* 37 channels: past the vector kernels' two-vector and one-vector loops into their tails */
  const int64_t shapes[][4] = {{5, 3, 0, 0}, {2, 7, 9, 0}, {3, 16, 5, 5}, {2, 37, 6, 5}};
  const int32_t ranks[] = {2, 3, 4, 4};
  for (size_t s = 0; s < 4; s++)
    for (int layout = 0; layout < 2; layout++) {
      if (layout == 1 && ranks[s] < 3) continue;
      tsr_tensor_desc d;
      tsr_tensor_desc_init(&d, tsr_dtype_f32, layout ? tsr_layout_nhwc : tsr_layout_plain, ranks[s], shapes[s]);
      const size_t C = (size_t)shapes[s][1];
      float gamma[40], beta[40], mean[40], var[40];
      tsr_fill_batch_norm_parameters(rng, C, gamma, beta, mean, var);
      /* inference: y = (x - mean) / sqrt(var + eps) * gamma + beta, by hand per element */
      struct tsr_buffers b = tsr_buffers_make(rng, &d);
      for (size_t n = 0; n < (size_t)shapes[s][0]; n++)
        for (size_t c = 0; c < C; c++)
          for (size_t sp = 0; sp < tsr_spatial(&d); sp++) {
            const size_t at = tsr_at(&d, n, c, sp);
            b.expected[at] = (float)(((double)((float*)b.x.data)[at] - mean[c]) / sqrt((double)var[c] + 1e-5) * gamma[c] + beta[c]);
          }
      tsr_op* op = NULL;
      tsr_batch_norm_create((int64_t)C, mean, var, gamma, beta, 1e-5f, &op);
      tsr_run_and_compare(op, &b, pool, tsr_layout_name(d.layout));
      tsr_op_destroy(op);
      tsr_buffers_free(&b);
      /* training: batch statistics */
      b = tsr_buffers_make(rng, &d);
      tsr_expected_sets(&d, b.x.data, b.expected, 0, true, gamma, beta, 1e-5);
      tsr_batch_norm_training_create((int64_t)C, gamma, beta, 1e-5f, 0.1f, tsr_momentum_pytorch, &op);
      float rm[40] = {0}, rv[40], bm[40], bv[40];
      for (size_t c = 0; c < C; c++) rv[c] = 1.0f;
      const int64_t cd[] = {(int64_t)C};
      tsr_tensor vec = {0};
      tsr_tensor_desc_init(&vec.desc, tsr_dtype_f32, tsr_layout_plain, 1, cd);
      tsr_tensor ins[3] = {b.x, vec, vec}, outs[5] = {b.y, vec, vec, vec, vec};
      ins[1].data = rm, ins[2].data = rv, outs[1].data = rm, outs[2].data = rv, outs[3].data = bm, outs[4].data = bv;
      char label[200];
      snprintf(label, sizeof(label), "%s %s", tsr_op_describe(op), tsr_layout_name(d.layout));
      tsr_check_status(tsr_op_run(op, 3, ins, 5, outs, pool), tsr_status_success, label);
      tsr_check_close(label, b.y.data, b.expected, b.n, TSR_ATOL, TSR_RTOL);
      tsr_op_destroy(op);
      tsr_buffers_free(&b);
    }
}

/* Inference batch norm on an NHWC tensor larger than the last-level cache: the streaming-store
 * kernels, out of place and in place, against the formula per element. */
static void tsr_test_batch_norm_past_llc(tsr_threadpool* pool, tsr_rng* rng) {
  const size_t C = 32;
  /* an odd plane length, so that NCHW planes start at every offset from a vector boundary (the
   * streamed broadcast form's first elements go one at a time) */
  const size_t plane = tsr_cpu_llc_bytes() / (C * sizeof(float)) + 67;
  const int64_t dims[4] = {1, (int64_t)C, (int64_t)plane, 1};
  for (int nhwc = 0; nhwc <= 1; nhwc++) {
    tsr_tensor_desc d;
    tsr_tensor_desc_init(&d, tsr_dtype_f32, nhwc ? tsr_layout_nhwc : tsr_layout_plain, 4, dims);
    float gamma[32], beta[32], mean[32], var[32];
    tsr_fill_batch_norm_parameters(rng, C, gamma, beta, mean, var);
    struct tsr_buffers b = tsr_buffers_make(rng, &d);
    for (size_t i = 0; i < b.n; i++) {
      const size_t c = nhwc ? i % C : i / plane;
      b.expected[i] =
          (float)(((double)((float*)b.x.data)[i] - mean[c]) / sqrt((double)var[c] + 1e-5) * gamma[c] + beta[c]);
    }
    tsr_op* op = NULL;
    tsr_batch_norm_create((int64_t)C, mean, var, gamma, beta, 1e-5f, &op);
    tsr_run_and_compare(op, &b, pool, nhwc ? "nhwc past the LLC" : "nchw past the LLC");
    tsr_op_destroy(op);
    tsr_buffers_free(&b);
  }
}

/* Group and instance norm on tensors past half the last-level cache: the streaming-store affine
 * kernels (planes of an odd length, so they start at every offset from a vector boundary), plain
 * and nhwc, out of place and in place, against the double statistics per group. NHWC takes the
 * samples in passes of what fits a quarter of the LLC: samples past that (one a pass), and
 * batch 5 of samples that fit two a pass (passes of 2, 2, 1), and batch 6 of samples a sixteenth
 * of the LLC (passes of 3 and 3). */
static void tsr_test_group_norm_past_llc(tsr_threadpool* pool, tsr_rng* rng) {
  const size_t C = 32;
  const size_t planes[3] = {tsr_cpu_llc_bytes() / (2 * C * sizeof(float)) / 2 + 67,
                            tsr_cpu_llc_bytes() / 4 / 2 / (C * sizeof(float)) - 5,
                            tsr_cpu_llc_bytes() / 16 / (C * sizeof(float)) + 3};
  const int64_t batches[3] = {2, 5, 6};
  const int64_t group_counts[] = {8, 32}; /* groups within tsr_expected_sets' 65536 offsets */
  for (size_t shape = 0; shape < 3; shape++)
    for (int nhwc = 0; nhwc <= 1; nhwc++)
      for (size_t k = 0; k < 2; k++) {
        const int64_t dims[4] = {batches[shape], (int64_t)C, (int64_t)planes[shape], 1};
        tsr_tensor_desc d;
        tsr_tensor_desc_init(&d, tsr_dtype_f32, nhwc ? tsr_layout_nhwc : tsr_layout_plain, 4, dims);
        float gamma[32], beta[32];
        tsr_fill_uniform(rng, gamma, C, 0.5f, 2.0f);
        tsr_fill_uniform(rng, beta, C, -1.0f, 1.0f);
        struct tsr_buffers b = tsr_buffers_make(rng, &d);
        tsr_expected_sets(&d, b.x.data, b.expected, (size_t)group_counts[k], false, gamma, beta, 1e-3);
        tsr_op* op = NULL;
        tsr_group_norm_create((int64_t)C, group_counts[k], gamma, beta, 1e-3f, &op);
        tsr_run_and_compare(op, &b, pool, nhwc ? "nhwc past the LLC" : "nchw past the LLC");
        tsr_op_destroy(op);
        tsr_buffers_free(&b);
      }
}

/* Running statistics by hand: one channel, values 1, 2, 3, 6 (mean 3, biased var 3.5,
 * unbiased var 14/3), old running mean 1, var 2, momentum 0.1 (PyTorch) / 0.9 (Keras). */
static void tsr_test_running_statistics(void) {
  for (int convention = 0; convention < 2; convention++) {
    float x[4] = {1, 2, 3, 6}, y[4], rm = 1.0f, rv = 2.0f, bm, bv;
    const int64_t xd[] = {4, 1}, cd[] = {1};
    tsr_tensor tx = {.data = x}, ty = {.data = y}, v = {0};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 2, xd);
    ty.desc = tx.desc;
    tsr_tensor_desc_init(&v.desc, tsr_dtype_f32, tsr_layout_plain, 1, cd);
    tsr_tensor ins[3] = {tx, v, v}, outs[5] = {ty, v, v, v, v};
    ins[1].data = &rm, ins[2].data = &rv, outs[1].data = &rm, outs[2].data = &rv, outs[3].data = &bm, outs[4].data = &bv;
    tsr_op* op = NULL;
    tsr_batch_norm_training_create(1, NULL, NULL, 0.0f, convention ? 0.9f : 0.1f,
                                   convention ? tsr_momentum_keras : tsr_momentum_pytorch, &op);
    tsr_op_run(op, 3, ins, 5, outs, NULL);
    /* both conventions keep 0.9 of the old value here */
    const float expect_rm = 0.9f * 1.0f + 0.1f * 3.0f, expect_rv = (float)(0.9 * 2.0 + 0.1 * (14.0 / 3.0));
    tsr_check(fabsf(rm - expect_rm) < 1e-6f && fabsf(rv - expect_rv) < 1e-6f && bm == 3.0f && bv == 3.5f,
              convention ? "running statistics (keras, m 0.9)" : "running statistics (pytorch, m 0.1)",
              "mean %.9g (expected %.9g), var %.9g (expected %.9g), batch %g %g", (double)rm,
              (double)expect_rm, (double)rv, (double)expect_rv, (double)bm, (double)bv);
    const float normalized = (float)((1.0 - 3.0) / sqrt(3.5));
    tsr_check(fabsf(y[0] - normalized) < 1e-6f, "batch norm training by hand", "y[0] %g, expected %g", (double)y[0],
              (double)normalized);
    tsr_op_destroy(op);
  }
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_test_onednn(tsr_rng* rng) {
  /* layer norm over the last axis, with scale and shift */
  {
    const int64_t dims[] = {6, 64}, stat_dims[] = {6};
    tsr_tensor x = {0}, y = {0}, o = {0}, g = {0}, b = {0}, mean = {0}, var = {0};
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    y.desc = o.desc = x.desc;
    const int64_t cd[] = {64};
    tsr_tensor_desc_init(&g.desc, tsr_dtype_f32, tsr_layout_plain, 1, cd);
    b.desc = g.desc;
    tsr_tensor_desc_init(&mean.desc, tsr_dtype_f32, tsr_layout_plain, 1, stat_dims);
    var.desc = mean.desc;
    float xs[384], ys[384], os[384], gs[64], bs[64], ms[6], vs[6];
    tsr_fill_uniform(rng, xs, 384, -10, 10);
    tsr_fill_uniform(rng, gs, 64, 0.5f, 2);
    tsr_fill_uniform(rng, bs, 64, -1, 1);
    x.data = xs, y.data = ys, o.data = os, g.data = gs, b.data = bs, mean.data = ms, var.data = vs;
    tsr_op* op = NULL;
    tsr_layer_norm_create(1, &dims[1], gs, bs, 1e-5f, &op);
    tsr_op_run(op, 1, &x, 1, &y, NULL);
    dnnl_memory_desc_t md, stat_md;
    tsr_onednn_md(&x.desc, &md);
    tsr_onednn_md(&mean.desc, &stat_md);
    dnnl_layer_normalization_desc_t desc;
    dnnl_layer_normalization_forward_desc_init(&desc, dnnl_forward_training, &md, &stat_md, 1e-5f,
                                               dnnl_use_scale | dnnl_use_shift);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &x}, {DNNL_ARG_DST, &o}, {DNNL_ARG_SCALE, &g},
                                   {DNNL_ARG_SHIFT, &b}, {DNNL_ARG_MEAN, &mean}, {DNNL_ARG_VARIANCE, &var}};
    if (tsr_check(tsr_onednn_call_create(&call, &desc, NULL, 6, args) == 0, "oneDNN layer norm", "setup")) {
      tsr_onednn_call_execute(&call);
      tsr_check_close("layer norm vs oneDNN", ys, os, 384, 1e-5, 1e-5);
      tsr_onednn_call_destroy(&call);
    }
    tsr_op_destroy(op);
  }
  /* batch norm: inference with global statistics, and training (batch statistics out) */
  for (int layout = 0; layout < 2; layout++)
    for (int training = 0; training < 2; training++) {
      const int64_t dims[] = {4, 8, 5, 3}, cd[] = {8};
      tsr_tensor x = {0}, y = {0}, o = {0}, g = {0}, b = {0}, mean = {0}, var = {0};
      tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout ? tsr_layout_nhwc : tsr_layout_plain, 4, dims);
      y.desc = o.desc = x.desc;
      tsr_tensor_desc_init(&g.desc, tsr_dtype_f32, tsr_layout_plain, 1, cd);
      b.desc = mean.desc = var.desc = g.desc;
      float xs[480], ys[480], os[480], gs[8], bs[8], ms[8], vs[8], rm[8] = {0}, rv[8] = {0}, bm[8], bv[8];
      tsr_fill_uniform(rng, xs, 480, -10, 10);
      tsr_fill_uniform(rng, gs, 8, 0.5f, 2);
      tsr_fill_uniform(rng, bs, 8, -1, 1);
      tsr_fill_uniform(rng, ms, 8, -1, 1);
      tsr_fill_uniform(rng, vs, 8, 0.5f, 3);
      x.data = xs, y.data = ys, o.data = os, g.data = gs, b.data = bs, mean.data = ms, var.data = vs;
      tsr_op* op = NULL;
      if (training) {
        tsr_batch_norm_training_create(8, gs, bs, 1e-5f, 0.1f, tsr_momentum_pytorch, &op);
        tsr_tensor v = g;
        tsr_tensor ins[3] = {x, v, v}, outs[5] = {y, v, v, v, v};
        ins[1].data = rm, ins[2].data = rv, outs[1].data = rm, outs[2].data = rv, outs[3].data = bm, outs[4].data = bv;
        tsr_op_run(op, 3, ins, 5, outs, NULL);
      } else {
        tsr_batch_norm_create(8, ms, vs, gs, bs, 1e-5f, &op);
        tsr_op_run(op, 1, &x, 1, &y, NULL);
      }
      dnnl_memory_desc_t md;
      tsr_onednn_md(&x.desc, &md);
      dnnl_batch_normalization_desc_t desc;
      dnnl_batch_normalization_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, &md,
                                                 1e-5f, dnnl_use_scale | dnnl_use_shift | (training ? 0 : dnnl_use_global_stats));
      tsr_onednn_call call;
      const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &x}, {DNNL_ARG_DST, &o}, {DNNL_ARG_SCALE, &g},
                                     {DNNL_ARG_SHIFT, &b}, {DNNL_ARG_MEAN, &mean}, {DNNL_ARG_VARIANCE, &var}};
      char what[160];
      snprintf(what, sizeof(what), "%s %s vs oneDNN", tsr_op_describe(op), tsr_layout_name(x.desc.layout));
      if (tsr_check(tsr_onednn_call_create(&call, &desc, NULL, 6, args) == 0, what, "setup")) {
        tsr_onednn_call_execute(&call);
        tsr_check_close(what, ys, os, 480, 1e-5, 1e-5);
        if (training) {
          tsr_check_close("batch mean vs oneDNN", bm, ms, 8, 1e-5, 1e-5);
          tsr_check_close("batch variance vs oneDNN", bv, vs, 8, 1e-5, 1e-5);
        }
        tsr_onednn_call_destroy(&call);
      }
      tsr_op_destroy(op);
    }
}
#endif

static void tsr_test_errors(void) {
  tsr_op* op = (tsr_op*)0x1;
  const int64_t shape[] = {4}, bad_shape[] = {0};
  const float ones[4] = {1, 1, 1, 1}, negative[2] = {1, -1};
  tsr_check_status(tsr_layer_norm_create(1, NULL, NULL, NULL, 1e-5f, &op), tsr_status_invalid_parameter, "ln shape NULL");
  tsr_check_status(tsr_layer_norm_create(0, shape, NULL, NULL, 1e-5f, &op), tsr_status_invalid_parameter, "ln ndims 0");
  tsr_check_status(tsr_layer_norm_create(1, bad_shape, NULL, NULL, 1e-5f, &op), tsr_status_invalid_parameter, "ln extent 0");
  tsr_check_status(tsr_layer_norm_create(1, shape, NULL, NULL, -1.0f, &op), tsr_status_invalid_parameter, "ln epsilon -1");
  tsr_check(strstr(tsr_last_error_message(), "epsilon") != NULL, "epsilon message", "'%s'", tsr_last_error_message());
  tsr_check_status(tsr_layer_norm_create(1, shape, NULL, NULL, NAN, &op), tsr_status_invalid_parameter, "ln epsilon NaN");
  tsr_check_status(tsr_batch_norm_create(2, NULL, ones, NULL, NULL, 0, &op), tsr_status_invalid_parameter, "bn mean NULL");
  tsr_check_status(tsr_batch_norm_create(2, ones, negative, NULL, NULL, 0, &op), tsr_status_invalid_parameter, "bn negative variance");
  tsr_check(strstr(tsr_last_error_message(), "variance[1]") != NULL, "variance message", "'%s'", tsr_last_error_message());
  tsr_check_status(tsr_batch_norm_create(0, ones, ones, NULL, NULL, 0, &op), tsr_status_invalid_parameter, "bn channels 0");
  tsr_check_status(tsr_batch_norm_training_create(2, NULL, NULL, 0, 1.5f, 0, &op), tsr_status_invalid_parameter, "momentum 1.5");
  tsr_check_status(tsr_batch_norm_training_create(2, NULL, NULL, 0, 0.1f, 7, &op), tsr_status_invalid_parameter, "convention 7");
  tsr_check_status(tsr_group_norm_create(6, 4, NULL, NULL, 0, &op), tsr_status_invalid_parameter, "groups 4 of 6");
  tsr_check(strstr(tsr_last_error_message(), "divide") != NULL, "groups message", "'%s'", tsr_last_error_message());
  tsr_check_status(tsr_group_norm_create(6, 0, NULL, NULL, 0, &op), tsr_status_invalid_parameter, "groups 0");
  tsr_check_status(tsr_instance_norm_create(-1, NULL, NULL, 0, &op), tsr_status_invalid_parameter, "instance channels -1");
  tsr_check(op == (tsr_op*)0x1, "norm create failures", "op written");

  /* run-time mismatches leave the output alone */
  float x[24] = {0}, y[24];
  tsr_fill_nan(y, 24);
  const int64_t dims[] = {2, 3, 4}, blocked[] = {1, 3, 2, 2};
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, dims);
  ty.desc = tx.desc;
  tsr_op* ln = NULL, *bn = NULL, *gn = NULL, *bnt = NULL;
  tsr_layer_norm_create(1, (const int64_t[]){5}, NULL, NULL, 0, &ln);
  tsr_check_status(tsr_op_run(ln, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "ln last dim 4 vs 5");
  tsr_batch_norm_create(4, ones, ones, NULL, NULL, 0, &bn);
  tsr_check_status(tsr_op_run(bn, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "bn 3 channels vs 4");
  tsr_check(strstr(tsr_last_error_message(), "channels") != NULL, "bn channels message", "'%s'", tsr_last_error_message());
  tsr_group_norm_create(3, 3, NULL, NULL, 0, &gn);
  tsr_tensor tb = tx, ub = ty;
  tsr_tensor_desc_init(&tb.desc, tsr_dtype_f32, tsr_layout_nchw8c, 4, blocked);
  ub.desc = tb.desc;
  float big[32] = {0}, big_out[32];
  tb.data = big, ub.data = big_out;
  tsr_check_status(tsr_op_run(gn, 1, &tb, 1, &ub, NULL), tsr_status_unsupported_parameter, "gn blocked");
  tsr_batch_norm_training_create(3, NULL, NULL, 0, 0.1f, 0, &bnt);
  const int64_t one_each[] = {1, 3}, cd[] = {3}, wrong[] = {4};
  tsr_tensor t1 = {.data = x}, u1 = {.data = y}, v = {.data = big}, w = {.data = big};
  tsr_tensor_desc_init(&t1.desc, tsr_dtype_f32, tsr_layout_plain, 2, one_each);
  u1.desc = t1.desc;
  tsr_tensor_desc_init(&v.desc, tsr_dtype_f32, tsr_layout_plain, 1, cd);
  tsr_tensor_desc_init(&w.desc, tsr_dtype_f32, tsr_layout_plain, 1, wrong);
  tsr_tensor ins[3] = {t1, v, v}, outs[5] = {u1, v, v, v, v};
  tsr_check_status(tsr_op_run(bnt, 3, ins, 5, outs, NULL), tsr_status_invalid_parameter, "bn training count 1");
  ins[0] = tx, outs[0] = ty, outs[4] = w;
  tsr_check_status(tsr_op_run(bnt, 3, ins, 5, outs, NULL), tsr_status_invalid_parameter, "bn training stat size");
  tsr_check(strstr(tsr_last_error_message(), "outputs[4]") != NULL, "stat message", "'%s'", tsr_last_error_message());
  tsr_check_untouched("norm failed runs", y, 24);
  tsr_op_destroy(ln);
  tsr_op_destroy(bn);
  tsr_op_destroy(gn);
  tsr_op_destroy(bnt);
}

/* tsr_batch_norm_fold: conv then batch norm (two ops) against the folded conv (one op), for a
 * grouped 2-D conv with bias and a 1-D conv without; gamma/beta given or NULL. The fold rounds
 * each weight once more and the conv sums in another order: 2e-5 relative plus 1e-5 absolute on
 * outputs of size ~10. Then the argument checks, with nothing written on failure. */
static void tsr_test_batch_norm_fold(tsr_rng* rng) {
  for (int variant = 0; variant < 2; variant++) {
    const int64_t ic = 6, oc = 4, groups = variant == 0 ? 2 : 1, k = 3;
    tsr_conv_params p = {0};
    p.spatial_ndims = variant == 0 ? 2 : 1;
    p.in_channels = ic, p.out_channels = oc, p.groups = groups;
    for (int d = 0; d < 3; d++) p.kernel[d] = k, p.stride[d] = 1, p.dilation[d] = 1;
    p.padding_mode = tsr_padding_same;
    const int64_t in_dims[4] = {2, ic, 5, 7};
    const int32_t ndims = p.spatial_ndims + 2;
    int64_t out_dims[4];
    tsr_conv_output_shape(&p, ndims, in_dims, out_dims);
    const int64_t per_channel = ic / groups * (variant == 0 ? k * k : k);
    float weights[4 * 27], bias[4], mean[4], variance[4], gamma[4], beta[4];
    tsr_fill_integers(rng, weights, (size_t)(oc * per_channel), -3, 3);
    tsr_fill_integers(rng, bias, 4, -2, 2);
    tsr_fill_uniform(rng, mean, 4, -1.0f, 1.0f);
    tsr_fill_uniform(rng, variance, 4, 0.1f, 2.0f);
    tsr_fill_uniform(rng, gamma, 4, 0.5f, 1.5f);
    tsr_fill_uniform(rng, beta, 4, -1.0f, 1.0f);
    tsr_tensor x = {0}, y = {0}, z = {0}, folded_y = {0};
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, ndims, in_dims);
    tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, tsr_layout_plain, ndims, out_dims);
    z.desc = folded_y.desc = y.desc;
    const size_t nx = tsr_tensor_desc_elements(&x.desc), ny = tsr_tensor_desc_elements(&y.desc);
    x.data = malloc(nx * sizeof(float));
    y.data = malloc(ny * sizeof(float));
    z.data = malloc(ny * sizeof(float));
    folded_y.data = malloc(ny * sizeof(float));
    tsr_fill_integers(rng, x.data, nx, -3, 3);
    const bool affine = variant == 0;
    tsr_op *conv = NULL, *bn = NULL, *folded = NULL;
    tsr_conv_create(&p, weights, variant == 0 ? bias : NULL, &conv);
    tsr_batch_norm_create(oc, mean, variance, affine ? gamma : NULL, affine ? beta : NULL, 1e-3f, &bn);
    tsr_op_run(conv, 1, &x, 1, &y, NULL);
    tsr_op_run(bn, 1, &y, 1, &z, NULL);
    float folded_bias[4] = {0, 0, 0, 0};
    if (variant == 0) memcpy(folded_bias, bias, sizeof(bias));
    tsr_check_status(tsr_batch_norm_fold(oc, per_channel, weights, folded_bias, mean, variance,
                                         affine ? gamma : NULL, affine ? beta : NULL, 1e-3f),
                     tsr_status_success, "tsr_batch_norm_fold");
    tsr_conv_create(&p, weights, folded_bias, &folded);
    tsr_fill_nan(folded_y.data, ny);
    tsr_op_run(folded, 1, &x, 1, &folded_y, NULL);
    tsr_check_close(variant == 0 ? "batch_norm_fold: grouped 2-D conv with bias, gamma, beta"
                                 : "batch_norm_fold: 1-D conv without bias, gamma, beta",
                    folded_y.data, z.data, ny, 1e-5, 2e-5);
    tsr_op_destroy(conv);
    tsr_op_destroy(bn);
    tsr_op_destroy(folded);
    free(x.data), free(y.data), free(z.data), free(folded_y.data);
  }
  float w[6] = {1, 2, 3, 4, 5, 6}, b[2] = {1, 1};
  const float mean[2] = {0, 0}, good[2] = {1, 1}, bad[2] = {1, -1};
  const struct { int64_t oc, per; float* w; float* b; const float* var; float eps; const char* fragment; } cases[] = {
      {2, 3, NULL, b, good, 0, "weights is NULL"}, {2, 3, w, NULL, good, 0, "bias is NULL"},
      {2, 3, w, b, NULL, 0, "variance is NULL"}, {0, 3, w, b, good, 0, "out_channels is 0"},
      {2, -1, w, b, good, 0, "weights_per_channel is -1"}, {2, 3, w, b, bad, 0, "variance[1]"},
      {2, 3, w, b, good, NAN, "epsilon"}, {INT64_MAX / 2, 8, w, b, good, 0, "overflows"}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    tsr_check_status(tsr_batch_norm_fold(cases[i].oc, cases[i].per, cases[i].w, cases[i].b, mean, cases[i].var,
                                         NULL, NULL, cases[i].eps),
                     tsr_status_invalid_parameter, cases[i].fragment);
    tsr_check(strstr(tsr_last_error_message(), cases[i].fragment) != NULL, cases[i].fragment, "message '%s'",
              tsr_last_error_message());
  }
  tsr_check(w[0] == 1 && w[5] == 6 && b[0] == 1 && b[1] == 1, "batch_norm_fold failure", "wrote its arguments");
}

int main(void) {
  tsr_test_small_llc("4M");
  tsr_test_errors();
  tsr_rng rng = tsr_rng_seeded(41);
  tsr_test_batch_norm_fold(&rng);
  for (uint32_t threads = 1; threads <= 3; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    tsr_test_layer_norm(pool, &rng);
    tsr_test_group_norm(pool, &rng);
    tsr_test_group_norm_far_origins(pool, &rng);
    tsr_test_batch_norm(pool, &rng);
    if (threads != 2) tsr_test_batch_norm_past_llc(pool, &rng);
    if (threads != 2) tsr_test_group_norm_past_llc(pool, &rng);
    tsr_threadpool_destroy(pool);
  }
  tsr_test_running_statistics();
#ifdef TSR_HAVE_ONEDNN
  tsr_test_onednn(&rng);
#endif
  return tsr_test_finish();
}
