/* AVX2 per-channel affine maps: f32-vaffine-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_VAFFINE_C_NAME tsr_f32_vaffine_c_ukernel__avx2_u16
#define TSR_VAFFINE_S_NAME tsr_f32_vaffine_s_ukernel__avx2_u16

#include "kernels/f32-vaffine/f32-vaffine-body.h"
