/* Padding and resampling by rows (resize-fast.h). An output row is out[2] "units" of contiguous
 * floats: one float in NCHW, a pixel's C channels in NHWC, where the channels come along with
 * each position. Tasks are runs of output rows of one plane (NCHW: one sample and channel; NHWC:
 * one sample), about four per thread and at least 16 KiB. The neighbours and weights along w
 * are tabled once per run, those along d and h once per row, by the reference's own rule
 * (tsr_reference_resize_taps). */
#include "engine/resize-fast.h"

#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "kernels/f32-vlerp/f32-vlerp.h"
#include "threadpool/threadpool.h"

#define TSR_RESIZE_MIN_TILE_FLOATS 4096

struct tsr_resize_rows {
  const struct tsr_resize_geometry* g;
  bool pad, nhwc;
  size_t channels, unit; /* floats per output position: 1 (plain) or channels (nhwc) */
  const float* x;
  float* y;
  /* resampling: each output position's two neighbours along w (compact arrays: nearest gathers
   * through index0_w per element) and, for linear, the second one's weight rounded to float */
  const size_t *index0_w, *index1_w;
  const float* weights_w;
  bool twice_w;                         /* nearest, plain, index0_w[ow] = ow / 2: each float twice */
  size_t pairs_w_begin, pairs_w;        /* linear, plain: see tsr_resize_find_pairs */
  tsr_f32_vlerp_fn lerp;                /* linear */
  tsr_f32_vbilerp_fn bilerp;            /* linear, NHWC, 1-D and 2-D: both steps in one kernel */
  float* scratch;                       /* linear otherwise: per thread, TSR_RESIZE_SCRATCH_ROWS rows */
};

/* Linear's rows per thread: four cached w-interpolations and two temporaries. */
#define TSR_RESIZE_SCRATCH_ROWS 6

static void tsr_fill(float* y, size_t n, float value) {
  for (size_t i = 0; i < n; i++) y[i] = value;
}

/* Nearest 2x along w in plain rows: y = x0 x0 x1 x1 ..., n floats. A loop the compiler
 * vectorizes (unpacks), where the gather through the index table moved one float a cycle:
 * 1x64x56x56 -> 112x112, 1 thread, 0.23 -> 0.12-0.15 ms (oneDNN 0.33 in the same runs). */
static void tsr_resize_twice(const float* restrict x, size_t n, float* restrict y) {
  for (size_t i = 0; i < n / 2; i++) y[2 * i] = x[i], y[2 * i + 1] = x[i];
  if (n % 2 != 0) y[n - 1] = x[n / 2];
}

/* Output row (od, oh) of a plane: whether it reads an input row, and which (id, ih). */
static bool tsr_resize_row_source(const struct tsr_resize_rows* r, size_t od, size_t oh, size_t* id, size_t* ih) {
  const struct tsr_resize_geometry* g = r->g;
  if (!r->pad) {
    *id = tsr_reference_resize_taps(g, g->in[0], g->out[0], od).index[0];
    *ih = tsr_reference_resize_taps(g, g->in[1], g->out[1], oh).index[0];
    return true;
  }
  const int64_t d = (int64_t)od - g->pad[0], h = (int64_t)oh - g->pad[1];
  if (d < 0 || d >= (int64_t)g->in[0] || h < 0 || h >= (int64_t)g->in[1]) return false;
  *id = (size_t)d, *ih = (size_t)h;
  return true;
}

/* Linear resampling is separable: a source row (id, ih) interpolated along w once, into a
 * per-thread cache of such rows, serves every output row that reads it (about four at 2x);
 * output rows then interpolate two cached rows along h, and two of those along d (3-D). */
#define TSR_RESIZE_CACHED_ROWS 4

struct tsr_resize_row_cache {
  size_t key[TSR_RESIZE_CACHED_ROWS]; /* id * in[1] + ih, or SIZE_MAX */
  float* row[TSR_RESIZE_CACHED_ROWS];
  float* temp[2];                     /* the h interpolations of the two depths (3-D) */
};

/* Linear 2x along w repeats its taps every two output positions one source float further on, with
 * the same two weights (half-pixel centres: 0.75 and 0.25). tsr_resize_find_pairs finds the
 * longest such stretch, `pairs` pairs of positions from `begin`, weights nonzero (a zero weight
 * means a copy); tsr_resize_lerp_pairs interpolates it two positions a step in a loop the
 * compiler vectorizes, with the scalar loop's expression, so with its roundings. 1x64x56x56 ->
 * 112x112, 1 thread: 0.86-1.52 -> 0.33-0.50 ms (oneDNN 1.45-2.05 in the same runs). */
