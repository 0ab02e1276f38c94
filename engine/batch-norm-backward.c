/* Batch norm backward in training mode (batch-norm-backward.h) in two passes over dy and x: the
 * per-channel sums (f32-dnorm's sums kernel; partial sums per task, added in double afterwards),
 * then dx (its dx kernel) with each channel's A, B and K. Channels last, the rows are pixels of
 * every channel, split into blocks of pixels; plain, each (sample, channel) plane is handed to the
 * kernels as rows of TSR_DNORM_PLANE_LANES copies of its channel (mean and coefficients
 * repeated), so the kernels' vectors run along the plane. The reference loop went a channel at a
 * time through strided elements (0.6-2.6 GB/s). */
#include "engine/batch-norm-backward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "threadpool/threadpool.h"

/* A plain plane as rows this wide: four AVX-512 vectors. */
#define TSR_DNORM_PLANE_LANES 64
/* Floats of each array (dy, x, dx) a kernel call takes, so that the kernel's walk down the rows
 * for each chunk of channels stays in L1. */
#define TSR_DNORM_CALL_FLOATS 256
/* Floats a task takes at least. */
#define TSR_DNORM_MIN_FLOATS 4096

struct tsr_dnorm_call {
  const struct tsr_batch_norm_backward* p;
  double* partial;      /* channels last: [blocks][2 c]; plain: [n c][2] */
  double* coefficients; /* [3][c]: A, B, K */
  size_t block_pixels, blocks;
};

/* Rows [first, first + count) of channels-last [rows][c] through the sums (coefficients NULL) or
 * the dx kernel, in calls of about TSR_DNORM_CALL_FLOATS a array. */
static void tsr_dnorm_rows(const struct tsr_batch_norm_backward* p, size_t first, size_t count, size_t channels,
                           const float* dy, const float* x, const float* mean, double* sums,
                           const double* coefficients, float* dx) {
  const size_t per_call = TSR_DNORM_CALL_FLOATS / channels > 1 ? TSR_DNORM_CALL_FLOATS / channels : 1;
  for (size_t r = first; r < first + count; r += per_call) {
    const size_t take = first + count - r < per_call ? first + count - r : per_call, at = r * channels;
    if (coefficients == NULL)
      p->sums(take, channels, dy + at, x + at, channels, mean, sums);
    else
      p->dx_kernel(take, channels, dy + at, x + at, channels, mean, coefficients, dx + at);
  }
}

static void tsr_dnorm_block_sums(void* context, size_t thread, size_t block) {
  (void)thread;
  const struct tsr_dnorm_call* call = context;
  const struct tsr_batch_norm_backward* p = call->p;
  const size_t first = block * call->block_pixels, pixels = p->n * p->s;
  double* sums = call->partial + block * 2 * p->c;
  memset(sums, 0, 2 * p->c * sizeof(double));
  tsr_dnorm_rows(p, first, pixels - first < call->block_pixels ? pixels - first : call->block_pixels, p->c, p->dy,
                 p->x, p->mean, sums, NULL, NULL);
}

static void tsr_dnorm_block_dx(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  const struct tsr_dnorm_call* call = context;
  const struct tsr_batch_norm_backward* p = call->p;
  tsr_dnorm_rows(p, first, count, p->c, p->dy, p->x, p->mean, NULL, call->coefficients, p->dx);
}

/* Plain planes [first, first + count) (plane = sample n c + channel): their sums into partial, or
 * dx. A plane is rows of TSR_DNORM_PLANE_LANES lanes of its one channel, then a last row of the
 * rest, each with its own copies of the channel's mean and coefficients. */
