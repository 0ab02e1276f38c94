/* Separable convolution: a depthwise convolution op and a pointwise (1x1) convolution op run one
 * after the other through an intermediate allocated per run. Keeping the two parts as ordinary
 * convolution ops means each gets whatever fast path convolution gets; fusing them (the
 * intermediate kept in cache, tile by tile) is a fast-path change behind this API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"

struct tsr_separable_conv_op {
  struct tsr_op base;
  tsr_separable_conv_params params;
  tsr_op* depthwise;
  tsr_op* pointwise;
};

/* The pointwise part's parameters: a 1x1 convolution over the depthwise part's output. */
static tsr_conv_params tsr_pointwise_params(const tsr_separable_conv_params* p) {
  tsr_conv_params pw;
  memset(&pw, 0, sizeof(pw));
  pw.spatial_ndims = p->depthwise.spatial_ndims;
  pw.in_channels = p->depthwise.out_channels;
  pw.out_channels = p->out_channels;
  pw.groups = 1;
  for (int d = 0; d < 3; d++) pw.kernel[d] = pw.stride[d] = pw.dilation[d] = 1;
  pw.padding_mode = tsr_padding_valid;
  pw.activation = p->activation;
  pw.sum_scale = p->sum_scale;
  return pw;
}

static tsr_status tsr_separable_check(const tsr_separable_conv_params* p, const char* where) {
  if (p->depthwise.groups != p->depthwise.in_channels)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: depthwise.groups (%lld) must equal depthwise.in_channels (%lld)", where,
                     (long long)p->depthwise.groups, (long long)p->depthwise.in_channels);
  if (p->depthwise.sum_scale != 0.0f)
    return tsr_error(tsr_status_invalid_parameter, "%s: depthwise.sum_scale must be 0 (sum_scale applies to the output)",
                     where);
  if (p->out_channels < 1)
    return tsr_error(tsr_status_invalid_parameter, "%s: out_channels is %lld; must be at least 1", where,
                     (long long)p->out_channels);
  return tsr_status_success;
}

tsr_status tsr_separable_conv_output_shape(const tsr_separable_conv_params* p, int32_t ndims,
                                           const int64_t* input_dims, int64_t* output_dims) {
  static const char where[] = "tsr_separable_conv_output_shape";
  if (p == NULL || output_dims == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: params or output_dims is NULL", where);
  tsr_status status = tsr_separable_check(p, where);
  int64_t dims[5];
  if (status == tsr_status_success) status = tsr_conv_output_shape(&p->depthwise, ndims, input_dims, dims);
  if (status != tsr_status_success) return status;
  const tsr_conv_params pw = tsr_pointwise_params(p);
  status = tsr_conv_output_shape(&pw, ndims, dims, dims);
  if (status == tsr_status_success) memcpy(output_dims, dims, sizeof(int64_t) * (size_t)ndims);
  return status;
}

static tsr_status tsr_separable_conv_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                         const tsr_tensor* outputs, tsr_threadpool* pool) {
  (void)num_outputs;
  static const char where[] = "tsr_op_run(separable_conv)";
  const struct tsr_separable_conv_op* op = (const struct tsr_separable_conv_op*)base;
  const tsr_tensor_desc *x = &inputs[0].desc, *y = &outputs[0].desc;
  int64_t expected[5] = {0};
  tsr_status status = tsr_spatial_pair_check(
      x, y, tsr_separable_conv_output_shape(&op->params, x->ndims, x->dims, expected), expected, where);
  if (status != tsr_status_success) return status;
  int64_t middle_dims[5];
  tsr_conv_output_shape(&op->params.depthwise, x->ndims, x->dims, middle_dims);
  tsr_tensor middle = {0};
  status = tsr_tensor_desc_init(&middle.desc, tsr_dtype_f32, x->layout, x->ndims, middle_dims);
  if (status != tsr_status_success) return status;
  middle.data = malloc(tsr_tensor_desc_bytes(&middle.desc));
  if (middle.data == NULL)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the %zu-byte intermediate", where,
                     tsr_tensor_desc_bytes(&middle.desc));
  status = tsr_op_run(op->depthwise, 1, inputs, 1, &middle, pool);
  if (status == tsr_status_success) status = tsr_op_run(op->pointwise, 1, &middle, 1, outputs, pool);
  free(middle.data);
  return status;
}

static void tsr_separable_conv_release(tsr_op* base) {
  struct tsr_separable_conv_op* op = (struct tsr_separable_conv_op*)base;
  tsr_op_destroy(op->depthwise);
  tsr_op_destroy(op->pointwise);
}

static const struct tsr_op_vtable tsr_separable_conv_vtable = {
    .run = tsr_separable_conv_run, .release = tsr_separable_conv_release, .num_inputs = 1, .num_outputs = 1};

/* Re-attributes a part's creation failure to the separable create, naming the part. */
static tsr_status tsr_separable_part_error(tsr_status status, const char* part) {
  char detail[512];
  snprintf(detail, sizeof(detail), "%s", tsr_last_error_message());
  return tsr_error(status, "tsr_separable_conv_create: %s part: %s", part, detail);
}

tsr_status tsr_separable_conv_create(const tsr_separable_conv_params* params, const float* depthwise_weights,
                                     const float* depthwise_bias, const float* pointwise_weights, const float* bias,
                                     tsr_op** op) {
  static const char where[] = "tsr_separable_conv_create";
  if (op == NULL || params == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: op or params is NULL", where);
  if (depthwise_weights == NULL || pointwise_weights == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: depthwise_weights or pointwise_weights is NULL", where);
  tsr_status status = tsr_separable_check(params, where);
  if (status != tsr_status_success) return status;
  struct tsr_separable_conv_op* created = (struct tsr_separable_conv_op*)tsr_op_alloc(
      sizeof(struct tsr_separable_conv_op), tsr_op_kind_separable_conv, &tsr_separable_conv_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->params = *params;
  const tsr_conv_params pw = tsr_pointwise_params(params);
  status = tsr_conv_create(&params->depthwise, depthwise_weights, depthwise_bias, &created->depthwise);
  if (status != tsr_status_success) {
    status = tsr_separable_part_error(status, "depthwise");
  } else {
    status = tsr_conv_create(&pw, pointwise_weights, bias, &created->pointwise);
    if (status != tsr_status_success) status = tsr_separable_part_error(status, "pointwise");
  }
  if (status != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return status;
  }
  snprintf(created->base.description, sizeof(created->base.description),
           "separable_conv%dd:ic%lld x%lld oc%lld k%lld = [%.40s] + [1x1]", (int)params->depthwise.spatial_ndims,
           (long long)params->depthwise.in_channels,
           (long long)(params->depthwise.out_channels / params->depthwise.in_channels), (long long)params->out_channels,
           (long long)params->depthwise.kernel[params->depthwise.spatial_ndims - 1],
           tsr_op_describe(created->depthwise));
  *op = &created->base;
  return tsr_status_success;
}
