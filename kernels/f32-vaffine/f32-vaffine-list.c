/* The per-channel affine variants, from the family's .inc lists. */
#include "kernels/f32-vaffine/f32-vaffine.h"

#define TSR_VAFFINE_UKERNEL(isa, channelwise, broadcast, lanes) \
  {tsr_isa_##isa, channelwise, broadcast, #channelwise, #broadcast, lanes},
const struct tsr_f32_vaffine_entry tsr_f32_vaffine_ukernels[] = {
#include "kernels/f32-vaffine/f32-vaffine.inc"
};
const struct tsr_f32_vaffine_entry tsr_f32_vaffine_nt_ukernels[] = {
#include "kernels/f32-vaffine/f32-vaffine-nt.inc"
};
#undef TSR_VAFFINE_UKERNEL

const size_t tsr_f32_vaffine_ukernel_count = sizeof(tsr_f32_vaffine_ukernels) / sizeof(tsr_f32_vaffine_ukernels[0]);
const size_t tsr_f32_vaffine_nt_ukernel_count = sizeof(tsr_f32_vaffine_nt_ukernels) / sizeof(tsr_f32_vaffine_nt_ukernels[0]);
