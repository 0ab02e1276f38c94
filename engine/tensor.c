/* Tensor descriptors: filling them for each layout, sizing them without overflow, and checking
 * the ones users pass in. */
#include "engine/tensor.h"

#include <stdio.h>
#include <string.h>

#include "engine/error.h"

size_t tsr_dtype_size(tsr_dtype dtype) {
  switch (dtype) {
    case tsr_dtype_f32: return 4;
    case tsr_dtype_s32: return 4;
    case tsr_dtype_u8: return 1;
    case tsr_dtype_undefined: return 0;
  }
  return 0;
}

const char* tsr_layout_name(tsr_layout layout) {
  switch (layout) {
    case tsr_layout_plain: return "plain";
    case tsr_layout_nhwc: return "nhwc";
    case tsr_layout_nchw4c: return "nchw4c";
    case tsr_layout_nchw8c: return "nchw8c";
    case tsr_layout_nchw16c: return "nchw16c";
    case tsr_layout_strided: return "strided";
    case tsr_layout_undefined: return "undefined";
  }
  return "unknown";
}

size_t tsr_layout_channel_block(tsr_layout layout) {
  switch (layout) {
    case tsr_layout_nchw4c: return 4;
    case tsr_layout_nchw8c: return 8;
    case tsr_layout_nchw16c: return 16;
    default: return 1;
  }
}

static bool tsr_layout_needs_spatial(tsr_layout layout) {
  return layout == tsr_layout_nhwc || tsr_layout_channel_block(layout) > 1;
}

/* Element count of the stored span: logical elements, plus the blocked layouts' channel
 * padding, or the furthest addressed element for strided descriptors. 0 on overflow. */
static size_t tsr_span_elements(tsr_layout layout, int32_t ndims, const int64_t* dims,
                                const int64_t* strides) {
  size_t span = 1;
  if (layout == tsr_layout_strided) {
    size_t last = 0;
    for (int32_t d = 0; d < ndims; d++) {
      size_t offset;
      if (!tsr_mul_size((size_t)(dims[d] - 1), (size_t)strides[d], &offset)) return 0;
      if (__builtin_add_overflow(last, offset, &last)) return 0;
    }
    return last == SIZE_MAX ? 0 : last + 1;
  }
  const size_t block = tsr_layout_channel_block(layout);
  for (int32_t d = 0; d < ndims; d++) {
    size_t extent = (size_t)dims[d];
    if (d == 1 && block > 1) extent = (extent + block - 1) / block * block;
    if (!tsr_mul_size(span, extent, &span)) return 0;
  }
  return span;
}

static tsr_status tsr_check_shape(tsr_dtype dtype, tsr_layout layout, int32_t ndims,
                                  const int64_t* dims, const int64_t* strides, const char* where) {
  if (tsr_dtype_size(dtype) == 0)
    return tsr_error(tsr_status_invalid_parameter, "%s: dtype %d is not a tsr_dtype", where,
                     (int)dtype);
  if (layout < tsr_layout_plain || layout > tsr_layout_strided)
    return tsr_error(tsr_status_invalid_parameter, "%s: layout %d is not a tsr_layout", where,
                     (int)layout);
  if (ndims < 1 || ndims > TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter, "%s: ndims is %d; must be 1 to %d", where,
                     (int)ndims, TSR_MAX_DIMS);
  if (tsr_layout_needs_spatial(layout) && (ndims < 3 || ndims > 5))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: ndims is %d; layout %s needs 3 to 5 dims (N, C, spatial)", where,
                     (int)ndims, tsr_layout_name(layout));
  for (int32_t d = 0; d < ndims; d++) {
    if (dims[d] < 1)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: dims[%d] is %lld; every dimension must be at least 1", where, (int)d,
                       (long long)dims[d]);
    if (strides != NULL && strides[d] < 0)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: strides[%d] is %lld; strides must not be negative", where, (int)d,
                       (long long)strides[d]);
  }
  size_t bytes;
  const size_t span = tsr_span_elements(layout, ndims, dims, strides);
  if (span == 0 || !tsr_mul_size(span, tsr_dtype_size(dtype), &bytes) || bytes > (size_t)INT64_MAX)
    return tsr_error(tsr_status_invalid_parameter, "%s: the tensor's size overflows", where);
  return tsr_status_success;
}

