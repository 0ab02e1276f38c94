/* Depthwise row kernel (avx2): f32-dwrow-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_DWROW_NAME tsr_f32_dwrow_minmax_ukernel_c16__avx2

#include "kernels/f32-dwrow/f32-dwrow-body.h"
