/* The shaped parallelize calls: each turns its loop nest into a count of items and decodes an
 * item index back into the loop indices (row-major, so neighbouring items are neighbouring
 * tiles of the innermost loop). */
#include "threadpool/threadpool.h"

#include "threadpool/pool.h"

static size_t tsr_divide_round_up(size_t n, size_t d) { return n / d + (n % d != 0); }
static size_t tsr_min(size_t a, size_t b) { return a < b ? a : b; }

typedef void (*tsr_any_fn)(void);

/* One context type serves every shape; unused fields stay 0. */
struct tsr_shaped_call {
  tsr_any_fn task; /* the caller's task, cast back to its shape by the item function */
  void* context;
  size_t range_i, range_j, range_k;
  size_t tile_i, tile_j, tile_k;
  size_t tiles_j, tiles_k; /* tile counts of the inner loops */
};

static void tsr_item_1d(void* call_ptr, size_t thread, size_t index) {
  const struct tsr_shaped_call* call = call_ptr;
  ((tsr_task_1d_fn)call->task)(call->context, thread, index);
}

void tsr_parallelize_1d(tsr_threadpool* pool, tsr_task_1d_fn task, void* context,
                        size_t range_i) {
  struct tsr_shaped_call call = {.task = (tsr_any_fn)task, .context = context};
  tsr_pool_run(pool, tsr_item_1d, &call, range_i);
}

static void tsr_item_1d_tile_1d(void* call_ptr, size_t thread, size_t index) {
  const struct tsr_shaped_call* call = call_ptr;
  const size_t start_i = index * call->tile_i;
  ((tsr_task_1d_tile_1d_fn)call->task)(call->context, thread, start_i,
                                       tsr_min(call->range_i - start_i, call->tile_i));
}

void tsr_parallelize_1d_tile_1d(tsr_threadpool* pool, tsr_task_1d_tile_1d_fn task,
                                void* context, size_t range_i, size_t tile_i) {
  struct tsr_shaped_call call = {
      .task = (tsr_any_fn)task, .context = context, .range_i = range_i, .tile_i = tile_i};
  tsr_pool_run(pool, tsr_item_1d_tile_1d, &call, tsr_divide_round_up(range_i, tile_i));
}

static void tsr_item_2d(void* call_ptr, size_t thread, size_t index) {
  const struct tsr_shaped_call* call = call_ptr;
  ((tsr_task_2d_fn)call->task)(call->context, thread, index / call->range_j,
                               index % call->range_j);
}

void tsr_parallelize_2d(tsr_threadpool* pool, tsr_task_2d_fn task, void* context,
                        size_t range_i, size_t range_j) {
  if (range_i == 0 || range_j == 0) return;
  struct tsr_shaped_call call = {.task = (tsr_any_fn)task, .context = context, .range_j = range_j};
  tsr_pool_run(pool, tsr_item_2d, &call, range_i * range_j);
}

static void tsr_item_2d_tile_1d(void* call_ptr, size_t thread, size_t index) {
  const struct tsr_shaped_call* call = call_ptr;
  const size_t i = index / call->tiles_j;
  const size_t start_j = (index % call->tiles_j) * call->tile_j;
  ((tsr_task_2d_tile_1d_fn)call->task)(call->context, thread, i, start_j,
                                       tsr_min(call->range_j - start_j, call->tile_j));
}

void tsr_parallelize_2d_tile_1d(tsr_threadpool* pool, tsr_task_2d_tile_1d_fn task,
                                void* context, size_t range_i, size_t range_j, size_t tile_j) {
  if (range_i == 0 || range_j == 0) return;
  struct tsr_shaped_call call = {.task = (tsr_any_fn)task,
                                 .context = context,
                                 .range_j = range_j,
                                 .tile_j = tile_j,
                                 .tiles_j = tsr_divide_round_up(range_j, tile_j)};
  tsr_pool_run(pool, tsr_item_2d_tile_1d, &call, range_i * call.tiles_j);
}

