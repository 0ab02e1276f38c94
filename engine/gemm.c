/* The GEMM driver. The work is a grid of tasks over (batch item, block of mc rows, block of
 * columns); each task walks k in blocks of kc, packs its A block (mc x kc, alpha folded in)
 * into per-thread scratch, then for each nr-wide column panel packs the B panel (kc x nr; or
 * takes it from pre-packed weights) and runs the microkernel down the block's rows, so the
 * panel stays in L1 and the A block in L2. Edge tiles go through a scratch tile, so kernels
 * only ever see full tiles and nothing outside the matrices is touched.
 *
 * Task grid (the written-down heuristic): about 4 tasks per thread when the shape allows, so
 * uneven tasks balance; rows are split first (each row block packs its A once per column
 * block), and columns are split as far as needed, down to 4 panels, so a short M (decode,
 * batch 1) still keeps every thread busy. */
#include "engine/gemm.h"

#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/missed-tasks.h"
#include "engine/scratch.h"
#include "kernels/f32-gemv/f32-gemv.h"
#include "threadpool/threadpool.h"

#define TSR_GEMM_MAX_NR 64
#define TSR_GEMM_TASKS_PER_THREAD 4

static const float tsr_gemm_zeros[TSR_GEMM_MAX_NR];

static size_t tsr_min_size(size_t a, size_t b) { return a < b ? a : b; }
static size_t tsr_round_up(size_t n, size_t q) { return (n + q - 1) / q * q; }
static size_t tsr_divide_up(size_t n, size_t q) { return (n + q - 1) / q; }

/* Copies kc rows of a full panel width; the width is a constant in each instantiation, so the
 * compiler turns the row copy into a few vector moves (a memcpy call per 64-byte row cost
 * a quarter of the GEMM's time). */
#define TSR_DEFINE_COPY_ROWS(width)                                                        \
  static void tsr_copy_rows_##width(const float* src, size_t ld, size_t kc, float* dst) { \
    for (size_t p = 0; p < kc; p++, src += ld, dst += width)                               \
      for (size_t j = 0; j < width; j++) dst[j] = src[j];                                 \
  }
TSR_DEFINE_COPY_ROWS(4)
TSR_DEFINE_COPY_ROWS(12)
TSR_DEFINE_COPY_ROWS(16)
TSR_DEFINE_COPY_ROWS(32)

/* op(B)[p][j] for p in [k0, k0 + kc), j in [j0, j0 + nr) into an nr_full-wide panel, zero-padded. */
static void tsr_pack_b_panel(bool trans_b, const float* b, size_t ldb, size_t k0, size_t kc,
                             size_t j0, size_t nr, size_t nr_full, float* panel) {
  if (!trans_b && nr == nr_full) {
    const float* src = b + k0 * ldb + j0;
    switch (nr_full) {
      case 4: tsr_copy_rows_4(src, ldb, kc, panel); return;
      case 12: tsr_copy_rows_12(src, ldb, kc, panel); return;
      case 16: tsr_copy_rows_16(src, ldb, kc, panel); return;
      case 32: tsr_copy_rows_32(src, ldb, kc, panel); return;
    }
  }
  for (size_t p = 0; p < kc; p++) {
    float* row = panel + p * nr_full;
    for (size_t j = 0; j < nr; j++) row[j] = trans_b ? b[(j0 + j) * ldb + k0 + p] : b[(k0 + p) * ldb + j0 + j];
    for (size_t j = nr; j < nr_full; j++) row[j] = 0.0f;
  }
}

/* alpha * op(A)[i][p] for i in [i0, i0 + mc), p in [k0, k0 + kc), as panels of mr rows
 * (k-major, rows interleaved), zero-padded to whole panels. */
static void tsr_pack_a_block(bool trans_a, const float* a, size_t lda, float alpha, size_t i0,
                             size_t mc, size_t k0, size_t kc, size_t mr, float* packed) {
  for (size_t i = 0; i < mc; i += mr) {
    const size_t rows = tsr_min_size(mr, mc - i);
    float* panel = packed + i * kc;
    if (!trans_a) {
      for (size_t r = 0; r < rows; r++) {
        const float* row = a + (i0 + i + r) * lda + k0;
        for (size_t p = 0; p < kc; p++) panel[p * mr + r] = alpha * row[p];
      }
    } else {
      for (size_t p = 0; p < kc; p++) {
        const float* column = a + (k0 + p) * lda + i0 + i;
        for (size_t r = 0; r < rows; r++) panel[p * mr + r] = alpha * column[r];
      }
    }
    for (size_t r = rows; r < mr; r++)
      for (size_t p = 0; p < kc; p++) panel[p * mr + r] = 0.0f;
  }
}

