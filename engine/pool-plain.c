/* Plain (NCHW) pooling straight from the planes. Tasks: runs of output rows (along d and h) of
 * one plane. An output row's interior (the pixels whose window lies inside the input along w:
 * one window shape, one divisor) is a kernel call with the window's input rows as pointers, the
 * rows whose windows lie inside the input along h sharing one call (the stride between rows
 * given); clipped pixels go a pixel at a time. The other way, reordering slices of channels into
 * NHWC and back (engine/pool-fast.c), is bound by the reorders on big batches; it stays for rows
 * shorter than a vector, strides the vector kernels lack and, where x and y fit in the cache,
 * stride 1 along w (its vectors of channels have no clipped pixels to take one at a time, and
 * each column serves three windows). Measured 1 thread, Zen 4, ms (oneDNN beside): ResNet's
 * 3x3/2 max pool, batch 32 (103 MB) 16.5 by NHWC -> 7.7-7.9 straight (oneDNN 10.0-10.7), batch
 * 1 (3.2 MB) 0.18-0.22 by NHWC -> 0.103 straight (0.20); 2x2/2 average, 2x256x56x56, 0.30 ->
 * 0.10; Inception's 3x3/1 average (28x28, 192 channels, batch 1) 0.063 by NHWC, 0.134 straight;
 * 3x3/1 max, 56x56, 64 channels, 0.110 and 0.098; 28x28, 192 channels 0.081 and 0.120. */
#include "engine/pool-plain.h"

#include <assert.h>

#include "engine/cpu.h"
#include "engine/pool-fast.h"
#include "kernels/f32-pool/f32-pool-row-pixel.h"
#include "threadpool/threadpool.h"

/* Window rows (along d and h) a call takes at most; taller windows go the NHWC way. */
#define TSR_POOL_PLAIN_MAX_ROWS 64
#define TSR_POOL_PLAIN_TASKS_PER_THREAD 4

static bool tsr_pool_plain_from_memory(const struct tsr_pool_geometry* g, size_t batch) {
  return tsr_cpu_from_memory(batch * (g->x_n + g->y_n) * sizeof(float));
}

const struct tsr_f32_pool_row_entry* tsr_pool_plain_pick(const struct tsr_pool_geometry* g, size_t batch) {
  if (g->x_s[2] != 1 || g->y_s[2] != 1 || g->kernel[0] * g->kernel[1] > TSR_POOL_PLAIN_MAX_ROWS) return NULL;
  const bool from_memory = tsr_pool_plain_from_memory(g, batch);
  size_t begin, end;
  tsr_pool_unclipped(g, 2, &begin, &end);
  /* the best variant allowed, for a stride it takes and an interior of a vector a row; in the
   * cache only at stride 2 and with vectors (see the top of the file) */
  for (size_t i = 0; i < tsr_f32_pool_row_ukernel_count; i++) {
    const struct tsr_f32_pool_row_entry* e = &tsr_f32_pool_row_ukernels[i];
    if (!tsr_isa_allowed(e->isa)) continue;
    if (!from_memory && (g->stride[2] != 2 || e->lanes == 1)) return NULL;
    return g->stride[2] <= e->max_stride && end - begin >= e->lanes ? e : NULL;
  }
  return NULL;
}

struct tsr_pool_plain_call {
  tsr_f32_pool_row_ukernel_fn ukernel;
  const struct tsr_pool_geometry* g;
  size_t channels;
  size_t interior_begin, interior_end; /* output columns whose window lies inside the input */
  size_t rows_begin, rows_end;         /* output rows (along h) whose window lies inside the input */
  bool runs;                           /* runs of rows with clipped pixels share a call too */
  const float* x;
  float* y;
};

/* The clipped pixels [from, to) (windows cut by the row's ends) of `run` output rows from `out`,
 * each pixel's columns and divisor worked out once for the run. */
static void tsr_pool_plain_clipped(const struct tsr_pool_geometry* g, size_t p0, size_t p1, size_t from, size_t to,
                                   const float* const* rows, size_t taps, size_t run, float* out) {
  const bool max = g->kind == tsr_pooling_max;
  const size_t row_step = g->stride[1] * g->x_s[1];
  for (size_t p[3] = {p0, p1, from}; p[2] < to; p[2]++) {
    int64_t start[3], stop[3];
    const float divisor = (float)tsr_pool_window(g, p, start, stop);
    const size_t column = (size_t)start[2], width = (size_t)(stop[2] - start[2]);
    for (size_t k = 0; k < run; k++)
      out[k * g->y_s[1] + p[2]] = tsr_f32_pool_row_pixel(taps, rows, k * row_step + column, width, divisor, max);
  }
}

