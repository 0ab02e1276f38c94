/* Depthwise row kernel (neon): f32-dwrow-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_DWROW_NAME tsr_f32_dwrow_minmax_ukernel_c8__neon

#include "kernels/f32-dwrow/f32-dwrow-body.h"
