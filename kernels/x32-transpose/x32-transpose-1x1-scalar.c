/* The portable transposition: element by element. */
#include "kernels/x32-transpose/x32-transpose.h"

void tsr_x32_transpose_ukernel__scalar_1x1(size_t rows, size_t cols, const float* restrict src, size_t lds,
                                           float* restrict dst, size_t ldd) {
  tsr_x32_transpose_edge(0, rows, 0, cols, src, lds, dst, ldd);
}
