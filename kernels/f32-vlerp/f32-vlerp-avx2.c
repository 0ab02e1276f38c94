/* AVX2 row interpolation: f32-vlerp-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_VLERP_NAME tsr_f32_vlerp_ukernel__avx2_u16
#define TSR_VBILERP_NAME tsr_f32_vbilerp_ukernel__avx2_c8

#include "kernels/f32-vlerp/f32-vlerp-body.h"