/* Output rows [first, first + count) (rows along d and h, numbered d-major) of plane `plane`
 * (batch item x channel). The rows whose windows lie inside the input along h go in one kernel
 * call (one window shape, moved by the stride), with their clipped pixels (along w) before and
 * after it: a call a row cost about 27 cycles of set-up (the window, the row pointers, the call),
 * a third of the 2x2 average's time at batch 8 (1.20-1.27 -> 0.92 ms, 1 thread, Zen 4), and
 * with its clipped pixels half of ResNet's 3x3/2 max pool in the cache (0.179 -> 0.103 ms at
 * batch 1). From memory, rows with clipped pixels keep a call each (call->runs false): ResNet's
 * max pool at batch 32 ran 12% slower by runs, as it did in an earlier form (7.0-7.4 ms a call
 * a row, 8.6-8.9 by runs); the scalar loads of each row's first pixel seem to help its vector
 * loads along. Rows cut along h go a call each. */
static void tsr_pool_plain_task(void* context, size_t thread, size_t plane, size_t first, size_t count) {
  (void)thread;
  const struct tsr_pool_plain_call* call = context;
  const struct tsr_pool_geometry* g = call->g;
  const size_t n = plane / call->channels, c = plane % call->channels;
  const float* x = call->x + n * g->x_n + c * g->x_c;
  float* y = call->y + n * g->y_n + c * g->y_c;
  const size_t begin = call->interior_begin, end = call->interior_end, stride = g->stride[2];
  for (size_t q = 0, p0 = first / g->out[1], p1 = first % g->out[1]; q < count;) {
    size_t run = 1;
    if (call->runs && p1 >= call->rows_begin && p1 < call->rows_end)
      run = call->rows_end - p1 < count - q ? call->rows_end - p1 : count - q;
    float* out = y + p0 * g->y_s[0] + p1 * g->y_s[1];
    /* the first row's window rows, from its first interior pixel's window, and the same moved to
     * that pixel's first column, for the kernel: written in one loop, as a second loop that read
     * `rows` back was compiled to 16-byte loads of pairs of 8-byte stores, which stall (no store
     * forwarding): 0.75 of avg2x2's 1.85 ms at batch 8 was the engine's, mostly that stall. */
    const size_t p[3] = {p0, p1, begin};
    int64_t start[3], stop[3];
    const float divisor = (float)tsr_pool_window(g, p, start, stop);
    const float *rows[TSR_POOL_PLAIN_MAX_ROWS], *shifted[TSR_POOL_PLAIN_MAX_ROWS];
    const int64_t column = (int64_t)(begin * stride) - g->pad[2];
    size_t taps = 0;
    for (int64_t i0 = start[0]; i0 < stop[0]; i0++)
      for (int64_t i1 = start[1]; i1 < stop[1]; i1++, taps++) {
        rows[taps] = x + (size_t)i0 * g->x_s[0] + (size_t)i1 * g->x_s[1];
        shifted[taps] = rows[taps] + column;
      }
    tsr_pool_plain_clipped(g, p0, p1, 0, begin, rows, taps, run, out);
    /* the interiors, one call (tsr_pool_plain_pick made them at least a vector; every window has a
     * row inside the input, as padding is at most half the kernel: tsr_pool_output_shape) */
    assert(taps > 0);
    const struct tsr_f32_pool_params params = {divisor, 0, 0};
    call->ukernel(run, end - begin, taps, shifted, g->stride[1] * g->x_s[1], g->kernel[2], stride, out + begin,
                  g->y_s[1], &params);
    tsr_pool_plain_clipped(g, p0, p1, end, g->out[2], rows, taps, run, out);
    /* on to the next row along h, then d */
    q += run, p1 += run;
    if (p1 == g->out[1]) p1 = 0, p0++;
  }
}

void tsr_pool_plain_run(const struct tsr_f32_pool_row_entry* kernel, const struct tsr_pool_geometry* g,
                        size_t batch, size_t channels, const float* x, float* y, tsr_threadpool* pool) {
  struct tsr_pool_plain_call call = {.ukernel = g->kind == tsr_pooling_max ? kernel->maxpool : kernel->avgpool,
                                     .g = g, .channels = channels, .x = x, .y = y};
  tsr_pool_unclipped(g, 2, &call.interior_begin, &call.interior_end);
  tsr_pool_unclipped(g, 1, &call.rows_begin, &call.rows_end);
  call.runs = call.interior_begin == 0 && call.interior_end == g->out[2];
  call.runs = call.runs || !tsr_pool_plain_from_memory(g, batch);
  /* a plane's rows in one task unless there are too few planes for the threads */
  const size_t planes = batch * channels, rows = g->out[0] * g->out[1];
  const size_t wanted = tsr_threadpool_threads(pool) * TSR_POOL_PLAIN_TASKS_PER_THREAD;
  const size_t chunks = planes >= wanted ? 1 : (wanted + planes - 1) / planes;
  const size_t tile = chunks >= rows ? 1 : (rows + chunks - 1) / chunks;
  tsr_parallelize_2d_tile_1d(pool, tsr_pool_plain_task, &call, planes, rows, tile);
}
