/* AVX2 layer norm backward: 8 elements a vector, f32-dlnorm-body.h on vector-avx2.h. */
#include "kernels/f32-dlnorm/f32-dlnorm.h"
#include "kernels/vector-avx2.h"

#define TSR_DLNORM_NAME tsr_f32_dlnorm_ukernel__avx2_c8
#define TSR_DLNORM_DX_NAME tsr_f32_dlnorm_ukernel__avx2_c8_dx
#include "kernels/f32-dlnorm/f32-dlnorm-body.h"
