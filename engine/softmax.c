/* Softmax and log-softmax along any axis of a plain, nhwc or strided tensor. Rows (the elements
 * along the axis) are spread over the pool. A contiguous row (axis stride 1) goes to the
 * f32-softmax kernel picked at creation (vector exp, sum in double); a strided row to the
 * reference loop (everything in double, rounded once). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "kernels/f32-softmax/f32-softmax.h"
#include "kernels/reference/softmax-reference.h"
#include "threadpool/threadpool.h"

struct tsr_softmax_op {
  struct tsr_op base;
  int32_t axis;
  bool logarithmic;
  tsr_f32_softmax_ukernel_fn row_kernel; /* contiguous rows */
};

struct tsr_softmax_call {
  const struct tsr_softmax_op* op;
  const tsr_tensor_desc* desc;
  int32_t axis;
  const float* x;
  float* y;
};

/* Row r enumerates every index but the axis', last dim fastest; its first element's offset. */
static size_t tsr_row_offset(const tsr_tensor_desc* d, int32_t axis, size_t row) {
  size_t offset = 0;
  for (int32_t dim = d->ndims - 1; dim >= 0; dim--) {
    if (dim == axis) continue;
    const size_t extent = (size_t)d->dims[dim];
    offset += (row % extent) * (size_t)d->strides[dim];
    row /= extent;
  }
  return offset;
}

static void tsr_softmax_rows(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_softmax_call* call = context;
  const tsr_tensor_desc* d = call->desc;
  const size_t n = (size_t)d->dims[call->axis], stride = (size_t)d->strides[call->axis];
  for (size_t row = start; row < start + count; row++) {
    const size_t offset = tsr_row_offset(d, call->axis, row);
    if (stride == 1) call->op->row_kernel(n, call->x + offset, call->y + offset, call->op->logarithmic);
    else tsr_reference_softmax_f32(call->op->logarithmic, n, call->x + offset, stride, call->y + offset, stride);
  }
}

static tsr_status tsr_softmax_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                  const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_softmax_op* op = (const struct tsr_softmax_op*)base;
  const tsr_tensor_desc* x = &inputs[0].desc;
  const tsr_tensor_desc* y = &outputs[0].desc;
  if (x->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "tsr_op_run(softmax): inputs[0] must be f32");
  if (!tsr_tensor_desc_same_shape(x, y))
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_op_run(softmax): outputs[0] must have the dtype and dims of inputs[0]");
  if (x->layout == tsr_layout_nchw4c || x->layout == tsr_layout_nchw8c ||
      x->layout == tsr_layout_nchw16c)
    return tsr_error(tsr_status_unsupported_parameter,
                     "tsr_op_run(softmax): blocked layout %s is not supported; reorder to plain "
                     "or nhwc", tsr_layout_name(x->layout));
  for (int32_t d = 0; d < x->ndims; d++)
    if (y->strides[d] == 0 && y->dims[d] > 1)
      return tsr_error(tsr_status_invalid_parameter,
                       "tsr_op_run(softmax): outputs[0] has stride 0 in dim %d; an output must "
                       "not broadcast", (int)d);
  for (int32_t d = 0; d < x->ndims; d++)
    if (x->strides[d] != y->strides[d])
      return tsr_error(tsr_status_unsupported_parameter,
                       "tsr_op_run(softmax): inputs[0] and outputs[0] must have the same strides");
  const int32_t axis = op->axis < 0 ? op->axis + x->ndims : op->axis;
  if (axis < 0 || axis >= x->ndims)
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_op_run(softmax): axis %d is outside a %d-dim tensor", (int)op->axis,
                     (int)x->ndims);
  const size_t rows = tsr_tensor_desc_elements(x) / (size_t)x->dims[axis];
  const size_t threads = tsr_threadpool_threads(pool);
  const size_t per_task = rows / (4 * threads) > 0 ? rows / (4 * threads) : 1;
  struct tsr_softmax_call call = {op, x, axis, inputs[0].data, outputs[0].data};
  tsr_parallelize_1d_tile_1d(pool, tsr_softmax_rows, &call, rows, per_task);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_softmax_vtable = {
    .run = tsr_softmax_run, .release = NULL, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_softmax_create(int32_t axis, int logarithmic, tsr_op** op) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "tsr_softmax_create: op is NULL");
  if (axis < -TSR_MAX_DIMS || axis >= TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_softmax_create: axis is %d; must be within -%d..%d", (int)axis,
                     TSR_MAX_DIMS, TSR_MAX_DIMS - 1);
  struct tsr_softmax_op* created = (struct tsr_softmax_op*)tsr_op_alloc(
      sizeof(struct tsr_softmax_op), tsr_op_kind_softmax, &tsr_softmax_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "tsr_softmax_create: out of memory");
  created->axis = axis;
  created->logarithmic = logarithmic != 0;
  const struct tsr_ukernel_entry* kernel = tsr_ukernel_pick(tsr_f32_softmax_ukernels, tsr_f32_softmax_ukernel_count);
  created->row_kernel = (tsr_f32_softmax_ukernel_fn)kernel->function;
  snprintf(created->base.description, sizeof(created->base.description),
           "%s:axis=%d impl=%s (contiguous rows), rows_f64 (strided rows)",
           created->logarithmic ? "log_softmax" : "softmax", (int)axis, kernel->name);
  *op = &created->base;
  return tsr_status_success;
}

