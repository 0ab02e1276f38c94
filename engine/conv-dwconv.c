/* Depthwise convolution on NHWC (see conv-fast.h): weights packed at creation in blocks of the
 * kernel's CB channels, the indirection buffer (one pixel a tile) from the op's cache, and tasks
 * over (batch item, block of output pixels). Within a task each output row's interior (windows
 * inside the input along w) is one f32-dwrow call, which shares each loaded weight vector among
 * four pixels; the pixels at the row's edges (and every pixel when there is no row kernel) are
 * one f32-dwconv call each, through the indirection buffer's zero row, except for three taps at
 * stride 1 or 2 (times the dilation) along w, where the row kernel's sliding form takes whole
 * rows, edges included, every channel in one call. Pixel blocks are as long as possible while
 * the grid gives about 4 tasks per thread. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/conv-fast.h"
#include "engine/cpu.h"
#include "engine/error.h"
#include "threadpool/threadpool.h"

#define TSR_DWCONV_TASKS_PER_THREAD 4
#define TSR_DWCONV_MAX_ROWS 64 /* kernel rows (d x h) the row kernel takes; more: per pixel */

tsr_status tsr_conv_dwconv_pack(struct tsr_conv_fast* f, const tsr_conv_params* p, const float* weights,
                                const float* bias) {
  const size_t channels = (size_t)p->out_channels, cb = f->nr, blocks = (channels + cb - 1) / cb;
  size_t floats; /* padding to whole blocks can overflow where the weights' own size did not */
  if (!tsr_mul_size(blocks * cb, f->taps + 1, &floats) || floats > SIZE_MAX / sizeof(float))
    return tsr_status_out_of_memory;
  if (posix_memalign((void**)&f->packed, 64, floats * sizeof(float)) != 0) {
    f->packed = NULL;
    return tsr_status_out_of_memory;
  }
  f->zero = calloc(channels > 16 ? channels : 16, sizeof(float)); /* blocked runs read 16-lane blocks */
  if (f->zero == NULL) return tsr_status_out_of_memory;
  float* w = f->packed;
  for (size_t b = 0; b < blocks; b++) {
    for (size_t lane = 0; lane < cb; lane++) {
      const size_t c = b * cb + lane;
      *w++ = c < channels && bias != NULL ? bias[c] : 0.0f;
    }
    for (size_t t = 0; t < f->taps; t++)
      for (size_t lane = 0; lane < cb; lane++) {
        const size_t c = b * cb + lane; /* weights [channels][1][taps] */
        *w++ = c < channels ? weights[c * f->taps + t] : 0.0f;
      }
  }
  return tsr_status_success;
}

struct tsr_dwconv_call {
  const struct tsr_conv_fast* f;
  const struct tsr_conv_geometry* g;
  const struct tsr_indirection* ind;
  const float* x;
  float* y;
  const float* packed;        /* item n's weights: packed + (n % blocks) * packed_stride */
  size_t blocks, packed_stride;
  /* output columns that go to the row kernel: those whose windows lie inside the input along w
   * (empty: none), or with the sliding form the whole row */
  size_t w_lo, w_hi;
  bool slide; /* the row kernel's 3-tap sliding form, which also takes a row's edges */
  size_t prefetch_ahead; /* sliding form: 0, or how many output rows ahead to prefetch the input rows of */
  struct tsr_f32_conv_params params; /* f->params, streaming for the row kernel where tsr_conv_output_streams says */
};

static const float* tsr_dwconv_weights(const struct tsr_dwconv_call* c, size_t n) {
  return c->packed + n % c->blocks * c->packed_stride;
}

/* Output pixels [p0, p1) of batch item n, one kernel call each (the indirection buffer's taps). */
static void tsr_dwconv_pixels(const struct tsr_dwconv_call* c, size_t n, size_t p0, size_t p1) {
  const struct tsr_conv_fast* f = c->f;
  const struct tsr_conv_geometry* g = c->g;
  const size_t a_offset = tsr_indirection_offset(c->ind, c->x + n * g->x_n);
  float* y = c->y + n * g->y_n;
  for (size_t p = p0; p < p1; p++)
    f->dwconv(g->oc, f->taps, c->ind->pointers + p * f->taps, tsr_dwconv_weights(c, n), y + p * g->y_s[2], a_offset,
              f->zero, &f->params);
}

/* Output columns [w0, w1) of output row `row` (d x h flattened) of item n in one row-kernel call:
 * one input row pointer per kernel row (d x h), NULL where that row falls in the padding. Every
 * window lies inside the input along w, or (the sliding form) the run's window columns in the
 * padding are counted off at each end: column q (of (w1 - w0 - 1) s / d + 3, s and d the stride
 * and dilation) is input column w0 s - pad + q d. */
