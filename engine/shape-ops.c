/* Reshape, flatten, permute and identity: ops that move elements without computing, all run as
 * one copy between two strided views (a memmove when both sides are row-major in the same
 * order). Their only differences are the output shape and, for permute, the view of x.
 * Identity with a blocked side is a reorder (reorder-blocked.c). */
#include <stdio.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/reorder-blocked.h"
#include "engine/tensor.h"
#include "kernels/reference/copy-reference.h"

struct tsr_shape_op {
  struct tsr_op base;
  int32_t ndims;                /* reshape, permute */
  int64_t shape[TSR_MAX_DIMS];  /* reshape */
  int32_t perm[TSR_MAX_DIMS];   /* permute */
  int32_t start_axis, end_axis; /* flatten */
};

static tsr_status tsr_check_input_dims(int32_t input_ndims, const int64_t* input_dims, const char* where) {
  if (input_ndims < 1 || input_ndims > TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter, "%s: input_ndims is %d; must be 1 to %d", where, (int)input_ndims,
                     TSR_MAX_DIMS);
  for (int32_t d = 0; d < input_ndims; d++)
    if (input_dims[d] < 1)
      return tsr_error(tsr_status_invalid_parameter, "%s: input_dims[%d] is %lld; must be at least 1", where, (int)d,
                       (long long)input_dims[d]);
  return tsr_status_success;
}

/* The product of dims, or 0 if it overflows. */
static size_t tsr_dims_product(int32_t ndims, const int64_t* dims) {
  size_t product = 1;
  for (int32_t d = 0; d < ndims; d++)
    if (!tsr_mul_size(product, (size_t)dims[d], &product)) return 0;
  return product;
}

static tsr_status tsr_check_reshape_shape(int32_t ndims, const int64_t* shape, const char* where) {
  if (shape == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: shape is NULL", where);
  if (ndims < 1 || ndims > TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter, "%s: ndims is %d; must be 1 to %d", where, (int)ndims, TSR_MAX_DIMS);
  int inferred = 0;
  for (int32_t d = 0; d < ndims; d++) {
    if (shape[d] < -1)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: shape[%d] is %lld; must be at least 1, or 0 (keep) or -1 (infer)", where, (int)d,
                       (long long)shape[d]);
    if (shape[d] == -1 && ++inferred > 1)
      return tsr_error(tsr_status_invalid_parameter, "%s: shape[%d] is a second -1; at most one dim is inferred",
                       where, (int)d);
  }
  return tsr_status_success;
}

tsr_status tsr_reshape_output_shape(int32_t ndims, const int64_t* shape, int32_t input_ndims,
                                    const int64_t* input_dims, int32_t* output_ndims, int64_t* output_dims) {
  static const char where[] = "tsr_reshape_output_shape";
  if (input_dims == NULL || output_ndims == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: input_dims, output_ndims or output_dims is NULL", where);
  tsr_status status = tsr_check_reshape_shape(ndims, shape, where);
  if (status == tsr_status_success) status = tsr_check_input_dims(input_ndims, input_dims, where);
  if (status != tsr_status_success) return status;
  const size_t count = tsr_dims_product(input_ndims, input_dims);
  if (count == 0) return tsr_error(tsr_status_invalid_parameter, "%s: the input's element count overflows", where);
  int64_t dims[TSR_MAX_DIMS];
  size_t known = 1;
  int32_t inferred = -1;
  for (int32_t d = 0; d < ndims; d++) {
    dims[d] = shape[d];
    if (shape[d] == 0) {
      if (d >= input_ndims)
        return tsr_error(tsr_status_invalid_parameter, "%s: shape[%d] is 0 (keep) but the input has %d dims", where,
                         (int)d, (int)input_ndims);
      dims[d] = input_dims[d];
    }
    if (dims[d] == -1) inferred = d;
    else if (!tsr_mul_size(known, (size_t)dims[d], &known))
      return tsr_error(tsr_status_invalid_parameter, "%s: the shape's element count overflows", where);
  }
  if (inferred >= 0) {
    if (count % known != 0)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: shape[%d] is -1 but the other dims (%zu elements) do not divide the input's %zu", where,
                       (int)inferred, known, count);
    dims[inferred] = (int64_t)(count / known);
  } else if (known != count) {
    return tsr_error(tsr_status_invalid_parameter, "%s: the shape holds %zu elements; the input has %zu", where, known,
                     count);
  }
  *output_ndims = ndims;
  memcpy(output_dims, dims, sizeof(int64_t) * (size_t)ndims);
  return tsr_status_success;
}

