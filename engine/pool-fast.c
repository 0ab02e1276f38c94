/* Fast pooling. Tasks: output rows (batch x the outer output dims) x channel blocks, every output
 * pixel of the row per task. Channels are split only when there are too few rows to give each
 * thread ~4 tasks (global pooling at batch 1 has one row), in blocks of whole 64-channel groups
 * so a block's loads stay in whole cache lines. A window's input pixels go to the kernel as row
 * pointers, at most TSR_POOL_TAPS_PER_CALL per call; a larger window (global pooling) is split,
 * each later part continuing from the earlier parts' result in y. Plain NCHW goes through NHWC
 * scratch: in slices of channels, one task each, a band of output rows at a time, when there
 * are enough of them for the threads or there is one thread; otherwise one batch item at a time
 * with threaded reorders (see tsr_pool_fast_run). */
#include "engine/pool-fast.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/pool-plain.h"
#include "engine/scratch.h"
#include "engine/transpose.h"
#include "threadpool/threadpool.h"

#define TSR_POOL_TAPS_PER_CALL 64
#define TSR_POOL_TASKS_PER_THREAD 4
#define TSR_POOL_CHANNEL_GRAIN 64
#define TSR_POOL_SLICE_MIN 16
#define TSR_POOL_PREFETCH_L1_ROW_BYTES ((size_t)16 << 10) /* see tsr_pool_fast_nhwc */

const struct tsr_f32_pool_entry* tsr_pool_fast_pick(void) {
  const char* forced = getenv("TESSERA_POOL");
  if (forced != NULL && strcmp(forced, "reference") == 0) return NULL;
  for (size_t i = 0; i < tsr_f32_pool_ukernel_count; i++)
    if (tsr_isa_allowed(tsr_f32_pool_ukernels[i].isa)) return &tsr_f32_pool_ukernels[i];
  return NULL;
}

struct tsr_pool_fast_call {
  const struct tsr_pool_geometry* g;
  tsr_f32_pool_ukernel_fn ukernel;
  size_t channels, channel_block;
  size_t interior_begin, interior_end; /* the output columns whose window lies inside the input along w */
  size_t rows_begin, rows_end; /* the output rows (along h) whose window lies inside the input along h */
  bool flat;          /* the interior as one run of channels: see tsr_pool_fast_nhwc */
  /* x and y past half the LLC (see tsr_pool_fast_nhwc): each row prefetches the input rows the
   * next row adds, and the kernels take pixels whole (tsr_f32_pool_params.from_memory) */
  bool from_memory;
  bool prefetch_l1;   /* into L1 (input rows past TSR_POOL_PREFETCH_L1_ROW_BYTES), else into L2 */
  bool stream;        /* the kernels store whole vectors around the caches: see tsr_pool_fast_nhwc */
  size_t batch;       /* images: the rows are batch x out[0] x out[1] */
  const float* x;
  float* y;
};

/* Output pixels (n, p0, p1, p2) + j steps for j < pixels, channels [c0, c0 + channels): the
 * window of the first as row pointers, in calls of at most TSR_POOL_TAPS_PER_CALL taps (a larger
 * window carries its partial result on in y). A step is the next pixel of the row (x_step =
 * stride x pixel stride, y_step = pixel stride) or, for images of one output pixel, the next image
 * (x_n, y_n). */
