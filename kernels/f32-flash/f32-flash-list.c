/* The fused attention kernel sets, from the family's .inc list. */
#include "kernels/f32-flash/f32-flash.h"

const struct tsr_flash_ukernels tsr_f32_flash_ukernels[] = {
#define TSR_FLASH_UKERNELS(isa, suffix, mr, nr)                                                         \
  {tsr_isa_##isa, "flash:" #suffix, mr, nr, tsr_f32_flash_gemm__##suffix, tsr_f32_flash_softmax__##suffix,      \
   tsr_f32_flash_rowexp__##suffix, tsr_f32_flash_dot__##suffix, tsr_f32_flash_concat__##suffix},
#include "kernels/f32-flash/f32-flash.inc"
#undef TSR_FLASH_UKERNELS
};

const size_t tsr_f32_flash_ukernel_count = sizeof(tsr_f32_flash_ukernels) / sizeof(tsr_f32_flash_ukernels[0]);

const struct tsr_flash_ukernels* tsr_flash_ukernels_get(void) {
  for (size_t i = 0; i < tsr_f32_flash_ukernel_count; i++)
    if (tsr_isa_allowed(tsr_f32_flash_ukernels[i].isa)) return &tsr_f32_flash_ukernels[i];
  return &tsr_f32_flash_ukernels[tsr_f32_flash_ukernel_count - 1];
}
