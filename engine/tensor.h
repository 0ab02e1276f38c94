/* Checks on tensor descriptors that every op's run path shares. */
#ifndef TSR_ENGINE_TENSOR_H
#define TSR_ENGINE_TENSOR_H

#include <stdbool.h>

#include "tessera.h"

/// Checks a descriptor a user passed (it may have been filled by hand): known dtype and layout,
/// ndims and dims in range, strides consistent with the layout, sizes that do not overflow.
/// `where` names the call and argument for the error message, e.g. "tsr_op_run: inputs[0]".
tsr_status tsr_tensor_desc_check(const tsr_tensor_desc* desc, const char* where);

/// Checks a tensor: its descriptor as above, and data not NULL.
tsr_status tsr_tensor_check(const tsr_tensor* tensor, const char* where);

/// True if the two descriptors have the same dtype, ndims and dims.
bool tsr_tensor_desc_same_shape(const tsr_tensor_desc* a, const tsr_tensor_desc* b);

/// True if the layout stores elements densely with no gaps (every layout but strided; blocked
/// layouts count their zero padding as part of the dense span).
bool tsr_tensor_desc_is_dense(const tsr_tensor_desc* desc);

/// Channels per block of a blocked layout (4, 8, 16); 1 for every other layout.
size_t tsr_layout_channel_block(tsr_layout layout);

/// Sets the channel padding of a blocked-layout f32 tensor (the lanes past the channel count in
/// each item's last block) back to zero, after a map that does not send 0 to 0 ran over the whole
/// span. Does nothing for other layouts or a channel count that fills its blocks.
void tsr_tensor_zero_channel_padding(const tsr_tensor_desc* desc, float* data);

/// Checks that every tensor has tensors[0]'s dtype (which must be f32), dims, layout and strides;
/// the message names the offending one by names[t].
tsr_status tsr_tensors_check_alike(const char* where, size_t count, const tsr_tensor* const* tensors,
                                   const char* const* names);

/// Checks that `desc` is f32, plain and has exactly `ndims` dims equal to `dims`; the message
/// names the run `where`, the argument `name` and the dims expected.
tsr_status tsr_tensor_expect_f32(const tsr_tensor_desc* desc, int32_t ndims, const int64_t* dims,
                                 const char* where, const char* name);

/// The checks spatial ops (conv, pool) share for an input-side tensor x and an output-side y:
/// both f32, both plain or both nhwc, y's dims equal to `expected`, which the op's shape
/// function computed from x with status `shape_status` (a failure is re-attributed to
/// inputs[0] of the run `where`).
tsr_status tsr_spatial_pair_check(const tsr_tensor_desc* x, const tsr_tensor_desc* y,
                                  tsr_status shape_status, const int64_t* expected,
                                  const char* where);

/// Element strides of [N, C, spatial...] in a plain or nhwc layout: sample, channel, and the
/// `spatial` spatial dims right-aligned in ss[3] (the leading unused entries 0).
void tsr_spatial_strides(const tsr_tensor_desc* desc, int32_t spatial, size_t* sn, size_t* sc, size_t* ss);

#endif
