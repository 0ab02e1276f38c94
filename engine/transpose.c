/* Blocked transposition (see transpose.h): tasks of 64 x 64 elements, each handed to the
 * x32-transpose kernel (picked once), so that both the rows read and the rows written stay in
 * L1. */
#include "engine/transpose.h"

#include <pthread.h>

#include "kernels/x32-transpose/x32-transpose.h"
#include "threadpool/threadpool.h"

#define TSR_TRANSPOSE_TASK 64

static tsr_x32_transpose_ukernel_fn tsr_transpose_kernel;
static pthread_once_t tsr_transpose_once = PTHREAD_ONCE_INIT;

static void tsr_transpose_pick(void) {
  tsr_transpose_kernel = (tsr_x32_transpose_ukernel_fn)tsr_ukernel_pick(tsr_x32_transpose_ukernels,
                                                                         tsr_x32_transpose_ukernel_count)->function;
}

struct tsr_transpose_call {
  const float* src;
  float* dst;
  size_t lds, ldd;
};

static void tsr_transpose_task(void* context, size_t thread, size_t i0, size_t j0, size_t rows, size_t cols) {
  (void)thread;
  const struct tsr_transpose_call* c = context;
  tsr_transpose_kernel(rows, cols, c->src + i0 * c->lds + j0, c->lds, c->dst + j0 * c->ldd + i0, c->ldd);
}

void tsr_transpose_f32(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd,
                       tsr_threadpool* pool) {
  pthread_once(&tsr_transpose_once, tsr_transpose_pick);
  struct tsr_transpose_call call = {.src = src, .dst = dst, .lds = lds, .ldd = ldd};
  tsr_parallelize_2d_tile_2d(pool, tsr_transpose_task, &call, rows, cols, TSR_TRANSPOSE_TASK, TSR_TRANSPOSE_TASK);
}
