/* AVX-512 activations: f32-vunary-body.h on vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_VUNARY_NAME(kind) tsr_f32_v##kind##_ukernel__avx512f_u16

#include "kernels/f32-vunary/f32-vunary-body.h"
