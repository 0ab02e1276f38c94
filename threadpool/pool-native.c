/* The native backend: threads-1 persistent workers that spin, then sleep on a futex, between
 * calls. A call publishes its job, opens it under a new generation word, works as thread 0,
 * closes the call once no item is left to claim, and waits only for the workers that joined
 * before the close. A worker that wakes after the close leaves without touching the job (which
 * lives on the caller's stack), as in the executor backend.
 *
 * Why the caller does not wait for every worker: waking a sleeping worker takes 50-130 us on a
 * 16-vCPU VM, longer than the workers' spin. When the caller waited for all of them, one late
 * worker made the call last its wake-up time, the others meanwhile spun out and slept, and the
 * next call found them asleep again: back-to-back 10 us calls stayed at 60-130 us on 8 and 16
 * threads, where oneDNN took 7-11 us in the same runs (see docs/PERFORMANCE.md). The workers
 * that are awake steal a late worker's items.
 *
 * Sleeping, joining and closing are each decided by a Dekker-style handshake on sequentially
 * consistent atomics: a worker announces itself (in sleeping_workers, or joined_workers) before
 * it re-checks the word the caller writes (generation, or open_call), and the caller writes
 * that word before it reads the worker's count, so one of the two always sees the other. A
 * call whose workers are all spinning therefore makes no system call. */
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
    atomic_fetch_add(&pool->joined_workers, 1);
    if (atomic_load(&pool->open_call) == seen) tsr_pool_job_work(pool->job, start.thread);
    if (atomic_fetch_sub(&pool->joined_workers, 1) == 1 && atomic_load(&pool->caller_sleeping))
      tsr_futex_wake(&pool->joined_workers, 1);
  }
}

/* The generation after the current one; 0 is skipped, as it means "closed" in open_call. Only
 * the caller holding run_lock, or the pool's destruction, writes the generation. */
static uint32_t tsr_next_generation(tsr_threadpool* pool) {
  const uint32_t next = atomic_load(&pool->generation) + 1;
  return next == 0 ? 1 : next;
}

static void tsr_wake_workers(tsr_threadpool* pool, uint32_t generation) {
  atomic_store(&pool->generation, generation);
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
  tsr_wake_workers(pool, tsr_next_generation(pool));
  for (uint32_t w = 0; w + 1 < pool->threads; w++) pthread_join(pool->workers[w], NULL);
  free(pool->workers);
  pool->workers = NULL;
}

void tsr_pool_native_run(tsr_threadpool* pool, struct tsr_pool_job* job) {
  pthread_mutex_lock(&pool->run_lock);
  pool->job = job; /* published to joining workers by open_call (seq_cst) */
  const uint32_t generation = tsr_next_generation(pool);
  atomic_store(&pool->open_call, generation); /* before the workers can see the generation */
  tsr_wake_workers(pool, generation);

  tsr_pool_job_work(job, 0); /* returns once every item is claimed */

  atomic_store(&pool->open_call, 0);
  tsr_pool_wait_for_zero(&pool->joined_workers,
                         atomic_load_explicit(&pool->spin, memory_order_relaxed),
                         &pool->caller_sleeping);
  pthread_mutex_unlock(&pool->run_lock);
}
