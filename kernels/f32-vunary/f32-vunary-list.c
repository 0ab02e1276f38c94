/* The vectorized activation variants, from the family's .inc list. */
#include "kernels/f32-vunary/f32-vunary.h"

const struct tsr_f32_vunary_entry tsr_f32_vunary_ukernels[] = {
#define TSR_VUNARY_UKERNEL(isa, kind, ukernel, lanes, ulps) \
  {tsr_activation_##kind, {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, lanes}, ulps},
#include "kernels/f32-vunary/f32-vunary.inc"
#undef TSR_VUNARY_UKERNEL
    {tsr_activation_none, {tsr_isa_scalar, NULL, NULL, 0}, 0} /* keeps the array non-empty */
};

const size_t tsr_f32_vunary_ukernel_count =
    sizeof(tsr_f32_vunary_ukernels) / sizeof(tsr_f32_vunary_ukernels[0]) - 1;
