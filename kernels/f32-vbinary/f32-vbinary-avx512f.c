/* AVX-512 elementwise binary maps: f32-vbinary-body.h on vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_VBINARY_SUFFIX avx512f_u32

#include "kernels/f32-vbinary/f32-vbinary-body.h"
