/* AVX-512 pooling backward: 16 channels a chunk, f32-dpool-body.h on vector-avx512f.h. */
#include "kernels/f32-dpool/f32-dpool.h"
#include "kernels/vector-avx512f.h"

#define TSR_DPOOL_NAME tsr_f32_dpool_ukernel__avx512f_c16
#define TSR_DPOOL_AVG_NAME tsr_f32_dpool_ukernel__avx512f_c16_avg
#include "kernels/f32-dpool/f32-dpool-body.h"
