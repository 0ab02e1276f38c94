/* The normalization-gradient variants, from the family's .inc list. */
#include "kernels/f32-dnorm/f32-dnorm.h"

const struct tsr_ukernel_entry tsr_f32_dnorm_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-dnorm/f32-dnorm.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_dnorm_ukernel_count = sizeof(tsr_f32_dnorm_ukernels) / sizeof(tsr_f32_dnorm_ukernels[0]);

const struct tsr_ukernel_entry tsr_f32_dnorm_dx_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel##_dx, #ukernel "_dx", tile},
#include "kernels/f32-dnorm/f32-dnorm.inc"
#undef TSR_UKERNEL
};
