/* AVX-512 normalization gradients: 16 channels a chunk, f32-dnorm-body.h on vector-avx512f.h. */
#include "kernels/f32-dnorm/f32-dnorm.h"
#include "kernels/vector-avx512f.h"

#define TSR_DNORM_NAME tsr_f32_dnorm_ukernel__avx512f_c16
#define TSR_DNORM_DX_NAME tsr_f32_dnorm_ukernel__avx512f_c16_dx
#include "kernels/f32-dnorm/f32-dnorm-body.h"
