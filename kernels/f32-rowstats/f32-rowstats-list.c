/* The row-statistics variants, from the family's .inc list. */
#include "kernels/f32-rowstats/f32-rowstats.h"

const struct tsr_ukernel_entry tsr_f32_rowstats_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-rowstats/f32-rowstats.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_rowstats_ukernel_count = sizeof(tsr_f32_rowstats_ukernels) / sizeof(tsr_f32_rowstats_ukernels[0]);
