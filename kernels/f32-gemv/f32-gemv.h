/* The row-streaming GEMV family, for single-row products with a plain (not transposed) B: B is
 * read once, row after row, in address order, and y stays in L1.
 *
 * Contract: k >= 1, n >= 1; y[0..n) += sum over p < k of a[p] * b[p * ldb + j]; reads exactly
 * a[0..k) and b's k rows of n elements; no alignment required; y must not overlap a or b. */
#ifndef TSR_KERNELS_F32_GEMV_H
#define TSR_KERNELS_F32_GEMV_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_gemv_ukernel_fn)(size_t k, size_t n, const float* a, const float* b,
                                        size_t ldb, float* y);

#define TSR_UKERNEL(isa, ukernel, rows)                                            \
  void ukernel(size_t k, size_t n, const float* restrict a, const float* restrict b, \
               size_t ldb, float* restrict y);
#include "kernels/f32-gemv/f32-gemv.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_gemv_ukernels[];
extern const size_t tsr_f32_gemv_ukernel_count;

#endif
