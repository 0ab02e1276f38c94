#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "engine/verbose.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int tsr_verbose_level = -1; /* -1: not read yet; written once, racing readers agree */

bool tsr_verbose_enabled(void) {
  int level = __atomic_load_n(&tsr_verbose_level, __ATOMIC_RELAXED);
  if (level < 0) {
    const char* value = getenv("TESSERA_VERBOSE");
    level = value != NULL ? atoi(value) : 0;
    if (level < 0) level = 0;
    __atomic_store_n(&tsr_verbose_level, level, __ATOMIC_RELAXED);
  }
  return level >= 1;
}

double tsr_verbose_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* "2x64x56x56:nhwc" */
static void tsr_verbose_shape(const tsr_tensor* t, char* text, size_t size) {
  size_t used = 0;
  for (int32_t d = 0; d < t->desc.ndims && used < size; d++)
    used += (size_t)snprintf(text + used, size - used, d == 0 ? "%lld" : "x%lld", (long long)t->desc.dims[d]);
  if (used < size) snprintf(text + used, size - used, ":%s", tsr_layout_name(t->desc.layout));
}

void tsr_verbose_exec(const tsr_op* op, size_t num_inputs, const tsr_tensor* inputs, size_t num_outputs,
                      const tsr_tensor* outputs, tsr_status status, double milliseconds) {
  char src[96] = "-", dst[96] = "-";
  if (num_inputs != 0 && inputs != NULL) tsr_verbose_shape(&inputs[0], src, sizeof(src));
  if (num_outputs != 0 && outputs != NULL) tsr_verbose_shape(&outputs[0], dst, sizeof(dst));
  /* one fprintf per line: stdio locks the stream, so concurrent runs never interleave a line */
  fprintf(stderr, "tessera_verbose,exec,%s,src:%s,dst:%s,%s,%.4f ms\n", tsr_op_describe(op), src, dst,
          tsr_status_string(status), milliseconds);
}