static void tsr_pool_fast_pixels(const struct tsr_pool_fast_call* call, size_t n, size_t p0, size_t p1, size_t p2,
                                 size_t pixels, size_t x_step, size_t y_step, size_t c0, size_t channels) {
  const struct tsr_pool_geometry* g = call->g;
  const float* x = call->x + n * g->x_n + c0;
  const float* rows[TSR_POOL_TAPS_PER_CALL];
  const size_t p[3] = {p0, p1, p2};
  int64_t start[3], end[3];
  const float divisor = (float)tsr_pool_window(g, p, start, end);
  float* y = call->y + n * g->y_n + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2] + c0;
  size_t left = (size_t)((end[0] - start[0]) * (end[1] - start[1]) * (end[2] - start[2])), count = 0;
  const float* previous = NULL;
  for (int64_t i0 = start[0]; i0 < end[0]; i0++)
    for (int64_t i1 = start[1]; i1 < end[1]; i1++)
      for (int64_t i2 = start[2]; i2 < end[2]; i2++) {
        rows[count++] = x + (size_t)i0 * g->x_s[0] + (size_t)i1 * g->x_s[1] + (size_t)i2 * g->x_s[2];
        left--;
        if (count == TSR_POOL_TAPS_PER_CALL || left == 0) {
          const struct tsr_f32_pool_params params = {left == 0 ? divisor : 1.0f, left == 0 && call->stream,
                                                    call->from_memory};
          call->ukernel(pixels, channels, count, rows, x_step, previous, y, y_step, &params);
          previous = y;
          count = 0;
        }
      }
}

/* Block `block` of the call's channels: its first channel, and how many (the last block may be short). */
static size_t tsr_pool_fast_block(const struct tsr_pool_fast_call* call, size_t block, size_t* c0) {
  *c0 = block * call->channel_block;
  return call->channels - *c0 < call->channel_block ? call->channels - *c0 : call->channel_block;
}

/* Prefetches the input rows that output row `row` (batch x out[0] x out[1] flattened) reads and
 * the row before it does not: along h the last `stride` rows of its window, in each input plane
 * of its window along d, every pixel and channel. Always inlined, as tsr_prefetch_span is: out
 * of line, with tsr_pool_window inlined into it, GCC 12 found it free of side effects and
 * dropped the calls (nChw8c 2x2 average at batch 8 on AVX2: 0.84x oneDNN instead of 1.1x). */
static inline __attribute__((always_inline)) void tsr_pool_fast_prefetch_row(const struct tsr_pool_fast_call* call,
                                                                             size_t row) {
  const struct tsr_pool_geometry* g = call->g;
  if (row >= call->batch * g->out[0] * g->out[1]) return;
  const size_t p1 = row % g->out[1], p0 = row / g->out[1] % g->out[0], n = row / (g->out[1] * g->out[0]);
  const size_t p[3] = {p0, p1, 0};
  int64_t start[3], end[3];
  tsr_pool_window(g, p, start, end);
  const int64_t first_new = end[1] - (int64_t)g->stride[1];
  const size_t bytes = g->in[2] * g->x_s[2] * sizeof(float);
  for (int64_t i0 = start[0]; i0 < end[0]; i0++)
    for (int64_t i1 = first_new > start[1] ? first_new : start[1]; i1 < end[1]; i1++)
      tsr_prefetch_span(call->x + n * g->x_n + (size_t)i0 * g->x_s[0] + (size_t)i1 * g->x_s[1], bytes,
                        call->prefetch_l1);
}

/* Rows [first_row, last)'s edge pixels (outside the interior), channels [c0, c0 + channels), one
 * column at a time down runs of rows whose windows are not clipped along h (one shape, moved by
 * the stride along h): one call a run instead of one a pixel. */
static void tsr_pool_fast_edges(const struct tsr_pool_fast_call* call, size_t first_row, size_t last, size_t c0,
                                size_t channels) {
  const struct tsr_pool_geometry* g = call->g;
  const size_t begin = call->interior_begin, end = call->interior_end, edges_from = end > begin ? end : begin;
  const size_t x_row_step = g->stride[1] * g->x_s[1], y_row_step = g->y_s[1];
  for (size_t row = first_row; row < last;) {
    const size_t p1 = row % g->out[1], p0 = row / g->out[1] % g->out[0], n = row / (g->out[1] * g->out[0]);
    size_t run = 1; /* rows of the run: to the end of the unclipped rows or of the task */
    if (p1 >= call->rows_begin && p1 < call->rows_end)
      run = call->rows_end - p1 < last - row ? call->rows_end - p1 : last - row;
    for (size_t p2 = begin > 0 ? 0 : edges_from; p2 < g->out[2]; p2 = p2 + 1 == begin ? edges_from : p2 + 1)
      tsr_pool_fast_pixels(call, n, p0, p1, p2, run, x_row_step, y_row_step, c0, channels);
    row += run;
  }
}

