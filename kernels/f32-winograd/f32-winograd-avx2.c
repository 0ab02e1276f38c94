/* Winograd F(4x4, 3x3) transforms (avx2): f32-winograd-body.h on vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_WINOGRAD_SUFFIX avx2_c8

#include "kernels/f32-winograd/f32-winograd-body.h"
