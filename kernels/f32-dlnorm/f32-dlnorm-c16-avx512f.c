/* AVX-512 layer norm backward: 16 elements a vector, f32-dlnorm-body.h on vector-avx512f.h. */
#include "kernels/f32-dlnorm/f32-dlnorm.h"
#include "kernels/vector-avx512f.h"

#define TSR_DLNORM_NAME tsr_f32_dlnorm_ukernel__avx512f_c16
#define TSR_DLNORM_DX_NAME tsr_f32_dlnorm_ukernel__avx512f_c16_dx
#include "kernels/f32-dlnorm/f32-dlnorm-body.h"
