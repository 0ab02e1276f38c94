/* NHWC group / instance norm in four steps (group-norm-nhwc.h): per channel an origin, the mean of
 * up to 32 pixels spread over the sample; per-channel sums of x - origin and of its square over
 * blocks of pixels, in parallel (f32-colstats' blocked form); per sample, the blocks' sums added,
 * checked, and moved to each group's origin x0 (the origin of its first channel) in double, giving
 * the group's mean and rstd and each channel's scale and shift; then every pixel block normalized
 * in f32. A pass whose f32 sums the check does not trust is taken again in double.
 *
 * The bound in tessera.h, u = 2^-24: with every origin within a deviation of its channel's mean
 * (sum d_c^2 <= 2 P var_c), the blocked sums' errors (f32-colstats.h: 5u sum |d|, 7u sum d^2) move
 * the group's variance V (n elements, mean M; d/d s1_c of V is 2 (o_c - M) / n) by at most
 * 7u (1/n) sum d^2 + 10u (1/n) sum_c |o_c - M| sum |d_c| <= 14u V + 17.1u V, so rstd by 7.8 x 2^-23
 * of itself, and M by 5u (1/n) sum |d| <= 3.6 x 2^-23 sqrt(V): 8 |(x - mean) s| and 4 |gamma| on
 * top of the f32 normalization's 3 x 2^-23 (|(x - mean) s| + |beta| + |(mean - x0) s|). */
#include "engine/group-norm-nhwc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/error.h"
#include "kernels/f32-rowstats/f32-rowstats.h"
#include "threadpool/threadpool.h"

/* Pixels per task: about four tasks per thread (tsr_parallel_tile), and at least 16 KiB of x each. */
#define TSR_GROUP_NORM_MIN_FLOATS 4096
/* Pixels whose mean is a channel's origin: its distance from the channel's mean is then about a
 * sixth of a deviation for independent values (the blocked statistics need under one). */
#define TSR_GROUP_NORM_ORIGIN_PIXELS 32
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
  float* origins;  /* [samples of a pass][channels]: each channel's origin */
  float* params;   /* [samples of a pass][3][channels]: origin x0 of the channel's group, scale, shift */
  bool exact;      /* the statistics in double (the pass's blocked sums were not trusted) */
};

/* The pixels of block `block`: the first one, and how many. */
static size_t tsr_group_norm_nhwc_block(const struct tsr_group_norm_nhwc_call* call, size_t block, size_t* first) {
  *first = block * call->block_pixels;
  return call->p->pixels - *first < call->block_pixels ? call->p->pixels - *first : call->block_pixels;
}

/* Sample n's channel origins: o = x_a + mean(x_i - x_a) over the chosen pixels i, a the first of
 * them, so that a constant channel gets its value exactly (no d then, and no doubt). */
static void tsr_group_norm_nhwc_origins(void* context, size_t thread, size_t n) {
  (void)thread;
  const struct tsr_group_norm_nhwc_call* call = context;
  const size_t C = call->p->channels, P = call->p->pixels;
  const size_t count = P < TSR_GROUP_NORM_ORIGIN_PIXELS ? P : TSR_GROUP_NORM_ORIGIN_PIXELS;
  const float* sample = call->x + n * P * C;
  float* origin = call->origins + n * C;
  /* from memory the rows are asked for together first: one at a time, each waited its turn */
  if (call->p->from_memory)
    for (size_t i = 0; i < count; i++) tsr_prefetch_span(sample + i * P / count * C, C * sizeof(float), false);
  memset(origin, 0, C * sizeof(float));
  for (size_t i = 1; i < count; i++) {
    const float* row = sample + i * P / count * C;
    for (size_t c = 0; c < C; c++) origin[c] += row[c] - sample[c];
  }
  for (size_t c = 0; c < C; c++) origin[c] = sample[c] + origin[c] / (float)count;
}

static void tsr_group_norm_nhwc_stats(void* context, size_t thread, size_t n, size_t block) {
  (void)thread;
  const struct tsr_group_norm_nhwc_call* call = context;
  const struct tsr_group_norm_nhwc* p = call->p;
  size_t first;
  const size_t C = p->channels, rows = tsr_group_norm_nhwc_block(call, block, &first);
  const float* sample = call->x + n * p->pixels * C;
  const float* origin = call->origins + n * C;
  const tsr_f32_colstats_ukernel_fn colstats = call->exact ? p->colstats : p->colstats_blocked;
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
    colstats(take, C, sample + (first + r) * C, C, origin, sums);
  }
}

