/* The Winograd transform pairs, from the family's .inc list. */
#include "kernels/f32-winograd/f32-winograd.h"

const struct tsr_winograd_ukernels tsr_f32_winograd_ukernels[] = {
#define TSR_WINOGRAD_UKERNELS(isa, suffix, lanes)                                                 \
  {tsr_isa_##isa, #suffix, lanes, tsr_f32_winograd_input__##suffix,                 \
   tsr_f32_winograd_output__##suffix},
#include "kernels/f32-winograd/f32-winograd.inc"
#undef TSR_WINOGRAD_UKERNELS
};

const size_t tsr_f32_winograd_ukernel_count = sizeof(tsr_f32_winograd_ukernels) / sizeof(tsr_f32_winograd_ukernels[0]);

const struct tsr_winograd_ukernels* tsr_winograd_ukernels_get(void) {
  for (size_t i = 0; i < tsr_f32_winograd_ukernel_count; i++)
    if (tsr_isa_allowed(tsr_f32_winograd_ukernels[i].isa)) return &tsr_f32_winograd_ukernels[i];
  return &tsr_f32_winograd_ukernels[tsr_f32_winograd_ukernel_count - 1];
}
