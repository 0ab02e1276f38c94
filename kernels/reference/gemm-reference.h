/* Reference matrix multiply: the ground truth for the GEMM engine and the layers built on it. */
#ifndef TSR_KERNELS_REFERENCE_GEMM_H
#define TSR_KERNELS_REFERENCE_GEMM_H

#include <stdbool.h>
#include <stddef.h>

#include "tessera.h"

/// C = act(alpha * op(A) op(B) + beta * C + bias), row-major, op(X) = X or X^T; op(A) is m x k,
/// op(B) is k x n. beta == 0 means C is not read. bias: n values or NULL. act: NULL for none.
/// Sums in k order in double precision, rounded once to float.
void tsr_reference_gemm_f32(bool trans_a, bool trans_b, size_t m, size_t n, size_t k, float alpha,
                            const float* a, size_t lda, const float* b, size_t ldb, float beta,
                            float* c, size_t ldc, const float* bias, const tsr_activation* act);

#endif