/* ---- softmax ---- */

struct tsr_softmax_backward_op {
  struct tsr_op base;
  int32_t axis;
  bool logarithmic;
};

struct tsr_softmax_backward_call {
  const struct tsr_softmax_backward_op* op;
  const tsr_tensor_desc* desc;
  int32_t axis;
  const float *y, *dy;
  float* dx;
};

static void tsr_softmax_backward_rows(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_softmax_backward_call* call = context;
  const tsr_tensor_desc* d = call->desc;
  const size_t n = (size_t)d->dims[call->axis], stride = (size_t)d->strides[call->axis];
  for (size_t row = start; row < start + count; row++) {
    const size_t offset = tsr_row_offset(d, call->axis, row);
    const float *y = call->y + offset, *dy = call->dy + offset;
    float* dx = call->dx + offset;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
      sum += call->op->logarithmic ? (double)dy[i * stride] : (double)dy[i * stride] * y[i * stride];
    for (size_t i = 0; i < n; i++)
      dx[i * stride] = call->op->logarithmic
                           ? (float)((double)dy[i * stride] - exp((double)y[i * stride]) * sum)
                           : (float)((double)y[i * stride] * ((double)dy[i * stride] - sum));
  }
}

static tsr_status tsr_softmax_backward_run(const tsr_op* base, const tsr_tensor* inputs,
                                           size_t num_outputs, const tsr_tensor* outputs,
                                           tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(softmax_backward)";
  const struct tsr_softmax_backward_op* op = (const struct tsr_softmax_backward_op*)base;
  const tsr_tensor* tensors[] = {&inputs[0], &inputs[1], &outputs[0]};
  static const char* const names[] = {"inputs[0] (y)", "inputs[1] (dy)", "outputs[0] (dx)"};
  tsr_status status = tsr_tensors_check_alike(where, 3, tensors, names);
  if (status != tsr_status_success) return status;
  const tsr_tensor_desc* d = &inputs[0].desc;
  if (d->layout != tsr_layout_plain && d->layout != tsr_layout_nhwc && d->layout != tsr_layout_strided)
    return tsr_error(tsr_status_unsupported_parameter, "%s: layout %s is not supported", where,
                     tsr_layout_name(d->layout));
  const int32_t axis = op->axis < 0 ? op->axis + d->ndims : op->axis;
  if (axis < 0 || axis >= d->ndims)
    return tsr_error(tsr_status_invalid_parameter, "%s: axis %d is outside a %d-dim tensor", where,
                     (int)op->axis, (int)d->ndims);
  struct tsr_softmax_backward_call call = {op, d, axis, inputs[0].data, inputs[1].data, outputs[0].data};
  tsr_parallelize_1d_tile_1d(pool, tsr_softmax_backward_rows, &call,
                             tsr_tensor_desc_elements(d) / (size_t)d->dims[axis], 16);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_softmax_backward_vtable = {
    .run = tsr_softmax_backward_run, .num_inputs = 2, .num_outputs = 1};

tsr_status tsr_softmax_backward_create(int32_t axis, int logarithmic, tsr_op** op) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "tsr_softmax_backward_create: op is NULL");
  if (axis < -TSR_MAX_DIMS || axis >= TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_softmax_backward_create: axis is %d; must be within -%d..%d", (int)axis,
                     TSR_MAX_DIMS, TSR_MAX_DIMS - 1);
  struct tsr_softmax_backward_op* created = (struct tsr_softmax_backward_op*)tsr_op_alloc(
      sizeof(struct tsr_softmax_backward_op), tsr_op_kind_softmax_backward, &tsr_softmax_backward_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "tsr_softmax_backward_create: out of memory");
  created->axis = axis;
  created->logarithmic = logarithmic != 0;
  snprintf(created->base.description, sizeof(created->base.description), "%s_backward:axis=%d",
           logarithmic ? "log_softmax" : "softmax", (int)axis);
  *op = &created->base;
  return tsr_status_success;
}