/* Output rows (n, p0, p1), channels [block * channel_block, + channel_block): each row's
 * interior (windows inside the input along w: one shape, shifted by the stride) in one kernel
 * call, then the edge pixels column by column down runs of rows. Inception's 3x3 average in
 * nChw8c (28-pixel rows, 8 channels) had two one-pixel edge calls a row beside the interior's:
 * 92 -> 62 µs with runs (oneDNN 41), after the flat interior took it from 106 (Zen 4).
 * (Measured: slicing the channels into 128-channel slices, each over the whole row first so a
 * slice's input rows stay in L1, was slower on every pool.txt layer, up to 1.7x: more calls and
 * window set-ups.) */
static void tsr_pool_fast_rows_task(void* context, size_t thread, size_t first_row, size_t block, size_t rows,
                                    size_t blocks) {
  (void)thread, (void)blocks; /* blocks: always 1 */
  const struct tsr_pool_fast_call* call = context;
  const struct tsr_pool_geometry* g = call->g;
  size_t c0;
  const size_t channels = tsr_pool_fast_block(call, block, &c0);
  const size_t begin = call->interior_begin, end = call->interior_end;
  const size_t x_step = g->stride[2] * g->x_s[2], y_step = g->y_s[2];
  const size_t last = first_row + rows, edges_from = end > begin ? end : begin;
  for (size_t row = first_row; row < last; row++) {
    const size_t p1 = row % g->out[1], p0 = row / g->out[1] % g->out[0], n = row / (g->out[1] * g->out[0]);
    if (call->from_memory) tsr_pool_fast_prefetch_row(call, row + 1);
    if (end > begin && call->flat)
      tsr_pool_fast_pixels(call, n, p0, p1, begin, 1, x_step, y_step, c0, (end - begin) * channels);
    else if (end > begin)
      tsr_pool_fast_pixels(call, n, p0, p1, begin, end - begin, x_step, y_step, c0, channels);
  }
  if (begin > 0 || edges_from < g->out[2]) tsr_pool_fast_edges(call, first_row, last, c0, channels);
  if (call->stream) tsr_store_fence();
}

/* Images of one output pixel each (global pooling; a blocked layout's channel blocks are such
 * images): a run of them as the pixels of one kernel call. */
static void tsr_pool_fast_images_task(void* context, size_t thread, size_t first_image, size_t block, size_t images,
                                      size_t blocks) {
  (void)thread, (void)blocks; /* blocks: always 1 */
  const struct tsr_pool_fast_call* call = context;
  const struct tsr_pool_geometry* g = call->g;
  size_t c0;
  const size_t channels = tsr_pool_fast_block(call, block, &c0);
  tsr_pool_fast_pixels(call, first_image, 0, 0, 0, images, g->x_n, g->y_n, c0, channels);
}

/* Output positions [first, first + count) (out[0] x out[1] x out[2] flattened) of images
 * [image, image + images): a kernel call a position, the images as its pixels (steps x_n, y_n). */
static void tsr_pool_fast_positions_task(void* context, size_t thread, size_t first, size_t image, size_t count,
                                         size_t images) {
  (void)thread;
  const struct tsr_pool_fast_call* call = context;
  const struct tsr_pool_geometry* g = call->g;
  for (size_t q = first; q < first + count; q++) {
    const size_t p2 = q % g->out[2], p1 = q / g->out[2] % g->out[1], p0 = q / (g->out[2] * g->out[1]);
    tsr_pool_fast_pixels(call, image, p0, p1, p2, images, g->x_n, g->y_n, 0, call->channels);
  }
}

