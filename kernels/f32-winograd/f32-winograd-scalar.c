/* Winograd F(4x4, 3x3) transforms (scalar): f32-winograd-body.h on vector-scalar.h's primitives. */
#include "kernels/vector-scalar.h"

#define TSR_WINOGRAD_SUFFIX scalar_c1

#include "kernels/f32-winograd/f32-winograd-body.h"