tsr_status tsr_gemm_pack_b(const struct tsr_gemm_config* config, bool trans_b, size_t k, size_t n,
                           const float* b, size_t ldb, struct tsr_gemm_packed_b* packed,
                           const char* where) {
  const size_t nr = config->nr, panels = tsr_divide_up(n, nr);
  size_t bytes;
  if (!tsr_mul_size(panels * nr, k, &bytes) || !tsr_mul_size(bytes, sizeof(float), &bytes))
    return tsr_error(tsr_status_invalid_parameter, "%s: the packed weights' size overflows", where);
  float* data = NULL;
  if (posix_memalign((void**)&data, 64, bytes ? bytes : 64) != 0)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory packing %zu bytes of weights", where, bytes);
  for (size_t p = 0; p < panels; p++)
    tsr_pack_b_panel(trans_b, b, ldb, 0, k, p * nr, tsr_min_size(nr, n - p * nr), nr, data + p * k * nr);
  packed->config = config;
  packed->k = k;
  packed->n = n;
  packed->data = data;
  return tsr_status_success;
}

void tsr_gemm_packed_b_release(struct tsr_gemm_packed_b* packed) {
  free(packed->data);
  packed->data = NULL;
}

/* A task of few rows may read a plain B where it lies instead of packing it: its panels serve
 * too few tiles to repay the copy. Measured (docs/PERFORMANCE.md, 8-64 x 4096 x 4096, one
 * thread): on Zen 3 (AVX2, 64-byte panel rows) reading in place was faster up to 16 rows (d8
 * 29-34 against 19-23 GFLOP/s), even at 32 and slower at 48; on Sapphire Rapids (AVX-512,
 * 128-byte panel rows) it was slower at every height (d8 10 against 17-23, d32 22 against 48).
 * NEON, not measured, follows AVX2. */
static size_t tsr_gemm_direct_b_rows(tsr_isa isa) { return isa == tsr_isa_avx512 ? 0 : 32; }

struct tsr_gemm_call {
  const struct tsr_gemm_args* args;
  tsr_f32_gemm_ukernel_fn ukernel;
  size_t mr, nr, mc, kc;       /* mr is 1 with the single-row kernel */
  size_t direct_b_rows;        /* tasks this short read a plain B in place */
  size_t row_block, col_block; /* task extents: rows (a multiple of mr) and columns (of nr) */
  float* packed_a;             /* all of A packed once, when several column tasks share it */
  size_t k_blocks;
  size_t row_tasks, col_tasks;
  struct tsr_missed_tasks missed; /* tasks (item, row task, column task) run again by the caller */
};

/* Where the packed A rows from i0 (a multiple of mr) in k block kb live. Each (item, k block)
 * holds all of A's rows as one run of mr-row panels, kc_kb x mr floats each (kc_kb: that k
 * block's depth), so a task may start and end its rows at any panel. */
static float* tsr_packed_a_block(const struct tsr_gemm_call* call, size_t t, size_t i0, size_t kb) {
  const size_t rows = tsr_round_up(call->args->m, call->mr);
  const size_t kc = tsr_min_size(call->kc, call->args->k - kb * call->kc);
  return call->packed_a + (t * call->k_blocks + kb) * rows * call->kc + i0 * kc;
}

static void tsr_gemm_pack_a_task(void* context, size_t thread, size_t t, size_t rb, size_t kb) {
  (void)thread;
  const struct tsr_gemm_call* call = context;
  const struct tsr_gemm_args* g = call->args;
  const size_t i0 = rb * call->mc, k0 = kb * call->kc;
  tsr_pack_a_block(g->trans_a, g->a + t * g->stride_a, g->lda, g->alpha, i0,
                   tsr_min_size(call->mc, g->m - i0), k0, tsr_min_size(call->kc, g->k - k0),
                   call->mr, tsr_packed_a_block(call, t, i0, kb));
}

