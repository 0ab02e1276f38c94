/* Convolution 1-D to 3-D: parameter checks, shape inference, and an op whose run path hands each
 * (sample, output channel) plane to the reference loop over the pool. This is the portable,
 * exact path that every fast convolution (direct, indirect, 1x1 GEMM, Winograd) is checked
 * against; those replace it behind the same API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/activation.h"
#include "engine/conv-data-gradient.h"
#include "engine/conv-weight-gradient.h"
#include "engine/conv.h"
#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "kernels/reference/conv-reference.h"
#include "threadpool/threadpool.h"

tsr_status tsr_conv_check_params(const tsr_conv_params* p, const char* where) {
  if (p->spatial_ndims < 1 || p->spatial_ndims > 3)
    return tsr_error(tsr_status_invalid_parameter, "%s: spatial_ndims is %d; must be 1, 2 or 3",
                     where, (int)p->spatial_ndims);
  if (p->in_channels < 1 || p->out_channels < 1 || p->in_channels > TSR_CONV_MAX_EXTENT ||
      p->out_channels > TSR_CONV_MAX_EXTENT)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: in_channels (%lld) and out_channels (%lld) must be 1 to 2^40", where,
                     (long long)p->in_channels, (long long)p->out_channels);
  if (p->groups < 1 || p->in_channels % p->groups != 0 || p->out_channels % p->groups != 0)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: groups is %lld; must be at least 1 and divide in_channels (%lld) and "
                     "out_channels (%lld)", where, (long long)p->groups, (long long)p->in_channels,
                     (long long)p->out_channels);
  if (p->padding_mode != tsr_padding_explicit && p->padding_mode != tsr_padding_same &&
      p->padding_mode != tsr_padding_valid)
    return tsr_error(tsr_status_invalid_parameter, "%s: padding_mode %d is not a tsr_padding_mode",
                     where, (int)p->padding_mode);
  for (int32_t d = 0; d < p->spatial_ndims; d++) {
    static const char* const what[] = {"kernel", "stride", "dilation"};
    const int64_t values[] = {p->kernel[d], p->stride[d], p->dilation[d]};
    for (int v = 0; v < 3; v++)
      if (values[v] < 1 || values[v] > TSR_CONV_MAX_EXTENT)
        return tsr_error(tsr_status_invalid_parameter, "%s: %s[%d] is %lld; must be 1 to 2^40",
                         where, what[v], (int)d, (long long)values[v]);
    if (p->dilation[d] > TSR_CONV_MAX_EXTENT / p->kernel[d])
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: dilation[%d] x kernel[%d] overflows (more than 2^40)", where, (int)d, (int)d);
    if (p->padding_mode == tsr_padding_explicit &&
        (p->padding_begin[d] < 0 || p->padding_end[d] < 0 || p->padding_begin[d] > TSR_CONV_MAX_EXTENT ||
         p->padding_end[d] > TSR_CONV_MAX_EXTENT))
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: padding_begin[%d] and padding_end[%d] are %lld and %lld; must be 0 to 2^40",
                       where, (int)d, (int)d, (long long)p->padding_begin[d], (long long)p->padding_end[d]);
  }
  if (p->algorithm != tsr_conv_algorithm_auto && p->algorithm != tsr_conv_algorithm_direct &&
      p->algorithm != tsr_conv_algorithm_winograd)
    return tsr_error(tsr_status_invalid_parameter, "%s: algorithm %d is not a tsr_conv_algorithm", where,
                     (int)p->algorithm);
  size_t weights;
  size_t taps = 1;
  for (int32_t d = 0; d < p->spatial_ndims; d++)
    if (!tsr_mul_size(taps, (size_t)p->kernel[d], &taps))
      return tsr_error(tsr_status_invalid_parameter, "%s: the kernel size overflows", where);
  if (!tsr_mul_size((size_t)p->out_channels, (size_t)(p->in_channels / p->groups), &weights) ||
      !tsr_mul_size(weights, taps, &weights) || weights > SIZE_MAX / 8)
    return tsr_error(tsr_status_invalid_parameter, "%s: the weights' size overflows", where);
  char name[32];
  snprintf(name, sizeof(name), "%s: activation", where);
  return tsr_activation_check(&p->activation, name);
}

tsr_status tsr_conv_check_input(const tsr_conv_params* p, int32_t ndims, const int64_t* input_dims,
                                const char* where) {
  if (ndims != p->spatial_ndims + 2)
    return tsr_error(tsr_status_invalid_parameter, "%s: ndims is %d; a %d-D convolution takes %d",
                     where, (int)ndims, (int)p->spatial_ndims, (int)p->spatial_ndims + 2);
  for (int32_t d = 0; d < ndims; d++)
    if (input_dims[d] < 1 || input_dims[d] > TSR_CONV_MAX_EXTENT)
      return tsr_error(tsr_status_invalid_parameter, "%s: input_dims[%d] is %lld; must be 1 to 2^40",
                       where, (int)d, (long long)input_dims[d]);
  if (input_dims[1] != p->in_channels)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: the input has %lld channels; the convolution takes %lld", where,
                     (long long)input_dims[1], (long long)p->in_channels);
  return tsr_status_success;
}

/* Padding and output extent of spatial dim d for input extent `in`; false when no output. */
static bool tsr_conv_extent(const tsr_conv_params* p, int32_t d, int64_t in, int64_t* pad_begin,
                            int64_t* out) {
  const int64_t span = p->dilation[d] * (p->kernel[d] - 1) + 1;
  int64_t begin = 0, end = 0;
  if (p->padding_mode == tsr_padding_explicit) {
    begin = p->padding_begin[d];
    end = p->padding_end[d];
  } else if (p->padding_mode == tsr_padding_same) {
    const int64_t wanted = (in + p->stride[d] - 1) / p->stride[d];
    int64_t total = (wanted - 1) * p->stride[d] + span - in;
    if (total < 0) total = 0;
    begin = total / 2;
    end = total - begin;
  }
  const int64_t padded = in + begin + end;
  *pad_begin = begin;
  if (padded < span) return false;
  *out = (padded - span) / p->stride[d] + 1;
  return true;
}

