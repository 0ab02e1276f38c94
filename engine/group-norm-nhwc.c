/* NHWC group / instance norm in three steps (group-norm-nhwc.h): per-channel sums of x - x_c and
 * its square (x_c the channel's value at the sample's first pixel) over blocks of pixels, in
 * parallel; per sample, the blocks' sums added and moved to each group's origin x0 (the group's
 * first channel at the first pixel) in double, giving the group's mean and rstd and each
 * channel's scale and shift; then every pixel block normalized in f32. */
#include "engine/group-norm-nhwc.h"

#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/error.h"
#include "kernels/f32-rowstats/f32-rowstats.h"
#include "threadpool/threadpool.h"

/* Pixels per task: about four tasks per thread (tsr_parallel_tile), and at least 16 KiB of x each. */
#define TSR_GROUP_NORM_MIN_FLOATS 4096
/* Floats of x per column-statistics call: 32 KiB in the cache, 4 KiB from memory, which asks
 * for the rows 32 KiB ahead (tsr_group_norm_nhwc_stats). */
#define TSR_GROUP_NORM_L1_FLOATS 8192
#define TSR_GROUP_NORM_CALL_FLOATS 1024
#define TSR_GROUP_NORM_AHEAD_FLOATS 8192

struct tsr_group_norm_nhwc_call {
  const struct tsr_group_norm_nhwc* p;
  const float* x; /* the first sample of the pass */
  float* y;
  size_t block_pixels, blocks;
  double* partial; /* [samples of a pass][blocks][2 channels]: per-channel sums of each pixel block */
  float* params;   /* [samples of a pass][3][channels]: origin x0 of the channel's group, scale, shift */
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
  /* The kernel walks its rows once per chunk of channels (a 64-byte line of each row, rows a
   * pixel apart). In the cache: rows of at most 32 KiB a call keep that re-walk in L1. From
   * memory that order defeats the hardware prefetchers (7 GB/s, a third of reading in order), so
   * calls take about 4 KiB (at least 4 rows) and each first asks for the rows 32 KiB ahead into
   * L2: 16 GB/s for ResNet-sized samples (Zen 4, 1 thread; docs/PERFORMANCE.md). */
  const size_t call_floats = p->from_memory ? TSR_GROUP_NORM_CALL_FLOATS : TSR_GROUP_NORM_L1_FLOATS;
  const size_t min_rows = p->from_memory ? 4 : 2;
  const size_t rows_per_call = call_floats / C > min_rows ? call_floats / C : min_rows;
  const size_t ahead_calls = TSR_GROUP_NORM_AHEAD_FLOATS / (rows_per_call * C);
  const size_t ahead = ahead_calls > 1 ? ahead_calls : 1;
  for (size_t r = 0; r < rows; r += rows_per_call) {
    const size_t take = rows - r < rows_per_call ? rows - r : rows_per_call, later = r + ahead * rows_per_call;
    if (p->from_memory && later < rows)
      tsr_prefetch_span(sample + (first + later) * C, (rows - later < take ? rows - later : take) * C * sizeof(float),
                        false);
    p->colstats(take, C, sample + (first + r) * C, C, sample, sums);
  }
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
  /* Samples a pass takes (statistics, moments, normalization): as many as fit a quarter of the
   * last-level cache, so the normalization reads x back from the cache, not from memory (a
   * sample's groups need all its pixels first); the whole batch when x fits. */
  const size_t sample_bytes = p->pixels * p->channels * sizeof(float);
  size_t samples = tsr_cpu_llc_bytes() / 4 / sample_bytes;
  samples = samples < 1 ? 1 : samples > p->batch ? p->batch : samples;
  size_t block_pixels = tsr_parallel_tile(pool, samples * p->pixels, p->channels, TSR_GROUP_NORM_MIN_FLOATS);
  if (block_pixels > p->pixels) block_pixels = p->pixels;
  struct tsr_group_norm_nhwc_call call = {.p = p, .block_pixels = block_pixels,
                                          .blocks = (p->pixels + block_pixels - 1) / block_pixels};
  size_t partial_bytes = 0; /* a product that overflows is refused like a failed allocation */
  if (tsr_mul_size(samples * call.blocks, 2 * p->channels * sizeof(double), &partial_bytes))
    call.partial = malloc(partial_bytes);
  call.params = malloc(samples * 3 * p->channels * sizeof(float));
  if (call.partial == NULL || call.params == NULL) {
    free(call.partial), free(call.params);
    return tsr_error(tsr_status_out_of_memory, "tsr_op_run(group_norm): out of memory for the nhwc statistics");
  }
  for (size_t n0 = 0; n0 < p->batch; n0 += samples) {
    const size_t count = p->batch - n0 < samples ? p->batch - n0 : samples;
    call.x = x + n0 * p->pixels * p->channels, call.y = y + n0 * p->pixels * p->channels;
    tsr_parallelize_2d(pool, tsr_group_norm_nhwc_stats, &call, count, call.blocks);
    /* the moments read x (the origins) before any task overwrites it when y is x */
    for (size_t n = 0; n < count; n++) tsr_group_norm_nhwc_moments(&call, n);
    tsr_parallelize_2d(pool, tsr_group_norm_nhwc_normalize, &call, count, call.blocks);
  }
  free(call.partial), free(call.params);
  return tsr_status_success;
}