static void tsr_dwconv_row(const struct tsr_dwconv_call* c, size_t n, size_t row, size_t w0, size_t w1) {
  const struct tsr_conv_fast* f = c->f;
  const struct tsr_conv_geometry* g = c->g;
  const size_t od = row / g->out[1], oh = row % g->out[1];
  const int64_t d = (int64_t)g->dilation[2], first = (int64_t)(w0 * g->stride[2]) - g->pad[2];
  size_t skip_left = 0, skip_right = 0;
  bool inside = true; /* some window column lies inside the input */
  if (c->slide) {
    const int64_t span = (int64_t)((w1 - w0 - 1) * (g->stride[2] / g->dilation[2])) + 3;
    const int64_t last = first + (span - 1) * d, width = (int64_t)g->in[2];
    if (first < 0) skip_left = (size_t)((-first + d - 1) / d);
    if (last >= width) skip_right = (size_t)((last - width + d) / d);
    inside = (int64_t)(skip_left + skip_right) < span;
  }
  const float* rows[TSR_DWCONV_MAX_ROWS];
  size_t r = 0;
  for (size_t kd = 0; kd < g->kernel[0]; kd++)
    for (size_t kh = 0; kh < g->kernel[1]; kh++, r++) {
      const int64_t id = (int64_t)(od * g->stride[0] + kd * g->dilation[0]) - g->pad[0];
      const int64_t ih = (int64_t)(oh * g->stride[1] + kh * g->dilation[1]) - g->pad[1];
      const int64_t iw = first + (int64_t)skip_left * d; /* the first column read, >= 0 */
      rows[r] = !inside || id < 0 || id >= (int64_t)g->in[0] || ih < 0 || ih >= (int64_t)g->in[1]
                    ? NULL
                    : c->x + n * g->x_n + (size_t)id * g->x_s[0] + (size_t)ih * g->x_s[1] + (size_t)iw * g->x_s[2];
    }
  f->dwrow(w1 - w0, g->oc, r, g->kernel[2], rows, g->stride[2] * g->x_s[2], g->dilation[2] * g->x_s[2], skip_left,
           skip_right, tsr_dwconv_weights(c, n), c->y + n * g->y_n + od * g->y_s[0] + oh * g->y_s[1] + w0 * g->y_s[2],
           g->y_s[2], &c->params);
}

/* Prefetches (into the outer cache levels, not L1) the input rows that output row `row` (d x h flattened) of item n
 * reads and the row before it does not (the last `stride` kernel rows along h, in every kernel
 * plane along d), every pixel and channel. Always inlined: out of line it holds nothing GCC 12
 * counts as a side effect, and a call to such a function may be dropped (see tsr_prefetch_span). */
static inline __attribute__((always_inline)) void tsr_dwconv_prefetch_row(const struct tsr_dwconv_call* c, size_t n,
                                                                          size_t row) {
  const struct tsr_conv_geometry* g = c->g;
  if (row >= g->out[0] * g->out[1]) return;
  const size_t od = row / g->out[1], oh = row % g->out[1], bytes = g->in[2] * g->x_s[2] * sizeof(float);
  for (size_t kd = 0; kd < g->kernel[0]; kd++) {
    const int64_t id = (int64_t)(od * g->stride[0] + kd * g->dilation[0]) - g->pad[0];
    if (id < 0 || id >= (int64_t)g->in[0]) continue;
    for (size_t kh = g->kernel[1] > g->stride[1] ? g->kernel[1] - g->stride[1] : 0; kh < g->kernel[1]; kh++) {
      const int64_t ih = (int64_t)(oh * g->stride[1] + kh * g->dilation[1]) - g->pad[1];
      if (ih >= 0 && ih < (int64_t)g->in[1])
        tsr_prefetch_span(c->x + n * g->x_n + (size_t)id * g->x_s[0] + (size_t)ih * g->x_s[1], bytes, false);
    }
  }
}

/* Output pixels [start, start + count) of item n, row by row: each row's columns [c->w_lo,
 * c->w_hi) go to the row kernel in one call, the others (a row's edges outside the sliding form)
 * to the per-pixel kernel; with the prefetch, first the input rows of the row `prefetch_ahead`
 * rows on. The streamed stores are fenced before the task counts as done. */
static void tsr_dwconv_task(void* context, size_t thread, size_t n, size_t start, size_t count) {
  (void)thread;
  const struct tsr_dwconv_call* c = context;
  const size_t width = c->g->out[2], end = start + count;
  for (size_t p = start; p < end;) {
    const size_t row = p / width, row_start = row * width;
    const size_t row_end = row_start + width < end ? row_start + width : end;
    const size_t w0 = p - row_start, w1 = row_end - row_start;
    const size_t lo = w0 > c->w_lo ? w0 : c->w_lo, hi = w1 < c->w_hi ? w1 : c->w_hi;
    if (c->prefetch_ahead > 0) tsr_dwconv_prefetch_row(c, n, row + c->prefetch_ahead);
    if (lo < hi) {
      tsr_dwconv_pixels(c, n, p, row_start + lo);
      tsr_dwconv_row(c, n, row, lo, hi);
      tsr_dwconv_pixels(c, n, row_start + hi, row_end);
    } else {
      tsr_dwconv_pixels(c, n, p, row_end);
    }
    p = row_end;
  }
  if (c->params.stream) tsr_store_fence();
}

