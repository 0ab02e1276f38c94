/* Pooling backward: each task zeroes its rows of dx, then walks the outputs whose windows reach
 * them in the reference loop's order, the interior of an output row (windows inside the input
 * along w) in one f32-dpool call that steps from window to window, the clipped pixels one call
 * each. Additions land in the reference's order, so dx is its bits. Tasks: for channel-contiguous
 * images (NHWC, and blocked layouts viewed as NHWC images of one block), (image, band of input
 * rows), every channel: a task owns its rows and adds only into them, taking the maximum of a
 * window that straddles two bands in both (channel slices instead made two threads slower than
 * one: each read every line of x for a quarter of it); for plain NCHW, (image, slice of
 * channels), the slice's x and dy reordered into the thread's scratch as NHWC, dx built there and
 * reordered back. A task's scratch (the window's offsets; for a slice its three NHWC buffers)
 * comes from tsr_thread_task_scratch, all or nothing (engine/missed-tasks.h). */
#include "engine/pool-backward.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/missed-tasks.h"
#include "engine/pool-fast.h"
#include "engine/scratch.h"
#include "engine/transpose.h"
#include "kernels/f32-dpool/f32-dpool.h"
#include "threadpool/threadpool.h"

#define TSR_DPOOL_TASKS_PER_THREAD 4
#define TSR_DPOOL_BAND_ROWS_MIN 8                   /* input rows an NHWC band at least */
#define TSR_DPOOL_SLICE_MIN 16                      /* channels a plain slice at least */
#define TSR_DPOOL_SLICE_FLOATS ((size_t)192 << 10) /* a plain slice's NHWC scratch: 768 KiB */
/* A plain slice's scratch at most (the smallest slice of a large 3-D volume would take GBs a
 * thread): past it the reference loop runs, a plane at a time, with no scratch. */
#define TSR_DPOOL_SLICE_MAX_BYTES ((size_t)64 << 20)

const struct tsr_ukernel_entry* tsr_pool_backward_pick(tsr_pooling_kind kind) {
  const char* forced = getenv("TESSERA_POOL");
  if (forced != NULL && strcmp(forced, "reference") == 0) return NULL;
  const struct tsr_ukernel_entry* list = kind == tsr_pooling_max ? tsr_f32_dpool_ukernels : tsr_f32_dpool_avg_ukernels;
  return tsr_ukernel_pick(list, tsr_f32_dpool_ukernel_count);
}

struct tsr_dpool_call {
  const struct tsr_pool_geometry* g;
  const struct tsr_ukernel_entry* kernel;
  size_t channels;
  size_t parts;     /* tasks an image: bands of input rows (NHWC), or slices of channels (plain) */
  size_t band_rows; /* NHWC: input rows a band */
  size_t slice;     /* plain: channels a slice */
  size_t taps;      /* a window's taps at most */
  size_t stride;    /* plain: the NHWC scratch's floats a pixel */
  bool plain;
  const float *x, *dy;
  float* dx;
  struct tsr_missed_tasks missed;
};

/* The taps of the clipped window [start, end) as offsets from its first tap, in raster order. */
static size_t tsr_dpool_offsets(const struct tsr_pool_geometry* g, const int64_t start[3], const int64_t end[3],
                                size_t* offsets) {
  size_t taps = 0;
  for (int64_t i0 = start[0]; i0 < end[0]; i0++)
    for (int64_t i1 = start[1]; i1 < end[1]; i1++)
      for (int64_t i2 = start[2]; i2 < end[2]; i2++)
        offsets[taps++] = (size_t)(i0 - start[0]) * g->x_s[0] + (size_t)(i1 - start[1]) * g->x_s[1] +
                          (size_t)(i2 - start[2]) * g->x_s[2];
  return taps;
}

/* Input rows [r0, r1) of one image's `count` channels (x, dy and dx at its first channel;
 * geometry g with NHWC strides, g->x_s[2] floats a pixel): a band of a 1-D or 2-D image, or every
 * row of a 3-D one (r0 = 0, r1 = in[1]). */
