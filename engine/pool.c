/* Max and average pooling, 1-D to 3-D and global: checks, shape inference (floor or PyTorch's
 * ceil mode), and the run: the f32-pool kernels (engine/pool-fast.c), or, with
 * TESSERA_POOL=reference at creation, the reference loop over each (sample, channel) plane. */
#include <stdio.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/pool-backward.h"
#include "engine/pool-fast.h"
#include "engine/tensor.h"
#include "kernels/reference/pool-reference.h"
#include "threadpool/threadpool.h"

#define TSR_POOL_MAX_EXTENT ((int64_t)1 << 40)

static tsr_status tsr_pool_check_params(const tsr_pool_params* p, const char* where) {
  if (p->spatial_ndims < 1 || p->spatial_ndims > 3)
    return tsr_error(tsr_status_invalid_parameter, "%s: spatial_ndims is %d; must be 1, 2 or 3",
                     where, (int)p->spatial_ndims);
  if (p->kind != tsr_pooling_max && p->kind != tsr_pooling_avg_include_padding &&
      p->kind != tsr_pooling_avg_exclude_padding)
    return tsr_error(tsr_status_invalid_parameter, "%s: kind %d is not a tsr_pooling_kind", where, (int)p->kind);
  if (p->global) return tsr_status_success;
  if (p->padding_mode != tsr_padding_explicit && p->padding_mode != tsr_padding_same &&
      p->padding_mode != tsr_padding_valid)
    return tsr_error(tsr_status_invalid_parameter, "%s: padding_mode %d is not a tsr_padding_mode",
                     where, (int)p->padding_mode);
  for (int32_t d = 0; d < p->spatial_ndims; d++) {
    if (p->kernel[d] < 1 || p->kernel[d] > TSR_POOL_MAX_EXTENT || p->stride[d] < 1 || p->stride[d] > TSR_POOL_MAX_EXTENT)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: kernel[%d] (%lld) and stride[%d] (%lld) must be 1 to 2^40", where, (int)d,
                       (long long)p->kernel[d], (int)d, (long long)p->stride[d]);
    if (p->padding_mode == tsr_padding_explicit &&
        (p->padding_begin[d] < 0 || p->padding_end[d] < 0 || 2 * p->padding_begin[d] > p->kernel[d] ||
         2 * p->padding_end[d] > p->kernel[d]))
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: padding_begin[%d] and padding_end[%d] are %lld and %lld; must be 0 to "
                       "kernel / 2 (%lld)", where, (int)d, (int)d, (long long)p->padding_begin[d],
                       (long long)p->padding_end[d], (long long)(p->kernel[d] / 2));
  }
  return tsr_status_success;
}

/* Begin padding, declared end padding and output extent of dim d; false when empty. */
static bool tsr_pool_extent(const tsr_pool_params* p, int32_t d, int64_t in, int64_t* begin,
                            int64_t* end, int64_t* out) {
  if (p->global) {
    *begin = *end = 0;
    *out = 1;
    return true;
  }
  const int64_t k = p->kernel[d], s = p->stride[d];
  *begin = *end = 0;
  if (p->padding_mode == tsr_padding_explicit) {
    *begin = p->padding_begin[d];
    *end = p->padding_end[d];
  } else if (p->padding_mode == tsr_padding_same) {
    const int64_t wanted = (in + s - 1) / s;
    int64_t total = (wanted - 1) * s + k - in;
    if (total < 0) total = 0;
    *begin = total / 2;
    *end = total - *begin;
  }
  const int64_t padded = in + *begin + *end;
  if (padded < k) return false;
  int64_t o = (padded - k + (p->ceil_mode ? s - 1 : 0)) / s + 1;
  if (p->ceil_mode && (o - 1) * s >= in + *begin) o--; /* the last window must start in the input */
  *out = o;
  return o >= 1;
}

