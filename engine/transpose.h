/* Matrix transposition over the pool: the reorder between channel-first (NCHW) and
 * channel-last (NHWC) batch items. */
#ifndef TSR_ENGINE_TRANSPOSE_H
#define TSR_ENGINE_TRANSPOSE_H

#include <stddef.h>

#include "tessera.h"

/// dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols.
void tsr_transpose_f32(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd,
                       tsr_threadpool* pool);

/// The pixel stride for `channels` channels of a channel-last scratch buffer that a transpose
/// fills: a multiple of 128 floats gets one cache line of padding, because destination rows that
/// far apart share a few L1 sets (the reorder of 512 and 2048 channels ran 6-9x slower, Zen 4).
static inline size_t tsr_transpose_padded_stride(size_t channels) {
  return channels % 128 == 0 ? channels + 16 : channels;
}

#endif
