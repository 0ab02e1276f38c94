/* The depthwise row kernels, from the family's .inc list. */
#include "kernels/f32-dwrow/f32-dwrow.h"

const struct tsr_ukernel_entry tsr_f32_dwrow_ukernels[] = {
#define TSR_DWROW_UKERNEL(isa, ukernel, cb) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, cb},
#include "kernels/f32-dwrow/f32-dwrow.inc"
#undef TSR_DWROW_UKERNEL
};

const size_t tsr_f32_dwrow_ukernel_count = sizeof(tsr_f32_dwrow_ukernels) / sizeof(tsr_f32_dwrow_ukernels[0]);