static void tsr_item_2d_tile_2d(void* call_ptr, size_t thread, size_t index) {
  const struct tsr_shaped_call* call = call_ptr;
  const size_t start_i = (index / call->tiles_j) * call->tile_i;
  const size_t start_j = (index % call->tiles_j) * call->tile_j;
  ((tsr_task_2d_tile_2d_fn)call->task)(call->context, thread, start_i, start_j,
                                       tsr_min(call->range_i - start_i, call->tile_i),
                                       tsr_min(call->range_j - start_j, call->tile_j));
}

void tsr_parallelize_2d_tile_2d(tsr_threadpool* pool, tsr_task_2d_tile_2d_fn task,
                                void* context, size_t range_i, size_t range_j, size_t tile_i,
                                size_t tile_j) {
  if (range_i == 0 || range_j == 0) return;
  struct tsr_shaped_call call = {.task = (tsr_any_fn)task,
                                 .context = context,
                                 .range_i = range_i,
                                 .range_j = range_j,
                                 .tile_i = tile_i,
                                 .tile_j = tile_j,
                                 .tiles_j = tsr_divide_round_up(range_j, tile_j)};
  tsr_pool_run(pool, tsr_item_2d_tile_2d, &call,
               tsr_divide_round_up(range_i, tile_i) * call.tiles_j);
}

static void tsr_item_3d(void* call_ptr, size_t thread, size_t index) {
  const struct tsr_shaped_call* call = call_ptr;
  const size_t k = index % call->range_k;
  const size_t ij = index / call->range_k;
  ((tsr_task_3d_fn)call->task)(call->context, thread, ij / call->range_j, ij % call->range_j, k);
}

void tsr_parallelize_3d(tsr_threadpool* pool, tsr_task_3d_fn task, void* context,
                        size_t range_i, size_t range_j, size_t range_k) {
  if (range_i == 0 || range_j == 0 || range_k == 0) return;
  struct tsr_shaped_call call = {
      .task = (tsr_any_fn)task, .context = context, .range_j = range_j, .range_k = range_k};
  tsr_pool_run(pool, tsr_item_3d, &call, range_i * range_j * range_k);
}

static void tsr_item_3d_tile_2d(void* call_ptr, size_t thread, size_t index) {
  const struct tsr_shaped_call* call = call_ptr;
  const size_t start_k = (index % call->tiles_k) * call->tile_k;
  const size_t ij = index / call->tiles_k;
  const size_t start_j = (ij % call->tiles_j) * call->tile_j;
  ((tsr_task_3d_tile_2d_fn)call->task)(call->context, thread, ij / call->tiles_j, start_j,
                                       start_k, tsr_min(call->range_j - start_j, call->tile_j),
                                       tsr_min(call->range_k - start_k, call->tile_k));
}

void tsr_parallelize_3d_tile_2d(tsr_threadpool* pool, tsr_task_3d_tile_2d_fn task,
                                void* context, size_t range_i, size_t range_j, size_t range_k,
                                size_t tile_j, size_t tile_k) {
  if (range_i == 0 || range_j == 0 || range_k == 0) return;
  struct tsr_shaped_call call = {.task = (tsr_any_fn)task,
                                 .context = context,
                                 .range_j = range_j,
                                 .range_k = range_k,
                                 .tile_j = tile_j,
                                 .tile_k = tile_k,
                                 .tiles_j = tsr_divide_round_up(range_j, tile_j),
                                 .tiles_k = tsr_divide_round_up(range_k, tile_k)};
  tsr_pool_run(pool, tsr_item_3d_tile_2d, &call, range_i * call.tiles_j * call.tiles_k);
}

size_t tsr_parallel_tile(const tsr_threadpool* pool, size_t range, size_t unit_size, size_t min_size) {
  const size_t tasks = (size_t)tsr_threadpool_threads(pool) * 4;
  const size_t tile = (range + tasks - 1) / tasks, min_tile = (min_size + unit_size - 1) / unit_size;
  return tile > min_tile ? tile : (min_tile > 0 ? min_tile : 1);
}
