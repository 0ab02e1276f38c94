/* NEON per-channel affine maps: f32-vaffine-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_VAFFINE_C_NAME tsr_f32_vaffine_c_ukernel__neon_u8
#define TSR_VAFFINE_S_NAME tsr_f32_vaffine_s_ukernel__neon_u8

#include "kernels/f32-vaffine/f32-vaffine-body.h"