/* Strides of the dense layouts; blocked layouts have none (all 0). */
static void tsr_dense_strides(tsr_layout layout, int32_t ndims, const int64_t* dims,
                              int64_t* strides) {
  memset(strides, 0, sizeof(int64_t) * TSR_MAX_DIMS);
  if (layout == tsr_layout_plain) {
    int64_t stride = 1;
    for (int32_t d = ndims - 1; d >= 0; d--) {
      strides[d] = stride;
      stride *= dims[d];
    }
  } else if (layout == tsr_layout_nhwc) {
    int64_t stride = 1;
    strides[1] = stride;
    stride *= dims[1];
    for (int32_t d = ndims - 1; d >= 2; d--) {
      strides[d] = stride;
      stride *= dims[d];
    }
    strides[0] = stride;
  }
}

tsr_status tsr_tensor_desc_init(tsr_tensor_desc* desc, tsr_dtype dtype, tsr_layout layout,
                                int32_t ndims, const int64_t* dims) {
  static const char where[] = "tsr_tensor_desc_init";
  if (desc == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: desc is NULL", where);
  if (dims == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: dims is NULL", where);
  if (layout == tsr_layout_strided)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: layout is strided; use tsr_tensor_desc_init_strided", where);
  const tsr_status status = tsr_check_shape(dtype, layout, ndims, dims, NULL, where);
  if (status != tsr_status_success) return status;
  tsr_tensor_desc result = {.dtype = dtype, .layout = layout, .ndims = ndims};
  memcpy(result.dims, dims, sizeof(int64_t) * (size_t)ndims);
  tsr_dense_strides(layout, ndims, dims, result.strides);
  *desc = result;
  return tsr_status_success;
}

tsr_status tsr_tensor_desc_init_strided(tsr_tensor_desc* desc, tsr_dtype dtype, int32_t ndims,
                                        const int64_t* dims, const int64_t* strides) {
  static const char where[] = "tsr_tensor_desc_init_strided";
  if (desc == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: desc is NULL", where);
  if (dims == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: dims is NULL", where);
  if (strides == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: strides is NULL", where);
  const tsr_status status =
      tsr_check_shape(dtype, tsr_layout_strided, ndims, dims, strides, where);
  if (status != tsr_status_success) return status;
  tsr_tensor_desc result = {.dtype = dtype, .layout = tsr_layout_strided, .ndims = ndims};
  memcpy(result.dims, dims, sizeof(int64_t) * (size_t)ndims);
  memcpy(result.strides, strides, sizeof(int64_t) * (size_t)ndims);
  *desc = result;
  return tsr_status_success;
}

size_t tsr_tensor_desc_elements(const tsr_tensor_desc* desc) {
  if (desc == NULL || tsr_tensor_desc_check(desc, "tsr_tensor_desc_elements") != tsr_status_success)
    return 0;
  size_t n = 1;
  for (int32_t d = 0; d < desc->ndims; d++) n *= (size_t)desc->dims[d];
  return n;
}

size_t tsr_tensor_desc_bytes(const tsr_tensor_desc* desc) {
  if (desc == NULL || tsr_tensor_desc_check(desc, "tsr_tensor_desc_bytes") != tsr_status_success)
    return 0;
  return tsr_span_elements(desc->layout, desc->ndims, desc->dims, desc->strides) *
         tsr_dtype_size(desc->dtype);
}

tsr_status tsr_tensor_desc_check(const tsr_tensor_desc* desc, const char* where) {
  if (desc == NULL) return tsr_error(tsr_status_invalid_parameter, "%s is NULL", where);
  const bool strided = desc->layout == tsr_layout_strided;
  tsr_status status = tsr_check_shape(desc->dtype, desc->layout, desc->ndims, desc->dims,
                                      strided ? desc->strides : NULL, where);
  if (status != tsr_status_success || strided) return status;
  int64_t expected[TSR_MAX_DIMS];
  tsr_dense_strides(desc->layout, desc->ndims, desc->dims, expected);
  for (int32_t d = 0; d < desc->ndims; d++) {
    if (desc->strides[d] != expected[d])
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: strides[%d] is %lld but layout %s implies %lld; use "
                       "tsr_tensor_desc_init", where, (int)d, (long long)desc->strides[d],
                       tsr_layout_name(desc->layout), (long long)expected[d]);
  }
  return tsr_status_success;
}

tsr_status tsr_tensor_check(const tsr_tensor* tensor, const char* where) {
  if (tensor == NULL) return tsr_error(tsr_status_invalid_parameter, "%s is NULL", where);
  const tsr_status status = tsr_tensor_desc_check(&tensor->desc, where);
  if (status != tsr_status_success) return status;
  if (tensor->data == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: data is NULL", where);
  return tsr_status_success;
}

bool tsr_tensor_desc_same_shape(const tsr_tensor_desc* a, const tsr_tensor_desc* b) {
  if (a->dtype != b->dtype || a->ndims != b->ndims) return false;
  for (int32_t d = 0; d < a->ndims; d++)
    if (a->dims[d] != b->dims[d]) return false;
  return true;
}

bool tsr_tensor_desc_is_dense(const tsr_tensor_desc* desc) {
  return desc->layout != tsr_layout_strided;
}

/* Checks that every tensor has the first one's dtype (f32), dims and dense layout. */
tsr_status tsr_tensors_check_alike(const char* where, size_t count, const tsr_tensor* const* tensors,
                                  const char* const* names) {
  const tsr_tensor_desc* first = &tensors[0]->desc;
  if (first->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s must be f32", where, names[0]);
  for (size_t t = 1; t < count; t++) {
    const tsr_tensor_desc* d = &tensors[t]->desc;
    if (!tsr_tensor_desc_same_shape(first, d) || d->layout != first->layout)
      return tsr_error(tsr_status_invalid_parameter, "%s: %s must have the dims, dtype and layout of %s",
                       where, names[t], names[0]);
    for (int32_t k = 0; k < d->ndims; k++)
      if (d->strides[k] != first->strides[k])
        return tsr_error(tsr_status_invalid_parameter, "%s: %s must have the strides of %s", where,
                         names[t], names[0]);
  }
  return tsr_status_success;
}

tsr_status tsr_tensor_expect_f32(const tsr_tensor_desc* desc, int32_t ndims, const int64_t* dims,
                                 const char* where, const char* name) {
  if (desc->dtype != tsr_dtype_f32 || desc->layout != tsr_layout_plain)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s must be f32 with the plain layout",
                     where, name);
  bool same = desc->ndims == ndims;
  for (int32_t d = 0; same && d < ndims; d++) same = desc->dims[d] == dims[d];
  if (same) return tsr_status_success;
  char text[160];
  int used = 0;
  for (int32_t d = 0; d < ndims && used < (int)sizeof(text) - 24; d++)
    used += snprintf(text + used, sizeof(text) - (size_t)used, "%s%lld", d ? ", " : "",
                     (long long)dims[d]);
  return tsr_error(tsr_status_invalid_parameter, "%s: %s must have dims [%s]", where, name, text);
}

tsr_status tsr_spatial_pair_check(const tsr_tensor_desc* x, const tsr_tensor_desc* y,
                                  tsr_status shape_status, const int64_t* expected,
                                  const char* where) {
  if (x->dtype != tsr_dtype_f32 || y->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: the tensors must be f32", where);
  if ((x->layout != tsr_layout_plain && x->layout != tsr_layout_nhwc) || y->layout != x->layout)
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: the tensors must all be plain or all nhwc (got %s, %s)", where,
                     tsr_layout_name(x->layout), tsr_layout_name(y->layout));
  if (shape_status != tsr_status_success) { /* re-attribute the shape function's message */
    char detail[512];
    snprintf(detail, sizeof(detail), "%s", tsr_last_error_message());
    return tsr_error(shape_status, "%s: inputs[0]: %s", where, detail);
  }
  if (y->ndims != x->ndims || memcmp(y->dims, expected, sizeof(int64_t) * (size_t)x->ndims) != 0)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: the output-side tensor's dims do not match the op's output shape", where);
  return tsr_status_success;
}

void tsr_spatial_strides(const tsr_tensor_desc* d, int32_t spatial, size_t* sn, size_t* sc, size_t* ss) {
  const int32_t skip = 3 - spatial;
  for (int32_t k = 0; k < 3; k++) ss[k] = 0;
  *sn = (size_t)d->strides[0];
  *sc = (size_t)d->strides[1];
  for (int32_t k = 0; k < spatial; k++) ss[skip + k] = (size_t)d->strides[2 + k];
}

void tsr_tensor_zero_channel_padding(const tsr_tensor_desc* desc, float* data) {
  const size_t block = tsr_layout_channel_block(desc->layout), channels = (size_t)desc->dims[1];
  const size_t tail = channels % block;
  if (block == 1 || tail == 0) return;
  size_t spatial = 1;
  for (int32_t d = 2; d < desc->ndims; d++) spatial *= (size_t)desc->dims[d];
  const size_t blocks = (channels + block - 1) / block;
  for (size_t n = 0; n < (size_t)desc->dims[0]; n++) {
    float* last = data + ((n * blocks) + blocks - 1) * spatial * block;
    for (size_t s = 0; s < spatial; s++)
      for (size_t c = tail; c < block; c++) last[s * block + c] = 0.0f;
  }
}
