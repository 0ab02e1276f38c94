/* The thread pool, tested by property on every backend available in this build (the built-in
 * one, native or OpenMP, plus application executors): every item exactly once, items and
 * thread indices in bounds, uneven tiles, contention, thousands of consecutive calls, pools of
 * 1 and NULL, nested calls, calls from several application threads at once, and workers that
 * wake after their call has closed (pools that sleep at once between calls). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/harness/harness.h"
#include "threadpool/threadpool.h"

#if defined(__SANITIZE_ADDRESS__)
/* A worker that wakes after its call closed must not touch that call's job, which lived on the
 * returned caller's stack: under AddressSanitizer such a read is reported only when returned
 * frames are kept apart (the "spin 0" pools below make late workers common). ASAN_OPTIONS from
 * the environment still adds to this. */
const char* __asan_default_options(void);
const char* __asan_default_options(void) { return "detect_stack_use_after_return=1"; }
#endif

/* ---- counting visits ---- */
struct tsr_visits {
  _Atomic uint32_t* count; /* per item */
  size_t range_i, range_j, range_k;
  size_t tile_i, tile_j, tile_k;
  size_t threads;
  _Atomic uint32_t bad; /* calls with an out-of-bounds index, tile or thread */
  _Atomic uint32_t max_thread_seen;
};

static void tsr_visit(struct tsr_visits* v, size_t thread, size_t i, size_t j, size_t k) {
  if (thread >= v->threads || i >= v->range_i || j >= v->range_j || k >= v->range_k) {
    atomic_fetch_add(&v->bad, 1);
    return;
  }
  atomic_fetch_add(&v->count[(i * v->range_j + j) * v->range_k + k], 1);
}

static void tsr_task_1d(void* c, size_t t, size_t i) { tsr_visit(c, t, i, 0, 0); }
static void tsr_task_1d_tile(void* c, size_t t, size_t start, size_t tile) {
  struct tsr_visits* v = c;
  if (tile == 0 || tile > v->tile_i || start % v->tile_i != 0) atomic_fetch_add(&v->bad, 1);
  for (size_t i = start; i < start + tile; i++) tsr_visit(v, t, i, 0, 0);
}
static void tsr_task_2d(void* c, size_t t, size_t i, size_t j) { tsr_visit(c, t, i, j, 0); }
static void tsr_task_2d_tile_1d(void* c, size_t t, size_t i, size_t sj, size_t tj) {
  struct tsr_visits* v = c;
  if (tj == 0 || tj > v->tile_j || sj % v->tile_j != 0) atomic_fetch_add(&v->bad, 1);
  for (size_t j = sj; j < sj + tj; j++) tsr_visit(v, t, i, j, 0);
}
static void tsr_task_2d_tile_2d(void* c, size_t t, size_t si, size_t sj, size_t ti, size_t tj) {
  struct tsr_visits* v = c;
  if (ti == 0 || tj == 0 || ti > v->tile_i || tj > v->tile_j || si % v->tile_i || sj % v->tile_j)
    atomic_fetch_add(&v->bad, 1);
  for (size_t i = si; i < si + ti; i++)
    for (size_t j = sj; j < sj + tj; j++) tsr_visit(v, t, i, j, 0);
}
static void tsr_task_3d(void* c, size_t t, size_t i, size_t j, size_t k) { tsr_visit(c, t, i, j, k); }
static void tsr_task_3d_tile_2d(void* c, size_t t, size_t i, size_t sj, size_t sk, size_t tj,
                                size_t tk) {
  struct tsr_visits* v = c;
  if (tj == 0 || tk == 0 || tj > v->tile_j || tk > v->tile_k || sj % v->tile_j || sk % v->tile_k)
    atomic_fetch_add(&v->bad, 1);
  for (size_t j = sj; j < sj + tj; j++)
    for (size_t k = sk; k < sk + tk; k++) tsr_visit(v, t, i, j, k);
}

