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

struct tsr_gemm_call {
  const struct tsr_gemm_args* args;
  const struct tsr_gemm_config* config;
  tsr_f32_gemm_ukernel_fn ukernel;
  size_t mr, nr, mc, kc;       /* mr is 1 with the single-row kernel */
  size_t row_block, col_block; /* task extents */
  float* scratch;
  size_t scratch_stride;       /* floats per thread */
};

/* Scratch per thread: the A block, one B panel, an edge tile and a padded bias row. */
static size_t tsr_scratch_floats(size_t row_block, size_t mr, size_t nr, size_t kc) {
  return tsr_round_up(row_block, mr) * kc + kc * nr + mr * nr + nr + 3 * 16;
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

static void tsr_gemm_task(void* context, size_t thread, size_t t, size_t row_index,
                          size_t col_index) {
  const struct tsr_gemm_call* call = context;
  const struct tsr_gemm_args* g = call->args;
  const size_t mr = call->mr, nr = call->nr;
  const size_t i0 = row_index * call->row_block, rows = tsr_min_size(call->row_block, g->m - i0);
  const size_t j0 = col_index * call->col_block, cols = tsr_min_size(call->col_block, g->n - j0);
  const float* a = g->a + t * g->stride_a;
  const float* b = g->b + t * g->stride_b;
  float* c = g->c + t * g->stride_c + i0 * g->ldc;

  float* a_block = call->scratch + thread * call->scratch_stride;
  float* b_panel = a_block + tsr_round_up(rows, mr) * call->kc;
  b_panel = (float*)(((uintptr_t)b_panel + 63) & ~(uintptr_t)63);
  float* edge = b_panel + call->kc * nr;
  float* bias_row = edge + mr * nr;

  const bool overwrite = g->beta == 0.0f;
  if (!overwrite) tsr_gemm_prepare_c(g, c, rows, j0, cols);
  for (size_t k0 = 0; k0 < g->k; k0 += call->kc) {
    const size_t kc = tsr_min_size(call->kc, g->k - k0);
    const bool first = k0 == 0, last = k0 + kc == g->k;
    tsr_pack_a_block(g->trans_a, a, g->lda, g->alpha, i0, rows, k0, kc, mr, a_block);
    for (size_t j = j0; j < j0 + cols; j += nr) {
      const size_t n_valid = tsr_min_size(nr, j0 + cols - j);
      const float* panel;
      if (g->packed_b != NULL) {
        panel = g->packed_b->data + (j / nr) * g->k * nr + k0 * nr;
      } else {
        tsr_pack_b_panel(g->trans_b, b, g->ldb, k0, kc, j, n_valid, nr, b_panel);
        panel = b_panel;
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
      for (size_t i = 0; i < rows; i += mr) {
        const size_t m_valid = tsr_min_size(mr, rows - i);
        float* tile = c + i * g->ldc + j;
        if (m_valid == mr && n_valid == nr) {
          call->ukernel(kc, a_block + i * kc, panel, tile, g->ldc, init, clamp);
          continue;
        }
        if (init == NULL)
          for (size_t r = 0; r < m_valid; r++) memcpy(edge + r * nr, tile + r * g->ldc, n_valid * sizeof(float));
        call->ukernel(kc, a_block + i * kc, panel, edge, nr, init, clamp);
        for (size_t r = 0; r < m_valid; r++) memcpy(tile + r * g->ldc, edge + r * nr, n_valid * sizeof(float));
      }
    }
  }
}

tsr_status tsr_gemm_execute(const struct tsr_gemm_args* g, tsr_threadpool* pool, const char* where) {
  const struct tsr_gemm_config* config =
      g->packed_b != NULL ? g->packed_b->config : tsr_gemm_config_get();
  struct tsr_gemm_call call = {.args = g, .config = config, .nr = config->nr, .kc = config->kc};
  const bool single_row = g->m == 1;
  call.ukernel = single_row ? config->row : config->main;
  call.mr = single_row ? 1 : config->mr;
  call.mc = single_row ? 1 : config->mc;

  const size_t threads = tsr_threadpool_threads(pool);
  const size_t want = TSR_GEMM_TASKS_PER_THREAD * threads;
  call.row_block = tsr_min_size(call.mc, tsr_round_up(g->m, call.mr));
  const size_t row_tasks = g->batch * tsr_divide_up(g->m, call.row_block);
  const size_t panels = tsr_divide_up(g->n, call.nr);
  size_t col_tasks = 1;
  if (threads > 1 && row_tasks < want) {
    col_tasks = tsr_divide_up(want, row_tasks);
    const size_t max_col_tasks = tsr_divide_up(panels, 4);
    if (col_tasks > max_col_tasks) col_tasks = max_col_tasks > 0 ? max_col_tasks : 1;
  }
  call.col_block = tsr_divide_up(panels, col_tasks) * call.nr;

  call.scratch_stride = tsr_round_up(tsr_scratch_floats(call.row_block, call.mr, call.nr, call.kc), 16);
  /* Any thread may take any task, so every thread gets scratch. */
  const size_t bytes = threads * call.scratch_stride * sizeof(float);
  if (posix_memalign((void**)&call.scratch, 64, bytes) != 0)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for %zu bytes of GEMM scratch",
                     where, bytes);
  tsr_parallelize_3d(pool, tsr_gemm_task, &call, g->batch, tsr_divide_up(g->m, call.row_block),
                     tsr_divide_up(g->n, call.col_block));
  free(call.scratch);
  return tsr_status_success;
}