/* The output positions along dim d whose window lies inside the input (p stride - pad >= 0 and
 * p stride - pad + kernel <= in): [*begin, *end), empty as 0, 0. */
void tsr_pool_unclipped(const struct tsr_pool_geometry* g, size_t d, size_t* begin, size_t* end) {
  const int64_t pad = g->pad[d], stride = (int64_t)g->stride[d], kernel = (int64_t)g->kernel[d];
  const int64_t in = (int64_t)g->in[d], out = (int64_t)g->out[d];
  int64_t first = (pad + stride - 1) / stride, last = in + pad >= kernel ? (in + pad - kernel) / stride + 1 : 0;
  if (last > out) last = out;
  if (first > last) first = last = 0;
  *begin = (size_t)first, *end = (size_t)last;
}

static void tsr_pool_fast_nhwc(const struct tsr_f32_pool_entry* kernel, const struct tsr_pool_geometry* g,
                               size_t batch, size_t channels, const float* x, float* y, tsr_threadpool* pool) {
  const size_t rows = batch * g->out[0] * g->out[1], threads = tsr_threadpool_threads(pool);
  const size_t wanted = threads * TSR_POOL_TASKS_PER_THREAD;
  /* Channel blocks only to share the work among threads: one thread takes every channel in one
   * call. (Measured with the kernel's earlier form that summed pairs of taps into y: the ResNet-50
   * global average in four 512-channel blocks, each pass reading 2 KB pieces of rows 8 KB apart:
   * the kernel took 3.7 µs against 2.7 in one block; the op, NHWC, 1 thread, four alternating
   * runs, 4.2-4.6 -> 2.8-3.0 µs, oneDNN 2.7-3.0, Zen 4.) */
  size_t blocks = rows >= wanted || threads == 1 ? 1 : (wanted + rows - 1) / rows;
  size_t block = (channels + blocks - 1) / blocks;
  block = (block + TSR_POOL_CHANNEL_GRAIN - 1) / TSR_POOL_CHANNEL_GRAIN * TSR_POOL_CHANNEL_GRAIN;
  if (block > channels) block = channels;
  blocks = (channels + block - 1) / block;
  struct tsr_pool_fast_call call = {.g = g, .ukernel = g->kind == tsr_pooling_max ? kernel->maxpool : kernel->avgpool,
                                    .channels = channels, .channel_block = block, .x = x, .y = y, .batch = batch};
  /* Runs of rows (or images) a task, at least `wanted` tasks in all (the run's length rounded
   * down): with a task a row, VGG pool5 in nChw8c (448 rows of 7 pixels) spent a quarter of its
   * time handing out tasks; rounded up, Inception's 28 rows made 7 tasks of 4 on 2 threads, 4
   * against 3 a thread (17.3-19.1 -> 16.4-17.1 us rounded down, oneDNN 16.3-18.0; Zen 4). */
  const size_t row_tasks = (wanted + blocks - 1) / blocks;
  const size_t row_tile = rows >= row_tasks ? rows / row_tasks : 1;
  if (g->out[0] * g->out[1] * g->out[2] == 1 && batch > 1) {
    /* One output pixel an image: a run of images a kernel call, as its pixels. With a task and a
     * call per image, nChw8c's 256 blocks of the ResNet-50 global average took 23 µs (1 thread),
     * now 4.4; nChw16c 13 -> 3.6 (Zen 4). */
    tsr_parallelize_2d_tile_2d(pool, tsr_pool_fast_images_task, &call, batch, blocks, row_tile, 1);
    return;
  }
  /* Short rows of many images (a blocked layout's channel blocks are images: VGG's pool5 in
   * nChw16c is 32 images of 7 rows of 7 pixels, 16 channels): a call per output position with
   * the images as its pixels, when that makes under half the calls of a call per row and x and
   * y stay in the cache (from memory, each call's reads would spread over every image). VGG
   * pool5 nChw16c, 1 thread: 11.3-11.8 us in 224 calls, oneDNN 6.5-6.9 (Zen 4). */
  const size_t positions = g->out[0] * g->out[1] * g->out[2];
  if (batch > 1 && 2 * positions <= rows && !tsr_cpu_from_memory(batch * (g->x_n + g->y_n) * sizeof(float))) {
    call.channel_block = channels;
    const size_t position_tasks = positions < wanted ? positions : wanted;
    const size_t image_runs = (wanted + position_tasks - 1) / position_tasks;
    tsr_parallelize_2d_tile_2d(pool, tsr_pool_fast_positions_task, &call, positions, batch, positions / position_tasks,
                               (batch + image_runs - 1) / image_runs);
    return;
  }
  /* interior columns, batched only when a whole window fits one call; unclipped rows */
  tsr_pool_unclipped(g, 2, &call.interior_begin, &call.interior_end);
  if (g->kernel[0] * g->kernel[1] * g->kernel[2] > TSR_POOL_TAPS_PER_CALL) call.interior_begin = call.interior_end = 0;
  tsr_pool_unclipped(g, 1, &call.rows_begin, &call.rows_end);
  /* At stride 1 with pixels packed end to end (all channels in one block, pixel stride = channels
   * in x and y), output pixel p + 1's window is pixel p's moved by one pixel's channels, so the
   * interior is one pixel of (end - begin) x channels channels: the kernel runs whole vectors
   * along it however few the channels (a blocked layout's 8 filled half an AVX-512 vector and
   * went four pixels at a time). */
  call.flat = g->stride[2] == 1 && blocks == 1 && g->x_s[2] == channels && g->y_s[2] == channels;
  /* x and y past half the last-level cache (tsr_cpu_from_memory: x comes from memory, or from
   * an L3 that other cores and tenants share): each row prefetches the input rows the next row adds, and the
   * kernels store whole vectors around the caches where y is aligned for it, to the kernel's vector
   * (nChw8c on AVX2: 32-byte pixels; with whole lines asked, its 2x2 average at batch 8 did not
   * stream: 1.06-1.09 of oneDNN's speed, streamed 1.25-1.37) (the scan of x would
   * evict y's lines before the next layer reads them, and a store that misses first reads its
   * line). Timed on and off alternately in one process, 1 thread, Zen 4: a 2x2/2 average, batch
   * 8, 256 channels (26 MB in) 2.92 -> 2.14 ms (oneDNN 1.4-1.6 in `tessera bench`; 2 threads
   * 2.10 -> 1.34), the same max pool 3.69 -> 2.64, ResNet's 3x3/2 max pool at batch 8 (26 MB)
   * 4.69 -> 3.53 and at batch 32 (103 MB, prefetching before) 16.99 -> 16.21. The earlier rule
   * (max pooling only, x past the whole LLC) came from cross-process runs, whose swings on this
   * VM hid the average's gain; in a stand-alone loop of the 2x2 average the prefetch alone gave
   * 2.04 -> 1.56 ms and both 1.35. Within the cache (batch 1) neither is used. */
  const bool from_memory = blocks == 1 && tsr_cpu_from_memory(batch * (g->x_n + g->y_n) * sizeof(float));
  call.from_memory = from_memory;
  /* Into L1 only for long input rows. 3x3/2 max pools at 103 MB, 1 thread, Zen 4 (ms, into L1 /
   * into L2 / none): nChw8c under AVX2 (3.5 KB rows) 9.7 / 5.5 / 10.0-10.3; NHWC 8 channels
   * 9.2-9.3 / 4.8-5.0 / 9.9; NHWC 16 channels (7 KB) 8.1-8.4 / 6.9-7.3 / 7.5-7.7; nChw16c 8.2-8.3
   * / 7.3-7.5 / 7.8-8.0; NHWC 64 channels (28 KB) 10.0 / 10.7-10.9 / 11.2-11.9; NHWC's 2x2
   * average at batch 8 (256 channels, 57 KB) 0.83-0.86 / 0.90-0.96 / 1.09-1.36. Short rows go
   * through quickly, and a burst of prefetches into L1 holds the misses the row's own loads
   * need; two threads the same (nChw8c 4.5-5.0 -> 2.1-3.1). */
  call.prefetch_l1 = g->in[2] * g->x_s[2] * sizeof(float) > TSR_POOL_PREFETCH_L1_ROW_BYTES;
  call.stream = from_memory && tsr_stream_aligned(y, g->y_n, g->y_s, kernel->lanes * sizeof(float));
  tsr_parallelize_2d_tile_2d(pool, tsr_pool_fast_rows_task, &call, rows, blocks, row_tile, 1);
}

