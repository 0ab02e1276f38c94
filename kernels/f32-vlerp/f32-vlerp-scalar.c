/* Portable row interpolation: f32-vlerp-body.h on vector-scalar.h's one-element vectors. */
#include "kernels/vector-scalar.h"

#define TSR_VLERP_NAME tsr_f32_vlerp_ukernel__scalar_u1
#define TSR_VBILERP_NAME tsr_f32_vbilerp_ukernel__scalar_c1

#include "kernels/f32-vlerp/f32-vlerp-body.h"