enum tsr_shape { tsr_1d, tsr_1d_tile_1d, tsr_2d, tsr_2d_tile_1d, tsr_2d_tile_2d, tsr_3d, tsr_3d_tile_2d };
static const char* const tsr_shape_names[] = {"1d", "1d_tile_1d", "2d", "2d_tile_1d",
                                              "2d_tile_2d", "3d", "3d_tile_2d"};

/* Runs one shaped call and returns true if every item was visited exactly once. */
static bool tsr_run_shape(tsr_threadpool* pool, enum tsr_shape shape, size_t ri, size_t rj,
                          size_t rk, size_t ti, size_t tj, size_t tk, const char* label) {
  struct tsr_visits v = {.range_i = ri, .range_j = rj, .range_k = rk,
                         .tile_i = ti, .tile_j = tj, .tile_k = tk,
                         .threads = tsr_threadpool_threads(pool)};
  const size_t n = ri * rj * rk;
  v.count = calloc(n ? n : 1, sizeof(*v.count));
  switch (shape) {
    case tsr_1d: tsr_parallelize_1d(pool, tsr_task_1d, &v, ri); break;
    case tsr_1d_tile_1d: tsr_parallelize_1d_tile_1d(pool, tsr_task_1d_tile, &v, ri, ti); break;
    case tsr_2d: tsr_parallelize_2d(pool, tsr_task_2d, &v, ri, rj); break;
    case tsr_2d_tile_1d: tsr_parallelize_2d_tile_1d(pool, tsr_task_2d_tile_1d, &v, ri, rj, tj); break;
    case tsr_2d_tile_2d: tsr_parallelize_2d_tile_2d(pool, tsr_task_2d_tile_2d, &v, ri, rj, ti, tj); break;
    case tsr_3d: tsr_parallelize_3d(pool, tsr_task_3d, &v, ri, rj, rk); break;
    case tsr_3d_tile_2d: tsr_parallelize_3d_tile_2d(pool, tsr_task_3d_tile_2d, &v, ri, rj, rk, tj, tk); break;
  }
  size_t wrong = 0, first = 0;
  for (size_t i = 0; i < n; i++)
    if (v.count[i] != 1 && wrong++ == 0) first = i;
  const bool ok = tsr_check(wrong == 0 && v.bad == 0, label,
                            "%s %zux%zux%zu tiles %zu,%zu,%zu: %zu items not visited exactly once "
                            "(first %zu), %u out-of-bounds calls",
                            tsr_shape_names[shape], ri, rj, rk, ti, tj, tk, wrong, first,
                            (unsigned)v.bad);
  free(v.count);
  return ok;
}

/* Every shape over ranges below, at and above the tile and thread counts, primes included. */
static void tsr_test_shapes(tsr_threadpool* pool, const char* label) {
  const size_t ranges[] = {0, 1, 2, 3, 7, 16, 31};
  const size_t tiles[] = {1, 2, 5, 16};
  for (size_t a = 0; a < 7; a++)
    for (size_t b = 0; b < 7; b++)
      for (size_t t = 0; t < 4; t++) {
        const size_t ri = ranges[a], rj = ranges[b], tile = tiles[t];
        tsr_run_shape(pool, tsr_1d, ri, 1, 1, 1, 1, 1, label);
        tsr_run_shape(pool, tsr_1d_tile_1d, ri * 7 + rj, 1, 1, tile, 1, 1, label);
        tsr_run_shape(pool, tsr_2d, ri, rj, 1, 1, 1, 1, label);
        tsr_run_shape(pool, tsr_2d_tile_1d, ri, rj, 1, 1, tile, 1, label);
        tsr_run_shape(pool, tsr_2d_tile_2d, ri, rj, 1, tile, tiles[(t + 1) % 4], 1, label);
        tsr_run_shape(pool, tsr_3d, ri, rj, 3, 1, 1, 1, label);
        tsr_run_shape(pool, tsr_3d_tile_2d, 3, ri, rj, 1, tile, tiles[(t + 2) % 4], label);
      }
}

