/* AVX2 elementwise binary maps: f32-vbinary-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_VBINARY_SUFFIX avx2_u16

#include "kernels/f32-vbinary/f32-vbinary-body.h"
