/* The f32 indirect-GEMM kernels, from the family's .inc list. */
#include "kernels/f32-igemm/f32-igemm.h"

const struct tsr_igemm_ukernel_entry tsr_f32_igemm_ukernels[] = {
#define TSR_IGEMM_UKERNEL(isa, ukernel, mr, nr) {tsr_isa_##isa, ukernel, #ukernel, mr, nr},
#include "kernels/f32-igemm/f32-igemm.inc"
#undef TSR_IGEMM_UKERNEL
};

const size_t tsr_f32_igemm_ukernel_count =
    sizeof(tsr_f32_igemm_ukernels) / sizeof(tsr_f32_igemm_ukernels[0]);

const struct tsr_igemm_ukernel_entry* tsr_f32_igemm_pick(void) {
  for (size_t i = 0; i < tsr_f32_igemm_ukernel_count; i++)
    if (tsr_isa_allowed(tsr_f32_igemm_ukernels[i].isa)) return &tsr_f32_igemm_ukernels[i];
  return &tsr_f32_igemm_ukernels[tsr_f32_igemm_ukernel_count - 1];
}
