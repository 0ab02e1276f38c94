/* NEON pooling: f32-pool-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_MAXPOOL_NAME tsr_f32_maxpool_ukernel__neon_c32
#define TSR_AVGPOOL_NAME tsr_f32_avgpool_ukernel__neon_c32

#include "kernels/f32-pool/f32-pool-body.h"