struct tsr_dpool_band {
  const struct tsr_ukernel_entry* kernel;
  const struct tsr_pool_geometry* g;
  size_t count, r0, r1;
  const float *x, *dy;
  float* dx;
  size_t* offsets;
};

/* One kernel call: `pixels` outputs from p along w (windows alike but for their position), adding
 * only into the band's rows. */
static void tsr_dpool_call_kernel(const struct tsr_dpool_band* b, const size_t p[3], size_t pixels) {
  const struct tsr_pool_geometry* g = b->g;
  int64_t start[3], end[3];
  const int64_t divisor = tsr_pool_window(g, p, start, end);
  const size_t taps = tsr_dpool_offsets(g, start, end, b->offsets);
  /* the taps in the band's rows: a range, as rows are the taps' outer order in 1-D and 2-D */
  const bool all = b->r0 == 0 && b->r1 == g->in[1];
  const size_t columns = (size_t)(end[2] - start[2]);
  const size_t first = all || (size_t)start[1] >= b->r0 ? 0 : (b->r0 - (size_t)start[1]) * columns;
  const size_t last = all || (size_t)end[1] <= b->r1 ? taps : (b->r1 - (size_t)start[1]) * columns;
  if (first >= last) return; /* no tap in the band (or a window wholly in the padding) */
  const size_t at = (size_t)start[0] * g->x_s[0] + (size_t)start[1] * g->x_s[1] + (size_t)start[2] * g->x_s[2];
  const float* g_dy = b->dy + p[0] * g->y_s[0] + p[1] * g->y_s[1] + p[2] * g->y_s[2];
  const size_t step = g->stride[2] * g->x_s[2];
  if (g->kind == tsr_pooling_max)
    ((tsr_f32_dpool_max_ukernel_fn)b->kernel->function)(pixels, b->count, taps, b->offsets, first, last, step,
                                                           b->x + at, g_dy, g->y_s[2], b->dx + at);
  else
    ((tsr_f32_dpool_avg_ukernel_fn)b->kernel->function)(pixels, b->count, last - first, b->offsets + first, step,
                                                           (float)divisor, g_dy, g->y_s[2], b->dx + at);
}

/* Rows [from, to) of the band's dx zeroed, every depth plane. */
static void tsr_dpool_zero_rows(const struct tsr_dpool_band* b, size_t from, size_t to) {
  const struct tsr_pool_geometry* g = b->g;
  const size_t pixel = g->x_s[2], pixels = (to - from) * g->in[2], count = b->count;
  for (size_t q0 = 0; q0 < g->in[0]; q0++) {
    float* rows = b->dx + q0 * g->x_s[0] + from * g->x_s[1];
    if (pixel == count)
      memset(rows, 0, pixels * count * sizeof(float));
    else
      for (size_t q = 0; q < pixels; q++) memset(rows + q * pixel, 0, count * sizeof(float));
  }
}

/* The band's rows of dx: zeroed, then the dy of every output whose window reaches them routed
 * back, outputs in order. In 1-D and 2-D each row is zeroed just before the first output row
 * whose window reaches it (zeroed all at once, an image's dx went out to the last-level cache
 * and came back for the additions). */