/* Scratch of one task: its B block (kc x col_block, unless B is pre-packed), one A block
 * (mc x kc), an edge tile and a padded bias row, each 64-byte aligned. */
static size_t tsr_align_floats(size_t n) { return tsr_round_up(n, 16); }
static size_t tsr_task_scratch_floats(const struct tsr_gemm_call* call) {
  const size_t b_block = call->args->packed_b != NULL ? 0 : call->kc * call->col_block;
  const size_t a_block = call->packed_a != NULL ? 0 : tsr_round_up(call->mc, call->mr) * call->kc;
  return tsr_align_floats(b_block) + tsr_align_floats(a_block) +
         tsr_align_floats(call->mr * call->nr) + tsr_align_floats(call->nr);
}

/* Before the first k block: C = beta * C + bias on the task's block, when C is read at all. */
static void tsr_gemm_prepare_c(const struct tsr_gemm_args* g, float* c, size_t rows, size_t j0,
                               size_t cols) {
  if (g->beta == 1.0f && g->bias == NULL) return;
  for (size_t i = 0; i < rows; i++) {
    float* row = c + i * g->ldc + j0;
    for (size_t j = 0; j < cols; j++)
      row[j] = g->beta * row[j] + (g->bias != NULL ? g->bias[j0 + j] : 0.0f);
  }
}

/* One task: rows [r0, r0 + rows) x columns [j0, j0 + cols) of batch item t. For each k block
 * and each row block of mc it packs A and sweeps the column panels: the B panel (kc x nr) stays
 * in L1 across the block's tiles, the A block in L2. B is packed once per k block for all the
 * task's rows. */
static void tsr_gemm_task(void* context, size_t thread, size_t t, size_t row_index,
                          size_t col_index) {
  (void)thread;
  struct tsr_gemm_call* call = context;
  const struct tsr_gemm_args* g = call->args;
  const size_t mr = call->mr, nr = call->nr;
  const size_t r0 = row_index * call->row_block, rows = tsr_min_size(call->row_block, g->m - r0);
  const size_t j0 = col_index * call->col_block, cols = tsr_min_size(call->col_block, g->n - j0);
  const size_t panels = tsr_divide_up(cols, nr);
  const float* a = g->a + t * g->stride_a;
  const float* b = g->b + t * g->stride_b;
  float* c = g->c + t * g->stride_c;

  float* scratch = tsr_thread_scratch(tsr_task_scratch_floats(call) * sizeof(float));
  if (scratch == NULL) {
    tsr_missed_tasks_mark(&call->missed, (t * call->row_tasks + row_index) * call->col_tasks + col_index);
    return;
  }
  float* b_block = scratch;
  float* a_block = b_block + (g->packed_b != NULL ? 0 : tsr_align_floats(call->kc * call->col_block));
  float* edge = a_block + (call->packed_a != NULL ? 0 : tsr_align_floats(tsr_round_up(call->mc, mr) * call->kc));
  float* bias_row = edge + tsr_align_floats(mr * nr);

  const bool overwrite = g->beta == 0.0f;
  if (!overwrite) tsr_gemm_prepare_c(g, c + r0 * g->ldc, rows, j0, cols);
  for (size_t k0 = 0; k0 < g->k; k0 += call->kc) {
    const size_t kc = tsr_min_size(call->kc, g->k - k0);
    const bool first = k0 == 0, last = k0 + kc == g->k;
    for (size_t i0 = r0; i0 < r0 + rows; i0 += call->mc) {
      /* The first row block packs each B panel just before using it (still in L1); later row
       * blocks reuse the packed block. A task of few rows reads a plain B in place instead: its
       * panels serve too few tiles to repay the copy. */
      const bool direct_b = g->packed_b == NULL && !g->trans_b && rows <= call->direct_b_rows;
      const bool pack_b = g->packed_b == NULL && i0 == r0;
      const size_t mc = tsr_min_size(call->mc, r0 + rows - i0);
      const float* a_packed = a_block;
      if (call->packed_a != NULL)
        a_packed = tsr_packed_a_block(call, t, i0, k0 / call->kc);
      else
        tsr_pack_a_block(g->trans_a, a, g->lda, g->alpha, i0, mc, k0, kc, mr, a_block);
      for (size_t p = 0; p < panels; p++) {
        const size_t j = j0 + p * nr, n_valid = tsr_min_size(nr, cols - p * nr);
        /* A task with one row block packs every panel into the same (L1-hot) buffer; with
         * several, panels are kept side by side for the later row blocks. */
        float* own_panel = b_block + (rows <= call->mc ? 0 : p * kc * nr);
        const float* panel = g->packed_b != NULL
                                 ? g->packed_b->data + (j / nr) * g->k * nr + k0 * nr
                                 : own_panel;
        size_t panel_ld = nr;
        if (direct_b && n_valid == nr) {
          panel = b + k0 * g->ldb + j;
          panel_ld = g->ldb;
        } else if (pack_b) {
          tsr_pack_b_panel(g->trans_b, b, g->ldb, k0, kc, j, n_valid, nr, own_panel);
        }
        const float* init = NULL;
        if (first && overwrite) {
          init = tsr_gemm_zeros;
          if (g->bias != NULL) {
            memcpy(bias_row, g->bias + j, n_valid * sizeof(float));
            memset(bias_row + n_valid, 0, (nr - n_valid) * sizeof(float));
            init = bias_row;
          }
        }
        const struct tsr_f32_minmax_params* clamp = last ? g->clamp : NULL;
        for (size_t i = 0; i < mc; i += mr) {
          const size_t m_valid = tsr_min_size(mr, mc - i);
          float* tile = c + (i0 + i) * g->ldc + j;
          if (m_valid == mr && n_valid == nr) {
            call->ukernel(kc, a_packed + i * kc, panel, panel_ld, tile, g->ldc, init, clamp);
            continue;
          }
          if (init == NULL)
            for (size_t r = 0; r < m_valid; r++) memcpy(edge + r * nr, tile + r * g->ldc, n_valid * sizeof(float));
          call->ukernel(kc, a_packed + i * kc, panel, panel_ld, edge, nr, init, clamp);
          for (size_t r = 0; r < m_valid; r++) memcpy(tile + r * g->ldc, edge + r * nr, n_valid * sizeof(float));
        }
      }
    }
  }
}

