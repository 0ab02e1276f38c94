/* The fast pooling path: the f32-pool kernels over channel-contiguous (NHWC) images, plain NCHW
 * through reorders into NHWC (per slice of channels on one thread each, or per batch item with
 * threaded reorders). */
#ifndef TSR_ENGINE_POOL_FAST_H
#define TSR_ENGINE_POOL_FAST_H

#include <stdbool.h>

#include "kernels/f32-pool/f32-pool.h"
#include "kernels/reference/pool-reference.h"
#include "tessera.h"

/// The pooling kernel variant this CPU and TESSERA_MAX_ISA allow, or NULL when TESSERA_POOL=reference
/// asks for the reference path.
const struct tsr_f32_pool_entry* tsr_pool_fast_pick(void);

/// The output positions along dim d whose window lies inside the input: [*begin, *end), empty
/// as 0, 0.
void tsr_pool_unclipped(const struct tsr_pool_geometry* g, size_t d, size_t* begin, size_t* end);

/// The geometry of one batch item of g's in NHWC at `stride` floats a pixel (a reorder's scratch).
void tsr_pool_nhwc_view(const struct tsr_pool_geometry* g, size_t stride, struct tsr_pool_geometry* h);

/// Pools x into y (geometry g, `channels` channels, NHWC when nhwc, else plain NCHW). Errors:
/// out_of_memory (the per-item NCHW reorder buffers), with y untouched.
tsr_status tsr_pool_fast_run(const struct tsr_f32_pool_entry* kernel, const struct tsr_pool_geometry* g,
                             size_t batch, size_t channels, bool nhwc, const float* x, float* y,
                             tsr_threadpool* pool);

#endif
