/* The 32-bit transposition microkernel family: one block of a matrix transposed, the reorder
 * between channel-first (NCHW) and channel-last (NHWC) tensors.
 *
 * Contract: dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols (any sizes, any strides
 * in elements; src and dst do not overlap). Nothing outside those elements is read or written. */
#ifndef TSR_KERNELS_X32_TRANSPOSE_H
#define TSR_KERNELS_X32_TRANSPOSE_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_x32_transpose_ukernel_fn)(size_t rows, size_t cols, const float* src, size_t lds,
                                             float* dst, size_t ldd);

#define TSR_UKERNEL(isa, ukernel, tile)                                                        \
  void ukernel(size_t rows, size_t cols, const float* restrict src, size_t lds, float* restrict dst, \
               size_t ldd);
#include "kernels/x32-transpose/x32-transpose.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_x32_transpose_ukernels[];
extern const size_t tsr_x32_transpose_ukernel_count;

/// The element loop every variant uses for the edges it does not cover with whole blocks.
static inline void tsr_x32_transpose_edge(size_t i0, size_t i1, size_t j0, size_t j1, const float* src,
                                          size_t lds, float* dst, size_t ldd) {
  for (size_t j = j0; j < j1; j++)
    for (size_t i = i0; i < i1; i++) dst[j * ldd + i] = src[i * lds + j];
}

#endif