static bool tsr_resize_repeats(const size_t* i0, const size_t* i1, const float* t, size_t o) {
  return i0[o + 2] == i0[o] + 1 && i1[o + 2] == i1[o] + 1 && t[o + 2] == t[o] && t[o] != 0.0f;
}

static void tsr_resize_find_pairs(const size_t* i0, const size_t* i1, const float* t, size_t n, size_t* begin,
                                  size_t* pairs) {
  *begin = 0, *pairs = 0;
  for (size_t first = 0; first + 2 < n;) {
    size_t last = first; /* positions o in [first, last) repeat at o + 2, so [first, last + 2) is regular */
    while (last + 2 < n && tsr_resize_repeats(i0, i1, t, last)) last++;
    if (last >= first + 2 && (last + 2 - first) / 2 > *pairs) *begin = first, *pairs = (last + 2 - first) / 2;
    first = last + 1;
  }
}

static void tsr_resize_lerp_pairs(const float* restrict x_row, const struct tsr_resize_rows* r,
                                  float* restrict h) {
  if (r->pairs_w == 0) return;
  const size_t o = r->pairs_w_begin;
  const float* restrict a0 = x_row + r->index0_w[o];
  const float* restrict b0 = x_row + r->index1_w[o];
  const float* restrict a1 = x_row + r->index0_w[o + 1];
  const float* restrict b1 = x_row + r->index1_w[o + 1];
  const float t0 = r->weights_w[o], t1 = r->weights_w[o + 1];
  for (size_t k = 0; k < r->pairs_w; k++) {
    h[o + 2 * k] = b0[k] * t0 + a0[k] * (1.0f - t0);
    h[o + 2 * k + 1] = b1[k] * t1 + a1[k] * (1.0f - t1);
  }
}

/* Output positions [begin, end) of source row x_row interpolated along w into h: each one's two
 * neighbours with weight t (a copy where t is 0, so an unused neighbour's inf or NaN stays out). */
static void tsr_resize_lerp_w(const struct tsr_resize_rows* r, const float* x_row, size_t begin, size_t end,
                              float* h) {
  const size_t unit = r->unit;
  for (size_t ow = begin; ow < end; ow++) {
    const float t = r->weights_w[ow];
    const float* a = x_row + r->index0_w[ow] * unit;
    if (t == 0.0f) memcpy(h + ow * unit, a, unit * sizeof(float));
    else if (unit == 1) h[ow] = x_row[r->index1_w[ow]] * t + *a * (1.0f - t);
    else r->lerp(unit, a, x_row + r->index1_w[ow] * unit, t, h + ow * unit);
  }
}

/* Source row (id, ih) interpolated along w into h: the regular stretch two positions a step (none
 * unless plain rows at 2x), the positions around it one at a time. */
static void tsr_resize_interpolate_w(const struct tsr_resize_rows* r, const float* x_row, float* h) {
  const size_t begin = r->pairs_w_begin, end = begin + 2 * r->pairs_w;
  tsr_resize_lerp_pairs(x_row, r, h);
  tsr_resize_lerp_w(r, x_row, 0, begin, h);
  tsr_resize_lerp_w(r, x_row, end, r->g->out[2], h);
}

/* The cached w-interpolation of source row (id, ih), computed into a slot whose row is not
 * among the `needed` keys of the current output row if it is not there yet. */
static const float* tsr_resize_cached_row(const struct tsr_resize_rows* r, struct tsr_resize_row_cache* cache,
                                          const float* x_plane, size_t id, size_t ih, const size_t* needed) {
  const struct tsr_resize_geometry* g = r->g;
  const size_t key = id * g->in[1] + ih;
  int slot = -1;
  for (int s = 0; s < TSR_RESIZE_CACHED_ROWS; s++)
    if (cache->key[s] == key) return cache->row[s];
  for (int s = 0; s < TSR_RESIZE_CACHED_ROWS && slot < 0; s++) {
    bool busy = false;
    for (int k = 0; k < TSR_RESIZE_CACHED_ROWS; k++) busy = busy || cache->key[s] == needed[k];
    if (!busy) slot = s;
  }
  tsr_resize_interpolate_w(r, x_plane + id * g->x_s[0] + ih * g->x_s[1], cache->row[slot]);
  cache->key[slot] = key;
  return cache->row[slot];
}

