/* The FMA-peak probe family: each runs `iterations` iterations of its independent FMA chains
 * (its list entry's tile gives the flops per iteration) and returns a value that depends on
 * every chain, so the compiler cannot drop any. */
#ifndef TSR_KERNELS_F32_FMAPEAK_H
#define TSR_KERNELS_F32_FMAPEAK_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef float (*tsr_f32_fmapeak_fn)(size_t iterations);

#define TSR_UKERNEL(isa, ukernel, flops) float ukernel(size_t iterations);
#include "kernels/f32-fmapeak/f32-fmapeak.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_fmapeak_kernels[];
extern const size_t tsr_f32_fmapeak_kernel_count;

#endif
