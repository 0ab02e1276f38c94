/* The f32 row-streaming GEMV variants, from the family's .inc list. */
#include "kernels/f32-gemv/f32-gemv.h"

const struct tsr_ukernel_entry tsr_f32_gemv_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, rows) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, rows},
#include "kernels/f32-gemv/f32-gemv.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_gemv_ukernel_count =
    sizeof(tsr_f32_gemv_ukernels) / sizeof(tsr_f32_gemv_ukernels[0]);