static void tsr_dpool_band_run(const struct tsr_dpool_band* b) {
  const struct tsr_pool_geometry* g = b->g;
  const bool planes = g->in[0] > 1;
  if (planes) tsr_dpool_zero_rows(b, b->r0, b->r1);
  size_t zeroed = planes ? b->r1 : b->r0; /* rows [r0, zeroed) are zero or hold additions */
  /* output rows whose window rows p1 * stride - pad + [0, kernel) meet [r0, r1) */
  const int64_t stride = (int64_t)g->stride[1], kernel = (int64_t)g->kernel[1], pad = g->pad[1];
  const int64_t low = (int64_t)b->r0 + pad - kernel + 1, high = (int64_t)b->r1 + pad - 1;
  const size_t p1_begin = low <= 0 ? 0 : (size_t)((low + stride - 1) / stride);
  const size_t reach = high < 0 ? 0 : (size_t)(high / stride) + 1;
  const size_t p1_end = reach < g->out[1] ? reach : g->out[1];
  size_t begin, end;
  tsr_pool_unclipped(g, 2, &begin, &end);
  for (size_t p0 = 0; p0 < g->out[0]; p0++)
    for (size_t p1 = p1_begin; p1 < p1_end; p1++) {
      const int64_t bottom = (int64_t)p1 * stride - pad + kernel; /* one past the window's last row */
      const size_t needed = bottom <= (int64_t)b->r0 ? b->r0 : bottom >= (int64_t)b->r1 ? b->r1 : (size_t)bottom;
      if (needed > zeroed) tsr_dpool_zero_rows(b, zeroed, needed), zeroed = needed;
      for (size_t p2 = 0; p2 < g->out[2]; p2++) {
        const size_t p[3] = {p0, p1, p2};
        const size_t run = p2 == begin && begin < end ? end - begin : 1; /* the interior in one call */
        tsr_dpool_call_kernel(b, p, run);
        p2 += run - 1;
      }
    }
  if (zeroed < b->r1) tsr_dpool_zero_rows(b, zeroed, b->r1); /* rows no window reaches */
}

/* Plain: a channel's floats in a slice's scratch (x, dy and dx). */
static size_t tsr_dpool_slice_floats(const struct tsr_pool_geometry* g) {
  return 2 * g->in[0] * g->in[1] * g->in[2] + g->out[0] * g->out[1] * g->out[2];
}

/* Plain: channels a slice (scratch of about TSR_DPOOL_SLICE_FLOATS, at least TSR_DPOOL_SLICE_MIN
 * channels, at most all of them). */
static size_t tsr_dpool_slice(const struct tsr_pool_geometry* g, size_t channels) {
  size_t slice = TSR_DPOOL_SLICE_FLOATS / tsr_dpool_slice_floats(g);
  slice = slice < TSR_DPOOL_SLICE_MIN ? TSR_DPOOL_SLICE_MIN : slice / 16 * 16;
  return slice < channels ? slice : channels;
}

static size_t tsr_dpool_task_bytes(const struct tsr_dpool_call* c) {
  const struct tsr_pool_geometry* g = c->g;
  const size_t offsets = (c->taps * sizeof(size_t) + 63) / 64 * 64;
  if (!c->plain) return offsets;
  return offsets + tsr_dpool_slice_floats(g) * c->stride * sizeof(float) + 64;
}

/* The allowed variant at or below the picked one that leaves the fewest channels of `count` to
 * its one-at-a-time tail (8-channel blocks on AVX-512 machines take the AVX2 kernel). */
static const struct tsr_ukernel_entry* tsr_dpool_fit(const struct tsr_dpool_call* c, size_t count) {
  const struct tsr_ukernel_entry* list =
      c->g->kind == tsr_pooling_max ? tsr_f32_dpool_ukernels : tsr_f32_dpool_avg_ukernels;
  const struct tsr_ukernel_entry *picked = c->kernel, *best = picked;
  for (const struct tsr_ukernel_entry* e = picked + 1; e < list + tsr_f32_dpool_ukernel_count; e++)
    if (tsr_isa_allowed(e->isa) && count % e->tile < count % best->tile) best = e;
  return best;
}

