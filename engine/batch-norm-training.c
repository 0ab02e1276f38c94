/* Batch norm in training mode (batch-norm-training.h) in two passes over x (and dy): per-channel
 * sums (forward: f32-colstats' double form, of x - o and its square about each channel's first
 * element o; backward: f32-dnorm's sums of dy and dy (x - mean)), partial sums per task added in
 * double per channel, then every element through f32-dnorm's dx form, A dy + B (x - c) + K with
 * each channel's c, A, B and K (forward: dy is x, A = 0, c the mean rounded to f32 and K taking
 * back the rounding). Channels last, the rows are pixels of every channel, split into blocks of
 * pixels; plain, each (sample, channel) plane is handed to the kernels as rows of
 * TSR_BN_PLANE_LANES copies of its channel (c and the coefficients repeated), so the kernels'
 * vectors run along the plane. The reference loop went a channel at a time through strided
 * elements (32x64x56x56 on 1 thread: forward 13 ms plain, 141 ms nhwc; backward 30 and 130). */
#include "engine/batch-norm-training.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "threadpool/threadpool.h"

/* A plain plane as rows this wide: four AVX-512 vectors. */
#define TSR_BN_PLANE_LANES 64
/* Floats of each array a kernel call takes, and at least 4 rows. The kernels walk each chunk of
 * channels down their rows, a row apart; over more rows than this the walk left the hardware
 * prefetchers behind (calls of 2048 floats: 32x64x56x56 backward 10 ms against 5). Calls of one
 * row of many channels paid each chunk's set-up and sums for one row (1x2048x7x7 NHWC backward
 * 98 us against 70 in calls of 4 rows). */
#define TSR_BN_CALL_FLOATS 256
/* Floats a task takes at least. */
#define TSR_BN_MIN_FLOATS 4096

struct tsr_bn_call {
  const struct tsr_batch_norm_training* p;
  const float* dy;      /* the dx kernel's dy: dy, or x in the forward pass (A = 0) */
  const float* center;  /* [c]: forward, the origins, then the means rounded to f32; backward, the means */
  float* origins;       /* forward: center's buffer, which the coefficients' pass turns into the means */
  double* partial;      /* channels last: [blocks][2 c]; plain: [n c][2] */
  double* coefficients; /* [3][c]: A, B, K */
  double *batch_mean, *batch_variance; /* forward */
  size_t block_pixels, blocks;
};

/* Rows [first, first + count) of channels-last [rows][channels] through the sums (coefficients
 * NULL) or the dx kernel, in calls of about TSR_BN_CALL_FLOATS an array. */
static void tsr_bn_rows(const struct tsr_bn_call* call, size_t first, size_t count, size_t channels, const float* dy,
                        const float* x, const float* center, double* sums, const double* coefficients, float* out) {
  const struct tsr_batch_norm_training* p = call->p;
  const size_t per_call = TSR_BN_CALL_FLOATS / channels > 4 ? TSR_BN_CALL_FLOATS / channels : 4;
  for (size_t r = first; r < first + count; r += per_call) {
    const size_t take = first + count - r < per_call ? first + count - r : per_call, at = r * channels;
    if (coefficients != NULL)
      p->dx_kernel(take, channels, dy + at, x + at, channels, center, coefficients, out + at);
    else if (p->dy == NULL)
      p->colstats(take, channels, x + at, channels, center, sums);
    else
      p->sums(take, channels, dy + at, x + at, channels, center, sums);
  }
}

static void tsr_bn_block_sums(void* context, size_t thread, size_t block) {
  (void)thread;
  const struct tsr_bn_call* call = context;
  const struct tsr_batch_norm_training* p = call->p;
  const size_t first = block * call->block_pixels, pixels = p->n * p->s;
  double* sums = call->partial + block * 2 * p->c;
  memset(sums, 0, 2 * p->c * sizeof(double));
  tsr_bn_rows(call, first, pixels - first < call->block_pixels ? pixels - first : call->block_pixels, p->c, call->dy,
              p->x, call->center, sums, NULL, NULL);
}

