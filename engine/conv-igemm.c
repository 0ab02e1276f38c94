/* Indirect-GEMM convolution on NHWC (see conv-fast.h): weights packed at creation into panels
 * of NR output channels per group, the indirection buffer from the op's cache, and a task grid
 * over (batch item x group, output-pixel blocks, output-channel blocks).
 *
 * Scheduling rule: a channel block holds as many NR panels of the group as fit in 256 KiB (half
 * of a Zen 3 L2), so its weights stay in L2 while the task walks its pixel tiles; inside a task
 * each MR-pixel tile runs across the block's panels, so the tile's input rows are reused from L1
 * (or L2 for deep layers). Pixel blocks are as long as possible while the grid still gives about
 * 8 tasks per thread, so batch 1 keeps every thread busy and large batches keep whole images
 * per task. Every output element is computed by one kernel call over all its taps and channels,
 * so the split never changes results. */
#include <stdint.h>
#include <stdlib.h>

#include "engine/conv-fast.h"
#include "engine/cpu.h"
#include "engine/error.h"
#include "threadpool/threadpool.h"

#define TSR_IGEMM_BLOCK_BYTES (256 * 1024)
/* Tasks differ in size (the last tile and panel blocks are partial) and the pool hands each
 * thread a contiguous run of them, stealing single tasks at the end: at 4 a thread the 7x7
 * MobileNet layers came out uneven (b15.project 2 threads: 35.8 -> 40.3 µs when the pool moved
 * from one shared counter to ranges); at 8 the MobileNet v2 geomean on 2 threads rose 3-6%,
 * ResNet-50's stayed level, and 16 was no better (Zen 4). */
#define TSR_IGEMM_TASKS_PER_THREAD 8

size_t tsr_conv_igemm_panel_floats(const struct tsr_conv_fast* f, size_t kc) { return f->nr * (1 + f->taps * kc); }
static size_t tsr_panel_floats(const struct tsr_conv_fast* f) { return tsr_conv_igemm_panel_floats(f, f->kc); }
static size_t tsr_panels_per_group(const struct tsr_conv_fast* f) { return (f->group_out + f->nr - 1) / f->nr; }

float* tsr_conv_igemm_pack_panels(const struct tsr_conv_fast* f, size_t groups, const float* weights,
                                  const float* bias, size_t kc) {
  const size_t panels = tsr_panels_per_group(f), nr = f->nr;
  /* padding each group to whole panels can overflow where the weights' own size did not */
  size_t floats;
  float* packed = NULL;
  if (!tsr_mul_size(f->taps, kc, &floats) || !tsr_mul_size(floats + 1, nr, &floats) ||
      !tsr_mul_size(floats, groups * panels, &floats) || floats > SIZE_MAX / sizeof(float) ||
      posix_memalign((void**)&packed, 64, floats * sizeof(float)) != 0)
    return NULL;
  float* w = packed;
  for (size_t g = 0; g < groups; g++)
    for (size_t j = 0; j < panels; j++) {
      for (size_t col = 0; col < nr; col++) {
        const size_t o = j * nr + col;
        *w++ = o < f->group_out && bias != NULL ? bias[g * f->group_out + o] : 0.0f;
      }
      for (size_t t = 0; t < f->taps; t++)
        for (size_t k = 0; k < kc; k++)
          for (size_t col = 0; col < nr; col++) {
            const size_t o = j * nr + col; /* weights [oc][f->kc][taps]; channels past f->kc are padding */
            *w++ = o < f->group_out && k < f->kc ? weights[((g * f->group_out + o) * f->kc + k) * f->taps + t] : 0.0f;
          }
    }
  return packed;
}

tsr_status tsr_conv_igemm_pack(struct tsr_conv_fast* f, const tsr_conv_params* p, const float* weights,
                               const float* bias) {
  f->packed = tsr_conv_igemm_pack_panels(f, (size_t)p->groups, weights, bias, f->kc);
  if (f->packed == NULL) return tsr_status_out_of_memory;
  f->zero = calloc(f->kc, sizeof(float));
  return f->zero == NULL ? tsr_status_out_of_memory : tsr_status_success;
}

