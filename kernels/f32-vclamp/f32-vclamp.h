/* The f32 clamp kernel family (ReLU, ReLU6 and clamp activations).
 *
 * Contract: n >= 1 elements; x and y either do not overlap or are the same pointer (in place);
 * no alignment required; nothing outside x[0..n) and y[0..n) is read or written. */
#ifndef TSR_KERNELS_F32_VCLAMP_H
#define TSR_KERNELS_F32_VCLAMP_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_vclamp_ukernel_fn)(size_t n, const float* x, float* y,
                                          const struct tsr_f32_minmax_params* params);

#define TSR_UKERNEL(isa, ukernel, tile)                  \
  void ukernel(size_t n, const float* x, float* y, \
               const struct tsr_f32_minmax_params* params);
#include "kernels/f32-vclamp/f32-vclamp.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_vclamp_ukernels[];
extern const size_t tsr_f32_vclamp_ukernel_count;

/* The streaming-store variants (f32-vclamp-nt.inc; its portable entry is the plain kernel). */
#define TSR_UKERNEL(isa, ukernel, tile)                  \
  void ukernel(size_t n, const float* x, float* y, \
               const struct tsr_f32_minmax_params* params);
#include "kernels/f32-vclamp/f32-vclamp-nt.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_vclamp_nt_ukernels[];
extern const size_t tsr_f32_vclamp_nt_ukernel_count;

#endif
