/* The f32 softmax variants, from the family's .inc list. */
#include "kernels/f32-softmax/f32-softmax.h"

const struct tsr_ukernel_entry tsr_f32_softmax_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/f32-softmax/f32-softmax.inc"
#undef TSR_UKERNEL
};

const size_t tsr_f32_softmax_ukernel_count = sizeof(tsr_f32_softmax_ukernels) / sizeof(tsr_f32_softmax_ukernels[0]);
