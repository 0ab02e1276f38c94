/* AVX2 pooling backward: 8 channels a chunk, f32-dpool-body.h on vector-avx2.h. */
#include "kernels/f32-dpool/f32-dpool.h"
#include "kernels/vector-avx2.h"

#define TSR_DPOOL_NAME tsr_f32_dpool_ukernel__avx2_c8
#define TSR_DPOOL_AVG_NAME tsr_f32_dpool_ukernel__avx2_c8_avg
#include "kernels/f32-dpool/f32-dpool-body.h"
