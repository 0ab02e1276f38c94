/* AVX2 activations: f32-vunary-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_VUNARY_NAME(kind) tsr_f32_v##kind##_ukernel__avx2_u8

#include "kernels/f32-vunary/f32-vunary-body.h"
