/* Linear interpolation between two rows with one weight: y[i] = b[i] t + a[i] (1 - t), as one
 * FMA after a multiply (the portable variant: a multiply-add). Linear resampling runs on it
 * (engine/resize-fast.c): along w between a pixel's two neighbours (NHWC: every channel of one
 * output pixel), then between two such interpolated rows along h and d.
 *
 * Accuracy: within 2 ulp of max(|a[i]|, |b[i]|) of the exact interpolation with this t (one
 * rounding of a (1 - t), one of the sum, and 1 - t itself rounded below 0.5). An infinite a or b
 * gives an infinite or NaN y; callers skip the call where t is 0 (y = a then, exactly).
 *
 * Contract: n >= 1; 0 < t < 1; y does not overlap a or b, or is the same pointer as one of them;
 * nothing outside the n elements is read or written. */
#ifndef TSR_KERNELS_F32_VLERP_H
#define TSR_KERNELS_F32_VLERP_H

#include <stddef.h>

#include "engine/cpu.h"

typedef void (*tsr_f32_vlerp_fn)(size_t n, const float* a, const float* b, float t, float* y);

#define TSR_VLERP_UKERNEL(isa, ukernel, lanes) void ukernel(size_t n, const float* a, const float* b, float t, float* y);
#include "kernels/f32-vlerp/f32-vlerp.inc"
#undef TSR_VLERP_UKERNEL

/// A variant: its ISA, the kernel and its name, elements per vector.
struct tsr_f32_vlerp_entry {
  tsr_isa isa;
  tsr_f32_vlerp_fn ukernel;
  const char* name;
  size_t lanes;
};

extern const struct tsr_f32_vlerp_entry tsr_f32_vlerp_ukernels[];
extern const size_t tsr_f32_vlerp_ukernel_count;

#endif
