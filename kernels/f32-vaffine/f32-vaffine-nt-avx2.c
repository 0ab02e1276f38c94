/* AVX2 per-channel affine maps with streaming stores (f32-vaffine-nt.inc):
 * f32-vaffine-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_VAFFINE_C_NAME tsr_f32_vaffine_c_ukernel__avx2_nt_u16
#define TSR_VAFFINE_S_NAME tsr_f32_vaffine_s_ukernel__avx2_nt_u16
#define TSR_VAFFINE_STREAM 1

#include "kernels/f32-vaffine/f32-vaffine-body.h"
