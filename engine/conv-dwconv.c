/* Depthwise convolution on NHWC (see conv-fast.h): weights packed at creation in blocks of the
 * kernel's CB channels, the indirection buffer (one pixel a tile) from the op's cache, and tasks
 * over (batch item, block of output pixels): each kernel call makes every channel of one pixel.
 * Pixel blocks are as long as possible while the grid gives about 4 tasks per thread. */
#include <stdint.h>
#include <stdlib.h>

#include "engine/conv-fast.h"
#include "engine/error.h"
#include "threadpool/threadpool.h"

#define TSR_DWCONV_TASKS_PER_THREAD 4

tsr_status tsr_conv_dwconv_pack(struct tsr_conv_fast* f, const tsr_conv_params* p, const float* weights,
                                const float* bias) {
  const size_t channels = (size_t)p->out_channels, cb = f->nr, blocks = (channels + cb - 1) / cb;
  size_t floats; /* padding to whole blocks can overflow where the weights' own size did not */
  if (!tsr_mul_size(blocks * cb, f->taps + 1, &floats) || floats > SIZE_MAX / sizeof(float))
    return tsr_status_out_of_memory;
  if (posix_memalign((void**)&f->packed, 64, floats * sizeof(float)) != 0) {
    f->packed = NULL;
    return tsr_status_out_of_memory;
  }
  f->zero = calloc(channels, sizeof(float));
  if (f->zero == NULL) return tsr_status_out_of_memory;
  float* w = f->packed;
  for (size_t b = 0; b < blocks; b++) {
    for (size_t lane = 0; lane < cb; lane++) {
      const size_t c = b * cb + lane;
      *w++ = c < channels && bias != NULL ? bias[c] : 0.0f;
    }
    for (size_t t = 0; t < f->taps; t++)
      for (size_t lane = 0; lane < cb; lane++) {
        const size_t c = b * cb + lane; /* weights [channels][1][taps] */
        *w++ = c < channels ? weights[c * f->taps + t] : 0.0f;
      }
  }
  return tsr_status_success;
}

struct tsr_dwconv_call {
  const struct tsr_conv_fast* f;
  const struct tsr_conv_geometry* g;
  const struct tsr_indirection* ind;
  const float* x;
  float* y;
};

static void tsr_dwconv_task(void* context, size_t thread, size_t n, size_t start, size_t count) {
  (void)thread;
  const struct tsr_dwconv_call* c = context;
  const struct tsr_conv_fast* f = c->f;
  const struct tsr_conv_geometry* g = c->g;
  const size_t a_offset = tsr_indirection_offset(c->ind, c->x + n * g->x_n);
  float* y = c->y + n * g->y_n;
  for (size_t p = start; p < start + count; p++)
    f->dwconv(g->oc, f->taps, c->ind->pointers + p * f->taps, f->packed, y + p * g->y_s[2], a_offset, f->zero,
              &f->params);
}

tsr_status tsr_conv_dwconv_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, const float* x,
                               float* y, tsr_threadpool* pool) {
  bool owned = false;
  const struct tsr_indirection* ind = tsr_indirection_get(f->cache, g, 1, x, f->zero, &owned);
  if (ind == NULL) return tsr_status_out_of_memory;
  struct tsr_dwconv_call call = {.f = f, .g = g, .ind = ind, .x = x, .y = y};
  const size_t pixels = g->out[0] * g->out[1] * g->out[2], threads = tsr_threadpool_threads(pool);
  const size_t wanted = threads <= 1 ? 1 : TSR_DWCONV_TASKS_PER_THREAD * threads;
  const size_t splits = g->n >= wanted ? 1 : (wanted + g->n - 1) / g->n;
  tsr_parallelize_2d_tile_1d(pool, tsr_dwconv_task, &call, g->n, pixels, (pixels + splits - 1) / splits);
  if (owned) tsr_indirection_free((struct tsr_indirection*)ind);
  return tsr_status_success;
}
