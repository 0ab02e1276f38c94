/* The f32 depthwise-convolution kernels, from the family's .inc list. */
#include "kernels/f32-dwconv/f32-dwconv.h"

const struct tsr_ukernel_entry tsr_f32_dwconv_ukernels[] = {
#define TSR_DWCONV_UKERNEL(isa, ukernel, cb) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, cb},
#include "kernels/f32-dwconv/f32-dwconv.inc"
#undef TSR_DWCONV_UKERNEL
};

const size_t tsr_f32_dwconv_ukernel_count =
    sizeof(tsr_f32_dwconv_ukernels) / sizeof(tsr_f32_dwconv_ukernels[0]);
