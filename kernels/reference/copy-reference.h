/* Reference copy between two strided views of the same elements: what reshape, flatten,
 * permute and identity (a reorder between layouts) all come down to. */
#ifndef TSR_KERNELS_REFERENCE_COPY_H
#define TSR_KERNELS_REFERENCE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

/// A strided view: element idx lives at data[sum of idx[d] * strides[d]].
struct tsr_strided_view {
  int32_t ndims;
  int64_t dims[TSR_MAX_DIMS];
  int64_t strides[TSR_MAX_DIMS];
};

/// Copies `count` elements, the i-th in row-major order of x's view to the i-th in row-major
/// order of y's (both views hold `count` elements; their dims may differ, as in a reshape).
void tsr_reference_copy_f32(const struct tsr_strided_view* xv, const float* x,
                            const struct tsr_strided_view* yv, float* y, size_t count);

#endif