tsr_status tsr_pool_output_shape(const tsr_pool_params* p, int32_t ndims, const int64_t* input_dims,
                                 int64_t* output_dims) {
  static const char where[] = "tsr_pool_output_shape";
  if (p == NULL || input_dims == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: params, input_dims or output_dims is NULL", where);
  tsr_status status = tsr_pool_check_params(p, where);
  if (status != tsr_status_success) return status;
  if (ndims != p->spatial_ndims + 2)
    return tsr_error(tsr_status_invalid_parameter, "%s: ndims is %d; a %d-D pooling takes %d", where,
                     (int)ndims, (int)p->spatial_ndims, (int)p->spatial_ndims + 2);
  int64_t out[5] = {input_dims[0], input_dims[1]};
  for (int32_t d = 0; d < ndims; d++)
    if (input_dims[d] < 1 || input_dims[d] > TSR_POOL_MAX_EXTENT)
      return tsr_error(tsr_status_invalid_parameter, "%s: input_dims[%d] is %lld; must be 1 to 2^40",
                       where, (int)d, (long long)input_dims[d]);
  for (int32_t d = 0; d < p->spatial_ndims; d++) {
    int64_t begin, end;
    if (!tsr_pool_extent(p, d, input_dims[2 + d], &begin, &end, &out[2 + d]))
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: spatial dim %d: the kernel (%lld) is larger than the padded input", where,
                       (int)d, (long long)p->kernel[d]);
  }
  memcpy(output_dims, out, sizeof(int64_t) * (size_t)ndims);
  return tsr_status_success;
}

struct tsr_pool_op {
  struct tsr_op base;
  tsr_pool_params params;
  const struct tsr_f32_pool_entry* fast; /* NULL: the reference path */
  const struct tsr_ukernel_entry* backward; /* the backward op's f32-dpool kernel; NULL: the reference path */
};

struct tsr_pool_call {
  struct tsr_pool_geometry g;
  const float* x;
  float* y;
};

static void tsr_pool_plane(void* context, size_t thread, size_t n, size_t c) {
  (void)thread;
  const struct tsr_pool_call* call = context;
  tsr_reference_pool_plane_f32(&call->g, call->x, call->y, n, c);
}

/* Checks x and the output-side tensor against the pooling and fills the geometry: shared by
 * the forward and backward runs. */
static tsr_status tsr_pool_geometry_for(const tsr_pool_params* p, const tsr_tensor_desc* x,
                                        const tsr_tensor_desc* y, const char* where,
                                        struct tsr_pool_geometry* g) {
  int64_t expected[5] = {0};
  const tsr_status status = tsr_spatial_pair_check(
      x, y, tsr_pool_output_shape(p, x->ndims, x->dims, expected), expected, where);
  if (status != tsr_status_success) return status;
  g->kind = p->kind;
  const int32_t spatial = p->spatial_ndims, skip = 3 - spatial;
  for (int32_t k = 0; k < 3; k++) {
    g->in[k] = g->out[k] = g->kernel[k] = g->stride[k] = 1;
    g->pad[k] = 0;
    g->padded[k] = 1;
  }
  for (int32_t k = 0; k < spatial; k++) {
    int64_t begin = 0, end = 0, out = 1;
    tsr_pool_extent(p, k, x->dims[2 + k], &begin, &end, &out);
    g->in[skip + k] = (size_t)x->dims[2 + k];
    g->out[skip + k] = (size_t)out;
    g->kernel[skip + k] = p->global ? (size_t)x->dims[2 + k] : (size_t)p->kernel[k];
    g->stride[skip + k] = p->global ? 1 : (size_t)p->stride[k];
    g->pad[skip + k] = begin;
    g->padded[skip + k] = x->dims[2 + k] + begin + end;
  }
  tsr_spatial_strides(x, spatial, &g->x_n, &g->x_c, g->x_s);
  tsr_spatial_strides(y, spatial, &g->y_n, &g->y_c, g->y_s);
  return tsr_status_success;
}