/* ---- uneven tiles: a few slow items must not stop the others from being spread ---- */
struct tsr_uneven {
  _Atomic uint32_t* count;
  _Atomic uint32_t per_thread[64];
};

static void tsr_sleep_us(long us) {
  struct timespec ts = {0, us * 1000};
  nanosleep(&ts, NULL);
}

static void tsr_uneven_task(void* c, size_t thread, size_t i) {
  struct tsr_uneven* u = c;
  if (i % 7 == 0) tsr_sleep_us(2000);
  atomic_fetch_add(&u->count[i], 1);
  atomic_fetch_add(&u->per_thread[thread], 1);
}

static void tsr_test_uneven(tsr_threadpool* pool, const char* label) {
  struct tsr_uneven u;
  memset(&u, 0, sizeof(u));
  const size_t n = 70;
  u.count = calloc(n, sizeof(*u.count));
  tsr_parallelize_1d(pool, tsr_uneven_task, &u, n);
  size_t wrong = 0;
  for (size_t i = 0; i < n; i++) wrong += u.count[i] != 1;
  tsr_check(wrong == 0, label, "uneven tiles: %zu items not visited exactly once", wrong);
  free(u.count);
}

/* ---- contention and consecutive calls ---- */
static void tsr_sum_task(void* c, size_t thread, size_t i) {
  atomic_fetch_add((_Atomic uint64_t*)c, (uint64_t)i + 1);
}

static void tsr_test_many_calls(tsr_threadpool* pool, const char* label, size_t calls) {
  _Atomic uint64_t sum = 0;
  for (size_t c = 0; c < calls; c++) tsr_parallelize_1d(pool, tsr_sum_task, &sum, 3 + c % 5);
  uint64_t expected = 0;
  for (size_t c = 0; c < calls; c++) {
    const uint64_t n = 3 + c % 5;
    expected += n * (n + 1) / 2;
  }
  tsr_check(sum == expected, label, "%zu consecutive calls: sum %llu, expected %llu", calls,
            (unsigned long long)sum, (unsigned long long)expected);
  /* high contention: a million one-item tasks fighting over one counter */
  sum = 0;
  tsr_parallelize_1d(pool, tsr_sum_task, &sum, 1000000);
  tsr_check(sum == 500000500000ull, label, "high contention: sum %llu", (unsigned long long)sum);
}

/* ---- nested calls: a task that parallelizes must not deadlock ---- */
struct tsr_nested {
  tsr_threadpool* pool;
  _Atomic uint64_t sum;
};

static void tsr_nested_task(void* c, size_t thread, size_t i) {
  struct tsr_nested* n = c;
  tsr_parallelize_1d(n->pool, tsr_sum_task, (void*)&n->sum, 10);
}

static void tsr_test_nested(tsr_threadpool* pool, const char* label) {
  struct tsr_nested n = {.pool = pool};
  tsr_parallelize_1d(pool, tsr_nested_task, &n, 8);
  tsr_check(n.sum == 8 * 55, label, "nested calls: sum %llu, expected 440",
            (unsigned long long)n.sum);
}

/* ---- several application threads sharing the pool ---- */
struct tsr_app_thread {
  tsr_threadpool* pool;
  bool ok;
};

static void* tsr_app_thread_main(void* arg) {
  struct tsr_app_thread* a = arg;
  a->ok = true;
  for (int call = 0; call < 200; call++) {
    _Atomic uint64_t sum = 0;
    tsr_parallelize_1d(a->pool, tsr_sum_task, &sum, 100);
    if (sum != 5050) a->ok = false;
  }
  return NULL;
}

static void tsr_test_app_threads(tsr_threadpool* pool, const char* label) {
  struct tsr_app_thread apps[4];
  pthread_t threads[4];
  for (int t = 0; t < 4; t++) {
    apps[t].pool = pool;
    pthread_create(&threads[t], NULL, tsr_app_thread_main, &apps[t]);
  }
  bool ok = true;
  for (int t = 0; t < 4; t++) {
    pthread_join(threads[t], NULL);
    ok = ok && apps[t].ok;
  }
  tsr_check(ok, label, "4 application threads x 200 calls: a call lost or repeated items");
}

