/* Blocked transposition (see transpose.h): tasks of 64 x 64 elements, each walked in 8 x 8
 * blocks so that both the rows read and the rows written stay in L1. */
#include "engine/transpose.h"

#include "threadpool/threadpool.h"

#define TSR_TRANSPOSE_TASK 64
#define TSR_TRANSPOSE_BLOCK 8

struct tsr_transpose_call {
  const float* src;
  float* dst;
  size_t lds, ldd;
};

static void tsr_transpose_task(void* context, size_t thread, size_t i0, size_t j0, size_t rows, size_t cols) {
  (void)thread;
  const struct tsr_transpose_call* c = context;
  for (size_t bi = i0; bi < i0 + rows; bi += TSR_TRANSPOSE_BLOCK)
    for (size_t bj = j0; bj < j0 + cols; bj += TSR_TRANSPOSE_BLOCK) {
      const size_t ie = bi + TSR_TRANSPOSE_BLOCK < i0 + rows ? bi + TSR_TRANSPOSE_BLOCK : i0 + rows;
      const size_t je = bj + TSR_TRANSPOSE_BLOCK < j0 + cols ? bj + TSR_TRANSPOSE_BLOCK : j0 + cols;
      for (size_t j = bj; j < je; j++)
        for (size_t i = bi; i < ie; i++) c->dst[j * c->ldd + i] = c->src[i * c->lds + j];
    }
}

void tsr_transpose_f32(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd,
                       tsr_threadpool* pool) {
  struct tsr_transpose_call call = {.src = src, .dst = dst, .lds = lds, .ldd = ldd};
  tsr_parallelize_2d_tile_2d(pool, tsr_transpose_task, &call, rows, cols, TSR_TRANSPOSE_TASK, TSR_TRANSPOSE_TASK);
}
