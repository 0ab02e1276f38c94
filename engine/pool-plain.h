/* Plain (NCHW) pooling straight from the planes, a call of the f32-pool-row kernels per output
 * row or run of rows: no reorder into NHWC. */
#ifndef TSR_ENGINE_POOL_PLAIN_H
#define TSR_ENGINE_POOL_PLAIN_H

#include <stdbool.h>

#include "kernels/f32-pool/f32-pool-row.h"
#include "kernels/reference/pool-reference.h"
#include "tessera.h"

/// The row kernel variant for g (plain planes, w contiguous; `batch` items) that this CPU and
/// TESSERA_MAX_ISA allow, or NULL when the planes should go the NHWC way instead (see
/// engine/pool-plain.c).
const struct tsr_f32_pool_row_entry* tsr_pool_plain_pick(const struct tsr_pool_geometry* g, size_t batch);

/// Pools the batch x channels planes of x into y with `kernel`.
void tsr_pool_plain_run(const struct tsr_f32_pool_row_entry* kernel, const struct tsr_pool_geometry* g,
                        size_t batch, size_t channels, const float* x, float* y, tsr_threadpool* pool);

#endif
