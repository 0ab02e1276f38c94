/* Winograd F(4x4, 3x3) convolution on NHWC (see conv-fast.h and kernels/f32-winograd): the
 * weights are transformed at creation (U = G g G^T, in double, rounded once) and packed into
 * f32-igemm panels, one set of panels per transformed point ξ (36); each run transforms tiles of
 * the input (V = B^T d B), multiplies V by U for each ξ on the igemm kernel (one tap: a plain
 * GEMM whose A rows are the tiles), and transforms the products back (Y = A^T M A) with bias,
 * sum and clamp in the store. 4x4 output tiles cover the image; those that overhang its right
 * or bottom edge read zeros there and skip the pixels past it.
 *
 * Scheduling rule: a task takes a block of up to TSR_WINOGRAD_ROW_TILES x MR tiles (anywhere in
 * the batch: tiles are numbered over n x tile rows x tile columns) and a block of output-channel
 * panels. It transforms its tiles into a per-thread V ([ξ][tile][ic]), runs the 36 GEMMs into a
 * per-thread M ([ξ][tile][its channels]), each U panel once for all the block's tiles (the panel
 * stays in L1 across them), then transforms M into y. Panels are split only when the tile blocks
 * give fewer than about 4 tasks per thread (small images at batch 1); each panel block then
 * transforms the same tiles again, which costs a few percent of the GEMMs' time. Results never
 * depend on the split: every output's sums run in one fixed order.
 *
 * Wide layers (ic x oc >= 512 x 512: U is 36 MiB, past the last-level cache) are bound by
 * reading U when few tiles share it: chosen by auto, they keep the direct (igemm) path too and
 * run on it with fewer than TSR_WINOGRAD_DIRECT_TILES tiles per thread. Measured at ic = oc = 512
 * on 7x7 images (AVX-512, against the direct path in the same process): 1 thread, 4 tiles (batch
 * 1): Winograd 224 against 212 GFLOP/s; 2 threads, 4 and 8 tiles: 287 and 386 against 422 and
 * 430; 2 threads, 16 tiles: 521 against 429. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conv-fast.h"
#include "engine/error.h"
#include "engine/missed-tasks.h"
#include "engine/scratch.h"
#include "threadpool/threadpool.h"

/* MR-tile rows a task's tile block holds: each U panel a block reads is used by that many
 * tiles. Layers with at least TSR_WINOGRAD_WIDE_WEIGHTS ic x oc pairs (U is then 36 MiB and comes
 * from memory) take twice as many. Measured on ResNet-50's 3x3 layers (AVX-512, 1 thread):
 * 1-6 rows moved 64-256 channels by a few percent either way; ic = oc = 512 at batch 32 went
 * 362 -> 407 -> 455 -> 474 -> 484 GFLOP/s with 1, 2, 3, 4 and 6 rows. */
#define TSR_WINOGRAD_ROW_TILES 2
#define TSR_WINOGRAD_WIDE_WEIGHTS (512 * 512)
#define TSR_WINOGRAD_TASKS_PER_THREAD 4
#define TSR_WINOGRAD_DIRECT_TILES 8

bool tsr_conv_winograd_eligible(const tsr_conv_params* p) {
  if (p->spatial_ndims != 2 || p->groups != 1) return false;
  for (int32_t d = 0; d < 2; d++)
    if (p->kernel[d] != 3 || p->stride[d] != 1 || p->dilation[d] != 1) return false;
  return true;
}

bool tsr_conv_winograd_wide(const tsr_conv_params* p) {
  return p->in_channels * p->out_channels >= TSR_WINOGRAD_WIDE_WEIGHTS;
}

static size_t tsr_winograd_panel_floats(const struct tsr_conv_fast* f) { return f->nr * (1 + f->kc); }
static size_t tsr_winograd_panels(const struct tsr_conv_fast* f) { return (f->group_out + f->nr - 1) / f->nr; }

