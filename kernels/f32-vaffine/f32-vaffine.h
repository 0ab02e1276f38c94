/* Per-channel affine maps, y = (x - mean) * scale + shift (one FMA after the subtraction): batch
 * norm at inference. Two forms per variant: `channelwise`, over `rows` contiguous rows of
 * `channels` elements with mean, scale and shift arrays of `channels` (runs of NHWC pixels, every
 * channel), and `broadcast`, over n elements with one value each (an NCHW plane, one channel).
 *
 * Contract: rows, channels, n >= 1; x and y either do not overlap or are the same pointer;
 * nothing outside the elements and parameters named is read or written. */
#ifndef TSR_KERNELS_F32_VAFFINE_H
#define TSR_KERNELS_F32_VAFFINE_H

#include <stddef.h>

#include "engine/cpu.h"

typedef void (*tsr_f32_vaffine_channelwise_fn)(size_t rows, size_t channels, const float* x, const float* mean,
                                               const float* scale, const float* shift, float* y);
typedef void (*tsr_f32_vaffine_broadcast_fn)(size_t n, const float* x, const float* mean, const float* scale,
                                             const float* shift, float* y);

#define TSR_VAFFINE_UKERNEL(isa, channelwise, broadcast, lanes)                                          \
  void channelwise(size_t rows, size_t channels, const float* x, const float* mean, const float* scale, \
                   const float* shift, float* y);                                                       \
  void broadcast(size_t n, const float* x, const float* mean, const float* scale, const float* shift, float* y);
#include "kernels/f32-vaffine/f32-vaffine.inc"
#include "kernels/f32-vaffine/f32-vaffine-nt.inc"
#undef TSR_VAFFINE_UKERNEL

/// A variant: its ISA, the two kernels and their names, and elements per vector.
struct tsr_f32_vaffine_entry {
  tsr_isa isa;
  tsr_f32_vaffine_channelwise_fn channelwise;
  tsr_f32_vaffine_broadcast_fn broadcast;
  const char *channelwise_name, *broadcast_name;
  size_t lanes;
};

extern const struct tsr_f32_vaffine_entry tsr_f32_vaffine_ukernels[];
extern const size_t tsr_f32_vaffine_ukernel_count;
/* The streaming-store list (f32-vaffine-nt.inc), in the same order. */
extern const struct tsr_f32_vaffine_entry tsr_f32_vaffine_nt_ukernels[];
extern const size_t tsr_f32_vaffine_nt_ukernel_count;

/// Elements [begin, n) one at a time, for the scalar variant and the vector variants' tails;
/// `stride` 1 for channelwise parameters, 0 for broadcast ones.
static inline void tsr_f32_vaffine_elements(size_t begin, size_t n, const float* x, const float* mean,
                                            const float* scale, const float* shift, size_t stride, float* y) {
  for (size_t i = begin; i < n; i++)
    y[i] = __builtin_fmaf(x[i] - mean[i * stride], scale[i * stride], shift[i * stride]);
}

#endif