tsr_status tsr_conv_output_shape(const tsr_conv_params* p, int32_t ndims, const int64_t* input_dims,
                                 int64_t* output_dims) {
  static const char where[] = "tsr_conv_output_shape";
  if (p == NULL || input_dims == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: params, input_dims or output_dims is NULL", where);
  tsr_status status = tsr_conv_check_params(p, where);
  if (status == tsr_status_success) status = tsr_conv_check_input(p, ndims, input_dims, where);
  if (status != tsr_status_success) return status;
  int64_t out[5] = {input_dims[0], p->out_channels};
  for (int32_t d = 0; d < p->spatial_ndims; d++) {
    int64_t pad;
    if (!tsr_conv_extent(p, d, input_dims[2 + d], &pad, &out[2 + d]))
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: spatial dim %d: the dilated kernel (%lld) is larger than the padded "
                       "input; the output would be empty", where, (int)d,
                       (long long)(p->dilation[d] * (p->kernel[d] - 1) + 1));
  }
  memcpy(output_dims, out, sizeof(int64_t) * (size_t)ndims);
  return tsr_status_success;
}

struct tsr_conv_call {
  const struct tsr_conv_op* op;
  struct tsr_conv_geometry g;
  const float* x;
  float* y;
};

static void tsr_conv_plane(void* context, size_t thread, size_t n, size_t o) {
  (void)thread;
  const struct tsr_conv_call* call = context;
  tsr_reference_conv_plane_f32(&call->g, call->x, call->op->weights, call->op->bias,
                               call->op->activation, call->op->params.sum_scale, call->y, n, o);
}

/* Checks x and y against the op and fills the geometry: shared by the forward and backward runs
 * (the backward pass takes dy shaped like y and writes dx shaped like x). */
static tsr_status tsr_conv_geometry_for(const tsr_conv_params* p, const tsr_tensor_desc* x,
                                        const tsr_tensor_desc* y, const char* where,
                                        struct tsr_conv_geometry* g) {
  int64_t expected[5] = {0};
  const tsr_status status = tsr_spatial_pair_check(
      x, y, tsr_conv_output_shape(p, x->ndims, x->dims, expected), expected, where);
  if (status != tsr_status_success) return status;
  int64_t pads[3] = {0};
  for (int32_t k = 0; k < p->spatial_ndims; k++) {
    int64_t out = 1; /* output_shape above proved the extent exists */
    tsr_conv_extent(p, k, x->dims[2 + k], &pads[k], &out);
  }
  tsr_conv_geometry_fill(p, false, x, y, pads, g);
  return tsr_status_success;
}