/* Of `picked` and the narrower variants after it that are allowed, the one that leaves the fewest
 * channels to its one-channel tail (the widest of those): a blocked layout's 8 channels run in
 * AVX2's one vector rather than in AVX-512's tail, one channel at a time (10x slower). */
static const struct tsr_f32_pool_entry* tsr_pool_fast_fit(const struct tsr_f32_pool_entry* picked, size_t channels) {
  const struct tsr_f32_pool_entry* best = picked;
  for (const struct tsr_f32_pool_entry* e = picked + 1; e < tsr_f32_pool_ukernels + tsr_f32_pool_ukernel_count; e++)
    if (tsr_isa_allowed(e->isa) && channels % e->lanes < channels % best->lanes) best = e;
  return best;
}

void tsr_pool_nhwc_view(const struct tsr_pool_geometry* g, size_t stride, struct tsr_pool_geometry* h) {
  *h = *g;
  h->x_c = h->y_c = 1;
  h->x_s[2] = stride, h->x_s[1] = g->in[2] * stride, h->x_s[0] = g->in[1] * h->x_s[1];
  h->y_s[2] = stride, h->y_s[1] = g->out[2] * stride, h->y_s[0] = g->out[1] * h->y_s[1];
  h->x_n = g->in[0] * h->x_s[0], h->y_n = g->out[0] * h->y_s[0];
}

