/* Padding and nearest resampling by rows (resize-fast.h). An output row is out[2] "units" of
 * contiguous floats: one float in NCHW, a pixel's C channels in NHWC, where the channels come
 * along with each position. Tasks are runs of output rows of one plane (NCHW: one sample and
 * channel; NHWC: one sample), about four per thread and at least 16 KiB. */
#include "engine/resize-fast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "threadpool/threadpool.h"

#define TSR_RESIZE_MIN_TILE_FLOATS 4096
#define TSR_RESIZE_TASKS_PER_THREAD 4

struct tsr_resize_rows {
  const struct tsr_resize_geometry* g;
  bool pad, nhwc;
  size_t channels, unit; /* floats per output position: 1 (plain) or channels (nhwc) */
  const float* x;
  float* y;
  const size_t* source_w; /* nearest: the input position of each output position along w */
};

/* The input index the reference's nearest rule takes for output o (in, out extents). */
static size_t tsr_nearest_source(size_t o, size_t in, size_t out) {
  const size_t i = (size_t)floor(((double)o + 0.5) * (double)in / (double)out);
  return i < in ? i : in - 1;
}

static void tsr_fill(float* y, size_t n, float value) {
  for (size_t i = 0; i < n; i++) y[i] = value;
}

/* Output row (od, oh) of a plane: whether it reads an input row, and which (id, ih). */
static bool tsr_resize_row_source(const struct tsr_resize_rows* r, size_t od, size_t oh, size_t* id, size_t* ih) {
  const struct tsr_resize_geometry* g = r->g;
  if (!r->pad) {
    *id = tsr_nearest_source(od, g->in[0], g->out[0]), *ih = tsr_nearest_source(oh, g->in[1], g->out[1]);
    return true;
  }
  const int64_t d = (int64_t)od - g->pad[0], h = (int64_t)oh - g->pad[1];
  if (d < 0 || d >= (int64_t)g->in[0] || h < 0 || h >= (int64_t)g->in[1]) return false;
  *id = (size_t)d, *ih = (size_t)h;
  return true;
}

static void tsr_resize_row_task(void* context, size_t thread, size_t plane, size_t row, size_t count) {
  (void)thread;
  const struct tsr_resize_rows* r = context;
  const struct tsr_resize_geometry* g = r->g;
  const size_t n = r->nhwc ? plane : plane / r->channels, c = r->nhwc ? 0 : plane % r->channels;
  const float* x_plane = r->x + n * g->x_n + c * g->x_c;
  float* y_plane = r->y + n * g->y_n + c * g->y_c;
  const size_t unit = r->unit, row_floats = g->out[2] * unit;
  size_t previous_d = SIZE_MAX, previous_h = SIZE_MAX;
  const float* previous = NULL;
  for (size_t k = row; k < row + count; k++) {
    const size_t od = k / g->out[1], oh = k % g->out[1];
    float* y_row = y_plane + od * g->y_s[0] + oh * g->y_s[1];
    size_t id, ih;
    if (!tsr_resize_row_source(r, od, oh, &id, &ih)) {
      tsr_fill(y_row, row_floats, g->value);
      previous = NULL;
      continue;
    }
    if (previous != NULL && id == previous_d && ih == previous_h) { /* the same source row again */
      memcpy(y_row, previous, row_floats * sizeof(float));
      continue;
    }
    const float* x_row = x_plane + id * g->x_s[0] + ih * g->x_s[1];
    if (r->pad) {
      const size_t begin = (size_t)g->pad[2] * unit, middle = g->in[2] * unit;
      tsr_fill(y_row, begin, g->value);
      memcpy(y_row + begin, x_row, middle * sizeof(float));
      tsr_fill(y_row + begin + middle, row_floats - begin - middle, g->value);
    } else if (unit == 1) {
      for (size_t ow = 0; ow < g->out[2]; ow++) y_row[ow] = x_row[r->source_w[ow]];
    } else {
      for (size_t ow = 0; ow < g->out[2]; ow++)
        memcpy(y_row + ow * unit, x_row + r->source_w[ow] * unit, unit * sizeof(float));
    }
    previous = y_row, previous_d = id, previous_h = ih;
  }
}

tsr_status tsr_resize_fast_run(const struct tsr_resize_geometry* g, bool pad, bool nhwc, size_t batch,
                               size_t channels, const float* x, float* y, tsr_threadpool* pool) {
  struct tsr_resize_rows r = {.g = g, .pad = pad, .nhwc = nhwc, .channels = channels,
                              .unit = nhwc ? channels : 1, .x = x, .y = y};
  size_t* source_w = NULL;
  if (!pad) {
    source_w = malloc(g->out[2] * sizeof(size_t));
    if (source_w == NULL) return tsr_error(tsr_status_out_of_memory, "tsr_op_run(upsample): out of memory");
    for (size_t o = 0; o < g->out[2]; o++) source_w[o] = tsr_nearest_source(o, g->in[2], g->out[2]);
    r.source_w = source_w;
  }
  const size_t planes = nhwc ? batch : batch * channels, rows = g->out[0] * g->out[1];
  const size_t row_floats = g->out[2] * r.unit;
  const size_t tasks = tsr_threadpool_threads(pool) * TSR_RESIZE_TASKS_PER_THREAD;
  size_t tile = (planes * rows + tasks - 1) / tasks; /* rows per task */
  const size_t min_rows = (TSR_RESIZE_MIN_TILE_FLOATS + row_floats - 1) / row_floats;
  if (tile < min_rows) tile = min_rows;
  tsr_parallelize_2d_tile_1d(pool, tsr_resize_row_task, &r, planes, rows, tile);
  free(source_w);
  return tsr_status_success;
}