static void tsr_dnorm_planes(const struct tsr_dnorm_call* call, size_t first, size_t count, bool dx) {
  const struct tsr_batch_norm_backward* p = call->p;
  enum { lanes = TSR_DNORM_PLANE_LANES };
  const size_t rows = p->s / lanes, rest = p->s % lanes;
  float mean[lanes];
  double full[3 * lanes], tail[3 * lanes], sums[2 * lanes], tail_sums[2 * lanes];
  for (size_t plane = first; plane < first + count; plane++) {
    /* only as many copies as the plane's rows use: small planes (7x7) are mostly this work */
    const size_t c = plane % p->c, at = plane * p->s, copies = rows > 0 ? lanes : rest;
    for (size_t i = 0; i < copies; i++) mean[i] = p->mean[c];
    if (dx) {
      for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < (rows > 0 ? lanes : 0); i++) full[k * lanes + i] = call->coefficients[k * p->c + c];
        for (size_t i = 0; i < rest; i++) tail[k * rest + i] = call->coefficients[k * p->c + c];
      }
      tsr_dnorm_rows(p, 0, rows, lanes, p->dy + at, p->x + at, mean, NULL, full, p->dx + at);
      if (rest > 0)
        p->dx_kernel(1, rest, p->dy + at + rows * lanes, p->x + at + rows * lanes, rest, mean, tail,
                     p->dx + at + rows * lanes);
      continue;
    }
    double s1 = 0.0, s2 = 0.0;
    if (rows > 0) {
      memset(sums, 0, sizeof(sums));
      tsr_dnorm_rows(p, 0, rows, lanes, p->dy + at, p->x + at, mean, sums, NULL, NULL);
      for (size_t i = 0; i < lanes; i++) s1 += sums[i], s2 += sums[lanes + i];
    }
    if (rest > 0) {
      memset(tail_sums, 0, 2 * rest * sizeof(double));
      p->sums(1, rest, p->dy + at + rows * lanes, p->x + at + rows * lanes, rest, mean, tail_sums);
      for (size_t i = 0; i < rest; i++) s1 += tail_sums[i], s2 += tail_sums[rest + i];
    }
    call->partial[2 * plane] = s1, call->partial[2 * plane + 1] = s2;
  }
}

/* Channels [first, first + count): their partial sums added (sum dy, sum dy (x - mean)), A, B
 * and K, dgamma and dbeta. */
static void tsr_dnorm_coefficients(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  const struct tsr_dnorm_call* call = context;
  const struct tsr_batch_norm_backward* p = call->p;
  const size_t C = p->c;
  const double M = (double)(p->n * p->s);
  for (size_t c = first; c < first + count; c++) {
    double s1 = 0.0, s2 = 0.0;
    if (p->channels_last)
      for (size_t b = 0; b < call->blocks; b++)
        s1 += call->partial[b * 2 * C + c], s2 += call->partial[b * 2 * C + C + c];
    else
      for (size_t n = 0; n < p->n; n++) s1 += call->partial[2 * (n * C + c)], s2 += call->partial[2 * (n * C + c) + 1];
    const double rstd = 1.0 / sqrt((double)p->variance[c] + p->epsilon);
    const double gamma = p->gamma != NULL ? (double)p->gamma[c] : 1.0;
    call->coefficients[c] = gamma * rstd;
    call->coefficients[C + c] = -gamma * rstd * rstd * rstd * s2 / M;
    call->coefficients[2 * C + c] = -gamma * rstd * s1 / M;
    if (p->dgamma != NULL) p->dgamma[c] = (float)(s2 * rstd);
    if (p->dbeta != NULL) p->dbeta[c] = (float)s1;
  }
}

static void tsr_dnorm_plane_sums(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  tsr_dnorm_planes(context, first, count, false);
}

static void tsr_dnorm_plane_dx(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  tsr_dnorm_planes(context, first, count, true);
}

tsr_status tsr_batch_norm_backward_execute(const struct tsr_batch_norm_backward* p, tsr_threadpool* pool,
                                           const char* where) {
  const size_t C = p->c, pixels = p->n * p->s;
  struct tsr_dnorm_call call = {.p = p};
  size_t partial_doubles = 2 * p->n * C, plane_tile = 0;
  if (p->channels_last) {
    call.block_pixels = tsr_parallel_tile(pool, pixels, C, TSR_DNORM_MIN_FLOATS);
    partial_doubles = (pixels + call.block_pixels - 1) / call.block_pixels * 2 * C;
  } else {
    plane_tile = tsr_parallel_tile(pool, p->n * C, p->s, TSR_DNORM_MIN_FLOATS);
  }
  call.partial = malloc((partial_doubles + 3 * C) * sizeof(double));
  if (call.partial == NULL)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the per-channel sums", where);
  call.coefficients = call.partial + partial_doubles;
  const size_t blocks = p->channels_last ? partial_doubles / (2 * C) : 0;
  if (p->channels_last)
    tsr_parallelize_1d(pool, tsr_dnorm_block_sums, &call, blocks);
  else
    tsr_parallelize_1d_tile_1d(pool, tsr_dnorm_plane_sums, &call, p->n * C, plane_tile);
  call.blocks = blocks;
  tsr_parallelize_1d_tile_1d(pool, tsr_dnorm_coefficients, &call, C,
                             tsr_parallel_tile(pool, C, 2 * blocks + 2 * p->n, 1024));
  if (p->channels_last)
    tsr_parallelize_1d_tile_1d(pool, tsr_dnorm_block_dx, &call, pixels, call.block_pixels);
  else
    tsr_parallelize_1d_tile_1d(pool, tsr_dnorm_plane_dx, &call, p->n * C, plane_tile);
  free(call.partial);
  return tsr_status_success;
}