static void tsr_bn_block_out(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  const struct tsr_bn_call* call = context;
  const struct tsr_batch_norm_training* p = call->p;
  tsr_bn_rows(call, first, count, p->c, call->dy, p->x, call->center, NULL, call->coefficients, p->out);
}

/* Plain planes [first, first + count) (plane = sample n c + channel): their sums into partial, or
 * their outputs. A plane is rows of TSR_BN_PLANE_LANES lanes of its one channel, then a last row
 * of the rest, each with its own copies of the channel's c and coefficients, only as many as the
 * plane uses (small planes, 7x7, are mostly this work). */
static void tsr_bn_planes(const struct tsr_bn_call* call, size_t first, size_t count, bool out) {
  const struct tsr_batch_norm_training* p = call->p;
  enum { lanes = TSR_BN_PLANE_LANES };
  const size_t rows = p->s / lanes, rest = p->s % lanes, at_rest = rows * lanes;
  float center[lanes];
  double full[3 * lanes], tail[3 * lanes], sums[2 * lanes], tail_sums[2 * lanes];
  for (size_t plane = first; plane < first + count; plane++) {
    const size_t c = plane % p->c, at = plane * p->s, copies = rows > 0 ? lanes : rest;
    const float *dy = call->dy + at, *x = p->x + at;
    for (size_t i = 0; i < copies; i++) center[i] = call->center[c];
    if (out) {
      for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < (rows > 0 ? lanes : 0); i++) full[k * lanes + i] = call->coefficients[k * p->c + c];
        for (size_t i = 0; i < rest; i++) tail[k * rest + i] = call->coefficients[k * p->c + c];
      }
      tsr_bn_rows(call, 0, rows, lanes, dy, x, center, NULL, full, p->out + at);
      if (rest > 0) tsr_bn_rows(call, 0, 1, rest, dy + at_rest, x + at_rest, center, NULL, tail, p->out + at + at_rest);
      continue;
    }
    double s1 = 0.0, s2 = 0.0;
    if (rows > 0) {
      memset(sums, 0, sizeof(sums));
      tsr_bn_rows(call, 0, rows, lanes, dy, x, center, sums, NULL, NULL);
      for (size_t i = 0; i < lanes; i++) s1 += sums[i], s2 += sums[lanes + i];
    }
    if (rest > 0) {
      memset(tail_sums, 0, 2 * rest * sizeof(double));
      tsr_bn_rows(call, 0, 1, rest, dy + at_rest, x + at_rest, center, tail_sums, NULL, NULL);
      for (size_t i = 0; i < rest; i++) s1 += tail_sums[i], s2 += tail_sums[rest + i];
    }
    call->partial[2 * plane] = s1, call->partial[2 * plane + 1] = s2;
  }
}

static void tsr_bn_plane_sums(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  tsr_bn_planes(context, first, count, false);
}

static void tsr_bn_plane_out(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  tsr_bn_planes(context, first, count, true);
}

/* Channels [first, first + count): their partial sums added, then A, B and K (and the forward's
 * statistics, the backward's dgamma and dbeta). */
