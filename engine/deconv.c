/* Transposed convolution 1-D to 3-D. Its forward pass is the data gradient of the convolution
 * that maps its output shape back to its input shape, with the same weights: so it runs that
 * data gradient (GEMM + col2im, conv-data-gradient.c; the reference backward-data loop under
 * TESSERA_CONV=reference or for strided layouts), with input and output swapped in the
 * geometry, plus a bias, the fused activation and the sum. Weights are PyTorch's ConvTranspose layout
 * [in_channels][out_channels / groups][kernel...], which is that convolution's own
 * [out][in / groups][kernel...]. */
#include <stdio.h>
#include <string.h>

#include "engine/activation.h"
#include "engine/conv-data-gradient.h"
#include "engine/conv.h"
#include "engine/error.h"
#include "engine/tensor.h"
#include "kernels/reference/conv-reference.h"
#include "threadpool/threadpool.h"

static tsr_status tsr_deconv_check_output_padding(const tsr_conv_params* p, const int64_t* output_padding,
                                                  const char* where) {
  if (output_padding == NULL) return tsr_status_success;
  for (int32_t d = 0; d < p->spatial_ndims; d++) {
    const int64_t limit = p->stride[d] > p->dilation[d] ? p->stride[d] : p->dilation[d];
    if (output_padding[d] < 0 || output_padding[d] >= limit)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: output_padding[%d] is %lld; must be 0 to max(stride, dilation) - 1 = %lld",
                       where, (int)d, (long long)output_padding[d], (long long)(limit - 1));
  }
  return tsr_status_success;
}

/* Begin padding and output extent of spatial dim d for input extent `in` (at most 2^40, as
 * every parameter); false, with a message, when the output would be empty or too large. */
static bool tsr_deconv_extent(const tsr_conv_params* p, const int64_t* output_padding, int32_t d,
                              int64_t in, int64_t* pad_begin, int64_t* out, const char* where) {
  const int64_t span = p->dilation[d] * (p->kernel[d] - 1) + 1, extra = output_padding ? output_padding[d] : 0;
  if (in - 1 > TSR_CONV_MAX_EXTENT / p->stride[d]) {
    tsr_error(tsr_status_invalid_parameter, "%s: spatial dim %d: (input - 1) x stride overflows", where, (int)d);
    return false;
  }
  int64_t begin = 0, end = 0, extent;
  if (p->padding_mode == tsr_padding_same) { /* the gradient of a same convolution of in x stride */
    extent = in * p->stride[d];
    begin = span > p->stride[d] ? (span - p->stride[d]) / 2 : 0;
  } else {
    if (p->padding_mode == tsr_padding_explicit) begin = p->padding_begin[d], end = p->padding_end[d];
    extent = (in - 1) * p->stride[d] + span - begin - end;
  }
  extent += extra;
  if (extent < 1) {
    tsr_error(tsr_status_invalid_parameter,
              "%s: spatial dim %d: the output size would be %lld (the padding removes more than the "
              "input and kernel give); it must be at least 1", where, (int)d, (long long)extent);
    return false;
  }
  *pad_begin = begin;
  *out = extent;
  return true;
}