/* a where t is 0, else the interpolation between a and b written to `out`. */
static const float* tsr_resize_lerp_rows(const struct tsr_resize_rows* r, size_t n, const float* a, const float* b,
                                         double weight, float* out) {
  const float t = (float)weight;
  if (t == 0.0f) return a;
  r->lerp(n, a, b, t, out);
  return out;
}

/* Output row (od, oh) by linear resampling (see above). */
static void tsr_resize_linear_row(const struct tsr_resize_rows* r, struct tsr_resize_row_cache* cache,
                                  const float* x_plane, size_t od, size_t oh, float* y_row) {
  const struct tsr_resize_geometry* g = r->g;
  const size_t row_floats = g->out[2] * r->unit;
  const struct tsr_resize_taps td = tsr_reference_resize_taps(g, g->in[0], g->out[0], od);
  const struct tsr_resize_taps th = tsr_reference_resize_taps(g, g->in[1], g->out[1], oh);
  const int depths = (float)td.weight != 0.0f ? 2 : 1;
  size_t needed[TSR_RESIZE_CACHED_ROWS];
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) needed[2 * a + b] = td.index[a] * g->in[1] + th.index[b];
  const float* depth_rows[2];
  for (int a = 0; a < depths; a++) {
    const float* top = tsr_resize_cached_row(r, cache, x_plane, td.index[a], th.index[0], needed);
    const float* bottom = (float)th.weight != 0.0f
                              ? tsr_resize_cached_row(r, cache, x_plane, td.index[a], th.index[1], needed)
                              : top;
    /* one depth: straight into y; two: each into its temporary row */
    depth_rows[a] = tsr_resize_lerp_rows(r, row_floats, top, bottom, th.weight, depths == 1 ? y_row : cache->temp[a]);
  }
  const float* result = depths == 1 ? depth_rows[0]
                                    : tsr_resize_lerp_rows(r, row_floats, depth_rows[0], depth_rows[1], td.weight, y_row);
  if (result != y_row) memcpy(y_row, result, row_floats * sizeof(float));
}

/* Output rows [first, first + count) of a 1-D or 2-D NHWC plane by linear resampling, without
 * the cache: each run of rows that read the same two source rows (two at a 2x scale) is one
 * bilinear kernel call, which loads each source pixel once for the run and writes no row in
 * between. The same floats as the cached way. Measured (64 channels, 56x56 -> 112x112, 1 thread,
 * Zen 4): see docs/PERFORMANCE.md. */
static void tsr_resize_bilinear_rows(const struct tsr_resize_rows* r, const float* x_plane, float* y_plane,
                                     size_t first, size_t count) {
  const struct tsr_resize_geometry* g = r->g;
  struct tsr_resize_taps th = tsr_reference_resize_taps(g, g->in[1], g->out[1], first);
  for (size_t oh = first; oh < first + count;) {
    const size_t top = th.index[0], bottom = th.index[1];
    float weights[TSR_VBILERP_MAX_ROWS];
    float* y_rows[TSR_VBILERP_MAX_ROWS];
    size_t rows = 0;
    do {
      weights[rows] = (float)th.weight, y_rows[rows] = y_plane + oh * g->y_s[1];
      rows++, oh++;
      if (oh < first + count) th = tsr_reference_resize_taps(g, g->in[1], g->out[1], oh);
    } while (oh < first + count && rows < TSR_VBILERP_MAX_ROWS && th.index[0] == top && th.index[1] == bottom);
    r->bilerp(g->out[2], r->unit, x_plane + top * g->x_s[1], x_plane + bottom * g->x_s[1], r->index0_w, r->index1_w,
              r->weights_w, rows, weights, y_rows);
  }
}