void tsr_conv_geometry_fill(const tsr_conv_params* p, bool transposed, const tsr_tensor_desc* in,
                            const tsr_tensor_desc* out, const int64_t* pads, struct tsr_conv_geometry* g) {
  const int32_t spatial = p->spatial_ndims, skip = 3 - spatial;
  g->n = (size_t)in->dims[0];
  g->ic = (size_t)(transposed ? p->out_channels : p->in_channels);
  g->oc = (size_t)(transposed ? p->in_channels : p->out_channels);
  g->groups = (size_t)p->groups;
  for (int32_t k = 0; k < 3; k++) {
    g->in[k] = g->out[k] = g->kernel[k] = g->stride[k] = g->dilation[k] = 1;
    g->pad[k] = 0;
  }
  for (int32_t k = 0; k < spatial; k++) {
    g->in[skip + k] = (size_t)in->dims[2 + k];
    g->out[skip + k] = (size_t)out->dims[2 + k];
    g->kernel[skip + k] = (size_t)p->kernel[k];
    g->stride[skip + k] = (size_t)p->stride[k];
    g->dilation[skip + k] = (size_t)p->dilation[k];
    g->pad[skip + k] = pads[k];
  }
  tsr_spatial_strides(in, spatial, &g->x_n, &g->x_c, g->x_s);
  tsr_spatial_strides(out, spatial, &g->y_n, &g->y_c, g->y_s);
}

/* A first layer: plain or nhwc x, channel-blocked y (the image into a blocked chain). y's shape is
 * checked on a view of its dims in x's layout. */
static tsr_status tsr_conv_run_first_layer(const struct tsr_conv_op* op, const tsr_tensor* x, const tsr_tensor* y,
                                           tsr_threadpool* pool, const char* where) {
  tsr_tensor_desc yv = y->desc;
  yv.layout = x->desc.layout; /* dims only: the geometry's y strides are not used */
  struct tsr_conv_geometry g;
  const tsr_status status = tsr_conv_geometry_for(&op->params, &x->desc, &yv, where, &g);
  if (status != tsr_status_success) return status;
  if (!tsr_conv_first_layer_supported(op->fast, &g))
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: a %s inputs[0] with a blocked outputs[0] runs convolutions of one group (this op is %s); "
                     "give both tensors one layout", where, tsr_layout_name(x->desc.layout),
                     g.groups > 1 ? "grouped" : "forced to the reference loop");
  const size_t block = tsr_layout_channel_block(y->desc.layout);
  if (tsr_conv_first_layer_run(op->fast, &g, x->desc.layout == tsr_layout_nhwc, block, x->data, y->data, pool) !=
      tsr_status_success)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  tsr_tensor_zero_channel_padding(&y->desc, y->data);
  return tsr_status_success;
}

/* Channel-blocked x and y (nChw4c/8c/16c, one layout for both): the shapes are checked on plain
 * views of the same dims, then the blocked direct convolution runs. A plain or nhwc x with a
 * blocked y is a first layer (above). */
static tsr_status tsr_conv_run_blocked(const struct tsr_conv_op* op, const tsr_tensor* x, const tsr_tensor* y,
                                       tsr_threadpool* pool, const char* where) {
  const bool x_blocked = tsr_layout_channel_block(x->desc.layout) > 1;
  if (!x_blocked && (x->desc.layout == tsr_layout_plain || x->desc.layout == tsr_layout_nhwc))
    return tsr_conv_run_first_layer(op, x, y, pool, where);
  if (y->desc.layout != x->desc.layout)
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: a blocked %s (%s) needs %s in %s (got %s)", where, x_blocked ? "inputs[0]" : "outputs[0]",
                     tsr_layout_name(x_blocked ? x->desc.layout : y->desc.layout), x_blocked ? "outputs[0]" : "inputs[0]",
                     x_blocked ? "the same layout" : "the same layout, plain or nhwc",
                     tsr_layout_name(x_blocked ? y->desc.layout : x->desc.layout));
  tsr_tensor_desc xv = x->desc, yv = y->desc;
  xv.layout = yv.layout = tsr_layout_plain; /* dims only: the geometry's strides are not used */
  struct tsr_conv_geometry g;
  const tsr_status status = tsr_conv_geometry_for(&op->params, &xv, &yv, where, &g);
  if (status != tsr_status_success) return status;
  if (!tsr_conv_blocked_supported(op->fast, &g))
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: blocked layouts run depthwise convolutions and those of one group (this op is %s); "
                     "reorder to nhwc with tsr_identity_create", where,
                     g.groups > 1 ? "grouped" : "forced to the reference loop");
  const size_t block = tsr_layout_channel_block(x->desc.layout);
  if (tsr_conv_blocked_run(op->fast, &g, block, x->data, y->data, pool) != tsr_status_success)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  tsr_tensor_zero_channel_padding(&y->desc, y->data);
  return tsr_status_success;
}

