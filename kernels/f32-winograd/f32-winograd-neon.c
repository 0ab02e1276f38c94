/* Winograd F(4x4, 3x3) transforms (neon): f32-winograd-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_WINOGRAD_SUFFIX neon_c4

#include "kernels/f32-winograd/f32-winograd-body.h"