/* The task grid (the written-down heuristic). One task per batch item when the batch alone
 * gives every thread about TSR_GEMM_TASKS_PER_THREAD tasks; otherwise each item's C is cut into
 * blocks about as tall as wide: a task packs (rows + cols) x k elements for rows x cols x k
 * multiply-adds, so square blocks waste least, and every task packs its B block once for all
 * its rows. Rows come in whole mc blocks (or all of a short M). Only when that grid has fewer
 * tasks than threads are rows cut in whole mr-row tiles instead: BERT's 128 x 768 layers on 16
 * threads had 6 column tasks and 10 idle threads, while cutting rows where the mc blocks gave
 * enough tasks (NHWC 1x1 convolution, 3136 x 64 x 64: 56 tasks instead of 23) ran 3x slower on 16
 * threads. Columns come in whole nr panels, at least TSR_GEMM_MIN_PANELS of them and at most
 * TSR_GEMM_MAX_COLUMNS per task so the packed B block stays cache-sized. When several column
 * tasks share rows, A is packed once up front, in parallel, instead of once per task. */
#define TSR_GEMM_MAX_COLUMNS 1024
#define TSR_GEMM_MIN_PANELS 4

static void tsr_gemm_plan(struct tsr_gemm_call* call, size_t threads) {
  const struct tsr_gemm_args* g = call->args;
  const size_t tasks_wanted = threads == 1 ? 1 : TSR_GEMM_TASKS_PER_THREAD * threads;
  const size_t per_item = g->batch >= tasks_wanted ? 1 : tsr_divide_up(tasks_wanted, g->batch);
  size_t side = 1;
  while (side * side * per_item < g->m * g->n) side++;
  /* Rows in whole mc blocks (or all of a short M), so that each packed A block is full... */
  call->row_block = g->m <= side || g->m <= call->mc
                        ? g->m
                        : tsr_min_size(tsr_round_up(g->m, call->mc), tsr_round_up(side, call->mc));
  /* ...unless that leaves threads idle: then as many row tasks as blocks of side rows, the rows
   * shared out in whole tiles. */
  const size_t tasks_most = g->batch * tsr_divide_up(g->m, call->row_block) *
                            tsr_divide_up(g->n, TSR_GEMM_MIN_PANELS * call->nr);
  if (tasks_most < threads && g->m > side) {
    const size_t tiles = tsr_divide_up(g->m, call->mr);
    call->row_block = tsr_divide_up(tiles, tsr_divide_up(g->m, side)) * call->mr;
  }
  const size_t row_tasks = tsr_divide_up(g->m, call->row_block);
  const size_t col_tasks = tsr_divide_up(per_item, row_tasks);
  size_t cols = tsr_round_up(tsr_divide_up(g->n, col_tasks), call->nr);
  if (cols < TSR_GEMM_MIN_PANELS * call->nr) cols = TSR_GEMM_MIN_PANELS * call->nr;
  /* whole panels: a pre-packed B is found by panel (j / nr), so a block must start on one
   * (capped at 1024 columns, NEON's 12-column panels put blocks past the first mid-panel and
   * read the wrong weights for every column from 1024 on) */
  const size_t most = TSR_GEMM_MAX_COLUMNS / call->nr * call->nr;
  if (cols > most) cols = most;
  call->col_block = cols;
}