/* U = G g G^T for one 3x3 filter g (row-major), in double. */
static void tsr_winograd_filter(const float* g, double* u) {
  static const double G[6][3] = {{1.0 / 4, 0, 0},
                                 {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                 {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                 {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                 {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                 {0, 0, 1}};
  double t[6][3];
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 3; j++) t[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) u[i * 6 + j] = t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2];
}

tsr_status tsr_conv_winograd_pack(struct tsr_conv_fast* f, const float* weights) {
  const size_t panels = tsr_winograd_panels(f), panel_floats = tsr_winograd_panel_floats(f), nr = f->nr;
  size_t floats;
  if (!tsr_mul_size(panels * panel_floats, TSR_WINOGRAD_POINTS, &floats) || floats > SIZE_MAX / sizeof(float))
    return tsr_status_out_of_memory;
  if (posix_memalign((void**)&f->packed, 64, floats * sizeof(float)) != 0) {
    f->packed = NULL;
    return tsr_status_out_of_memory;
  }
  memset(f->packed, 0, floats * sizeof(float)); /* the panels' bias rows and padding columns */
  f->zero = calloc(f->kc, sizeof(float));
  if (f->zero == NULL) return tsr_status_out_of_memory;
  for (size_t o = 0; o < f->group_out; o++)
    for (size_t c = 0; c < f->kc; c++) {
      double u[TSR_WINOGRAD_POINTS];
      tsr_winograd_filter(weights + (o * f->kc + c) * 9, u);
      float* w = f->packed + (o / nr) * panel_floats + nr * (1 + c) + o % nr;
      for (size_t xi = 0; xi < TSR_WINOGRAD_POINTS; xi++) w[xi * panels * panel_floats] = (float)u[xi];
    }
  return tsr_status_success;
}

struct tsr_winograd_call {
  const struct tsr_conv_fast* f;
  const struct tsr_conv_geometry* g;
  const float* x;
  float* y;
  /* channels a block and floats between blocks: NHWC is one block of all channels; blocked
     tensors (nChw<b>c) transform each block of x and store each block of y separately */
  size_t x_block, x_block_stride, y_block, y_block_stride;
  size_t tiles_w, tiles_per_image;
  size_t block;       /* tiles per task, a multiple of MR */
  size_t ldm;         /* M's row stride: a panel block's columns */
  size_t v_floats, m_floats, task_bytes;
  size_t panel_block, panel_blocks;
  size_t tiles, panels;
  struct tsr_missed_tasks missed; /* tasks: tile block x panel block */
};

/* Tile t's origin: batch item, output row and column of its top-left pixel. */
static void tsr_winograd_tile(const struct tsr_winograd_call* c, size_t t, size_t* n, size_t* oh, size_t* ow) {
  *n = t / c->tiles_per_image;
  const size_t r = t % c->tiles_per_image;
  *oh = r / c->tiles_w * TSR_WINOGRAD_OUTPUT;
  *ow = r % c->tiles_w * TSR_WINOGRAD_OUTPUT;
}

static void tsr_winograd_task(void* context, size_t thread, size_t tile_start, size_t panel_start, size_t tiles,
                              size_t panels) {
  (void)thread;
  struct tsr_winograd_call* c = context;
  const struct tsr_conv_fast* f = c->f;
  const struct tsr_conv_geometry* g = c->g;
  float* v = tsr_thread_task_scratch(c->task_bytes);
  if (v == NULL) { /* the caller runs it after the parallel call, with its own scratch */
    tsr_missed_tasks_mark(&c->missed, tile_start / c->block * c->panel_blocks + panel_start / c->panel_block);
    return;
  }
  float* m = v + c->v_floats;
  const float** rows = (const float**)(m + c->m_floats); /* c->block of them */
  const size_t ic = g->ic, mr = f->mr, nr = f->nr, ldm = c->ldm;
  const size_t col0 = panel_start * nr, cols = g->oc - col0 < panels * nr ? g->oc - col0 : panels * nr;

  for (size_t i = 0; i < tiles; i++) {
    size_t n, oh, ow;
    tsr_winograd_tile(c, tile_start + i, &n, &oh, &ow);
    for (size_t c0 = 0; c0 < ic; c0 += c->x_block) {
      const float* x[TSR_WINOGRAD_POINTS];
      const float* base = c->x + n * g->x_n + c0 / c->x_block * c->x_block_stride;
      for (size_t a = 0; a < TSR_WINOGRAD_TILE; a++) {
        const int64_t ih = (int64_t)(oh + a) - g->pad[1];
        for (size_t b = 0; b < TSR_WINOGRAD_TILE; b++) {
          const int64_t iw = (int64_t)(ow + b) - g->pad[2];
          x[a * TSR_WINOGRAD_TILE + b] = ih >= 0 && ih < (int64_t)g->in[1] && iw >= 0 && iw < (int64_t)g->in[2]
                                             ? base + (size_t)ih * g->x_s[1] + (size_t)iw * g->x_s[2]
                                             : f->zero;
        }
      }
      f->winograd->input(ic - c0 < c->x_block ? ic - c0 : c->x_block, x, v + i * ic + c0, c->block * ic);
    }
    rows[i] = v + i * ic;
  }
  for (size_t i = tiles; i < (tiles + mr - 1) / mr * mr; i++) rows[i] = rows[tiles - 1]; /* whole MR tiles */

  static const struct tsr_f32_conv_params plain = {-INFINITY, INFINITY, 0.0f, 0};
  const size_t panel_floats = tsr_winograd_panel_floats(f), point_floats = tsr_winograd_panels(f) * panel_floats;
  for (size_t xi = 0; xi < TSR_WINOGRAD_POINTS; xi++) {
    const float* u = f->packed + xi * point_floats;
    float* mx = m + xi * c->block * ldm;
    const size_t a_offset = xi * c->block * ic * sizeof(float); /* V's rows for this ξ */
    for (size_t j = panel_start; j < panel_start + panels; j++) {
      const size_t col = (j - panel_start) * nr, ncols = g->oc - j * nr < nr ? g->oc - j * nr : nr;
      for (size_t r = 0; r < tiles; r += mr)
        f->igemm(tiles - r < mr ? tiles - r : mr, ncols, ic, 1, rows + r, u + j * panel_floats, mx + r * ldm + col,
                 ldm, a_offset, f->zero, &plain);
    }
  }

  for (size_t i = 0; i < tiles; i++) {
    size_t n, oh, ow;
    tsr_winograd_tile(c, tile_start + i, &n, &oh, &ow);
    for (size_t done = 0; done < cols;) { /* runs of columns within one block of y */
      const size_t col = col0 + done, lane = col % c->y_block;
      const size_t run = c->y_block - lane < cols - done ? c->y_block - lane : cols - done;
      float* base = c->y + n * g->y_n + col / c->y_block * c->y_block_stride + lane;
      float* y[TSR_WINOGRAD_OUTPUT * TSR_WINOGRAD_OUTPUT];
      for (size_t a = 0; a < TSR_WINOGRAD_OUTPUT; a++)
        for (size_t b = 0; b < TSR_WINOGRAD_OUTPUT; b++)
          y[a * TSR_WINOGRAD_OUTPUT + b] = oh + a < g->out[1] && ow + b < g->out[2]
                                               ? base + (oh + a) * g->y_s[1] + (ow + b) * g->y_s[2]
                                               : NULL;
      f->winograd->output(run, m + i * ldm + done, c->block * ldm, f->bias != NULL ? f->bias + col : NULL, y,
                          &f->params);
      done += run;
    }
  }
}

bool tsr_conv_winograd_hands_to_direct(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                       size_t threads) {
  const size_t tiles_w = (g->out[2] + TSR_WINOGRAD_OUTPUT - 1) / TSR_WINOGRAD_OUTPUT;
  const size_t tiles = g->n * ((g->out[1] + TSR_WINOGRAD_OUTPUT - 1) / TSR_WINOGRAD_OUTPUT) * tiles_w;
  return f->direct != NULL && tiles < TSR_WINOGRAD_DIRECT_TILES * threads;
}

tsr_status tsr_conv_winograd_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, const float* x,
                                 float* y, tsr_threadpool* pool) {
  if (tsr_conv_winograd_hands_to_direct(f, g, tsr_threadpool_threads(pool)))
    return tsr_conv_igemm_run(f->direct, g, x, y, pool);
  return tsr_conv_winograd_run_blocks(f, g, g->ic, 0, g->oc, 0, x, y, pool);
}

/* Task t of the call again, on the calling thread. */
static void tsr_winograd_missed_task(void* context, size_t t) {
  const struct tsr_winograd_call* c = context;
  const size_t tile_start = t / c->panel_blocks * c->block, panel_start = t % c->panel_blocks * c->panel_block;
  const size_t tiles = c->tiles - tile_start < c->block ? c->tiles - tile_start : c->block;
  const size_t panels = c->panels - panel_start < c->panel_block ? c->panels - panel_start : c->panel_block;
  tsr_winograd_task(context, 0, tile_start, panel_start, tiles, panels);
}

tsr_status tsr_conv_winograd_run_blocks(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                        size_t x_block, size_t x_block_stride, size_t y_block, size_t y_block_stride,
                                        const float* x, float* y, tsr_threadpool* pool) {
  struct tsr_winograd_call call = {.f = f, .g = g, .x = x, .y = y, .x_block = x_block,
                                   .x_block_stride = x_block_stride, .y_block = y_block,
                                   .y_block_stride = y_block_stride};
  call.tiles_w = (g->out[2] + TSR_WINOGRAD_OUTPUT - 1) / TSR_WINOGRAD_OUTPUT;
  call.tiles_per_image = (g->out[1] + TSR_WINOGRAD_OUTPUT - 1) / TSR_WINOGRAD_OUTPUT * call.tiles_w;
  const size_t tiles = g->n * call.tiles_per_image, panels = tsr_winograd_panels(f);
  const size_t threads = tsr_threadpool_threads(pool);
  call.block = (g->ic * g->oc >= TSR_WINOGRAD_WIDE_WEIGHTS ? 2 : 1) * TSR_WINOGRAD_ROW_TILES * f->mr;
  const size_t tile_blocks = (tiles + call.block - 1) / call.block;
  const size_t wanted = threads <= 1 ? 1 : TSR_WINOGRAD_TASKS_PER_THREAD * threads;
  const size_t splits = tile_blocks >= wanted ? 1 : (wanted + tile_blocks - 1) / tile_blocks;
  const size_t panel_block = (panels + splits - 1) / splits;
  call.ldm = panel_block * f->nr;
  /* V, M and the row pointers, each start 64-byte aligned */
  call.v_floats = (TSR_WINOGRAD_POINTS * call.block * g->ic + 15) / 16 * 16;
  call.m_floats = (TSR_WINOGRAD_POINTS * call.block * call.ldm + 15) / 16 * 16;
  call.task_bytes = (call.v_floats + call.m_floats) * sizeof(float) + call.block * sizeof(float*);
  /* Nothing is written unless every task can run (engine/missed-tasks.h). */
  call.panel_block = panel_block, call.panel_blocks = (panels + panel_block - 1) / panel_block;
  call.tiles = tiles, call.panels = panels;
  if (!tsr_missed_tasks_begin(&call.missed, tile_blocks * call.panel_blocks, tsr_thread_task_scratch, call.task_bytes))
    return tsr_status_out_of_memory;
  tsr_parallelize_2d_tile_2d(pool, tsr_winograd_task, &call, tiles, panels, call.block, panel_block);
  return tsr_missed_tasks_finish(&call.missed, tsr_winograd_missed_task, &call) ? tsr_status_success
                                                                                  : tsr_status_out_of_memory;
}
