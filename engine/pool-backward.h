/* Pooling backward on the f32-dpool kernels: channel-contiguous (NHWC) images directly, plain NCHW
 * through reorders of channel slices into per-thread NHWC scratch. */
#ifndef TSR_ENGINE_POOL_BACKWARD_H
#define TSR_ENGINE_POOL_BACKWARD_H

#include <stdbool.h>

#include "kernels/reference/pool-reference.h"
#include "kernels/ukernel-list.h"
#include "tessera.h"

/// The pooling-backward kernel (f32-dpool's max form, or its average form) this CPU and
/// TESSERA_MAX_ISA allow for `kind`; NULL under TESSERA_POOL=reference (the reference loop).
const struct tsr_ukernel_entry* tsr_pool_backward_pick(tsr_pooling_kind kind);

/// Whether tsr_pool_backward_fast_run takes this problem: NHWC always; plain NCHW when a slice
/// of channels reordered into scratch stays within 64 MiB (larger volumes run the reference loop).
bool tsr_pool_backward_fast_takes(const struct tsr_pool_geometry* g, size_t channels, bool nhwc);

/// dx from x and dy (geometry g, `batch` images of `channels` channels, NHWC when nhwc, else
/// plain NCHW), bit for bit the reference loop's. Errors: out_of_memory (a task's scratch),
/// with dx untouched.
tsr_status tsr_pool_backward_fast_run(const struct tsr_ukernel_entry* kernel, const struct tsr_pool_geometry* g,
                                      size_t batch, size_t channels, bool nhwc, const float* x, const float* dy,
                                      float* dx, tsr_threadpool* pool);

#endif
