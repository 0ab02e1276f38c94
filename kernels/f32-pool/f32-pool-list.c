/* The pooling variants, from the family's .inc lists. */
#include "kernels/f32-pool/f32-pool.h"
#include "kernels/f32-pool/f32-pool-row.h"

const struct tsr_f32_pool_entry tsr_f32_pool_ukernels[] = {
#define TSR_POOL_UKERNEL(isa, maxpool, avgpool, lanes) {tsr_isa_##isa, maxpool, avgpool, #maxpool, #avgpool, lanes},
#include "kernels/f32-pool/f32-pool.inc"
#undef TSR_POOL_UKERNEL
};

const size_t tsr_f32_pool_ukernel_count = sizeof(tsr_f32_pool_ukernels) / sizeof(tsr_f32_pool_ukernels[0]);

const struct tsr_f32_pool_row_entry tsr_f32_pool_row_ukernels[] = {
#define TSR_POOL_ROW_UKERNEL(isa, maxpool, avgpool, lanes, max_stride) \
  {tsr_isa_##isa, maxpool, avgpool, #maxpool, #avgpool, lanes, max_stride},
#include "kernels/f32-pool/f32-pool-row.inc"
#undef TSR_POOL_ROW_UKERNEL
};

const size_t tsr_f32_pool_row_ukernel_count = sizeof(tsr_f32_pool_row_ukernels) / sizeof(tsr_f32_pool_row_ukernels[0]);
