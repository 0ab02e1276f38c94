/* NEON activations: f32-vunary-body.h on pairs of vector-neon.h's vectors (vector-pair.h). */
#define TSR_VECTOR_PAIR_BASE "kernels/vector-neon.h"
#include "kernels/vector-pair.h"

#define TSR_VUNARY_NAME(kind) tsr_f32_v##kind##_ukernel__neon_u8

#include "kernels/f32-vunary/f32-vunary-body.h"
