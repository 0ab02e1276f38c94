/* AVX-512 activations: f32-vunary-body.h on pairs of vector-avx512f.h's vectors (vector-pair.h). */
#define TSR_VECTOR_PAIR_BASE "kernels/vector-avx512f.h"
#include "kernels/vector-pair.h"

#define TSR_VUNARY_NAME(kind) tsr_f32_v##kind##_ukernel__avx512f_u32

#include "kernels/f32-vunary/f32-vunary-body.h"
