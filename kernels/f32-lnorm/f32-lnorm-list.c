/* The f32 layer-norm variants, from the family's .inc list. */
#include "kernels/f32-lnorm/f32-lnorm.h"

const struct tsr_ukernel_entry tsr_f32_lnorm_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-lnorm/f32-lnorm.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_lnorm_ukernel_count = sizeof(tsr_f32_lnorm_ukernels) / sizeof(tsr_f32_lnorm_ukernels[0]);

const struct tsr_ukernel_entry tsr_f32_lnorm_statistics_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) \
  {tsr_isa_##isa, (tsr_ukernel_fn)ukernel##_statistics, #ukernel "_statistics", tile},
#include "kernels/f32-lnorm/f32-lnorm.inc"
#undef TSR_UKERNEL
};
