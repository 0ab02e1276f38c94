/* The f32 layer-norm row kernel family: y = (x - mean) / sqrt(var + epsilon) * gamma + beta over
 * one contiguous row of n elements, mean and biased variance by two passes, everything after
 * the load in double (the header's promise: statistics in double, each output rounded once),
 * so every variant agrees with tsr_reference_normalize_set to the last bits of a double.
 *
 * Contract: n >= 1; gamma and beta are n values each (the op supplies ones and zeros when the
 * user gave none); x and y either do not overlap or are the same pointer (in place: every pass
 * reads x before the last one writes y); no alignment required; nothing outside the n elements
 * is read or written. */
#ifndef TSR_KERNELS_F32_LNORM_H
#define TSR_KERNELS_F32_LNORM_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_lnorm_ukernel_fn)(size_t n, const float* x, const float* gamma, const float* beta,
                                         double epsilon, float* y);

#define TSR_UKERNEL(isa, ukernel, tile) \
  void ukernel(size_t n, const float* x, const float* gamma, const float* beta, double epsilon, float* y);
#include "kernels/f32-lnorm/f32-lnorm.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_lnorm_ukernels[];
extern const size_t tsr_f32_lnorm_ukernel_count;

#endif
