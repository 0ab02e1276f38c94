/* AVX-512 elementwise binary maps with streaming stores (f32-vbinary-nt.inc): f32-vbinary-body.h on
 * vector-avx512f.h's primitives. */
#include "kernels/vector-avx512f.h"

#define TSR_VBINARY_SUFFIX avx512f_nt_u32
#define TSR_VBINARY_STREAM 1

#include "kernels/f32-vbinary/f32-vbinary-body.h"