static tsr_status tsr_conv_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                               const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_conv_op* op = (const struct tsr_conv_op*)base;
  if (tsr_layout_channel_block(inputs[0].desc.layout) > 1 || tsr_layout_channel_block(outputs[0].desc.layout) > 1)
    return tsr_conv_run_blocked(op, &inputs[0], &outputs[0], pool, "tsr_op_run(conv)");
  struct tsr_conv_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data};
  const tsr_status status = tsr_conv_geometry_for(&op->params, &inputs[0].desc, &outputs[0].desc,
                                                  "tsr_op_run(conv)", &call.g);
  if (status != tsr_status_success) return status;
  if (op->fast->path != tsr_conv_path_reference)
    return tsr_conv_fast_run(op->fast, &call.g, inputs[0].desc.layout == tsr_layout_nhwc, call.x, call.y, pool,
                             "tsr_op_run(conv)");
  tsr_parallelize_2d(pool, tsr_conv_plane, &call, call.g.n, call.g.oc);
  return tsr_status_success;
}

void tsr_conv_release(tsr_op* base) {
  struct tsr_conv_op* op = (struct tsr_conv_op*)base;
  if (op->fast != NULL) tsr_conv_fast_release(op->fast);
  free(op->fast);
  tsr_conv_data_gradient_release(&op->gradient);
  free(op->weights);
  free(op->bias);
}