/* Plain NCHW in slices: a task takes `slice` channels of one batch item and, a band of output
 * rows at a time, reorders the input rows the band reads into its thread's task scratch, pools
 * them there and reorders the band back, on one core from end to end. Bands keep the scratch
 * within L2, where whole images (3.2 MB each at ResNet's max pool) went through memory twice
 * more: the batch-32 max pool on one thread 17.3 -> 16.0-16.7 ms, the 2x2 average at batch 8
 * 3.82 -> 3.31-3.69 (oneDNN 10.0-12.0 and 2.37-2.80, pooling NCHW directly; Zen 4). The
 * reorders' reads, one stream per channel plane, now bound it (prefetching the next band's
 * planes into L2: the max pool 14.9-15.1 ms, the average 4.5-4.7; not kept).
 * (Parts of one buffer of the caller's, one per thread, ran 2x slower on 2 threads than each
 * thread's own buffer, the ResNet-50 global average on Zen 4; not understood.) A task that gets
 * no scratch pools its channels on the reference loop instead, so there is nothing to fail. */
struct tsr_pool_slice_call {
  const struct tsr_f32_pool_entry* kernel;
  const struct tsr_pool_geometry* g;
  size_t channels, slice;
  size_t band; /* output rows a band (all of them for 3-D pooling, whose rows are not contiguous) */
  const float* x;
  float* y;
};

/* Input bytes a band aims at: 1/128 of the last-level cache, 256 KiB with this VM's 32 MiB, a
 * quarter of Zen 4's L2 (within L2 with its output beside it); pool_test's 16 KiB figure cuts its
 * images into bands of one output row. */
#define TSR_POOL_BAND_LLC_FRACTION 128

/* Output rows [first, first + count)'s band of g along h: the input rows it reads, from *row, and
 * g with those rows as its input and those output rows as its output (the window rule unchanged:
 * padding moved so that each window keeps its rows, `padded` so that an include-padding average
 * keeps its count). */
