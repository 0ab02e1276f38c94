/* NEON normalization gradients: 4 channels a chunk, f32-dnorm-body.h on vector-neon.h. */
#include "kernels/f32-dnorm/f32-dnorm.h"
#include "kernels/vector-neon.h"

#define TSR_DNORM_NAME tsr_f32_dnorm_ukernel__neon_c4
#define TSR_DNORM_DX_NAME tsr_f32_dnorm_ukernel__neon_c4_dx
#include "kernels/f32-dnorm/f32-dnorm-body.h"
