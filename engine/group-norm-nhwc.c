/* NHWC group / instance norm in three steps (group-norm-nhwc.h): per-channel sums of x - x_c and
 * its square (x_c the channel's value at the sample's first pixel) over blocks of pixels, in
 * parallel; per sample, the blocks' sums added and moved to each group's origin x0 (the group's
 * first channel at the first pixel) in double, giving the group's mean and rstd and each
 * channel's scale and shift; then every pixel block normalized in f32. */
#include "engine/group-norm-nhwc.h"

#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "kernels/f32-rowstats/f32-rowstats.h"
#include "threadpool/threadpool.h"

/* Pixels per task: about four tasks per thread (tsr_parallel_tile), and at least 16 KiB of x each. */
#define TSR_GROUP_NORM_MIN_FLOATS 4096
/* Floats of x per column-statistics call (32 KiB). */
#define TSR_GROUP_NORM_L1_FLOATS 8192

struct tsr_group_norm_nhwc_call {
  const struct tsr_group_norm_nhwc* p;
  const float* x;
  float* y;
  size_t block_pixels, blocks;
  double* partial; /* [batch][blocks][2 channels]: per-channel sums of each pixel block */
  float* params;   /* [batch][3][channels]: origin x0 of the channel's group, scale, shift */
};

/* The pixels of block `block`: the first one, and how many. */
static size_t tsr_group_norm_nhwc_block(const struct tsr_group_norm_nhwc_call* call, size_t block, size_t* first) {
  *first = block * call->block_pixels;
  return call->p->pixels - *first < call->block_pixels ? call->p->pixels - *first : call->block_pixels;
}

static void tsr_group_norm_nhwc_stats(void* context, size_t thread, size_t n, size_t block) {
  (void)thread;
  const struct tsr_group_norm_nhwc_call* call = context;
  const struct tsr_group_norm_nhwc* p = call->p;
  size_t first;
  const size_t C = p->channels, rows = tsr_group_norm_nhwc_block(call, block, &first);
  const float* sample = call->x + n * p->pixels * C;
  double* sums = call->partial + (n * call->blocks + block) * 2 * C;
  memset(sums, 0, 2 * C * sizeof(double));
  /* the kernel walks its rows once per chunk of channels: rows of at most 32 KiB per call keep
   * that re-walk in L1 */
  const size_t rows_per_call = TSR_GROUP_NORM_L1_FLOATS / C > 2 ? TSR_GROUP_NORM_L1_FLOATS / C : 2;
  for (size_t r = 0; r < rows; r += rows_per_call)
    p->colstats(rows - r < rows_per_call ? rows - r : rows_per_call, C, sample + (first + r) * C, C, sample, sums);
}

/* Sample n's channel sums (over all blocks) moved to each group's origin; the group's moments;
 * each channel's origin, scale and shift. */
static void tsr_group_norm_nhwc_moments(const struct tsr_group_norm_nhwc_call* call, size_t n) {
  const struct tsr_group_norm_nhwc* p = call->p;
  const size_t C = p->channels, per_group = C / p->groups;
  const float* sample = call->x + n * p->pixels * C;
  const double* partial = call->partial + n * call->blocks * 2 * C;
  float* origin = call->params + n * 3 * C;
  float *scale = origin + C, *shift = origin + 2 * C;
  const double P = (double)p->pixels;
  for (size_t g = 0; g < p->groups; g++) {
    const size_t c0 = g * per_group;
    const double x0 = sample[c0];
    double sums[2] = {0.0, 0.0};
    for (size_t c = c0; c < c0 + per_group; c++) {
      double s1 = 0.0, s2 = 0.0;
      for (size_t b = 0; b < call->blocks; b++) s1 += partial[b * 2 * C + c], s2 += partial[b * 2 * C + C + c];
      /* sums of x - x_c moved to x - x0: delta = x_c - x0 */
      const double delta = (double)sample[c] - x0;
      sums[0] += s1 + P * delta;
      sums[1] += s2 + 2.0 * delta * s1 + P * delta * delta;
    }
    double shifted_mean, inverse;
    tsr_f32_rowstats_moments(p->pixels * per_group, sums, p->epsilon, &shifted_mean, &inverse);
    for (size_t c = c0; c < c0 + per_group; c++) {
      origin[c] = sample[c0];
      scale[c] = (float)(inverse * (p->gamma != NULL ? (double)p->gamma[c] : 1.0));
      shift[c] = (float)((p->beta != NULL ? (double)p->beta[c] : 0.0) - shifted_mean * (double)scale[c]);
    }
  }
}

static void tsr_group_norm_nhwc_normalize(void* context, size_t thread, size_t n, size_t block) {
  (void)thread;
  const struct tsr_group_norm_nhwc_call* call = context;
  const struct tsr_group_norm_nhwc* p = call->p;
  size_t first;
  const size_t C = p->channels, rows = tsr_group_norm_nhwc_block(call, block, &first);
  const float* origin = call->params + n * 3 * C;
  const size_t at = (n * p->pixels + first) * C;
  p->affine->channelwise(rows, C, call->x + at, origin, origin + C, origin + 2 * C, call->y + at);
}

tsr_status tsr_group_norm_nhwc_run(const struct tsr_group_norm_nhwc* p, const float* x, float* y,
                                   tsr_threadpool* pool) {
  size_t block_pixels = tsr_parallel_tile(pool, p->batch * p->pixels, p->channels, TSR_GROUP_NORM_MIN_FLOATS);
  if (block_pixels > p->pixels) block_pixels = p->pixels;
  struct tsr_group_norm_nhwc_call call = {.p = p, .x = x, .y = y, .block_pixels = block_pixels,
                                          .blocks = (p->pixels + block_pixels - 1) / block_pixels};
  size_t partial_bytes = 0; /* a product that overflows is refused like a failed allocation */
  if (tsr_mul_size(p->batch * call.blocks, 2 * p->channels * sizeof(double), &partial_bytes))
    call.partial = malloc(partial_bytes);
  call.params = malloc(p->batch * 3 * p->channels * sizeof(float));
  if (call.partial == NULL || call.params == NULL) {
    free(call.partial), free(call.params);
    return tsr_error(tsr_status_out_of_memory, "tsr_op_run(group_norm): out of memory for the nhwc statistics");
  }
  tsr_parallelize_2d(pool, tsr_group_norm_nhwc_stats, &call, p->batch, call.blocks);
  /* the moments read x (the origins) before any task overwrites it when y is x */
  for (size_t n = 0; n < p->batch; n++) tsr_group_norm_nhwc_moments(&call, n);
  tsr_parallelize_2d(pool, tsr_group_norm_nhwc_normalize, &call, p->batch, call.blocks);
  free(call.partial), free(call.params);
  return tsr_status_success;
}
