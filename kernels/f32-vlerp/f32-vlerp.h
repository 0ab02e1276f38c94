/* Linear interpolation between two rows with one weight: y[i] = b[i] t + a[i] (1 - t), as one
 * FMA after a multiply (the portable variant: a multiply-add). Linear resampling runs on it
 * (engine/resize-fast.c): along w between a pixel's two neighbours (NHWC: every channel of one
 * output pixel), then between two such interpolated rows along h and d. The family's second
 * kernel, tsr_f32_vbilerp_fn, does both steps for NHWC rows at once (below).
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

/* Bilinear resampling of NHWC rows: `rows` output rows that read the same two source rows, top
 * and bottom (`channels` floats a pixel). Channel k of output pixel j of row g is
 *   a = lerp(top[index0[j] channels + k], top[index1[j] channels + k], tw[j]),
 *   b = the same on bottom,  y[g][j channels + k] = lerp(a, b, th[g]),
 * each lerp exactly as tsr_f32_vlerp_fn rounds it, and a weight of 0 giving its first operand
 * as it is (the other's inf or NaN stays out): the same floats as interpolating whole rows along
 * w with the row kernel and then two of them along h, without the rows in between. Each source
 * pixel's vectors are loaded once for all the rows (two output rows a source pair at 2x).
 *
 * Contract: pixels, channels, rows >= 1; rows <= TSR_VBILERP_MAX_ROWS; 0 <= tw[j], th[g] < 1;
 * index0/1[j] pixels of the source rows; y[g] rows of pixels * channels floats that overlap
 * nothing else; nothing else is read or written. */
#define TSR_VBILERP_MAX_ROWS 8
typedef void (*tsr_f32_vbilerp_fn)(size_t pixels, size_t channels, const float* top, const float* bottom,
                                   const size_t* index0, const size_t* index1, const float* tw, size_t rows,
                                   const float* th, float* const* y);

#define TSR_VLERP_UKERNEL(isa, ukernel, bilerp, lanes)                                                           \
  void ukernel(size_t n, const float* a, const float* b, float t, float* y);                                    \
  void bilerp(size_t pixels, size_t channels, const float* top, const float* bottom, const size_t* index0,      \
              const size_t* index1, const float* tw, size_t rows, const float* th, float* const* y);
#include "kernels/f32-vlerp/f32-vlerp.inc"
#undef TSR_VLERP_UKERNEL

/// A variant: its ISA, the row kernel and its name, the bilinear NHWC kernel, elements per vector.
struct tsr_f32_vlerp_entry {
  tsr_isa isa;
  tsr_f32_vlerp_fn ukernel;
  const char* name;
  tsr_f32_vbilerp_fn bilerp;
  size_t lanes;
};

extern const struct tsr_f32_vlerp_entry tsr_f32_vlerp_ukernels[];
extern const size_t tsr_f32_vlerp_ukernel_count;

#endif
