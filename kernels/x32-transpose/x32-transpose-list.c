/* The transposition kernels, from the family's .inc list. */
#include "kernels/x32-transpose/x32-transpose.h"

const struct tsr_ukernel_entry tsr_x32_transpose_ukernels[] = {
#define TSR_UKERNEL(isa, ukernel, tile) {tsr_isa_##isa, (tsr_ukernel_fn)ukernel, #ukernel, tile},
#include "kernels/x32-transpose/x32-transpose.inc"
#undef TSR_UKERNEL
};

const size_t tsr_x32_transpose_ukernel_count =
    sizeof(tsr_x32_transpose_ukernels) / sizeof(tsr_x32_transpose_ukernels[0]);
