/* The per-channel affine variants, from the family's .inc list. */
#include "kernels/f32-vaffine/f32-vaffine.h"

const struct tsr_f32_vaffine_entry tsr_f32_vaffine_ukernels[] = {
#define TSR_VAFFINE_UKERNEL(isa, channelwise, broadcast, lanes) \
  {tsr_isa_##isa, channelwise, broadcast, #channelwise, #broadcast, lanes},
#include "kernels/f32-vaffine/f32-vaffine.inc"
#undef TSR_VAFFINE_UKERNEL
};

const size_t tsr_f32_vaffine_ukernel_count = sizeof(tsr_f32_vaffine_ukernels) / sizeof(tsr_f32_vaffine_ukernels[0]);
