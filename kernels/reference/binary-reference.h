/* Reference elementwise binary op with NumPy broadcasting: the ground truth for the binary op. */
#ifndef TSR_KERNELS_REFERENCE_BINARY_H
#define TSR_KERNELS_REFERENCE_BINARY_H

#include "tessera.h"

/// y = a op b (tsr_binary_kind), element by element over y's logical indices: dims aligned from
/// the last, an input's dim of 1 (or a missing leading dim) repeats its one element. Every
/// descriptor must locate its elements by strides (plain, nhwc or strided). max and min give NaN
/// when either operand is NaN.
void tsr_reference_binary_f32(tsr_binary_kind kind, const tsr_tensor_desc* a, const float* a_data,
                              const tsr_tensor_desc* b, const float* b_data, const tsr_tensor_desc* y,
                              float* y_data);

#endif