/* A blocked tensor [N, C, spatial...] in nChw<b>c is, element for element, an NHWC tensor
 * [N x ceil(C / b), b, spatial...]: each (sample, channel block) is an image of b channels. The
 * zero padding channels pool to zero, so they stay zero. Writes the NHWC view of `d`. */
static void tsr_pool_blocked_as_nhwc(const tsr_tensor_desc* d, tsr_tensor_desc* view) {
  const int64_t block = (int64_t)tsr_layout_channel_block(d->layout);
  int64_t dims[5];
  memcpy(dims, d->dims, sizeof(int64_t) * (size_t)d->ndims);
  dims[0] = d->dims[0] * ((d->dims[1] + block - 1) / block);
  dims[1] = block;
  tsr_tensor_desc_init(view, tsr_dtype_f32, tsr_layout_nhwc, d->ndims, dims);
}

/* x (the input side) and y (the output side) as the runs see them: a blocked x, with y in the
 * same layout, as NHWC images of one channel block each. */
static tsr_status tsr_pool_views(const tsr_tensor_desc* x, const tsr_tensor_desc* y, const char* y_name,
                                 const char* where, tsr_tensor_desc* x_view, tsr_tensor_desc* y_view) {
  *x_view = *x, *y_view = *y;
  if (tsr_layout_channel_block(x->layout) == 1) return tsr_status_success;
  if (y->layout != x->layout || x->dtype != tsr_dtype_f32 || y->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: a blocked inputs[0] (%s) needs an f32 %s in the same layout (got %s)", where,
                     tsr_layout_name(x->layout), y_name, tsr_layout_name(y->layout));
  if (x->ndims != y->ndims || x->dims[0] != y->dims[0] || x->dims[1] != y->dims[1])
    return tsr_error(tsr_status_invalid_parameter, "%s: %s must have inputs[0]'s batch and channels", where, y_name);
  tsr_pool_blocked_as_nhwc(x, x_view);
  tsr_pool_blocked_as_nhwc(y, y_view);
  return tsr_status_success;
}

static tsr_status tsr_pool_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                               const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(pool)";
  const tsr_pool_params* p = &((const struct tsr_pool_op*)base)->params;
  struct tsr_pool_call call = {.x = inputs[0].data, .y = outputs[0].data};
  tsr_tensor_desc x, y;
  tsr_status status = tsr_pool_views(&inputs[0].desc, &outputs[0].desc, "outputs[0]", where, &x, &y);
  if (status != tsr_status_success) return status;
  status = tsr_pool_geometry_for(p, &x, &y, where, &call.g);
  if (status != tsr_status_success) return status;
  const struct tsr_f32_pool_entry* fast = ((const struct tsr_pool_op*)base)->fast;
  if (fast != NULL) {
    if (tsr_pool_fast_run(fast, &call.g, (size_t)x.dims[0], (size_t)x.dims[1], x.layout == tsr_layout_nhwc, call.x,
                          call.y, pool) != tsr_status_success)
      return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the NCHW reorder buffers", where);
    return tsr_status_success;
  }
  tsr_parallelize_2d(pool, tsr_pool_plane, &call, (size_t)x.dims[0], (size_t)x.dims[1]);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_pool_vtable = {.run = tsr_pool_run, .num_inputs = 1, .num_outputs = 1};

/* "pool2d:max k3 s2 impl=<kernel> isa=<isa>" then `suffix`. */
static void tsr_pool_describe(struct tsr_pool_op* op, const char* suffix) {
  static const char* const kinds[] = {"max", "avg_include_padding", "avg_exclude_padding"};
  const tsr_pool_params* params = &op->params;
  const struct tsr_f32_pool_entry* fast = op->fast;
  snprintf(op->base.description, sizeof(op->base.description), "pool%dd:%s%s k%lld s%lld%s impl=%s isa=%s%s",
           (int)params->spatial_ndims, params->global ? "global_" : "", kinds[params->kind],
           (long long)params->kernel[params->spatial_ndims - 1], (long long)params->stride[params->spatial_ndims - 1],
           params->ceil_mode ? " ceil" : "",
           op->backward != NULL ? op->backward->name
           : fast == NULL       ? "reference"
           : params->kind == tsr_pooling_max ? fast->maxpool_name
                                             : fast->avgpool_name,
           tsr_isa_name(op->backward != NULL ? op->backward->isa : fast != NULL ? fast->isa : tsr_isa_scalar), suffix);
}