tsr_status tsr_deconv_output_shape(const tsr_conv_params* p, const int64_t* output_padding, int32_t ndims,
                                   const int64_t* input_dims, int64_t* output_dims) {
  static const char where[] = "tsr_deconv_output_shape";
  if (p == NULL || input_dims == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: params, input_dims or output_dims is NULL", where);
  tsr_status status = tsr_conv_check_params(p, where);
  if (status == tsr_status_success) status = tsr_deconv_check_output_padding(p, output_padding, where);
  if (status != tsr_status_success) return status;
  status = tsr_conv_check_input(p, ndims, input_dims, where);
  if (status != tsr_status_success) return status;
  int64_t out[5] = {input_dims[0], p->out_channels};
  for (int32_t d = 0; d < p->spatial_ndims; d++) {
    int64_t pad;
    if (!tsr_deconv_extent(p, output_padding, d, input_dims[2 + d], &pad, &out[2 + d], where))
      return tsr_status_invalid_parameter;
  }
  memcpy(output_dims, out, sizeof(int64_t) * (size_t)ndims);
  return tsr_status_success;
}

struct tsr_deconv_call {
  const struct tsr_conv_op* op;
  struct tsr_conv_geometry g; /* of the convolution whose data gradient this is */
  const float* x;
  float* y;
};

static void tsr_deconv_plane(void* context, size_t thread, size_t n, size_t o) {
  (void)thread;
  const struct tsr_deconv_call* c = context;
  tsr_reference_conv_backward_data_plane_f32(&c->g, c->x, c->op->weights, c->op->bias, c->op->activation,
                                             c->op->params.sum_scale, c->y, n, o);
}

static tsr_status tsr_deconv_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                 const tsr_tensor* outputs, tsr_threadpool* pool) {
  (void)num_outputs;
  static const char where[] = "tsr_op_run(deconv)";
  const struct tsr_conv_op* op = (const struct tsr_conv_op*)base;
  const tsr_conv_params* p = &op->params;
  const tsr_tensor_desc *x = &inputs[0].desc, *y = &outputs[0].desc;
  int64_t expected[5] = {0};
  const tsr_status status = tsr_spatial_pair_check(
      x, y, tsr_deconv_output_shape(p, op->output_padding, x->ndims, x->dims, expected), expected, where);
  if (status != tsr_status_success) return status;
  /* the convolution seen from the other side: its input is y, its output x */
  struct tsr_deconv_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data};
  int64_t pads[3] = {0};
  for (int32_t k = 0; k < p->spatial_ndims; k++) {
    int64_t extent = 1; /* output_shape above proved the extent exists */
    tsr_deconv_extent(p, op->output_padding, k, x->dims[2 + k], &pads[k], &extent, where);
  }
  tsr_conv_geometry_fill(p, true, y, x, pads, &call.g);
  if (!op->reference && tsr_conv_data_gradient_fits(&call.g))
    return tsr_conv_data_gradient_run(&call.g, call.x, &op->gradient, op->bias, op->activation, p->sum_scale,
                                      call.y, pool, where);
  tsr_parallelize_2d(pool, tsr_deconv_plane, &call, call.g.n, call.g.ic);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_deconv_vtable = {
    .run = tsr_deconv_run, .release = tsr_conv_release, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_deconv_create(const tsr_conv_params* params, const int64_t* output_padding, const float* weights,
                             const float* bias, tsr_op** op) {
  static const char where[] = "tsr_deconv_create";
  struct tsr_conv_op* created = NULL;
  tsr_status status = tsr_conv_op_new(params, weights, bias, params ? (size_t)params->out_channels : 0,
                                      tsr_op_kind_deconv, &tsr_deconv_vtable, where, op, &created);
  if (status != tsr_status_success) return status;
  status = tsr_deconv_check_output_padding(params, output_padding, where);
  if (status != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return status;
  }
  if (!created->reference && (status = tsr_conv_data_gradient_pack(created, true, where)) != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return status;
  }
  if (output_padding != NULL)
    memcpy(created->output_padding, output_padding, sizeof(int64_t) * (size_t)params->spatial_ndims);
  char act[64];
  tsr_activation_describe(&params->activation, act, sizeof(act));
  static const char* const modes[] = {"explicit", "same", "valid"};
  snprintf(created->base.description, sizeof(created->base.description),
           "deconv%dd:ic%lld oc%lld g%lld k%lld s%lld pad=%s %s impl=%s isa=%s",
           (int)params->spatial_ndims, (long long)params->in_channels, (long long)params->out_channels,
           (long long)params->groups, (long long)params->kernel[params->spatial_ndims - 1],
           (long long)params->stride[params->spatial_ndims - 1], modes[params->padding_mode], act,
           created->reference ? "reference_f64" : "gemm+col2im",
           created->reference ? "scalar" : tsr_conv_data_gradient_isa());
  *op = &created->base;
  return tsr_status_success;
}