static void tsr_pool_band(const struct tsr_pool_geometry* g, size_t first, size_t count, struct tsr_pool_geometry* b,
                          size_t* row) {
  *b = *g, *row = 0;
  if (count == g->out[1]) return; /* one band: the whole input (3-D pooling's planes stay whole) */
  const int64_t stride = (int64_t)g->stride[1], top = (int64_t)first * stride - g->pad[1];
  const int64_t bottom = ((int64_t)(first + count) - 1) * stride - g->pad[1] + (int64_t)g->kernel[1];
  const int64_t begin = top > 0 ? top : 0, end = bottom < (int64_t)g->in[1] ? bottom : (int64_t)g->in[1];
  b->in[1] = (size_t)(end - begin);
  b->out[1] = count;
  b->pad[1] = begin - top;
  b->padded[1] = g->padded[1] - (int64_t)first * stride;
  *row = (size_t)begin;
}

static size_t tsr_pool_nhwc_x_floats(const struct tsr_pool_geometry* g, size_t stride) {
  return (g->in[0] * g->in[1] * g->in[2] * stride + 15) / 16 * 16;
}

static void tsr_pool_slice_task(void* context, size_t thread, size_t n, size_t s) {
  (void)thread;
  const struct tsr_pool_slice_call* c = context;
  const struct tsr_pool_geometry* g = c->g;
  const size_t c0 = s * c->slice, count = c->channels - c0 < c->slice ? c->channels - c0 : c->slice;
  const size_t stride = tsr_transpose_padded_stride(count);
  for (size_t first = 0; first < g->out[1]; first += c->band) {
    struct tsr_pool_geometry b, h;
    size_t row;
    tsr_pool_band(g, first, g->out[1] - first < c->band ? g->out[1] - first : c->band, &b, &row);
    const size_t in_pixels = b.in[0] * b.in[1] * b.in[2], out_pixels = b.out[0] * b.out[1] * b.out[2];
    const size_t x_floats = tsr_pool_nhwc_x_floats(&b, stride);
    float* bx = tsr_thread_task_scratch((x_floats + out_pixels * stride) * sizeof(float));
    if (bx == NULL) {
      for (size_t channel = c0; channel < c0 + count; channel++) tsr_reference_pool_plane_f32(g, c->x, c->y, n, channel);
      return;
    }
    float* by = bx + x_floats;
    tsr_pool_nhwc_view(&b, stride, &h);
    tsr_transpose_f32(count, in_pixels, c->x + n * g->x_n + c0 * g->x_c + row * g->x_s[1], g->x_c, bx, stride, NULL);
    tsr_pool_fast_nhwc(tsr_pool_fast_fit(c->kernel, count), &h, 1, count, bx, by, NULL);
    tsr_transpose_f32(out_pixels, count, by, stride, c->y + n * g->y_n + c0 * g->y_c + first * g->y_s[1], g->y_c, NULL);
  }
}

/* Output rows a band: input rows of about the band's bytes at `stride` floats a pixel; for 3-D
 * pooling all of them (a band's rows would not be contiguous across the planes along d). */
static size_t tsr_pool_band_rows(const struct tsr_pool_geometry* g, size_t stride) {
  if (g->in[0] > 1 || g->out[0] > 1) return g->out[1];
  const size_t row_bytes = g->in[2] * stride * sizeof(float);
  const size_t rows = tsr_cpu_llc_bytes() / TSR_POOL_BAND_LLC_FRACTION / row_bytes;
  const size_t kernel = g->kernel[1], step = g->stride[1];
  const size_t band = rows > kernel ? (rows - kernel) / step + 1 : 1;
  return band < g->out[1] ? band : g->out[1];
}

