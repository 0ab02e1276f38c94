/* NEON elementwise binary maps: f32-vbinary-body.h on vector-neon.h's primitives. */
#include "kernels/vector-neon.h"

#define TSR_VBINARY_SUFFIX neon_u8

#include "kernels/f32-vbinary/f32-vbinary-body.h"
