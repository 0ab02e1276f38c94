/* The fast run paths of padding and nearest resampling: both only move elements, so they work
 * a whole output row at a time (a row of one plane in NCHW, a row of pixels with every channel
 * in NHWC) with fills, block copies and an index table, and copy an output row that repeats the
 * previous one's source row instead of gathering it again. */
#ifndef TSR_ENGINE_RESIZE_FAST_H
#define TSR_ENGINE_RESIZE_FAST_H

#include <stdbool.h>

#include "kernels/reference/resize-reference.h"

/// Pads (pad true) or resamples with kind nearest x [N, C, spatial...] into y as the geometry
/// says (plain, or nhwc when `nhwc`), over the pool; the same elements the reference writes.
/// Returns out_of_memory (nothing written) if the index table cannot be allocated.
tsr_status tsr_resize_fast_run(const struct tsr_resize_geometry* g, bool pad, bool nhwc, size_t batch,
                               size_t channels, const float* x, float* y, tsr_threadpool* pool);

#endif