tsr_status tsr_pool_create(const tsr_pool_params* params, tsr_op** op) {
  static const char where[] = "tsr_pool_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (params == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: params is NULL", where);
  const tsr_status status = tsr_pool_check_params(params, where);
  if (status != tsr_status_success) return status;
  struct tsr_pool_op* created =
      (struct tsr_pool_op*)tsr_op_alloc(sizeof(struct tsr_pool_op), tsr_op_kind_pool, &tsr_pool_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->params = *params;
  created->fast = tsr_pool_fast_pick();
  tsr_pool_describe(created, "");
  *op = &created->base;
  return tsr_status_success;
}

/* ---- backward ---- */

struct tsr_pool_backward_call {
  struct tsr_pool_geometry g;
  const float *x, *dy;
  float* dx;
};

static void tsr_pool_backward_plane(void* context, size_t thread, size_t n, size_t c) {
  (void)thread;
  const struct tsr_pool_backward_call* call = context;
  tsr_reference_pool_backward_plane_f32(&call->g, call->x, call->dy, call->dx, n, c);
}

static tsr_status tsr_pool_backward_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                        const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(pool_backward)";
  const struct tsr_pool_op* op = (const struct tsr_pool_op*)base;
  struct tsr_pool_backward_call call = {.x = inputs[0].data, .dy = inputs[1].data, .dx = outputs[0].data};
  if (!tsr_tensor_desc_same_shape(&inputs[0].desc, &outputs[0].desc) || outputs[0].desc.layout != inputs[0].desc.layout)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[0] (dx) must have x's dims and layout", where);
  tsr_tensor_desc x, dy;
  tsr_status status = tsr_pool_views(&inputs[0].desc, &inputs[1].desc, "inputs[1] (dy)", where, &x, &dy);
  if (status != tsr_status_success) return status;
  status = tsr_pool_geometry_for(&op->params, &x, &dy, where, &call.g);
  if (status != tsr_status_success) return status;
  const bool nhwc = x.layout == tsr_layout_nhwc;
  if (op->backward != NULL && (nhwc || x.layout == tsr_layout_plain) &&
      tsr_pool_backward_fast_takes(&call.g, (size_t)x.dims[1], nhwc)) {
    if (tsr_pool_backward_fast_run(op->backward, &call.g, (size_t)x.dims[0], (size_t)x.dims[1],
                                   nhwc, call.x, call.dy, call.dx, pool) != tsr_status_success)
      return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the tasks' scratch", where);
    return tsr_status_success;
  }
  tsr_parallelize_2d(pool, tsr_pool_backward_plane, &call, (size_t)x.dims[0], (size_t)x.dims[1]);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_pool_backward_vtable = {
    .run = tsr_pool_backward_run, .num_inputs = 2, .num_outputs = 1};

tsr_status tsr_pool_backward_create(const tsr_pool_params* params, tsr_op** op) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "tsr_pool_backward_create: op is NULL");
  tsr_op* created = NULL;
  const tsr_status status = tsr_pool_create(params, &created);
  if (status != tsr_status_success) return status;
  created->kind = tsr_op_kind_pool_backward;
  created->vtable = &tsr_pool_backward_vtable;
  struct tsr_pool_op* pool_op = (struct tsr_pool_op*)created;
  pool_op->fast = NULL; /* the forward kernel plays no part */
  pool_op->backward = tsr_pool_backward_pick(params->kind);
  tsr_pool_describe(pool_op, " backward");
  *op = created;
  return tsr_status_success;
}
