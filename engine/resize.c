/* Padding and upsampling: ops that change the spatial extents of [N, C, spatial...] plane by
 * plane, sharing the shape checks, the geometry and the run over (sample, channel) planes; each
 * brings its own parameter checks, extent rule and reference plane loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/resize-fast.h"
#include "engine/tensor.h"
#include "kernels/f32-vlerp/f32-vlerp.h"
#include "kernels/reference/resize-reference.h"
#include "threadpool/threadpool.h"

#define TSR_RESIZE_MAX_EXTENT ((int64_t)1 << 40)

struct tsr_resize_op {
  struct tsr_op base;
  int32_t spatial_ndims;
  tsr_pad_params pad;           /* kind pad */
  tsr_upsample_params upsample; /* kind upsample */
  bool fast;                    /* by rows (resize-fast.c); TESSERA_RESIZE=reference: the plane loops */
  const struct tsr_f32_vlerp_entry* lerp; /* upsample: linear's row kernel */
};

static tsr_status tsr_pad_check(const tsr_pad_params* p, const char* where) {
  if (p->spatial_ndims < 1 || p->spatial_ndims > 3)
    return tsr_error(tsr_status_invalid_parameter, "%s: spatial_ndims is %d; must be 1, 2 or 3", where,
                     (int)p->spatial_ndims);
  for (int32_t d = 0; d < p->spatial_ndims; d++)
    if (p->padding_begin[d] < 0 || p->padding_end[d] < 0 || p->padding_begin[d] > TSR_RESIZE_MAX_EXTENT ||
        p->padding_end[d] > TSR_RESIZE_MAX_EXTENT)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: padding_begin[%d] and padding_end[%d] are %lld and %lld; must be 0 to 2^40", where,
                       (int)d, (int)d, (long long)p->padding_begin[d], (long long)p->padding_end[d]);
  return tsr_status_success;
}

static tsr_status tsr_upsample_check(const tsr_upsample_params* p, const char* where) {
  if (p->spatial_ndims < 1 || p->spatial_ndims > 3)
    return tsr_error(tsr_status_invalid_parameter, "%s: spatial_ndims is %d; must be 1, 2 or 3", where,
                     (int)p->spatial_ndims);
  if (p->kind != tsr_resampling_nearest && p->kind != tsr_resampling_linear)
    return tsr_error(tsr_status_invalid_parameter, "%s: kind %d is not a tsr_resampling_kind", where, (int)p->kind);
  if (p->align_corners != 0 && p->kind != tsr_resampling_linear)
    return tsr_error(tsr_status_invalid_parameter, "%s: align_corners applies to linear resampling only", where);
  for (int32_t d = 0; d < p->spatial_ndims; d++) {
    if (p->scale[d] < 0 || p->scale[d] > TSR_RESIZE_MAX_EXTENT)
      return tsr_error(tsr_status_invalid_parameter, "%s: scale[%d] is %lld; must be 1 to 2^40 (or 0 to use size)",
                       where, (int)d, (long long)p->scale[d]);
    if (p->scale[d] == 0 && (p->size[d] < 1 || p->size[d] > TSR_RESIZE_MAX_EXTENT))
      return tsr_error(tsr_status_invalid_parameter, "%s: size[%d] is %lld where scale[%d] is 0; must be 1 to 2^40",
                       where, (int)d, (long long)p->size[d], (int)d);
  }
  return tsr_status_success;
}

/* The output extent of spatial dim d; false (with a message) when it overflows. */
static bool tsr_resize_extent(const struct tsr_resize_op* op, int32_t d, int64_t in, int64_t* out,
                              const char* where) {
  int64_t extent;
  if (op->base.kind == tsr_op_kind_pad) {
    extent = in + op->pad.padding_begin[d] + op->pad.padding_end[d];
  } else if (op->upsample.scale[d] == 0) {
    extent = op->upsample.size[d];
  } else if (in > TSR_RESIZE_MAX_EXTENT / op->upsample.scale[d]) {
    extent = TSR_RESIZE_MAX_EXTENT + 1;
  } else {
    extent = in * op->upsample.scale[d];
  }
  if (extent > TSR_RESIZE_MAX_EXTENT) {
    tsr_error(tsr_status_invalid_parameter, "%s: spatial dim %d: the output extent overflows (more than 2^40)",
              where, (int)d);
    return false;
  }
  *out = extent;
  return true;
}

