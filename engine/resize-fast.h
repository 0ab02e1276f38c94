/* The fast run paths of padding and resampling, a whole output row at a time (a row of one plane
 * in NCHW, a row of pixels with every channel in NHWC). Padding and nearest only move elements:
 * fills, block copies and an index table, and an output row that repeats the previous one's
 * source row is copied from it. Linear is separable: rows interpolated along w (per pixel, over
 * its channels in NHWC) are cached per thread and combined along h and d by f32-vlerp; 1-D and
 * 2-D NHWC rows go through f32-vlerp's bilinear kernel instead, both steps at once. */
#ifndef TSR_ENGINE_RESIZE_FAST_H
#define TSR_ENGINE_RESIZE_FAST_H

#include <stdbool.h>

#include "kernels/f32-vlerp/f32-vlerp.h"
#include "kernels/reference/resize-reference.h"

/// Pads (pad true) or resamples x [N, C, spatial...] into y as the geometry says (plain, or nhwc
/// when `nhwc`), over the pool: the values the reference writes for padding and nearest; for
/// linear, f32 interpolations with `lerp`'s kernels within the bound tessera.h states. Returns
/// out_of_memory (nothing written) if the tables or the per-thread rows cannot be allocated.
tsr_status tsr_resize_fast_run(const struct tsr_resize_geometry* g, bool pad, bool nhwc, size_t batch,
                               size_t channels, const float* x, float* y, const struct tsr_f32_vlerp_entry* lerp,
                               tsr_threadpool* pool);

#endif
