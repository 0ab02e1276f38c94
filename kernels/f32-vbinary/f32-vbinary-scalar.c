/* Portable elementwise binary maps: f32-vbinary-body.h on vector-scalar.h's one-element vectors. */
#include "kernels/vector-scalar.h"

#define TSR_VBINARY_SUFFIX scalar_u1

#include "kernels/f32-vbinary/f32-vbinary-body.h"
