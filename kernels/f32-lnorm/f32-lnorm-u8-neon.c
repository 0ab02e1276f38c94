/* NEON layer-norm row: f32-lnorm-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_LNORM_NAME tsr_f32_lnorm_ukernel__neon_u8
#define TSR_LNORM_STATISTICS_NAME tsr_f32_lnorm_ukernel__neon_u8_statistics
#define TSR_LNORM_ROWSTATS tsr_f32_rowstats_ukernel__neon_u8

#include "kernels/f32-lnorm/f32-lnorm-body.h"
