/* AVX-512 row interpolation: f32-vlerp-body.h on vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_VLERP_NAME tsr_f32_vlerp_ukernel__avx512f_u32
#define TSR_VBILERP_NAME tsr_f32_vbilerp_ukernel__avx512f_c16

#include "kernels/f32-vlerp/f32-vlerp-body.h"
