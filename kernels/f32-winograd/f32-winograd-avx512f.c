/* Winograd F(4x4, 3x3) transforms (avx512f): f32-winograd-body.h on vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_WINOGRAD_SUFFIX avx512f_c16

#include "kernels/f32-winograd/f32-winograd-body.h"
