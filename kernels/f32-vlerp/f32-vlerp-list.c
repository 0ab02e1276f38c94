/* The row-interpolation variants, from the family's .inc list. */
#include "kernels/f32-vlerp/f32-vlerp.h"

const struct tsr_f32_vlerp_entry tsr_f32_vlerp_ukernels[] = {
#define TSR_VLERP_UKERNEL(isa, ukernel, bilerp, lanes) {tsr_isa_##isa, ukernel, #ukernel, bilerp, lanes},
#include "kernels/f32-vlerp/f32-vlerp.inc"
#undef TSR_VLERP_UKERNEL
};

const size_t tsr_f32_vlerp_ukernel_count = sizeof(tsr_f32_vlerp_ukernels) / sizeof(tsr_f32_vlerp_ukernels[0]);
