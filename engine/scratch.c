#include "engine/scratch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "threadpool/pool.h"

struct tsr_scratch_buffer {
  void* data;
  size_t bytes;
};

struct tsr_scratch {
  struct tsr_scratch_buffer buffers[2]; /* [0] tsr_thread_scratch, [1] tsr_thread_task_scratch */
};

static pthread_key_t tsr_scratch_key;
static pthread_once_t tsr_scratch_once = PTHREAD_ONCE_INIT;

static void tsr_scratch_release(void* pointer) {
  struct tsr_scratch* scratch = pointer;
  free(scratch->buffers[0].data);
  free(scratch->buffers[1].data);
  free(scratch);
}

static void tsr_scratch_key_create(void) { pthread_key_create(&tsr_scratch_key, tsr_scratch_release); }

static void* tsr_thread_buffer(size_t which, size_t bytes) {
  pthread_once(&tsr_scratch_once, tsr_scratch_key_create);
  struct tsr_scratch* scratch = pthread_getspecific(tsr_scratch_key);
  if (scratch == NULL) {
    scratch = calloc(1, sizeof(*scratch));
    if (scratch == NULL || pthread_setspecific(tsr_scratch_key, scratch) != 0) {
      free(scratch);
      return NULL;
    }
  }
  struct tsr_scratch_buffer* buffer = &scratch->buffers[which];
  if (buffer->bytes < bytes) {
    void* grown = NULL;
    if (posix_memalign(&grown, 64, bytes) != 0) return NULL;
    free(buffer->data);
    buffer->data = grown;
    buffer->bytes = bytes;
  }
  return buffer->data;
}

static _Atomic int tsr_scratch_failure_mode = tsr_scratch_failure_none;

void tsr_scratch_set_failure_for_tests(enum tsr_scratch_failure mode) {
  atomic_store(&tsr_scratch_failure_mode, (int)mode);
}

static bool tsr_scratch_failing(void) {
  const int failing = atomic_load_explicit(&tsr_scratch_failure_mode, memory_order_relaxed);
  return failing == tsr_scratch_failure_always || (failing == tsr_scratch_failure_in_tasks && tsr_pool_in_task());
}

void* tsr_thread_scratch(size_t bytes) { return tsr_scratch_failing() ? NULL : tsr_thread_buffer(0, bytes); }

void* tsr_thread_task_scratch(size_t bytes) { return tsr_scratch_failing() ? NULL : tsr_thread_buffer(1, bytes); }