tsr_status tsr_flatten_output_shape(int32_t start_axis, int32_t end_axis, int32_t input_ndims,
                                    const int64_t* input_dims, int32_t* output_ndims, int64_t* output_dims) {
  static const char where[] = "tsr_flatten_output_shape";
  if (input_dims == NULL || output_ndims == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: input_dims, output_ndims or output_dims is NULL", where);
  const tsr_status status = tsr_check_input_dims(input_ndims, input_dims, where);
  if (status != tsr_status_success) return status;
  const int32_t start = start_axis < 0 ? start_axis + input_ndims : start_axis;
  const int32_t end = end_axis < 0 ? end_axis + input_ndims : end_axis;
  if (start < 0 || start >= input_ndims || end < 0 || end >= input_ndims || start > end)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: start_axis %d and end_axis %d must name axes of the %d-dim input, start not after end",
                     where, (int)start_axis, (int)end_axis, (int)input_ndims);
  int64_t dims[TSR_MAX_DIMS];
  int32_t n = 0;
  for (int32_t d = 0; d < start; d++) dims[n++] = input_dims[d];
  const size_t merged = tsr_dims_product(end - start + 1, input_dims + start);
  if (merged == 0 || merged > (size_t)INT64_MAX)
    return tsr_error(tsr_status_invalid_parameter, "%s: the merged dim overflows", where);
  dims[n++] = (int64_t)merged;
  for (int32_t d = end + 1; d < input_ndims; d++) dims[n++] = input_dims[d];
  *output_ndims = n;
  memcpy(output_dims, dims, sizeof(int64_t) * (size_t)n);
  return tsr_status_success;
}

