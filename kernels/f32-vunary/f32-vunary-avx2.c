/* AVX2 activations: f32-vunary-body.h on pairs of vector-avx2.h's vectors (vector-pair.h). */
#define TSR_VECTOR_PAIR_BASE "kernels/vector-avx2.h"
#include "kernels/vector-pair.h"

#define TSR_VUNARY_NAME(kind) tsr_f32_v##kind##_ukernel__avx2_u16

#include "kernels/f32-vunary/f32-vunary-body.h"
