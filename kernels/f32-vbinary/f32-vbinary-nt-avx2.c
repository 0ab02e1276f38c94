/* AVX2 elementwise binary maps with streaming stores (f32-vbinary-nt.inc): f32-vbinary-body.h on
 * vector-avx2.h's primitives. */
#include "kernels/vector-avx2.h"

#define TSR_VBINARY_SUFFIX avx2_nt_u16
#define TSR_VBINARY_STREAM 1

#include "kernels/f32-vbinary/f32-vbinary-body.h"
