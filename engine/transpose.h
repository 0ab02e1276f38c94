/* Matrix transposition over the pool: the reorder between channel-first (NCHW) and
 * channel-last (NHWC) batch items. */
#ifndef TSR_ENGINE_TRANSPOSE_H
#define TSR_ENGINE_TRANSPOSE_H

#include <stddef.h>

#include "tessera.h"

/// dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols.
void tsr_transpose_f32(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd,
                       tsr_threadpool* pool);

#endif
