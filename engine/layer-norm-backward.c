/* Layer norm backward (layer-norm-backward.h): rows in tasks, each row in two passes while it
 * sits in the cache: its moments and the sums of dy gamma and dy gamma (x - mean) in one
 * (f32-dlnorm, about the row's first element), then dx (f32-dlnorm's dx form, which also adds the
 * row's dgamma and dbeta terms into the task's own columns). The tasks' columns are added at the
 * end. The reference loop took each row's moments, sums and dx a scalar double at a time and
 * dgamma / dbeta in a second, serial pass over every row (1.6-1.9 GB/s on 1 or 2 threads). */
#include "engine/layer-norm-backward.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "kernels/f32-rowstats/f32-rowstats.h"
#include "threadpool/threadpool.h"

/* Floats a task takes at least. */
#define TSR_DLNORM_MIN_FLOATS 4096

struct tsr_dlnorm_call {
  const struct tsr_layer_norm_backward* p;
  size_t rows_per_task;
  double* columns; /* [tasks][2 length]: each task's dgamma and dbeta sums, or NULL */
  size_t tasks;
};

/* Task `task`'s rows. Its columns are zeroed here, by the core that adds into them: zeroed by
 * the caller they were another core's lines, and fetching them cost as much as the rows
 * (128x768 on 2 threads ran no faster than on 1). */
static void tsr_dlnorm_rows(void* context, size_t thread, size_t task) {
  (void)thread;
  const struct tsr_dlnorm_call* call = context;
  const struct tsr_layer_norm_backward* p = call->p;
  const size_t L = p->length, first = task * call->rows_per_task;
  const size_t end = p->rows - first < call->rows_per_task ? p->rows : first + call->rows_per_task;
  double* columns = call->columns != NULL ? call->columns + task * 2 * L : NULL;
  if (columns != NULL) memset(columns, 0, 2 * L * sizeof(double));
  for (size_t row = first; row < end; row++) {
    const float *x = p->x + row * L, *dy = p->dy + row * L;
    /* sum d, sum d^2, sum g, sum g d about the row's first element (f32-dlnorm.h) */
    double sums[4] = {0.0, 0.0, 0.0, 0.0}, shifted_mean, rstd;
    p->sums(L, dy, x, p->gamma, (double)x[0], sums);
    tsr_f32_rowstats_moments(L, sums, p->epsilon, &shifted_mean, &rstd);
    const double mean = (double)x[0] + shifted_mean, centred = sums[3] - shifted_mean * sums[2];
    const double b = -rstd * rstd * rstd * centred / (double)L, k = -rstd * sums[2] / (double)L;
    p->dx_kernel(L, dy, x, p->gamma, mean, rstd, b, k, p->dx + row * L, columns);
  }
}

/* Columns [first, first + count) of dgamma and dbeta: the tasks' sums added in double. */
static void tsr_dlnorm_columns(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  const struct tsr_dlnorm_call* call = context;
  const struct tsr_layer_norm_backward* p = call->p;
  const size_t L = p->length;
  for (size_t i = first; i < first + count; i++) {
    double dgamma = 0.0, dbeta = 0.0;
    for (size_t t = 0; t < call->tasks; t++)
      dgamma += call->columns[t * 2 * L + i], dbeta += call->columns[t * 2 * L + L + i];
    if (p->dgamma != NULL) p->dgamma[i] = (float)dgamma;
    if (p->dbeta != NULL) p->dbeta[i] = (float)dbeta;
  }
}

tsr_status tsr_layer_norm_backward_execute(const struct tsr_layer_norm_backward* p, tsr_threadpool* pool,
                                           const char* where) {
  const size_t L = p->length;
  /* With dgamma or dbeta, a task a thread (each task's columns are read back once at the end);
   * else about four a thread */
  const bool columns = p->dgamma != NULL || p->dbeta != NULL;
  size_t rows_per_task = tsr_parallel_tile(pool, p->rows, L, TSR_DLNORM_MIN_FLOATS);
  if (columns) {
    const size_t threads = tsr_threadpool_threads(pool), even = (p->rows + threads - 1) / threads;
    rows_per_task = rows_per_task > even ? rows_per_task : even;
  }
  struct tsr_dlnorm_call call = {.p = p, .rows_per_task = rows_per_task,
                                 .tasks = (p->rows + rows_per_task - 1) / rows_per_task};
  if (columns) {
    size_t bytes = 0; /* a product that overflows is refused like a failed allocation */
    call.columns = tsr_mul_size(call.tasks * 2 * L, sizeof(double), &bytes) ? malloc(bytes) : NULL;
    if (call.columns == NULL)
      return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the dgamma / dbeta sums", where);
  }
  tsr_parallelize_1d(pool, tsr_dlnorm_rows, &call, call.tasks);
  if (columns)
    tsr_parallelize_1d_tile_1d(pool, tsr_dlnorm_columns, &call, L, tsr_parallel_tile(pool, L, call.tasks, 256));
  free(call.columns);
  return tsr_status_success;
}
