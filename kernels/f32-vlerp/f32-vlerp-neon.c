/* NEON row interpolation: f32-vlerp-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_VLERP_NAME tsr_f32_vlerp_ukernel__neon_u8
#define TSR_VBILERP_NAME tsr_f32_vbilerp_ukernel__neon_c4

#include "kernels/f32-vlerp/f32-vlerp-body.h"
