/* The column-statistics variants, from the family's .inc list. */
#include "kernels/f32-colstats/f32-colstats.h"

const struct tsr_ukernel_entry tsr_f32_colstats_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-colstats/f32-colstats.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_colstats_ukernel_count = sizeof(tsr_f32_colstats_ukernels) / sizeof(tsr_f32_colstats_ukernels[0]);

const struct tsr_ukernel_entry tsr_f32_colstats_blocked_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel##_blocked, #ukernel "_blocked", tile},
#include "kernels/f32-colstats/f32-colstats.inc"
#undef TSR_UKERNEL
};