/* Single-row problems with a plain B (decode, batch-1 layers on unpacked weights) stream B row
 * after row with the GEMV kernel instead: every B element is used once, so packing it would only
 * add traffic, and a panel-by-panel walk would jump pages on every row. With one thread (or a
 * batch to split), tasks split columns; otherwise they split k, so that each thread streams its
 * own contiguous block of B rows into a partial sum, and the partial sums are added at the end. */
struct tsr_gemv_call {
  const struct tsr_gemm_args* args;
  tsr_f32_gemv_ukernel_fn ukernel;
  size_t col_block;
  size_t k_block;    /* rows of B per task when k is split, else k */
  float* partials;   /* k split: one row of n per k block */
  size_t col_tasks;  /* column split: tasks an item */
  struct tsr_missed_tasks missed; /* tasks run again by the caller (their A row's copy failed) */
};

/* Whether op(A)'s row is copied (into scratch) before use. */
static bool tsr_gemv_copies_row(const struct tsr_gemm_args* g) { return g->trans_a || g->alpha != 1.0f; }

/* op(A)'s single row, contiguous and scaled by alpha (the user's memory when it already is);
 * NULL, task `task` recorded as missed, when the copy has no scratch. */
static const float* tsr_gemv_row(struct tsr_gemv_call* call, size_t task, size_t t, size_t k0, size_t k) {
  const struct tsr_gemm_args* g = call->args;
  const float* a = g->a + t * g->stride_a;
  if (!tsr_gemv_copies_row(g)) return a + k0;
  float* row = tsr_thread_scratch(k * sizeof(float));
  if (row == NULL) {
    tsr_missed_tasks_mark(&call->missed, task);
    return NULL;
  }
  for (size_t p = 0; p < k; p++) row[p] = g->alpha * a[g->trans_a ? (k0 + p) * g->lda : k0 + p];
  return row;
}

/* y = beta * y + bias (or bias alone when C is not read). */
static void tsr_gemv_init(const struct tsr_gemm_args* g, float* y, size_t j0, size_t cols) {
  for (size_t j = 0; j < cols; j++) {
    const float bias = g->bias != NULL ? g->bias[j0 + j] : 0.0f;
    y[j] = g->beta == 0.0f ? bias : g->beta * y[j] + bias;
  }
}

static void tsr_gemv_clamp(const struct tsr_gemm_args* g, float* y, size_t cols) {
  if (g->clamp == NULL) return;
  for (size_t j = 0; j < cols; j++) { /* compares, so that NaN stays NaN */
    float v = y[j];
    v = v < g->clamp->min ? g->clamp->min : v;
    y[j] = v > g->clamp->max ? g->clamp->max : v;
  }
}

