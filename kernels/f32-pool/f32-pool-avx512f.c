/* AVX-512 pooling: f32-pool-body.h and f32-pool-row-body.h on vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_MAXPOOL_NAME tsr_f32_maxpool_ukernel__avx512f_c128
#define TSR_AVGPOOL_NAME tsr_f32_avgpool_ukernel__avx512f_c128

#define TSR_MAXPOOL_ROW_NAME tsr_f32_maxpool_row_ukernel__avx512f_x16
#define TSR_AVGPOOL_ROW_NAME tsr_f32_avgpool_row_ukernel__avx512f_x16

#include "kernels/f32-pool/f32-pool-body.h"
#include "kernels/f32-pool/f32-pool-row-body.h"