tsr_status tsr_pool_fast_run(const struct tsr_f32_pool_entry* kernel, const struct tsr_pool_geometry* g,
                             size_t batch, size_t channels, bool nhwc, const float* x, float* y,
                             tsr_threadpool* pool) {
  if (nhwc) {
    tsr_pool_fast_nhwc(tsr_pool_fast_fit(kernel, channels), g, batch, channels, x, y, pool);
    return tsr_status_success;
  }
  const struct tsr_f32_pool_row_entry* row_kernel = tsr_pool_plain_pick(g, batch);
  if (row_kernel != NULL) {
    tsr_pool_plain_run(row_kernel, g, batch, channels, x, y, pool);
    return tsr_status_success;
  }
  const size_t in_pixels = g->in[0] * g->in[1] * g->in[2], out_pixels = g->out[0] * g->out[1] * g->out[2];
  /* NCHW in slices (aiming at TSR_POOL_TASKS_PER_THREAD tasks a thread, slices of at least
   * TSR_POOL_SLICE_MIN channels) when there are several threads and at least two tasks each:
   * with the 6 slices of Inception's 192 channels on 2 threads, 74 -> 49 µs (Zen 4); on one
   * thread, one slice of every channel an item. From 8 threads on also with a task for every
   * other thread: the threaded reorders' three calls cost more there than the idle threads
   * (16-vCPU Xeon, batch 1, 16 threads: Inception's 3x3/1 average 192x28x28 59 -> 22 µs, 3x3/2
   * max 256x28x28 47 -> 16, 3x3/1 max 192x28x28 60 -> 25; 8 threads: the two 3x3/1 54-63 ->
   * 22-27; two rounds, docs/PERFORMANCE.md). Fewer tasks than that (64 channels: 4 slices) kept the
   * reorders: 45-47 µs against 49-53 for a 3x3/1 average of 64x56x56 on 16 threads. */
  const size_t threads = tsr_threadpool_threads(pool);
  const size_t wanted = threads * TSR_POOL_TASKS_PER_THREAD;
  const size_t per_item = threads == 1 || batch >= wanted ? 1 : (wanted + batch - 1) / batch;
  size_t slice = (channels + per_item - 1) / per_item;
  slice = slice < TSR_POOL_SLICE_MIN ? TSR_POOL_SLICE_MIN : (slice + 15) / 16 * 16;
  if (slice > channels) slice = channels;
  const size_t slices = (channels + slice - 1) / slice;
  const size_t tasks = batch * slices;
  if (threads == 1 || tasks >= 2 * threads || (threads >= 8 && 2 * tasks >= threads)) {
    struct tsr_pool_slice_call call = {.kernel = kernel, .g = g, .channels = channels, .slice = slice,
                                       .band = tsr_pool_band_rows(g, tsr_transpose_padded_stride(slice)), .x = x, .y = y};
    tsr_parallelize_2d(pool, tsr_pool_slice_task, &call, batch, slices);
    return tsr_status_success;
  }
  /* Otherwise (few channels, as the ResNet stem's 64 at batch 1) each batch item is reordered
   * into the calling thread's scratch by threaded reorders, pooled there in NHWC (pixel stride
   * padded, see tsr_transpose_padded_stride) and reordered back. */
  kernel = tsr_pool_fast_fit(kernel, channels);
  const size_t stride = tsr_transpose_padded_stride(channels);
  const size_t x_floats = tsr_pool_nhwc_x_floats(g, stride);
  float* bx = tsr_thread_scratch((x_floats + out_pixels * stride) * sizeof(float));
  if (bx == NULL) return tsr_status_out_of_memory;
  float* by = bx + x_floats;
  struct tsr_pool_geometry h;
  tsr_pool_nhwc_view(g, stride, &h);
  for (size_t n = 0; n < batch; n++) {
    tsr_transpose_f32(channels, in_pixels, x + n * g->x_n, g->x_c, bx, stride, pool);
    tsr_pool_fast_nhwc(kernel, &h, 1, channels, bx, by, pool);
    tsr_transpose_f32(out_pixels, channels, by, stride, y + n * g->y_n, g->y_c, pool);
  }
  return tsr_status_success;
}
