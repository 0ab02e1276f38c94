/* The f32 clamp variants, plain and streaming, from the family's .inc lists. */
#include "kernels/f32-vclamp/f32-vclamp.h"

const struct tsr_ukernel_entry tsr_f32_vclamp_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-vclamp/f32-vclamp.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_vclamp_ukernel_count =
    sizeof(tsr_f32_vclamp_ukernels) / sizeof(tsr_f32_vclamp_ukernels[0]);

const struct tsr_ukernel_entry tsr_f32_vclamp_nt_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-vclamp/f32-vclamp-nt.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_vclamp_nt_ukernel_count =
    sizeof(tsr_f32_vclamp_nt_ukernels) / sizeof(tsr_f32_vclamp_nt_ukernels[0]);
