/* The native backend: threads-1 persistent workers that spin, then sleep on a futex, between
 * calls. A call publishes its job, bumps the generation word, works as thread 0, and waits for
 * the workers to finish their last item.
 *
 * Sleeping is decided by a Dekker-style handshake on sequentially consistent atomics: a worker
 * announces itself in sleeping_workers before futex_wait re-checks the generation, and the
 * caller bumps the generation before reading sleeping_workers, so one of the two always sees
 * the other and no wake-up is lost. The caller's own wait uses the same pattern. A call whose
 * workers are all spinning therefore makes no system call. */
#include <limits.h>
#include <stdlib.h>

#include "engine/error.h"
#include "threadpool/pool.h"

struct tsr_worker_start {
  tsr_threadpool* pool;
  size_t thread;
};

static uint32_t tsr_spin_until_changed(_Atomic uint32_t* word, uint32_t value, uint32_t spin) {
  uint32_t now = atomic_load(word);
  for (uint32_t i = 0; i < spin && now == value; i++) {
    tsr_pool_pause();
    now = atomic_load(word);
  }
  return now;
}

static void* tsr_worker_main(void* arg) {
  struct tsr_worker_start start = *(struct tsr_worker_start*)arg;
  free(arg);
  tsr_threadpool* pool = start.pool;
  uint32_t seen = 0;
  for (;;) {
    const uint32_t spin = atomic_load_explicit(&pool->spin, memory_order_relaxed);
    uint32_t generation = tsr_spin_until_changed(&pool->generation, seen, spin);
    while (generation == seen) {
      atomic_fetch_add(&pool->sleeping_workers, 1);
      tsr_futex_wait(&pool->generation, seen);
      atomic_fetch_sub(&pool->sleeping_workers, 1);
      generation = atomic_load(&pool->generation);
    }
    seen = generation;
    if (atomic_load(&pool->stopping)) return NULL;
    tsr_pool_job_work(pool->job, start.thread);
    if (atomic_fetch_sub(&pool->active_workers, 1) == 1 && atomic_load(&pool->caller_sleeping))
      tsr_futex_wake(&pool->active_workers, 1);
  }
}

static void tsr_wake_workers(tsr_threadpool* pool) {
  atomic_fetch_add(&pool->generation, 1);
  if (atomic_load(&pool->sleeping_workers) != 0) tsr_futex_wake(&pool->generation, INT_MAX);
}

tsr_status tsr_pool_native_start(tsr_threadpool* pool) {
  const uint32_t workers = pool->threads - 1;
  if (workers == 0) return tsr_status_success;
  pool->workers = calloc(workers, sizeof(pthread_t));
  if (pool->workers == NULL)
    return tsr_error(tsr_status_out_of_memory, "tsr_threadpool_create: out of memory");
  for (uint32_t w = 0; w < workers; w++) {
    struct tsr_worker_start* start = malloc(sizeof(*start));
    int failed = start == NULL;
    if (!failed) {
      start->pool = pool;
      start->thread = w + 1;
      failed = pthread_create(&pool->workers[w], NULL, tsr_worker_main, start) != 0;
      if (failed) free(start);
    }
    if (failed) {
      pool->threads = w + 1; /* stop the workers started so far */
      tsr_pool_native_stop(pool);
      return tsr_error(tsr_status_system_error,
                       "tsr_threadpool_create: could not start worker thread %u", w + 1);
    }
  }
  return tsr_status_success;
}

void tsr_pool_native_stop(tsr_threadpool* pool) {
  if (pool->workers == NULL) return;
  atomic_store(&pool->stopping, true);
  tsr_wake_workers(pool);
  for (uint32_t w = 0; w + 1 < pool->threads; w++) pthread_join(pool->workers[w], NULL);
  free(pool->workers);
  pool->workers = NULL;
}

void tsr_pool_native_run(tsr_threadpool* pool, struct tsr_pool_job* job) {
  pthread_mutex_lock(&pool->run_lock);
  pool->job = job; /* published to the workers by the generation bump (seq_cst) */
  atomic_store(&pool->active_workers, pool->threads - 1);
  tsr_wake_workers(pool);

  tsr_pool_job_work(job, 0);

  tsr_pool_wait_for_zero(&pool->active_workers,
                         atomic_load_explicit(&pool->spin, memory_order_relaxed),
                         &pool->caller_sleeping);
  pthread_mutex_unlock(&pool->run_lock);
}