static const struct tsr_op_vtable tsr_conv_vtable = {
    .run = tsr_conv_run, .release = tsr_conv_release, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_conv_op_new(const tsr_conv_params* params, const float* weights, const float* bias,
                           size_t bias_count, tsr_op_kind kind, const struct tsr_op_vtable* vtable,
                           const char* where, tsr_op** op, struct tsr_conv_op** made) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (params == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: params is NULL", where);
  if (weights == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: weights is NULL", where);
  const tsr_status status = tsr_conv_check_params(params, where);
  if (status != tsr_status_success) return status;
  size_t count = (size_t)params->out_channels * (size_t)(params->in_channels / params->groups);
  for (int32_t d = 0; d < params->spatial_ndims; d++) count *= (size_t)params->kernel[d];
  struct tsr_conv_op* created = (struct tsr_conv_op*)tsr_op_alloc(sizeof(struct tsr_conv_op), kind, vtable);
  if (created != NULL) {
    created->weights = malloc(count * sizeof(float));
    if (bias != NULL) created->bias = malloc(bias_count * sizeof(float));
  }
  if (created == NULL || created->weights == NULL || (bias != NULL && created->bias == NULL)) {
    tsr_op_destroy(created ? &created->base : NULL);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  }
  memcpy(created->weights, weights, count * sizeof(float));
  if (bias != NULL) memcpy(created->bias, bias, bias_count * sizeof(float));
  created->params = *params;
  created->activation = params->activation.kind == tsr_activation_none ? NULL : &created->params.activation;
  created->reference = tsr_conv_forced("reference");
  *made = created;
  return tsr_status_success;
}

tsr_status tsr_conv_data_gradient_pack(struct tsr_conv_op* op, bool transposed, const char* where) {
  const tsr_conv_params* p = &op->params;
  size_t taps = 1;
  for (int32_t d = 0; d < p->spatial_ndims; d++) taps *= (size_t)p->kernel[d];
  /* the convolution whose data gradient runs: transposed, its output channels are the op's input's */
  const size_t oc = (size_t)(transposed ? p->in_channels : p->out_channels);
  const size_t ic = (size_t)(transposed ? p->out_channels : p->in_channels);
  return tsr_conv_data_gradient_init(&op->gradient, oc, ic, (size_t)p->groups, taps, op->weights, where);
}

tsr_status tsr_conv_create(const tsr_conv_params* params, const float* weights, const float* bias,
                           tsr_op** op) {
  struct tsr_conv_op* created = NULL;
  const tsr_status status =
      tsr_conv_op_new(params, weights, bias, params ? (size_t)params->out_channels : 0, tsr_op_kind_conv,
                      &tsr_conv_vtable, "tsr_conv_create", op, &created);
  if (status != tsr_status_success) return status;
  struct tsr_conv_fast* fast = calloc(1, sizeof(*fast));
  created->fast = fast;
  const tsr_status prepared = fast == NULL ? tsr_error(tsr_status_out_of_memory, "tsr_conv_create: out of memory")
                                           : tsr_conv_fast_init(fast, params, created->weights, created->bias,
                                                                "tsr_conv_create");
  if (prepared != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return prepared;
  }
  if (fast->path == tsr_conv_path_igemm || fast->path == tsr_conv_path_dwconv ||
      fast->path == tsr_conv_path_winograd) {
    free(created->weights); /* packed (igemm and dwconv with the bias; blocked runs re-pad those
                               panels): the plain copies would only add to the memory */
    created->weights = NULL;
    if (fast->path != tsr_conv_path_winograd) { /* winograd adds the bias in its output transform */
      free(created->bias);
      created->bias = NULL;
    }
  }
  char act[64];
  tsr_activation_describe(&params->activation, act, sizeof(act));
  static const char* const modes[] = {"explicit", "same", "valid"};
  static const char* const algorithms[] = {"reference", "gemm", "igemm", "dwconv", "winograd"};
  snprintf(created->base.description, sizeof(created->base.description),
           "conv%dd:ic%lld oc%lld g%lld k%lld pad=%s %s impl=%s:%s isa=%s", (int)params->spatial_ndims,
           (long long)params->in_channels, (long long)params->out_channels, (long long)params->groups,
           (long long)params->kernel[params->spatial_ndims - 1], modes[params->padding_mode], act,
           algorithms[fast->path], fast->kernel_name, tsr_isa_name(fast->isa));
  const size_t used = strlen(created->base.description); /* what nChw<b>c tensors run */
  if (fast->path == tsr_conv_path_dwconv || fast->path == tsr_conv_path_winograd)
    snprintf(created->base.description + used, sizeof(created->base.description) - used, " blocked=%s",
             algorithms[fast->path]);
  else if (fast->igemm != NULL && params->groups == 1)
    snprintf(created->base.description + used, sizeof(created->base.description) - used, " blocked=igemm%zux%zu",
             fast->mr, fast->nr);
  *op = &created->base;
  return tsr_status_success;
}

/* ---- backward ---- */

struct tsr_conv_backward_call {
  const struct tsr_conv_op* op;
  struct tsr_conv_geometry g;
  const float *x, *dy;
  float *dx, *dw, *db;
};

static void tsr_conv_backward_data(void* context, size_t thread, size_t n, size_t i) {
  (void)thread;
  const struct tsr_conv_backward_call* c = context;
  tsr_reference_conv_backward_data_plane_f32(&c->g, c->dy, c->op->weights, NULL, NULL, 0.0f, c->dx, n, i);
}

static void tsr_conv_backward_weights(void* context, size_t thread, size_t o) {
  (void)thread;
  const struct tsr_conv_backward_call* c = context;
  tsr_reference_conv_backward_weights_f32(&c->g, c->x, c->dy, c->dw, c->db, o);
}

static tsr_status tsr_conv_backward_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                        const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(conv_backward)";
  const struct tsr_conv_op* op = (const struct tsr_conv_op*)base;
  struct tsr_conv_backward_call call = {.op = op, .x = inputs[0].data, .dy = inputs[1].data,
                                        .dx = outputs[0].data, .dw = outputs[1].data,
                                        .db = num_outputs > 2 ? outputs[2].data : NULL};
  tsr_status status = tsr_conv_geometry_for(&op->params, &inputs[0].desc, &inputs[1].desc, where, &call.g);
  if (status != tsr_status_success) return status;
  if (!tsr_tensor_desc_same_shape(&inputs[0].desc, &outputs[0].desc) || outputs[0].desc.layout != inputs[0].desc.layout)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[0] (dx) must have x's dims and layout", where);
  size_t taps = 1;
  for (int32_t d = 0; d < op->params.spatial_ndims; d++) taps *= (size_t)op->params.kernel[d];
  const size_t weights = (size_t)op->params.out_channels * (size_t)(op->params.in_channels / op->params.groups) * taps;
  if (outputs[1].desc.dtype != tsr_dtype_f32 || tsr_tensor_desc_elements(&outputs[1].desc) != weights)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[1] (dW) must be %zu f32 values", where, weights);
  if (num_outputs > 2 && (outputs[2].desc.dtype != tsr_dtype_f32 ||
                          tsr_tensor_desc_elements(&outputs[2].desc) != (size_t)op->params.out_channels))
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[2] (db) must be %lld f32 values", where,
                     (long long)op->params.out_channels);
  if (op->reference || !tsr_conv_data_gradient_fits(&call.g)) {
    tsr_parallelize_2d(pool, tsr_conv_backward_data, &call, call.g.n, call.g.ic);
    tsr_parallelize_1d(pool, tsr_conv_backward_weights, &call, call.g.oc);
    return tsr_status_success;
  }
  /* dW's rows first: out of memory there must leave dx untouched too */
  struct tsr_conv_weight_gradient_rows rows;
  status = tsr_conv_weight_gradient_reserve(&call.g, &rows, where);
  if (status != tsr_status_success) return status;
  status = tsr_conv_data_gradient_run(&call.g, call.dy, &op->gradient, NULL, NULL, 0.0f, call.dx, pool, where);
  if (status == tsr_status_success)
    status = tsr_conv_weight_gradient_run(&call.g, &rows, call.x, call.dy, call.dw, call.db, pool, where);
  tsr_conv_weight_gradient_release(&rows);
  return status;
}