static void tsr_dpool_task(void* context, size_t thread, size_t n, size_t k) {
  (void)thread;
  struct tsr_dpool_call* c = context;
  const struct tsr_pool_geometry* g = c->g;
  size_t* offsets = tsr_thread_task_scratch(tsr_dpool_task_bytes(c));
  if (offsets == NULL) {
    tsr_missed_tasks_mark(&c->missed, n * c->parts + k);
    return;
  }
  if (!c->plain) { /* band k of image n, every channel */
    const size_t r0 = k * c->band_rows, r1 = g->in[1] - r0 < c->band_rows ? g->in[1] : r0 + c->band_rows;
    const struct tsr_dpool_band b = {.kernel = tsr_dpool_fit(c, c->channels), .g = g, .count = c->channels,
                                     .r0 = r0, .r1 = r1, .x = c->x + n * g->x_n, .dy = c->dy + n * g->y_n,
                                     .dx = c->dx + n * g->x_n, .offsets = offsets};
    tsr_dpool_band_run(&b);
    return;
  }
  /* slice k of image n's channels, reordered into NHWC scratch and back */
  const size_t c0 = k * c->slice, count = c->channels - c0 < c->slice ? c->channels - c0 : c->slice;
  const size_t in = g->in[0] * g->in[1] * g->in[2], out = g->out[0] * g->out[1] * g->out[2];
  float* bx = (float*)((char*)offsets + (c->taps * sizeof(size_t) + 63) / 64 * 64);
  float *bdy = bx + in * c->stride, *bdx = bdy + out * c->stride;
  struct tsr_pool_geometry h;
  tsr_pool_nhwc_view(g, c->stride, &h);
  tsr_transpose_f32(count, in, c->x + n * g->x_n + c0 * g->x_c, g->x_c, bx, c->stride, NULL);
  tsr_transpose_f32(count, out, c->dy + n * g->y_n + c0 * g->y_c, g->y_c, bdy, c->stride, NULL);
  const struct tsr_dpool_band b = {.kernel = tsr_dpool_fit(c, count), .g = &h, .count = count, .r0 = 0,
                                   .r1 = g->in[1], .x = bx, .dy = bdy, .dx = bdx, .offsets = offsets};
  tsr_dpool_band_run(&b);
  tsr_transpose_f32(in, count, bdx, c->stride, c->dx + n * g->x_n + c0 * g->x_c, g->x_c, NULL);
}

static void tsr_dpool_missed_task(void* context, size_t task) {
  const struct tsr_dpool_call* c = context;
  tsr_dpool_task(context, 0, task / c->parts, task % c->parts);
}

bool tsr_pool_backward_fast_takes(const struct tsr_pool_geometry* g, size_t channels, bool nhwc) {
  const size_t stride = tsr_transpose_padded_stride(tsr_dpool_slice(g, channels));
  return nhwc || tsr_dpool_slice_floats(g) <= TSR_DPOOL_SLICE_MAX_BYTES / sizeof(float) / stride;
}

tsr_status tsr_pool_backward_fast_run(const struct tsr_ukernel_entry* kernel, const struct tsr_pool_geometry* g,
                                      size_t batch, size_t channels, bool nhwc, const float* x, const float* dy,
                                      float* dx, tsr_threadpool* pool) {
  struct tsr_dpool_call c = {
      .g = g, .kernel = kernel, .channels = channels, .plain = !nhwc, .x = x, .dy = dy, .dx = dx};
  c.taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
  const size_t threads = tsr_threadpool_threads(pool), wanted = threads * TSR_DPOOL_TASKS_PER_THREAD;
  if (nhwc) { /* bands of input rows only to share an image among threads (1-D and 2-D) */
    const size_t per_image = threads == 1 || batch >= wanted || g->in[0] > 1 ? 1 : (wanted + batch - 1) / batch;
    c.band_rows = (g->in[1] + per_image - 1) / per_image;
    if (c.band_rows < TSR_DPOOL_BAND_ROWS_MIN) c.band_rows = TSR_DPOOL_BAND_ROWS_MIN;
    if (c.band_rows > g->in[1]) c.band_rows = g->in[1];
    c.parts = (g->in[1] + c.band_rows - 1) / c.band_rows;
  } else { /* slices whose NHWC scratch stays within a core's share of the cache */
    c.slice = tsr_dpool_slice(g, channels);
    c.stride = tsr_transpose_padded_stride(c.slice);
    c.parts = (channels + c.slice - 1) / c.slice;
  }
  if (!tsr_missed_tasks_begin(&c.missed, batch * c.parts, tsr_thread_task_scratch, tsr_dpool_task_bytes(&c)))
    return tsr_status_out_of_memory;
  tsr_parallelize_2d(pool, tsr_dpool_task, &c, batch, c.parts);
  return tsr_missed_tasks_finish(&c.missed, tsr_dpool_missed_task, &c) ? tsr_status_success : tsr_status_out_of_memory;
}
