/* AVX2 pooling: f32-pool-body.h and f32-pool-row-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_MAXPOOL_NAME tsr_f32_maxpool_ukernel__avx2_c64
#define TSR_AVGPOOL_NAME tsr_f32_avgpool_ukernel__avx2_c64

#define TSR_MAXPOOL_ROW_NAME tsr_f32_maxpool_row_ukernel__avx2_x8
#define TSR_AVGPOOL_ROW_NAME tsr_f32_avgpool_row_ukernel__avx2_x8

#include "kernels/f32-pool/f32-pool-body.h"
#include "kernels/f32-pool/f32-pool-row-body.h"