tsr_status tsr_conv_dwconv_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, const float* x,
                               float* y, tsr_threadpool* pool) {
  return tsr_conv_dwconv_run_images(f, g, f->packed, 1, 0, x, y, pool);
}

tsr_status tsr_conv_dwconv_run_images(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                      const float* packed, size_t blocks, size_t packed_stride, const float* x,
                                      float* y, tsr_threadpool* pool) {
  bool owned = false;
  const struct tsr_indirection* ind = tsr_indirection_get(f->cache, g, 1, 1, 0, x, f->zero, &owned);
  if (ind == NULL) return tsr_status_out_of_memory;
  struct tsr_dwconv_call call = {.f = f, .g = g, .ind = ind, .x = x, .y = y, .packed = packed, .blocks = blocks,
                                 .packed_stride = packed_stride, .params = f->params};
  /* x and y past half the cache: the row kernel streams (every vector starts at a multiple of 16
   * channels; the per-pixel kernel, which takes the edges outside the sliding form, does not).
   * Batch 32, 1 thread, same process: b12.dw 2.29 -> 1.43 ms, b8.dw 2.01 -> 1.18, b7.dw_s2 1.83
   * -> 1.50 against streaming only when y alone is past the whole LLC. */
  call.params.stream = tsr_conv_output_streams(g, y);
  if (f->dwrow != NULL && g->kernel[0] * g->kernel[1] <= TSR_DWCONV_MAX_ROWS) {
    /* Column ow reads input columns ow * s - pad + t * dilation, t < kw: inside when the first
     * is >= 0 and the last < in. */
    const int64_t s = (int64_t)g->stride[2], pad = g->pad[2];
    const int64_t last = (int64_t)g->in[2] - 1 + pad - (int64_t)((g->kernel[2] - 1) * g->dilation[2]);
    call.w_lo = (size_t)((pad + s - 1) / s);
    call.w_hi = last < 0 ? 0 : (size_t)(last / s + 1);
    if (call.w_hi > g->out[2]) call.w_hi = g->out[2];
    /* f32-dwrow's sliding form: three taps, stride 1 or 2 times the dilation; it takes whole
     * rows, every channel in one call. Passes of a few channel blocks over the task's rows, so
     * that the input rows shared by consecutive output rows stay in L1, were 3-9% slower at
     * batch 1 and up to 25% at batch 32 (MobileNet v2's depthwise layers, AVX-512 and AVX2, 1
     * and 2 threads, timed on and off in one process; b12.dw batch 32 2.96 -> 2.26 ms). */
    call.slide = g->kernel[2] == 3 && (g->stride[2] == g->dilation[2] || g->stride[2] == 2 * g->dilation[2]);
    if (call.slide) call.w_lo = 0, call.w_hi = g->out[2];
  }
  /* x and y together past half the last-level cache (x then comes from memory, or from an L3
   * that other cores and tenants share): before each output row the sliding form prefetches the
   * input rows two input rows ahead (two output rows at stride 1, one at stride 2), every
   * channel, into L2. Its channel-vector-at-a-time walk along a row reads each input pixel's
   * lines at the pixel stride, which the hardware prefetchers did not keep ahead of. MobileNet v2
   * at batch 32, 1 thread, median ratio to oneDNN of five or six alternating runs (Zen 4): b1.dw
   * 0.84 -> 0.98, b3.dw 0.75 -> 0.92, b5.dw (19 MB in, 39 MB in all) 0.78 -> 1.06, b2.dw_s2 0.73
   * -> 0.78, b4.dw_s2 0.68 -> 0.72. Half the LLC, not all of it: timed on and off in one process
   * (the VM's swings between processes had hidden it), b14.dw_s2 (18 MB in all) 1.53 -> 1.01
   * ms, b7.dw_s2 (24 MB) 2.78 -> 2.50, b12.dw (29 MB) 3.68 -> 3.32, b8.dw (19 MB) even; within
   * the cache it costs ~10% (batch 1-4; b15.dw, 12 MB, 0.47 -> 0.49), and b4.dw_s2 crossed over
   * between 9 MB (0.23 -> 0.28 ms) and 11 MB (0.70 -> 0.53). At stride 2 one row ahead: b7.dw_s2
   * 0.79-1.13 against 0.63-0.71 two rows ahead. Into L1 (a whole input row is 32 KB) it gained
   * nothing. */
  if (call.slide && tsr_cpu_from_memory(g->n * (g->x_n + g->y_n) * sizeof(float)))
    call.prefetch_ahead = g->stride[1] >= 2 ? 1 : 2;
  const size_t pixels = g->out[0] * g->out[1] * g->out[2], threads = tsr_threadpool_threads(pool);
  const size_t wanted = threads <= 1 ? 1 : TSR_DWCONV_TASKS_PER_THREAD * threads;
  const size_t splits = g->n >= wanted ? 1 : (wanted + g->n - 1) / g->n;
  tsr_parallelize_2d_tile_1d(pool, tsr_dwconv_task, &call, g->n, pixels, (pixels + splits - 1) / splits);
  if (owned) tsr_indirection_free((struct tsr_indirection*)ind);
  return tsr_status_success;
}
