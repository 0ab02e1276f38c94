/* The OpenMP backend: each call opens a parallel region of the pool's thread count, and the
 * team claims items from the same per-thread ranges as the native pool. Built only when the
 * library is configured with TESSERA_THREADING=openmp. */
#include <omp.h>

#include "threadpool/pool.h"

void tsr_pool_openmp_run(tsr_threadpool* pool, struct tsr_pool_job* job) {
#pragma omp parallel num_threads((int)pool->threads)
  tsr_pool_job_work(job, (size_t)omp_get_thread_num());
}
