/* AVX2 normalization gradients: 8 channels a chunk, f32-dnorm-body.h on vector-avx2.h. */
#include "kernels/f32-dnorm/f32-dnorm.h"
#include "kernels/vector-avx2.h"

#define TSR_DNORM_NAME tsr_f32_dnorm_ukernel__avx2_c8
#define TSR_DNORM_DX_NAME tsr_f32_dnorm_ukernel__avx2_c8_dx
#include "kernels/f32-dnorm/f32-dnorm-body.h"