static void tsr_resize_row_task(void* context, size_t thread, size_t plane, size_t row, size_t count) {
  const struct tsr_resize_rows* r = context;
  const struct tsr_resize_geometry* g = r->g;
  const size_t n = r->nhwc ? plane : plane / r->channels, c = r->nhwc ? 0 : plane % r->channels;
  const float* x_plane = r->x + n * g->x_n + c * g->x_c;
  float* y_plane = r->y + n * g->y_n + c * g->y_c;
  const size_t unit = r->unit, row_floats = g->out[2] * unit;
  if (r->bilerp != NULL) {
    tsr_resize_bilinear_rows(r, x_plane, y_plane, row, count);
    return;
  }
  size_t previous_d = SIZE_MAX, previous_h = SIZE_MAX;
  const float* previous = NULL;
  struct tsr_resize_row_cache cache;
  if (r->scratch != NULL) {
    float* rows = r->scratch + thread * TSR_RESIZE_SCRATCH_ROWS * row_floats;
    for (int s = 0; s < TSR_RESIZE_CACHED_ROWS; s++) cache.key[s] = SIZE_MAX, cache.row[s] = rows + (size_t)s * row_floats;
    cache.temp[0] = rows + 4 * row_floats, cache.temp[1] = rows + 5 * row_floats;
  }
  for (size_t k = row; k < row + count; k++) {
    const size_t od = k / g->out[1], oh = k % g->out[1];
    float* y_row = y_plane + od * g->y_s[0] + oh * g->y_s[1];
    if (!r->pad && g->kind == tsr_resampling_linear) {
      tsr_resize_linear_row(r, &cache, x_plane, od, oh, y_row);
      continue;
    }
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
    } else if (r->twice_w) {
      tsr_resize_twice(x_row, g->out[2], y_row);
    } else if (unit == 1) {
      for (size_t ow = 0; ow < g->out[2]; ow++) y_row[ow] = x_row[r->index0_w[ow]];
    } else {
      for (size_t ow = 0; ow < g->out[2]; ow++)
        memcpy(y_row + ow * unit, x_row + r->index0_w[ow] * unit, unit * sizeof(float));
    }
    previous = y_row, previous_d = id, previous_h = ih;
  }
}

tsr_status tsr_resize_fast_run(const struct tsr_resize_geometry* g, bool pad, bool nhwc, size_t batch,
                               size_t channels, const float* x, float* y, const struct tsr_f32_vlerp_entry* lerp,
                               tsr_threadpool* pool) {
  struct tsr_resize_rows r = {.g = g, .pad = pad, .nhwc = nhwc, .channels = channels,
                              .unit = nhwc ? channels : 1, .x = x, .y = y};
  const size_t planes = nhwc ? batch : batch * channels, rows = g->out[0] * g->out[1];
  const size_t row_floats = g->out[2] * r.unit;
  size_t* indices_w = NULL; /* index0 then index1 */
  float* weights_w = NULL;
  const bool linear = !pad && g->kind == tsr_resampling_linear;
  /* 1-D and 2-D NHWC: one kernel for both steps (the 3-D form and plain rows use the cache) */
  if (linear && nhwc && g->in[0] == 1 && g->out[0] == 1) r.bilerp = lerp->bilerp;
  if (!pad) {
    indices_w = malloc(2 * g->out[2] * sizeof(size_t));
    weights_w = malloc(g->out[2] * sizeof(float));
    size_t scratch_bytes = 0; /* a product that overflows is refused like a failed allocation */
    if (linear && r.bilerp == NULL &&
        tsr_mul_size(tsr_threadpool_threads(pool) * TSR_RESIZE_SCRATCH_ROWS * sizeof(float), row_floats,
                     &scratch_bytes))
      r.scratch = malloc(scratch_bytes);
    if (indices_w == NULL || weights_w == NULL || (linear && r.bilerp == NULL && r.scratch == NULL)) {
      free(indices_w), free(weights_w), free(r.scratch);
      return tsr_error(tsr_status_out_of_memory, "tsr_op_run(upsample): out of memory");
    }
    for (size_t o = 0; o < g->out[2]; o++) {
      const struct tsr_resize_taps taps = tsr_reference_resize_taps(g, g->in[2], g->out[2], o);
      indices_w[o] = taps.index[0], indices_w[g->out[2] + o] = taps.index[1], weights_w[o] = (float)taps.weight;
    }
    r.index0_w = indices_w, r.index1_w = indices_w + g->out[2], r.weights_w = weights_w;
    if (linear && r.unit == 1)
      tsr_resize_find_pairs(r.index0_w, r.index1_w, weights_w, g->out[2], &r.pairs_w_begin, &r.pairs_w);
    r.twice_w = !linear && r.unit == 1;
    for (size_t o = 0; o < g->out[2] && r.twice_w; o++) r.twice_w = indices_w[o] == o / 2;
    r.lerp = linear ? lerp->ukernel : NULL;
  }
  const size_t tile = tsr_parallel_tile(pool, planes * rows, row_floats, TSR_RESIZE_MIN_TILE_FLOATS); /* rows */
  tsr_parallelize_2d_tile_1d(pool, tsr_resize_row_task, &r, planes, rows, tile);
  free(indices_w), free(weights_w), free(r.scratch);
  return tsr_status_success;
}
