#include "engine/scratch.h"

#include <pthread.h>
#include <stdlib.h>

struct tsr_scratch {
  void* data;
  size_t bytes;
};

static pthread_key_t tsr_scratch_key;
static pthread_once_t tsr_scratch_once = PTHREAD_ONCE_INIT;

static void tsr_scratch_release(void* pointer) {
  struct tsr_scratch* scratch = pointer;
  free(scratch->data);
  free(scratch);
}

static void tsr_scratch_key_create(void) { pthread_key_create(&tsr_scratch_key, tsr_scratch_release); }

void* tsr_thread_scratch(size_t bytes) {
  pthread_once(&tsr_scratch_once, tsr_scratch_key_create);
  struct tsr_scratch* scratch = pthread_getspecific(tsr_scratch_key);
  if (scratch == NULL) {
    scratch = calloc(1, sizeof(*scratch));
    if (scratch == NULL || pthread_setspecific(tsr_scratch_key, scratch) != 0) {
      free(scratch);
      return NULL;
    }
  }
  if (scratch->bytes < bytes) {
    void* grown = NULL;
    if (posix_memalign(&grown, 64, bytes) != 0) return NULL;
    free(scratch->data);
    scratch->data = grown;
    scratch->bytes = bytes;
  }
  return scratch->data;
}
