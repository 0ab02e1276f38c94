/* The executor backend: each call schedules threads-1 helper tasks on the application's
 * executor and works on the calling thread too. The caller never waits for a helper that has
 * not started: when it runs out of items it closes the call, then waits only for helpers that
 * joined before the close. A helper that starts after the close leaves at once. The call record
 * is reference-counted, so a helper that starts long after the call returned still finds valid
 * memory. Joining and closing use the same Dekker-style handshake as the native pool. */
#include <stdlib.h>

#include "threadpool/pool.h"

struct tsr_executor_call {
  _Atomic uint32_t references;  /* the caller + each scheduled helper */
  _Atomic uint32_t working;     /* helpers that joined and have not finished (futex word) */
  _Atomic uint32_t closed;
  _Atomic uint32_t next_thread;
  struct tsr_pool_job* job;     /* the caller's; only touched by helpers that joined in time */
};

static void tsr_call_release(struct tsr_executor_call* call) {
  if (atomic_fetch_sub(&call->references, 1) == 1) free(call);
}

static void tsr_executor_helper(void* arg) {
  struct tsr_executor_call* call = arg;
  atomic_fetch_add(&call->working, 1);
  if (!atomic_load(&call->closed)) {
    const size_t thread = atomic_fetch_add(&call->next_thread, 1);
    tsr_pool_job_work(call->job, thread);
  }
  if (atomic_fetch_sub(&call->working, 1) == 1) tsr_futex_wake(&call->working, 1);
  tsr_call_release(call);
}

void tsr_pool_executor_run(tsr_threadpool* pool, struct tsr_pool_job* job) {
  struct tsr_executor_call* call = malloc(sizeof(*call));
  if (call == NULL) { /* no memory for helpers: the caller does all the work */
    tsr_pool_job_work(job, 0);
    return;
  }
  const uint32_t helpers = pool->threads - 1;
  atomic_init(&call->references, 1 + helpers);
  atomic_init(&call->working, 0);
  atomic_init(&call->closed, 0);
  atomic_init(&call->next_thread, 1);
  call->job = job;
  for (uint32_t h = 0; h < helpers; h++) pool->schedule(pool->executor_context, tsr_executor_helper, call);

  tsr_pool_job_work(job, 0);

  atomic_store(&call->closed, 1);
  /* No sleeping flag: the last helper always wakes, since it cannot know whether the caller
   * still exists to set one (the call record, not the caller, is what outlives it). */
  tsr_pool_wait_for_zero(&call->working, atomic_load_explicit(&pool->spin, memory_order_relaxed),
                         NULL);
  tsr_call_release(call);
}
