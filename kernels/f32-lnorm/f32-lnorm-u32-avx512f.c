/* AVX-512 layer-norm row: f32-lnorm-body.h on vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_LNORM_NAME tsr_f32_lnorm_ukernel__avx512f_u32
#define TSR_LNORM_STATISTICS_NAME tsr_f32_lnorm_ukernel__avx512f_u32_statistics
#define TSR_LNORM_ROWSTATS tsr_f32_rowstats_ukernel__avx512f_u32

#include "kernels/f32-lnorm/f32-lnorm-body.h"