static void tsr_bn_coefficients(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  const struct tsr_bn_call* call = context;
  const struct tsr_batch_norm_training* p = call->p;
  const size_t C = p->c;
  const double M = (double)(p->n * p->s);
  for (size_t c = first; c < first + count; c++) {
    double s1 = 0.0, s2 = 0.0;
    if (p->channels_last)
      for (size_t b = 0; b < call->blocks; b++)
        s1 += call->partial[b * 2 * C + c], s2 += call->partial[b * 2 * C + C + c];
    else
      for (size_t n = 0; n < p->n; n++) s1 += call->partial[2 * (n * C + c)], s2 += call->partial[2 * (n * C + c) + 1];
    const double gamma = p->gamma != NULL ? (double)p->gamma[c] : 1.0;
    if (p->dy == NULL) { /* forward: s1, s2 = the sums of x - o and (x - o)^2 */
      const double shift = s1 / M, mean = (double)call->center[c] + shift, biased = s2 / M - shift * shift;
      const double variance = biased > 0.0 ? biased : 0.0, rstd = 1.0 / sqrt(variance + p->epsilon);
      call->origins[c] = (float)mean;
      call->coefficients[c] = 0.0;
      call->coefficients[C + c] = rstd * gamma;
      call->coefficients[2 * C + c] =
          (p->beta != NULL ? (double)p->beta[c] : 0.0) + rstd * gamma * ((double)call->center[c] - mean);
      call->batch_mean[c] = mean, call->batch_variance[c] = variance;
      continue;
    }
    /* backward: s1 = sum dy, s2 = sum dy (x - mean) */
    const double rstd = 1.0 / sqrt((double)p->variance[c] + p->epsilon);
    call->coefficients[c] = gamma * rstd;
    call->coefficients[C + c] = -gamma * rstd * rstd * rstd * s2 / M;
    call->coefficients[2 * C + c] = -gamma * rstd * s1 / M;
    if (p->dgamma != NULL) p->dgamma[c] = (float)(s2 * rstd);
    if (p->dbeta != NULL) p->dbeta[c] = (float)s1;
  }
}

/* The two passes, with call->center set (the forward's origins or the backward's means). */
static tsr_status tsr_bn_execute(struct tsr_bn_call* call, tsr_threadpool* pool, const char* where) {
  const struct tsr_batch_norm_training* p = call->p;
  const size_t C = p->c, pixels = p->n * p->s;
  size_t partial_doubles = 2 * p->n * C, plane_tile = 0;
  if (p->channels_last) {
    call->block_pixels = tsr_parallel_tile(pool, pixels, C, TSR_BN_MIN_FLOATS);
    partial_doubles = (pixels + call->block_pixels - 1) / call->block_pixels * 2 * C;
    call->blocks = partial_doubles / (2 * C);
  } else {
    plane_tile = tsr_parallel_tile(pool, p->n * C, p->s, TSR_BN_MIN_FLOATS);
  }
  call->partial = malloc((partial_doubles + 3 * C) * sizeof(double));
  if (call->partial == NULL)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the per-channel sums", where);
  call->coefficients = call->partial + partial_doubles;
  if (p->channels_last)
    tsr_parallelize_1d(pool, tsr_bn_block_sums, call, call->blocks);
  else
    tsr_parallelize_1d_tile_1d(pool, tsr_bn_plane_sums, call, p->n * C, plane_tile);
  tsr_parallelize_1d_tile_1d(pool, tsr_bn_coefficients, call, C,
                             tsr_parallel_tile(pool, C, 2 * call->blocks + 2 * p->n, 1024));
  if (p->channels_last)
    tsr_parallelize_1d_tile_1d(pool, tsr_bn_block_out, call, pixels, call->block_pixels);
  else
    tsr_parallelize_1d_tile_1d(pool, tsr_bn_plane_out, call, p->n * C, plane_tile);
  free(call->partial);
  return tsr_status_success;
}

tsr_status tsr_batch_norm_forward_execute(const struct tsr_batch_norm_training* p, double* batch_mean,
                                          double* batch_variance, tsr_threadpool* pool, const char* where) {
  float* center = malloc(p->c * sizeof(float));
  if (center == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the channel origins", where);
  for (size_t c = 0; c < p->c; c++) center[c] = p->x[p->channels_last ? c : c * p->s];
  struct tsr_bn_call call = {.p = p, .dy = p->x, .center = center, .origins = center, .batch_mean = batch_mean,
                             .batch_variance = batch_variance};
  const tsr_status status = tsr_bn_execute(&call, pool, where);
  free(center);
  return status;
}

tsr_status tsr_batch_norm_backward_execute(const struct tsr_batch_norm_training* p, tsr_threadpool* pool,
                                           const char* where) {
  struct tsr_bn_call call = {.p = p, .dy = p->dy, .center = p->mean};
  return tsr_bn_execute(&call, pool, where);
}
