/* The layer-norm-backward variants, from the family's .inc list. */
#include "kernels/f32-dlnorm/f32-dlnorm.h"

const struct tsr_ukernel_entry tsr_f32_dlnorm_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-dlnorm/f32-dlnorm.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_dlnorm_ukernel_count = sizeof(tsr_f32_dlnorm_ukernels) / sizeof(tsr_f32_dlnorm_ukernels[0]);

const struct tsr_ukernel_entry tsr_f32_dlnorm_dx_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel##_dx, #ukernel "_dx", tile},
#include "kernels/f32-dlnorm/f32-dlnorm.inc"
#undef TSR_UKERNEL
};