void tsr_conv_igemm_grid(const struct tsr_conv_fast* f, size_t panel_floats, size_t items, size_t tiles,
                         size_t threads, size_t* tile_block, size_t* panel_block) {
  const size_t panels = tsr_panels_per_group(f);
  size_t block = TSR_IGEMM_BLOCK_BYTES / (panel_floats * sizeof(float));
  block = block < 1 ? 1 : block > panels ? panels : block;
  const size_t wanted = threads <= 1 ? 1 : TSR_IGEMM_TASKS_PER_THREAD * threads;
  const size_t others = items * ((panels + block - 1) / block);
  const size_t splits = others >= wanted ? 1 : (wanted + others - 1) / others;
  *tile_block = (tiles + splits - 1) / splits;
  *panel_block = block;
}

struct tsr_igemm_call {
  const struct tsr_conv_fast* f;
  const struct tsr_conv_geometry* g;
  const struct tsr_indirection* ind;
  const float* x;
  float* y;
  size_t pixels;
  struct tsr_f32_conv_params params; /* f->params, streaming where tsr_igemm_streams says */
};

/* Streaming stores where the run works from memory (tsr_conv_output_streams) and every panel and
 * group starts at a 64-byte multiple. Measured (batch 32, 1 thread, streaming off and on
 * alternately in one process): MobileNet v2 b2.expand 21.9 -> 13.2 ms, b3.expand 10.6 -> 8.7,
 * b5.expand (x + y 22 MB) 6.26 -> 4.30, ResNet-50 res2 64->256 36.1 -> 33.4 (docs/PERFORMANCE.md). */
static bool tsr_igemm_streams(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, const float* y) {
  const size_t line = 64 / sizeof(float);
  return f->nr % line == 0 && (g->groups == 1 || f->group_out % line == 0) && tsr_conv_output_streams(g, y);
}

static void tsr_igemm_task(void* context, size_t thread, size_t item, size_t tile_start, size_t panel_start,
                           size_t tiles, size_t panels) {
  (void)thread;
  const struct tsr_igemm_call* c = context;
  const struct tsr_conv_fast* f = c->f;
  const struct tsr_conv_geometry* g = c->g;
  const size_t n = item / g->groups, group = item % g->groups, mr = f->mr, nr = f->nr;
  const size_t a_offset = tsr_indirection_offset(c->ind, c->x + n * g->x_n + group * f->kc);
  const size_t ldc = g->y_s[2];
  float* y = c->y + n * g->y_n + group * f->group_out;
  const float* group_panels = f->packed + group * tsr_panels_per_group(f) * tsr_panel_floats(f);
  for (size_t tile = tile_start; tile < tile_start + tiles; tile++) {
    const size_t p = tile * mr, rows = c->pixels - p < mr ? c->pixels - p : mr;
    const float* const* a = c->ind->pointers + tile * mr * f->taps;
    for (size_t j = panel_start; j < panel_start + panels; j++) {
      const size_t col = j * nr, cols = f->group_out - col < nr ? f->group_out - col : nr;
      f->igemm(rows, cols, f->kc, f->taps, a, group_panels + j * tsr_panel_floats(f), y + p * ldc + col, ldc,
               a_offset, f->zero, &c->params);
    }
  }
  if (c->params.stream) tsr_store_fence();
}

tsr_status tsr_conv_igemm_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, const float* x,
                              float* y, tsr_threadpool* pool) {
  bool owned = false;
  const struct tsr_indirection* ind = tsr_indirection_get(f->cache, g, f->mr, 1, 0, x, f->zero, &owned);
  if (ind == NULL) return tsr_status_out_of_memory;
  struct tsr_igemm_call call = {.f = f, .g = g, .ind = ind, .x = x, .y = y,
                                .pixels = g->out[0] * g->out[1] * g->out[2], .params = f->params};
  call.params.stream = tsr_igemm_streams(f, g, y);
  const size_t tiles = (call.pixels + f->mr - 1) / f->mr;
  size_t tile_block, panel_block;
  tsr_conv_igemm_grid(f, tsr_panel_floats(f), g->n * g->groups, tiles, tsr_threadpool_threads(pool), &tile_block,
                      &panel_block);
  tsr_parallelize_3d_tile_2d(pool, tsr_igemm_task, &call, g->n * g->groups, tiles, tsr_panels_per_group(f),
                             tile_block, panel_block);
  if (owned) tsr_indirection_free((struct tsr_indirection*)ind);
  return tsr_status_success;
}
