/* The elementwise binary variants, from the family's .inc list. */
#include "kernels/f32-vbinary/f32-vbinary.h"

#define TSR_VBINARY_UKERNEL(isa, op, vop, vopc, vropc, lanes) \
  {tsr_isa_##isa, op, vop, vopc, vropc, #vop, #vopc, #vropc, lanes},
const struct tsr_f32_vbinary_entry tsr_f32_vbinary_ukernels[] = {
#include "kernels/f32-vbinary/f32-vbinary.inc"
};
const struct tsr_f32_vbinary_entry tsr_f32_vbinary_nt_ukernels[] = {
#include "kernels/f32-vbinary/f32-vbinary-nt.inc"
};
#undef TSR_VBINARY_UKERNEL

const size_t tsr_f32_vbinary_ukernel_count = sizeof(tsr_f32_vbinary_ukernels) / sizeof(tsr_f32_vbinary_ukernels[0]);
const size_t tsr_f32_vbinary_nt_ukernel_count = sizeof(tsr_f32_vbinary_nt_ukernels) / sizeof(tsr_f32_vbinary_nt_ukernels[0]);
