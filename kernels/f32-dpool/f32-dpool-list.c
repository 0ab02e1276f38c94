/* The pooling-backward variants, from the family's .inc list. */
#include "kernels/f32-dpool/f32-dpool.h"

const struct tsr_ukernel_entry tsr_f32_dpool_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-dpool/f32-dpool.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_dpool_ukernel_count = sizeof(tsr_f32_dpool_ukernels) / sizeof(tsr_f32_dpool_ukernels[0]);

const struct tsr_ukernel_entry tsr_f32_dpool_avg_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel##_avg, #ukernel "_avg", tile},
#include "kernels/f32-dpool/f32-dpool.inc"
#undef TSR_UKERNEL
};