static void tsr_test_pool(tsr_threadpool* pool, const char* label) {
  tsr_test_shapes(pool, label);
  tsr_test_uneven(pool, label);
  tsr_test_many_calls(pool, label, 5000);
  tsr_test_nested(pool, label);
  tsr_test_app_threads(pool, label);
  printf("%s: %u threads, backend %s, tested\n", label, tsr_threadpool_threads(pool),
         tsr_threadpool_backend_name(pool));
}

/* ---- application executors ---- */

/* Runs each task at once on the calling thread (schedule is synchronous). */
static void tsr_inline_schedule(void* ctx, void (*task)(void*), void* arg) { task(arg); }

/* A small queue served by its own threads, like an embedding server's executor. With zero
 * threads it runs nothing until drained by hand: helpers start only after the call returned. */
struct tsr_queue_executor {
  pthread_mutex_t lock;
  pthread_cond_t ready;
  pthread_cond_t space; /* schedule blocks while the queue is full */
  struct { void (*task)(void*); void* arg; } items[4096];
  size_t head, tail;
  bool stop;
  pthread_t threads[4];
  int num_threads;
};

static void tsr_queue_schedule(void* ctx, void (*task)(void*), void* arg) {
  struct tsr_queue_executor* q = ctx;
  pthread_mutex_lock(&q->lock);
  while (q->tail - q->head == 4096) pthread_cond_wait(&q->space, &q->lock);
  q->items[q->tail % 4096].task = task;
  q->items[q->tail % 4096].arg = arg;
  q->tail++;
  pthread_cond_signal(&q->ready);
  pthread_mutex_unlock(&q->lock);
}

static bool tsr_queue_pop(struct tsr_queue_executor* q, bool wait, void (**task)(void*), void** arg) {
  pthread_mutex_lock(&q->lock);
  while (wait && q->head == q->tail && !q->stop) pthread_cond_wait(&q->ready, &q->lock);
  const bool got = q->head != q->tail;
  if (got) {
    *task = q->items[q->head % 4096].task;
    *arg = q->items[q->head % 4096].arg;
    q->head++;
    pthread_cond_signal(&q->space);
  }
  pthread_mutex_unlock(&q->lock);
  return got;
}

static void* tsr_queue_worker(void* ctx) {
  struct tsr_queue_executor* q = ctx;
  void (*task)(void*);
  void* arg;
  while (tsr_queue_pop(q, true, &task, &arg)) task(arg);
  return NULL;
}

static void tsr_queue_start(struct tsr_queue_executor* q, int threads) {
  memset(q, 0, sizeof(*q));
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->ready, NULL);
  pthread_cond_init(&q->space, NULL);
  q->num_threads = threads;
  for (int t = 0; t < threads; t++) pthread_create(&q->threads[t], NULL, tsr_queue_worker, q);
}

static size_t tsr_queue_drain(struct tsr_queue_executor* q) {
  void (*task)(void*);
  void* arg;
  size_t ran = 0;
  while (tsr_queue_pop(q, false, &task, &arg)) {
    task(arg);
    ran++;
  }
  return ran;
}

static void tsr_queue_stop(struct tsr_queue_executor* q) {
  pthread_mutex_lock(&q->lock);
  q->stop = true;
  pthread_cond_broadcast(&q->ready);
  pthread_mutex_unlock(&q->lock);
  for (int t = 0; t < q->num_threads; t++) pthread_join(q->threads[t], NULL);
  tsr_queue_drain(q);
  pthread_cond_destroy(&q->ready);
  pthread_cond_destroy(&q->space);
  pthread_mutex_destroy(&q->lock);
}

