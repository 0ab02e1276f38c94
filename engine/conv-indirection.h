/* Indirection buffers for im2col-free convolution: for every output pixel and kernel tap, a
 * pointer to the input pixel's channel row (or to a zero row where the tap falls in the
 * padding). Built once per input shape and kept by the op, then reused by every run, batch
 * item and group: kernels move each non-zero pointer by the run's byte offset from the input the
 * buffer was built for. */
#ifndef TSR_ENGINE_CONV_INDIRECTION_H
#define TSR_ENGINE_CONV_INDIRECTION_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/reference/conv-reference.h"

/// One buffer: tiles of `mr` output pixels, each holding taps x blocks x mr pointers tap-major
/// (entry [tile][tap][block][row]); a short last tile repeats its last pixel, so kernels may
/// read every row of a tile. `blocks` is 1 for NHWC input; a channel-blocked input (nChw16c)
/// has one pointer per channel block, `block_stride` floats apart (a padding tap's blocks all
/// point at the zero row).
struct tsr_indirection {
  size_t in[3], x_s[3];  /* the input shape and pixel strides it was built for (the key) */
  size_t mr, blocks, block_stride;
  const float* base;     /* the input pointer it was built against */
  const float** pointers;
};

/// The buffers an op has built, at most TSR_INDIRECTION_CACHE of them; entries never change
/// once published, so runs read them without holding the lock.
#define TSR_INDIRECTION_CACHE 8
struct tsr_indirection_cache {
  pthread_mutex_t lock;
  size_t count;
  struct tsr_indirection* entries[TSR_INDIRECTION_CACHE];
};

void tsr_indirection_cache_init(struct tsr_indirection_cache* cache);
void tsr_indirection_cache_release(struct tsr_indirection_cache* cache);

/// The buffer for geometry g's input shape and pixel strides (g's channel, batch and output
/// strides play no part) and the channel blocks, built against `x` if the cache has none. `zero` is the padding row.
/// When the cache is full the buffer is built for this run only: *owned is then set and the
/// caller frees it with tsr_indirection_free. NULL when out of memory.
const struct tsr_indirection* tsr_indirection_get(struct tsr_indirection_cache* cache,
                                                  const struct tsr_conv_geometry* g, size_t mr,
                                                  size_t blocks, size_t block_stride, const float* x,
                                                  const float* zero, bool* owned);
void tsr_indirection_free(struct tsr_indirection* ind);

/// The byte offset a kernel adds to the buffer's pointers to reach `x`.
static inline size_t tsr_indirection_offset(const struct tsr_indirection* ind, const float* x) {
  return (size_t)((uintptr_t)x - (uintptr_t)ind->base);
}

#endif