static tsr_status tsr_check_perm(int32_t ndims, const int32_t* perm, const char* where) {
  if (perm == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: perm is NULL", where);
  if (ndims < 1 || ndims > TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter, "%s: ndims is %d; must be 1 to %d", where, (int)ndims, TSR_MAX_DIMS);
  bool seen[TSR_MAX_DIMS] = {false};
  for (int32_t d = 0; d < ndims; d++) {
    if (perm[d] < 0 || perm[d] >= ndims || seen[perm[d]])
      return tsr_error(tsr_status_invalid_parameter, "%s: perm[%d] is %d; perm must be a permutation of 0..%d", where,
                       (int)d, (int)perm[d], (int)ndims - 1);
    seen[perm[d]] = true;
  }
  return tsr_status_success;
}

tsr_status tsr_permute_output_shape(int32_t ndims, const int32_t* perm, int32_t input_ndims, const int64_t* input_dims,
                                    int64_t* output_dims) {
  static const char where[] = "tsr_permute_output_shape";
  if (input_dims == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: input_dims or output_dims is NULL", where);
  tsr_status status = tsr_check_perm(ndims, perm, where);
  if (status == tsr_status_success) status = tsr_check_input_dims(input_ndims, input_dims, where);
  if (status != tsr_status_success) return status;
  if (input_ndims != ndims)
    return tsr_error(tsr_status_invalid_parameter, "%s: the input has %d dims; perm has %d", where, (int)input_ndims,
                     (int)ndims);
  int64_t dims[TSR_MAX_DIMS];
  for (int32_t d = 0; d < ndims; d++) dims[d] = input_dims[perm[d]];
  memcpy(output_dims, dims, sizeof(int64_t) * (size_t)ndims);
  return tsr_status_success;
}

static bool tsr_is_row_major(const tsr_tensor_desc* desc) {
  int64_t expected = 1;
  for (int32_t d = desc->ndims - 1; d >= 0; d--) {
    if (desc->dims[d] > 1 && desc->strides[d] != expected) return false;
    expected *= desc->dims[d];
  }
  return true;
}

static tsr_status tsr_shape_op_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                   const tsr_tensor* outputs, tsr_threadpool* pool) {
  (void)num_outputs;
  const struct tsr_shape_op* op = (const struct tsr_shape_op*)base;
  static const char* const wheres[] = {"tsr_op_run(reshape)", "tsr_op_run(flatten)", "tsr_op_run(permute)",
                                       "tsr_op_run(identity)"};
  const char* where = wheres[base->kind - tsr_op_kind_reshape];
  const tsr_tensor_desc *x = &inputs[0].desc, *y = &outputs[0].desc;
  if (x->dtype != tsr_dtype_f32 || y->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: the tensors must be f32", where);
  const bool blocked = tsr_layout_channel_block(x->layout) > 1 || tsr_layout_channel_block(y->layout) > 1;
  if (blocked && base->kind == tsr_op_kind_identity) {
    if (x->layout == tsr_layout_strided || y->layout == tsr_layout_strided)
      return tsr_error(tsr_status_unsupported_parameter,
                       "%s: reorders to and from blocked layouts take plain or nhwc tensors, not strided", where);
    if (!tsr_tensor_desc_same_shape(x, y))
      return tsr_error(tsr_status_invalid_parameter, "%s: outputs[0]'s dims do not match the op's output shape", where);
    tsr_reorder_blocked_f32(x, inputs[0].data, y, outputs[0].data, pool);
    return tsr_status_success;
  }
  for (int t = 0; t < 2; t++) {
    const tsr_layout layout = (t ? y : x)->layout;
    if (layout != tsr_layout_plain && layout != tsr_layout_nhwc && layout != tsr_layout_strided)
      return tsr_error(tsr_status_unsupported_parameter, "%s: %s's layout is %s; shape ops take plain, nhwc or strided (identity also "
                       "reorders to and from blocked layouts)",
                       where, t ? "outputs[0]" : "inputs[0]", tsr_layout_name(layout));
  }
  int32_t ndims = x->ndims;
  int64_t expected[TSR_MAX_DIMS];
  struct tsr_strided_view xv = {.ndims = x->ndims}, yv = {.ndims = y->ndims};
  memcpy(xv.dims, x->dims, sizeof(xv.dims));
  memcpy(xv.strides, x->strides, sizeof(xv.strides));
  memcpy(yv.dims, y->dims, sizeof(yv.dims));
  memcpy(yv.strides, y->strides, sizeof(yv.strides));
  tsr_status status = tsr_status_success;
  switch (base->kind) {
    case tsr_op_kind_reshape:
      status = tsr_reshape_output_shape(op->ndims, op->shape, x->ndims, x->dims, &ndims, expected);
      break;
    case tsr_op_kind_flatten:
      status = tsr_flatten_output_shape(op->start_axis, op->end_axis, x->ndims, x->dims, &ndims, expected);
      break;
    case tsr_op_kind_permute:
      status = tsr_permute_output_shape(op->ndims, op->perm, x->ndims, x->dims, expected);
      for (int32_t d = 0; status == tsr_status_success && d < ndims; d++) /* y's element order, read from x */
        xv.dims[d] = x->dims[op->perm[d]], xv.strides[d] = x->strides[op->perm[d]];
      break;
    default:
      memcpy(expected, x->dims, sizeof(int64_t) * (size_t)ndims);
  }
  if (status != tsr_status_success) {
    char detail[512];
    snprintf(detail, sizeof(detail), "%s", tsr_last_error_message());
    return tsr_error(status, "%s: inputs[0]: %s", where, detail);
  }
  if (y->ndims != ndims || memcmp(y->dims, expected, sizeof(int64_t) * (size_t)ndims) != 0)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[0]'s dims do not match the op's output shape", where);
  const size_t count = tsr_tensor_desc_elements(x);
  bool same_order = true; /* every op but a permute that moves an axis keeps the row-major order */
  for (int32_t d = 0; base->kind == tsr_op_kind_permute && d < ndims; d++) same_order = same_order && op->perm[d] == d;
  if (same_order && tsr_is_row_major(x) && tsr_is_row_major(y))
    memmove(outputs[0].data, inputs[0].data, count * sizeof(float));
  else
    tsr_reference_copy_f32(&xv, inputs[0].data, &yv, outputs[0].data, count);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_shape_op_vtable = {.run = tsr_shape_op_run, .num_inputs = 1, .num_outputs = 1};

static tsr_status tsr_shape_op_new(tsr_op_kind kind, const char* where, struct tsr_shape_op** created) {
  *created = (struct tsr_shape_op*)tsr_op_alloc(sizeof(struct tsr_shape_op), kind, &tsr_shape_op_vtable);
  if (*created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  return tsr_status_success;
}

/* "reshape:[2,-1] impl=copy" */
static void tsr_shape_op_describe(struct tsr_shape_op* op, const char* name, int32_t ndims, const int64_t* values) {
  char* text = op->base.description;
  const size_t size = sizeof(op->base.description);
  size_t len = (size_t)snprintf(text, size, "%s:[", name);
  for (int32_t d = 0; d < ndims && len < size; d++)
    len += (size_t)snprintf(text + len, size - len, "%s%lld", d ? "," : "", (long long)values[d]);
  if (len < size) snprintf(text + len, size - len, "] impl=copy");
}

tsr_status tsr_reshape_create(int32_t ndims, const int64_t* shape, tsr_op** op) {
  static const char where[] = "tsr_reshape_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  tsr_status status = tsr_check_reshape_shape(ndims, shape, where);
  struct tsr_shape_op* created = NULL;
  if (status == tsr_status_success) status = tsr_shape_op_new(tsr_op_kind_reshape, where, &created);
  if (status != tsr_status_success) return status;
  created->ndims = ndims;
  memcpy(created->shape, shape, sizeof(int64_t) * (size_t)ndims);
  tsr_shape_op_describe(created, "reshape", ndims, shape);
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_flatten_create(int32_t start_axis, int32_t end_axis, tsr_op** op) {
  static const char where[] = "tsr_flatten_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (start_axis < -TSR_MAX_DIMS || start_axis >= TSR_MAX_DIMS || end_axis < -TSR_MAX_DIMS || end_axis >= TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter, "%s: start_axis %d or end_axis %d is outside -%d..%d", where,
                     (int)start_axis, (int)end_axis, TSR_MAX_DIMS, TSR_MAX_DIMS - 1);
  struct tsr_shape_op* created = NULL;
  const tsr_status status = tsr_shape_op_new(tsr_op_kind_flatten, where, &created);
  if (status != tsr_status_success) return status;
  created->start_axis = start_axis, created->end_axis = end_axis;
  snprintf(created->base.description, sizeof(created->base.description), "flatten:%d..%d impl=copy", (int)start_axis,
           (int)end_axis);
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_permute_create(int32_t ndims, const int32_t* perm, tsr_op** op) {
  static const char where[] = "tsr_permute_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  tsr_status status = tsr_check_perm(ndims, perm, where);
  struct tsr_shape_op* created = NULL;
  if (status == tsr_status_success) status = tsr_shape_op_new(tsr_op_kind_permute, where, &created);
  if (status != tsr_status_success) return status;
  created->ndims = ndims;
  memcpy(created->perm, perm, sizeof(int32_t) * (size_t)ndims);
  int64_t values[TSR_MAX_DIMS];
  for (int32_t d = 0; d < ndims; d++) values[d] = perm[d];
  tsr_shape_op_describe(created, "permute", ndims, values);
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_identity_create(tsr_op** op) {
  static const char where[] = "tsr_identity_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  struct tsr_shape_op* created = NULL;
  const tsr_status status = tsr_shape_op_new(tsr_op_kind_identity, where, &created);
  if (status != tsr_status_success) return status;
  snprintf(created->base.description, sizeof(created->base.description), "identity impl=copy");
  *op = &created->base;
  return tsr_status_success;
}