static void tsr_gemv_columns_task(void* context, size_t thread, size_t t, size_t col_index) {
  (void)thread;
  struct tsr_gemv_call* call = context;
  const struct tsr_gemm_args* g = call->args;
  const size_t j0 = col_index * call->col_block, cols = tsr_min_size(call->col_block, g->n - j0);
  float* y = g->c + t * g->stride_c + j0;
  const float* a = tsr_gemv_row(call, t * call->col_tasks + col_index, t, 0, g->k);
  if (a == NULL) return;
  tsr_gemv_init(g, y, j0, cols);
  call->ukernel(g->k, cols, a, g->b + t * g->stride_b + j0, g->ldb, y);
  tsr_gemv_clamp(g, y, cols);
}

static void tsr_gemv_k_task(void* context, size_t thread, size_t k_index) {
  (void)thread;
  struct tsr_gemv_call* call = context;
  const struct tsr_gemm_args* g = call->args;
  const size_t k0 = k_index * call->k_block, k = tsr_min_size(call->k_block, g->k - k0);
  float* partial = call->partials + k_index * g->n;
  const float* a = tsr_gemv_row(call, k_index, 0, k0, k);
  if (a == NULL) return;
  memset(partial, 0, g->n * sizeof(float));
  call->ukernel(k, g->n, a, g->b + k0 * g->ldb, g->ldb, partial);
}

/* The tasks of the call again, on the calling thread (engine/missed-tasks.h). */
static void tsr_gemv_k_missed(void* context, size_t task) { tsr_gemv_k_task(context, 0, task); }
static void tsr_gemv_columns_missed(void* context, size_t task) {
  const struct tsr_gemv_call* call = context;
  tsr_gemv_columns_task(context, 0, task / call->col_tasks, task % call->col_tasks);
}

/* Runs the call's tasks, all or none of them (engine/missed-tasks.h): tasks whose thread has no
 * scratch for their copy of A's row are run again by the caller. */
static tsr_status tsr_gemv_run(struct tsr_gemv_call* call, size_t tasks, size_t row_floats,
                               void (*missed)(void* context, size_t task), tsr_threadpool* pool,
                               const char* where) {
  const size_t bytes = tsr_gemv_copies_row(call->args) ? row_floats * sizeof(float) : 0;
  if (!tsr_missed_tasks_begin(&call->missed, tasks, tsr_thread_scratch, bytes))
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for GEMV scratch", where);
  if (call->partials != NULL)
    tsr_parallelize_1d(pool, tsr_gemv_k_task, call, tasks);
  else
    tsr_parallelize_2d(pool, tsr_gemv_columns_task, call, call->args->batch, call->col_tasks);
  if (!tsr_missed_tasks_finish(&call->missed, missed, call))
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for GEMV scratch (C may be partly written)",
                     where);
  return tsr_status_success;
}

static tsr_status tsr_gemv_execute(const struct tsr_gemm_args* g, tsr_threadpool* pool,
                                   const char* where) {
  const struct tsr_ukernel_entry* kernel =
      tsr_ukernel_pick(tsr_f32_gemv_ukernels, tsr_f32_gemv_ukernel_count);
  struct tsr_gemv_call call = {.args = g, .ukernel = (tsr_f32_gemv_ukernel_fn)kernel->function};
  const size_t threads = tsr_threadpool_threads(pool);
  const size_t tasks_wanted = threads == 1 ? 1 : TSR_GEMM_TASKS_PER_THREAD * threads;
  const size_t k_blocks = tsr_min_size(2 * threads, g->k / 64);
  if (g->batch == 1 && threads > 1 && k_blocks > 1) {
    call.k_block = tsr_round_up(tsr_divide_up(g->k, k_blocks), 4);
    const size_t blocks = tsr_divide_up(g->k, call.k_block);
    call.partials = malloc(blocks * g->n * sizeof(float));
    if (call.partials != NULL) {
      const tsr_status status = tsr_gemv_run(&call, blocks, call.k_block, tsr_gemv_k_missed, pool, where);
      if (status == tsr_status_success) {
        tsr_gemv_init(g, g->c, 0, g->n);
        for (size_t b = 0; b < blocks; b++)
          for (size_t j = 0; j < g->n; j++) g->c[j] += call.partials[b * g->n + j];
        tsr_gemv_clamp(g, g->c, g->n);
      }
      free(call.partials);
      return status;
    }
  }
  const size_t per_item = g->batch >= tasks_wanted ? 1 : tsr_divide_up(tasks_wanted, g->batch);
  call.col_block = tsr_round_up(tsr_divide_up(g->n, per_item), 64);
  call.col_tasks = tsr_divide_up(g->n, call.col_block);
  return tsr_gemv_run(&call, g->batch * call.col_tasks, g->k, tsr_gemv_columns_missed, pool, where);
}