static const struct tsr_op_vtable tsr_conv_backward_vtable = {
    .run = tsr_conv_backward_run, .release = tsr_conv_release, .num_inputs = 2, .num_outputs = 3,
    .min_outputs = 2};

tsr_status tsr_conv_backward_create(const tsr_conv_params* params, const float* weights, tsr_op** op) {
  tsr_conv_params linear; /* the convolution's own gradient: no activation, no sum */
  if (params != NULL) {
    linear = *params;
    linear.activation = (tsr_activation){tsr_activation_none, 0.0f, 0.0f};
    linear.sum_scale = 0.0f;
  }
  struct tsr_conv_op* created = NULL;
  tsr_status status = tsr_conv_op_new(params ? &linear : NULL, weights, NULL, 0, tsr_op_kind_conv_backward,
                                      &tsr_conv_backward_vtable, "tsr_conv_backward_create", op, &created);
  if (status != tsr_status_success) return status;
  if (!created->reference &&
      (status = tsr_conv_data_gradient_pack(created, false, "tsr_conv_backward_create")) != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return status;
  }
  /* a 1x1 layer at stride 1 without padding needs no im2col (dW reads x in place) and, plain,
   * no col2im (dx is one GEMM a sample) */
  bool pointwise = true;
  for (int32_t d = 0; d < linear.spatial_ndims; d++)
    pointwise = pointwise && linear.kernel[d] == 1 && linear.stride[d] == 1 &&
                (linear.padding_mode != tsr_padding_explicit ||
                 (linear.padding_begin[d] == 0 && linear.padding_end[d] == 0));
  snprintf(created->base.description, sizeof(created->base.description),
           "conv%dd backward:ic%lld oc%lld g%lld k%lld impl=%s isa=%s", (int)linear.spatial_ndims,
           (long long)linear.in_channels, (long long)linear.out_channels, (long long)linear.groups,
           (long long)linear.kernel[linear.spatial_ndims - 1],
           created->reference ? "reference_f64" : pointwise ? "gemm_1x1" : "gemm+col2im+im2col",
           created->reference ? "scalar" : tsr_conv_data_gradient_isa());
  *op = &created->base;
  return tsr_status_success;
}