static tsr_status tsr_resize_output_shape(const struct tsr_resize_op* op, int32_t ndims, const int64_t* input_dims,
                                          int64_t* output_dims, const char* where) {
  if (input_dims == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: input_dims or output_dims is NULL", where);
  if (ndims != op->spatial_ndims + 2)
    return tsr_error(tsr_status_invalid_parameter, "%s: ndims is %d; a %d-D op takes %d", where, (int)ndims,
                     (int)op->spatial_ndims, (int)op->spatial_ndims + 2);
  for (int32_t d = 0; d < ndims; d++)
    if (input_dims[d] < 1 || input_dims[d] > TSR_RESIZE_MAX_EXTENT)
      return tsr_error(tsr_status_invalid_parameter, "%s: input_dims[%d] is %lld; must be 1 to 2^40", where,
                       (int)d, (long long)input_dims[d]);
  int64_t out[5] = {input_dims[0], input_dims[1]};
  for (int32_t d = 0; d < op->spatial_ndims; d++)
    if (!tsr_resize_extent(op, d, input_dims[2 + d], &out[2 + d], where)) return tsr_status_invalid_parameter;
  memcpy(output_dims, out, sizeof(int64_t) * (size_t)ndims);
  return tsr_status_success;
}

tsr_status tsr_pad_output_shape(const tsr_pad_params* params, int32_t ndims, const int64_t* input_dims,
                                int64_t* output_dims) {
  static const char where[] = "tsr_pad_output_shape";
  if (params == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: params is NULL", where);
  const tsr_status status = tsr_pad_check(params, where);
  if (status != tsr_status_success) return status;
  struct tsr_resize_op op = {.base.kind = tsr_op_kind_pad, .spatial_ndims = params->spatial_ndims, .pad = *params};
  return tsr_resize_output_shape(&op, ndims, input_dims, output_dims, where);
}

tsr_status tsr_upsample_output_shape(const tsr_upsample_params* params, int32_t ndims, const int64_t* input_dims,
                                     int64_t* output_dims) {
  static const char where[] = "tsr_upsample_output_shape";
  if (params == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: params is NULL", where);
  const tsr_status status = tsr_upsample_check(params, where);
  if (status != tsr_status_success) return status;
  struct tsr_resize_op op = {.base.kind = tsr_op_kind_upsample, .spatial_ndims = params->spatial_ndims,
                             .upsample = *params};
  return tsr_resize_output_shape(&op, ndims, input_dims, output_dims, where);
}

struct tsr_resize_call {
  struct tsr_resize_geometry g;
  bool pad;
  const float* x;
  float* y;
};

static void tsr_resize_plane(void* context, size_t thread, size_t n, size_t c) {
  (void)thread;
  const struct tsr_resize_call* call = context;
  if (call->pad) tsr_reference_pad_plane_f32(&call->g, call->x, call->y, n, c);
  else tsr_reference_upsample_plane_f32(&call->g, call->x, call->y, n, c);
}

static tsr_status tsr_resize_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                 const tsr_tensor* outputs, tsr_threadpool* pool) {
  (void)num_outputs;
  const struct tsr_resize_op* op = (const struct tsr_resize_op*)base;
  const char* where = base->kind == tsr_op_kind_pad ? "tsr_op_run(pad)" : "tsr_op_run(upsample)";
  const tsr_tensor_desc *x = &inputs[0].desc, *y = &outputs[0].desc;
  int64_t expected[5] = {0};
  const tsr_status status =
      tsr_spatial_pair_check(x, y, tsr_resize_output_shape(op, x->ndims, x->dims, expected, where), expected, where);
  if (status != tsr_status_success) return status;
  struct tsr_resize_call call = {.pad = base->kind == tsr_op_kind_pad, .x = inputs[0].data, .y = outputs[0].data};
  struct tsr_resize_geometry* g = &call.g;
  const int32_t spatial = op->spatial_ndims, skip = 3 - spatial;
  for (int32_t k = 0; k < 3; k++) g->in[k] = g->out[k] = 1, g->pad[k] = 0;
  for (int32_t k = 0; k < spatial; k++) {
    g->in[skip + k] = (size_t)x->dims[2 + k];
    g->out[skip + k] = (size_t)y->dims[2 + k];
    g->pad[skip + k] = call.pad ? op->pad.padding_begin[k] : 0;
  }
  g->value = op->pad.value;
  g->kind = op->upsample.kind;
  g->align_corners = op->upsample.align_corners;
  tsr_spatial_strides(x, spatial, &g->x_n, &g->x_c, g->x_s);
  tsr_spatial_strides(y, spatial, &g->y_n, &g->y_c, g->y_s);
  if (op->fast)
    return tsr_resize_fast_run(g, call.pad, x->layout == tsr_layout_nhwc, (size_t)x->dims[0], (size_t)x->dims[1],
                               call.x, call.y, op->lerp, pool);
  tsr_parallelize_2d(pool, tsr_resize_plane, &call, (size_t)x->dims[0], (size_t)x->dims[1]);
  return tsr_status_success;
}

/* TESSERA_RESIZE=reference at creation keeps the reference plane loops (to compare against). */
static bool tsr_resize_fast_wanted(void) {
  const char* choice = getenv("TESSERA_RESIZE");
  return choice == NULL || strcmp(choice, "reference") != 0;
}

static const struct tsr_op_vtable tsr_resize_vtable = {.run = tsr_resize_run, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_pad_create(const tsr_pad_params* params, tsr_op** op) {
  static const char where[] = "tsr_pad_create";
  if (op == NULL || params == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op or params is NULL", where);
  const tsr_status status = tsr_pad_check(params, where);
  if (status != tsr_status_success) return status;
  struct tsr_resize_op* created =
      (struct tsr_resize_op*)tsr_op_alloc(sizeof(struct tsr_resize_op), tsr_op_kind_pad, &tsr_resize_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->spatial_ndims = params->spatial_ndims;
  created->pad = *params;
  created->fast = tsr_resize_fast_wanted();
  const int32_t last = params->spatial_ndims - 1;
  snprintf(created->base.description, sizeof(created->base.description),
           "pad%dd:%lld-%lld value=%g impl=%s isa=scalar", (int)params->spatial_ndims,
           (long long)params->padding_begin[last], (long long)params->padding_end[last], (double)params->value,
           created->fast ? "rows" : "reference");
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_upsample_create(const tsr_upsample_params* params, tsr_op** op) {
  static const char where[] = "tsr_upsample_create";
  if (op == NULL || params == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op or params is NULL", where);
  const tsr_status status = tsr_upsample_check(params, where);
  if (status != tsr_status_success) return status;
  struct tsr_resize_op* created =
      (struct tsr_resize_op*)tsr_op_alloc(sizeof(struct tsr_resize_op), tsr_op_kind_upsample, &tsr_resize_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->spatial_ndims = params->spatial_ndims;
  created->upsample = *params;
  created->fast = tsr_resize_fast_wanted();
  /* the list is best ISA first and ends with scalar */
  for (size_t i = 0; i < tsr_f32_vlerp_ukernel_count && created->lerp == NULL; i++)
    if (tsr_isa_allowed(tsr_f32_vlerp_ukernels[i].isa)) created->lerp = &tsr_f32_vlerp_ukernels[i];
  const bool linear = params->kind == tsr_resampling_linear;
  snprintf(created->base.description, sizeof(created->base.description), "upsample%dd:%s%s impl=%s isa=%s",
           (int)params->spatial_ndims, linear ? "linear" : "nearest", params->align_corners ? " align_corners" : "",
           !created->fast ? "reference_f64" : linear ? created->lerp->name : "rows",
           tsr_isa_name(created->fast && linear ? created->lerp->isa : tsr_isa_scalar));
  *op = &created->base;
  return tsr_status_success;
}