/* A task of the call again, on the calling thread (engine/missed-tasks.h). */
static void tsr_gemm_missed(void* context, size_t task) {
  const struct tsr_gemm_call* call = context;
  const size_t per_item = call->row_tasks * call->col_tasks, in_item = task % per_item;
  tsr_gemm_task(context, 0, task / per_item, in_item / call->col_tasks, in_item % call->col_tasks);
}

static bool tsr_gemm_is_gemv(const struct tsr_gemm_args* g) {
  return g->m == 1 && g->packed_b == NULL && !g->trans_b;
}

/* The call's kernels, blocks and tasks (A not packed yet). */
static void tsr_gemm_call_init(struct tsr_gemm_call* call, const struct tsr_gemm_args* g, size_t threads) {
  const struct tsr_gemm_config* config = g->packed_b != NULL ? g->packed_b->config : tsr_gemm_config_get();
  *call = (struct tsr_gemm_call){
      .args = g, .nr = config->nr, .kc = config->kc, .direct_b_rows = tsr_gemm_direct_b_rows(config->isa)};
  const bool single_row = g->m == 1;
  call->ukernel = single_row ? config->row : config->main;
  call->mr = single_row ? 1 : config->mr;
  call->mc = single_row ? 1 : config->mc;
  tsr_gemm_plan(call, threads);
  call->col_tasks = tsr_divide_up(g->n, call->col_block);
  call->row_tasks = tsr_divide_up(g->m, call->row_block);
  call->k_blocks = tsr_divide_up(g->k, call->kc);
}

size_t tsr_gemm_scratch_bytes(const struct tsr_gemm_args* g, size_t threads) {
  if (tsr_gemm_is_gemv(g)) return tsr_gemv_copies_row(g) ? g->k * sizeof(float) : 0;
  struct tsr_gemm_call call;
  tsr_gemm_call_init(&call, g, threads);
  return tsr_task_scratch_floats(&call) * sizeof(float); /* A not packed ahead: the most */
}

tsr_status tsr_gemm_execute(const struct tsr_gemm_args* g, tsr_threadpool* pool, const char* where) {
  if (tsr_gemm_is_gemv(g)) return tsr_gemv_execute(g, pool, where);
  struct tsr_gemm_call call;
  tsr_gemm_call_init(&call, g, tsr_threadpool_threads(pool));
  if (call.col_tasks > 1) {
    const size_t row_blocks = tsr_divide_up(g->m, call.mc);
    size_t floats;
    if (tsr_mul_size(g->batch * call.k_blocks, tsr_round_up(g->m, call.mr) * call.kc, &floats) &&
        posix_memalign((void**)&call.packed_a, 64, floats * sizeof(float)) == 0)
      tsr_parallelize_3d(pool, tsr_gemm_pack_a_task, &call, g->batch, row_blocks, call.k_blocks);
    else
      call.packed_a = NULL; /* no memory for it: each task packs its own blocks */
  }
  /* All tasks or none (engine/missed-tasks.h): the caller's scratch is reserved first, and a task
   * whose thread has none is run again by the caller. */
  tsr_status status = tsr_status_success;
  if (!tsr_missed_tasks_begin(&call.missed, g->batch * call.row_tasks * call.col_tasks, tsr_thread_scratch,
                              tsr_task_scratch_floats(&call) * sizeof(float))) {
    status = tsr_error(tsr_status_out_of_memory, "%s: out of memory for GEMM scratch", where);
  } else {
    tsr_parallelize_3d(pool, tsr_gemm_task, &call, g->batch, call.row_tasks, call.col_tasks);
    if (!tsr_missed_tasks_finish(&call.missed, tsr_gemm_missed, &call))
      status = tsr_error(tsr_status_out_of_memory, "%s: out of memory for GEMM scratch (C may be partly written)",
                         where);
  }
  free(call.packed_a);
  return status;
}
