/* Depthwise row kernel (avx512f): f32-dwrow-body.h on vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_DWROW_NAME tsr_f32_dwrow_minmax_ukernel_c32__avx512f

#include "kernels/f32-dwrow/f32-dwrow-body.h"
