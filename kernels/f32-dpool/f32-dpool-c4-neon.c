/* NEON pooling backward: 4 channels a chunk, f32-dpool-body.h on vector-neon.h. */
#include "kernels/f32-dpool/f32-dpool.h"
#include "kernels/vector-neon.h"

#define TSR_DPOOL_NAME tsr_f32_dpool_ukernel__neon_c4
#define TSR_DPOOL_AVG_NAME tsr_f32_dpool_ukernel__neon_c4_avg
#include "kernels/f32-dpool/f32-dpool-body.h"
