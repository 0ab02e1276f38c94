/* NEON activations: f32-vunary-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_VUNARY_NAME(kind) tsr_f32_v##kind##_ukernel__neon_u4

#include "kernels/f32-vunary/f32-vunary-body.h"
