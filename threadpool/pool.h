/* What the thread pool backends share: the pool object and the job they hand out. */
#ifndef TSR_THREADPOOL_POOL_H
#define TSR_THREADPOOL_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

/// One parallel call: `item(context, thread, index)` for every index of the call. The items
/// are cut into contiguous ranges, one per thread (at most TSR_POOL_RANGES; threads beyond share
/// them): each thread runs its own range from the front, then steals single items from the back
/// of the others'. Contiguous ranges matter more than they seem: items handed out round-robin
/// put neighbouring tiles on different cores, whose prefetchers then pull each other's lines
/// (measured on the 2-core VM: a transpose ran 2x slower on 2 threads than on 1), and a thread
/// gets the same range again on the next call of the same shape, with its data still in its
/// cache.
typedef void (*tsr_item_fn)(void* context, size_t thread, size_t index);

#define TSR_POOL_RANGES 64

/// Items [front, back) not yet claimed, `left` of them: claiming decrements `left` first (never
/// below 0), so the owner's front and the stealers' back never pass each other. One cache line
/// each, as each is written by its own thread.
struct tsr_pool_range {
  _Alignas(64) _Atomic size_t left;
  _Atomic size_t front, back;
};

struct tsr_pool_job {
  tsr_item_fn item;
  void* context;
  size_t num_ranges;
  struct tsr_pool_range* ranges; /* the caller's, num_ranges of them */
};

enum tsr_pool_backend { tsr_pool_backend_native, tsr_pool_backend_openmp, tsr_pool_backend_executor };

struct tsr_threadpool {
  enum tsr_pool_backend backend;
  uint32_t threads;
  _Atomic uint32_t spin;      /* pause iterations before sleeping */
  pthread_mutex_t run_lock;   /* one parallel call at a time (native and executor) */
  struct tsr_pool_job* job;   /* the call in progress, on its caller's stack (native backend) */

  /* native backend */
  pthread_t* workers;                /* threads - 1 of them */
  _Atomic uint32_t generation;       /* a new value per call, never 0; workers sleep on it (futex word) */
  _Atomic uint32_t open_call;        /* the generation of the call workers may join; 0 once closed */
  _Atomic bool stopping;
  _Atomic uint32_t sleeping_workers; /* workers inside futex_wait on generation */
  _Atomic uint32_t joined_workers;   /* workers inside a call's job, or checking whether to join
                                      * it (futex word) */
  _Atomic uint32_t caller_sleeping;  /* the caller is inside futex_wait on joined_workers */

  /* executor backend */
  tsr_executor_schedule_fn schedule;
  void* executor_context;
};

/// Claims and runs items of `job` until none are left (its own range, then the others'),
/// marking this thread as inside a task so that nested parallel calls run inline.
void tsr_pool_job_work(struct tsr_pool_job* job, size_t thread);

/// True on a thread that is running a pool task (nested calls then run inline).
bool tsr_pool_in_task(void);

/// Spins for a while with the CPU's pause hint.
void tsr_pool_pause(void);

/// Waits until *counter is 0: spins up to `spin` pauses, then sleeps on the counter's futex.
/// While asleep it sets *sleeping (if not NULL) to 1, so that the thread bringing the counter to
/// 0 can skip the wake-up system call when nobody sleeps; without a flag the waker must always
/// wake. The flag and the counter form a Dekker-style handshake on seq_cst atomics.
void tsr_pool_wait_for_zero(_Atomic uint32_t* counter, uint32_t spin, _Atomic uint32_t* sleeping);

/// Blocks while *word == expected (or until woken); may return spuriously.
void tsr_futex_wait(_Atomic uint32_t* word, uint32_t expected);
/// Wakes up to `count` threads blocked on word.
void tsr_futex_wake(_Atomic uint32_t* word, int count);

/* Backend entry points. run() is called with num_items >= 2 and threads >= 2. */
tsr_status tsr_pool_native_start(struct tsr_threadpool* pool);
void tsr_pool_native_stop(struct tsr_threadpool* pool);
void tsr_pool_native_run(struct tsr_threadpool* pool, struct tsr_pool_job* job);
void tsr_pool_executor_run(struct tsr_threadpool* pool, struct tsr_pool_job* job);
#if defined(TSR_THREADING_OPENMP)
void tsr_pool_openmp_run(struct tsr_threadpool* pool, struct tsr_pool_job* job);
#endif

/// Runs item(context, thread, i) for i < num_items over the pool (or inline, see threadpool.h).
void tsr_pool_run(tsr_threadpool* pool, tsr_item_fn item, void* context, size_t num_items);

#endif
