/* AVX2 layer-norm row: f32-lnorm-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_LNORM_NAME tsr_f32_lnorm_ukernel__avx2_u16
#define TSR_LNORM_STATISTICS_NAME tsr_f32_lnorm_ukernel__avx2_u16_statistics
#define TSR_LNORM_ROWSTATS tsr_f32_rowstats_ukernel__avx2_u16

#include "kernels/f32-lnorm/f32-lnorm-body.h"
