/* The FMA-peak probe variants, from the family's .inc list. */
#include "kernels/f32-fmapeak/f32-fmapeak.h"

const struct tsr_ukernel_entry tsr_f32_fmapeak_kernels[] = {
#define TSR_UKERNEL(isa, ukernel, flops) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, flops},
#include "kernels/f32-fmapeak/f32-fmapeak.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_fmapeak_kernel_count =
    sizeof(tsr_f32_fmapeak_kernels) / sizeof(tsr_f32_fmapeak_kernels[0]);
