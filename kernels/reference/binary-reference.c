/* Reference elementwise binary op: one logical index at a time, offsets from the strides. */
#include "kernels/reference/binary-reference.h"

#include <math.h>
#include <stddef.h>

static float tsr_reference_binary_one(tsr_binary_kind kind, float a, float b) {
  switch (kind) {
    case tsr_binary_add: return a + b;
    case tsr_binary_sub: return a - b;
    case tsr_binary_mul: return a * b;
    case tsr_binary_div: return a / b;
    case tsr_binary_max: return isnan(a) || isnan(b) ? NAN : (a > b ? a : b);
    default: return isnan(a) || isnan(b) ? NAN : (a < b ? a : b);
  }
}

/* The offset in t of y's logical index (t's dims right-aligned with y's, 1s broadcast). */
static size_t tsr_reference_broadcast_offset(const tsr_tensor_desc* t, const int64_t* index, int32_t y_ndims) {
  size_t offset = 0;
  for (int32_t d = 0; d < t->ndims; d++) {
    const int64_t i = t->dims[d] == 1 ? 0 : index[d + y_ndims - t->ndims];
    offset += (size_t)(i * t->strides[d]);
  }
  return offset;
}

void tsr_reference_binary_f32(tsr_binary_kind kind, const tsr_tensor_desc* a, const float* a_data,
                              const tsr_tensor_desc* b, const float* b_data, const tsr_tensor_desc* y,
                              float* y_data) {
  int64_t index[TSR_MAX_DIMS] = {0};
  size_t count = 1;
  for (int32_t d = 0; d < y->ndims; d++) count *= (size_t)y->dims[d];
  for (size_t e = 0; e < count; e++) {
    const float av = a_data[tsr_reference_broadcast_offset(a, index, y->ndims)];
    const float bv = b_data[tsr_reference_broadcast_offset(b, index, y->ndims)];
    y_data[tsr_reference_broadcast_offset(y, index, y->ndims)] = tsr_reference_binary_one(kind, av, bv);
    for (int32_t d = y->ndims - 1; d >= 0; d--) {
      if (++index[d] < y->dims[d]) break;
      index[d] = 0;
    }
  }
}