/* Sample n's channel sums added over its blocks (into block 0's); whether blocked sums are to be
 * trusted (f32-colstats.h): finite, and each channel's origin within a deviation of its mean,
 * (E[d])^2 <= var, i.e. 2 s1^2 <= P s2 (the bound in tessera.h assumes it). */
static bool tsr_group_norm_nhwc_totals(const struct tsr_group_norm_nhwc_call* call, size_t n) {
  const size_t C = call->p->channels;
  double* total = call->partial + n * call->blocks * 2 * C;
  for (size_t b = 1; b < call->blocks; b++)
    for (size_t c = 0; c < 2 * C; c++) total[c] += total[b * 2 * C + c];
  const double P = (double)call->p->pixels;
  bool trusted = true;
  for (size_t c = 0; c < C; c++) {
    const double s1 = total[c], s2 = total[C + c];
    trusted &= __builtin_isfinite(s1) && __builtin_isfinite(s2) && 2.0 * s1 * s1 <= P * s2;
  }
  return trusted;
}

/* Sample n's channel totals moved to each group's origin; the group's moments; each channel's
 * origin, scale and shift. False where a group's var + epsilon is under 2^-100: blocked sums of
 * subnormal squares are not to be trusted there. */
static bool tsr_group_norm_nhwc_moments(const struct tsr_group_norm_nhwc_call* call, size_t n) {
  const struct tsr_group_norm_nhwc* p = call->p;
  const size_t C = p->channels, per_group = C / p->groups;
  const double* total = call->partial + n * call->blocks * 2 * C;
  const float* channel_origin = call->origins + n * C;
  float* origin = call->params + n * 3 * C;
  float *scale = origin + C, *shift = origin + 2 * C;
  const double P = (double)p->pixels;
  bool trusted = true;
  for (size_t g = 0; g < p->groups; g++) {
    const size_t c0 = g * per_group;
    const double x0 = channel_origin[c0];
    double sums[2] = {0.0, 0.0};
    for (size_t c = c0; c < c0 + per_group; c++) {
      /* sums of x - o_c moved to x - x0: delta = o_c - x0 */
      const double s1 = total[c], s2 = total[C + c], delta = (double)channel_origin[c] - x0;
      sums[0] += s1 + P * delta;
      sums[1] += s2 + 2.0 * delta * s1 + P * delta * delta;
    }
    double shifted_mean, inverse;
    tsr_f32_rowstats_moments(p->pixels * per_group, sums, p->epsilon, &shifted_mean, &inverse);
    trusted &= inverse <= 0x1p50;
    for (size_t c = c0; c < c0 + per_group; c++) {
      origin[c] = channel_origin[c0];
      scale[c] = (float)(inverse * (p->gamma != NULL ? (double)p->gamma[c] : 1.0));
      shift[c] = (float)((p->beta != NULL ? (double)p->beta[c] : 0.0) - shifted_mean * (double)scale[c]);
    }
  }
  return trusted;
}

/* The statistics of the pass's `count` samples, their moments and each channel's scale and shift:
 * in f32 blocks, and again in double for the whole pass where a sample's were not trusted. */
static void tsr_group_norm_nhwc_parameters(struct tsr_group_norm_nhwc_call* call, size_t count, tsr_threadpool* pool) {
  tsr_parallelize_1d(pool, tsr_group_norm_nhwc_origins, call, count);
  call->exact = call->p->colstats_blocked == call->p->colstats;
  for (;;) {
    tsr_parallelize_2d(pool, tsr_group_norm_nhwc_stats, call, count, call->blocks);
    bool trusted = true;
    for (size_t n = 0; n < count; n++) {
      trusted &= tsr_group_norm_nhwc_totals(call, n);
      trusted &= tsr_group_norm_nhwc_moments(call, n);
    }
    if (trusted || call->exact) return;
    call->exact = true;
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
  call.params = malloc(samples * 4 * p->channels * sizeof(float));
  call.origins = call.params != NULL ? call.params + samples * 3 * p->channels : NULL;
  if (call.partial == NULL || call.params == NULL) {
    free(call.partial), free(call.params);
    return tsr_error(tsr_status_out_of_memory, "tsr_op_run(group_norm): out of memory for the nhwc statistics");
  }
  for (size_t n0 = 0; n0 < p->batch; n0 += samples) {
    const size_t count = p->batch - n0 < samples ? p->batch - n0 : samples;
    call.x = x + n0 * p->pixels * p->channels, call.y = y + n0 * p->pixels * p->channels;
    tsr_group_norm_nhwc_parameters(&call, count, pool);
    tsr_parallelize_2d(pool, tsr_group_norm_nhwc_normalize, &call, count, call.blocks);
  }
  free(call.partial), free(call.params);
  return tsr_status_success;
}