static void tsr_test_executors(void) {
  tsr_threadpool* pool = NULL;
  tsr_check_status(tsr_threadpool_create_with_executor(4, tsr_inline_schedule, NULL, &pool),
                   tsr_status_success, "executor: inline");
  tsr_test_pool(pool, "executor(inline, 4)");
  tsr_threadpool_destroy(pool);

  static struct tsr_queue_executor queue;
  tsr_queue_start(&queue, 3);
  tsr_check_status(tsr_threadpool_create_with_executor(3, tsr_queue_schedule, &queue, &pool),
                   tsr_status_success, "executor: queue");
  tsr_test_pool(pool, "executor(queue of 3 threads, 3)");
  tsr_threadpool_destroy(pool);
  tsr_queue_stop(&queue);

  /* An executor with no free thread: helpers run only after the call has returned. The call must
   * not wait for them, and the late helpers must do nothing harmful. */
  tsr_queue_start(&queue, 0);
  tsr_check_status(tsr_threadpool_create_with_executor(4, tsr_queue_schedule, &queue, &pool),
                   tsr_status_success, "executor: stalled");
  _Atomic uint64_t sum = 0;
  tsr_parallelize_1d(pool, tsr_sum_task, &sum, 100);
  tsr_check(sum == 5050, "executor(stalled)", "sum %llu, expected 5050", (unsigned long long)sum);
  const size_t late = tsr_queue_drain(&queue);
  tsr_check(late == 3 && sum == 5050, "executor(stalled)",
            "late helpers: %zu ran, sum now %llu", late, (unsigned long long)sum);
  tsr_threadpool_destroy(pool);
  tsr_queue_stop(&queue);
}

static void tsr_test_errors(void) {
  tsr_threadpool* pool = (tsr_threadpool*)0x1;
  tsr_check_status(tsr_threadpool_create(1, NULL), tsr_status_invalid_parameter, "create(pool NULL)");
  tsr_check_status(tsr_threadpool_create(5000, &pool), tsr_status_invalid_parameter, "create(5000)");
  tsr_check(pool == (tsr_threadpool*)0x1, "create(5000)", "pool was written on failure");
  tsr_check(strstr(tsr_last_error_message(), "threads") != NULL, "create(5000) message",
            "message does not name threads: %s", tsr_last_error_message());
  tsr_check_status(tsr_threadpool_create_with_executor(2, NULL, NULL, &pool),
                   tsr_status_invalid_parameter, "create_with_executor(schedule NULL)");
  tsr_check_status(tsr_threadpool_create_with_executor(0, tsr_inline_schedule, NULL, &pool),
                   tsr_status_invalid_parameter, "create_with_executor(threads 0)");
  tsr_check_status(tsr_threadpool_set_spin(NULL, 0), tsr_status_invalid_parameter, "set_spin(NULL)");
  tsr_check(tsr_threadpool_threads(NULL) == 1, "threads(NULL)", "not 1");
  tsr_threadpool_destroy(NULL);
}

int main(void) {
  tsr_test_errors();
  tsr_test_pool(NULL, "pool NULL");
  const uint32_t counts[] = {1, 2, 3, 8};
  for (size_t c = 0; c < 4; c++) {
    tsr_threadpool* pool = NULL;
    if (!tsr_check_status(tsr_threadpool_create(counts[c], &pool), tsr_status_success, "create"))
      continue;
    char label[64];
    snprintf(label, sizeof(label), "pool(%u)", counts[c]);
    tsr_test_pool(pool, label);
    tsr_threadpool_set_spin(pool, 0); /* sleep at once between calls */
    snprintf(label, sizeof(label), "pool(%u, spin 0)", counts[c]);
    tsr_test_pool(pool, label);
    tsr_threadpool_destroy(pool);
  }
  tsr_threadpool* pool = NULL;
  if (tsr_check_status(tsr_threadpool_create(0, &pool), tsr_status_success, "create(0)")) {
    tsr_check(tsr_threadpool_threads(pool) == tsr_cpu_count(), "create(0)",
              "%u threads, %u CPUs", tsr_threadpool_threads(pool), tsr_cpu_count());
    tsr_threadpool_destroy(pool);
  }
  tsr_test_executors();
  return tsr_test_finish();
}
