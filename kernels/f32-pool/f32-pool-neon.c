/* NEON pooling: f32-pool-body.h and f32-pool-row-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_MAXPOOL_NAME tsr_f32_maxpool_ukernel__neon_c32
#define TSR_AVGPOOL_NAME tsr_f32_avgpool_ukernel__neon_c32

#define TSR_MAXPOOL_ROW_NAME tsr_f32_maxpool_row_ukernel__neon_x4
#define TSR_AVGPOOL_ROW_NAME tsr_f32_avgpool_row_ukernel__neon_x4

#include "kernels/f32-pool/f32-pool-body.h"
#include "kernels/f32-pool/f32-pool-row-body.h"
