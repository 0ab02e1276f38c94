/* NEON layer norm backward: 4 elements a vector, f32-dlnorm-body.h on vector-neon.h. */
#include "kernels/f32-dlnorm/f32-dlnorm.h"
#include "kernels/vector-neon.h"

#define TSR_DLNORM_NAME tsr_f32_dlnorm_ukernel__neon_c4
#define TSR_DLNORM_DX_NAME tsr_f32_dlnorm_ukernel__neon_c4_dx
#include "kernels/f32-dlnorm/f32-dlnorm-body.h"
