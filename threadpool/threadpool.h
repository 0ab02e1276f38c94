/* The parallelize calls every op uses to split its work over a tsr_threadpool.
 *
 * Each call replaces a serial loop, shown in its comment, and runs the same iterations spread
 * over the pool's threads. Iterations are handed out one tile at a time from a shared atomic
 * counter, so uneven tiles balance themselves. Every task receives `thread`, the index of the
 * thread running it (0 <= thread < tsr_threadpool_threads(pool)), for per-thread scratch.
 *
 * A NULL pool, a pool of one thread, a single iteration, or a call made from inside a task of
 * any pool runs the loop on the calling thread, in order. Calls return when every iteration is
 * done. Ranges of 0 do nothing. Tiles must be at least 1.
 */
#ifndef TSR_THREADPOOL_H
#define TSR_THREADPOOL_H

#include <stddef.h>

#include "tessera.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*tsr_task_1d_fn)(void* context, size_t thread, size_t i);
typedef void (*tsr_task_1d_tile_1d_fn)(void* context, size_t thread, size_t start_i,
                                       size_t tile_i);
typedef void (*tsr_task_2d_fn)(void* context, size_t thread, size_t i, size_t j);
typedef void (*tsr_task_2d_tile_1d_fn)(void* context, size_t thread, size_t i, size_t start_j,
                                       size_t tile_j);
typedef void (*tsr_task_2d_tile_2d_fn)(void* context, size_t thread, size_t start_i,
                                       size_t start_j, size_t tile_i, size_t tile_j);
typedef void (*tsr_task_3d_fn)(void* context, size_t thread, size_t i, size_t j, size_t k);
typedef void (*tsr_task_3d_tile_2d_fn)(void* context, size_t thread, size_t i, size_t start_j,
                                       size_t start_k, size_t tile_j, size_t tile_k);

/// The tile for splitting `range` units of `unit_size` each over the pool: about four tiles per
/// thread, so that a slow thread's share can be taken over, but at least `min_size` (in the
/// units' measure, e.g. 4096 floats) per tile, so that claiming a tile (an atomic on a shared
/// line) stays negligible. unit_size >= 1; the result is at least 1.
size_t tsr_parallel_tile(const tsr_threadpool* pool, size_t range, size_t unit_size, size_t min_size);

/// for (i = 0; i < range_i; i++) task(context, thread, i);
void tsr_parallelize_1d(tsr_threadpool* pool, tsr_task_1d_fn task, void* context,
                        size_t range_i);

/// for (i = 0; i < range_i; i += tile_i) task(context, thread, i, min(range_i - i, tile_i));
void tsr_parallelize_1d_tile_1d(tsr_threadpool* pool, tsr_task_1d_tile_1d_fn task,
                                void* context, size_t range_i, size_t tile_i);

/// for (i = 0; i < range_i; i++)
///   for (j = 0; j < range_j; j++) task(context, thread, i, j);
void tsr_parallelize_2d(tsr_threadpool* pool, tsr_task_2d_fn task, void* context,
                        size_t range_i, size_t range_j);

/// for (i = 0; i < range_i; i++)
///   for (j = 0; j < range_j; j += tile_j)
///     task(context, thread, i, j, min(range_j - j, tile_j));
void tsr_parallelize_2d_tile_1d(tsr_threadpool* pool, tsr_task_2d_tile_1d_fn task,
                                void* context, size_t range_i, size_t range_j, size_t tile_j);

/// for (i = 0; i < range_i; i += tile_i)
///   for (j = 0; j < range_j; j += tile_j)
///     task(context, thread, i, j, min(range_i - i, tile_i), min(range_j - j, tile_j));
void tsr_parallelize_2d_tile_2d(tsr_threadpool* pool, tsr_task_2d_tile_2d_fn task,
                                void* context, size_t range_i, size_t range_j, size_t tile_i,
                                size_t tile_j);

/// for (i = 0; i < range_i; i++)
///   for (j = 0; j < range_j; j++)
///     for (k = 0; k < range_k; k++) task(context, thread, i, j, k);
void tsr_parallelize_3d(tsr_threadpool* pool, tsr_task_3d_fn task, void* context,
                        size_t range_i, size_t range_j, size_t range_k);

/// for (i = 0; i < range_i; i++)
///   for (j = 0; j < range_j; j += tile_j)
///     for (k = 0; k < range_k; k += tile_k)
///       task(context, thread, i, j, k, min(range_j - j, tile_j), min(range_k - k, tile_k));
void tsr_parallelize_3d_tile_2d(tsr_threadpool* pool, tsr_task_3d_tile_2d_fn task,
                                void* context, size_t range_i, size_t range_j, size_t range_k,
                                size_t tile_j, size_t tile_k);

#ifdef __cplusplus
}
#endif

#endif
