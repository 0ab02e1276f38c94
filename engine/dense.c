/* The dense layer: weights packed once for the GEMM engine at creation; each run is one GEMM
 * over all rows of x with the bias as the accumulators' start and the activation in the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/activation.h"
#include "engine/error.h"
#include "engine/gemm.h"
#include "engine/op.h"
#include "engine/tensor.h"

struct tsr_dense_op {
  struct tsr_op base;
  size_t in_features, out_features;
  struct tsr_gemm_packed_b weights;
  float* bias; /* out_features, or NULL */
  struct tsr_activation_impl activation;
  struct tsr_f32_minmax_params clamp; /* the GEMM's store clamp, for none / relu / clamp */
};

/* Rows of x: the product of every dim but the last. */
static tsr_status tsr_dense_check_tensor(const tsr_tensor_desc* d, size_t features,
                                         const char* name) {
  if (d->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "tsr_op_run(dense): %s must be f32", name);
  if (d->layout != tsr_layout_plain)
    return tsr_error(tsr_status_unsupported_parameter,
                     "tsr_op_run(dense): %s must have the plain layout, not %s", name,
                     tsr_layout_name(d->layout));
  if ((size_t)d->dims[d->ndims - 1] != features)
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_op_run(dense): %s's last dim is %lld; the layer has %zu features", name,
                     (long long)d->dims[d->ndims - 1], features);
  return tsr_status_success;
}

static tsr_status tsr_dense_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_dense_op* op = (const struct tsr_dense_op*)base;
  const tsr_tensor_desc* x = &inputs[0].desc;
  const tsr_tensor_desc* y = &outputs[0].desc;
  tsr_status status;
  if ((status = tsr_dense_check_tensor(x, op->in_features, "inputs[0]")) ||
      (status = tsr_dense_check_tensor(y, op->out_features, "outputs[0]")))
    return status;
  if (x->ndims != y->ndims || memcmp(x->dims, y->dims, sizeof(int64_t) * (size_t)(x->ndims - 1)) != 0)
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_op_run(dense): outputs[0] must have the leading dims of inputs[0]");
  size_t rows = 1;
  for (int32_t d = 0; d + 1 < x->ndims; d++) rows *= (size_t)x->dims[d];
  const tsr_activation_kind kind = op->activation.activation.kind;
  const bool fused = kind == tsr_activation_relu || kind == tsr_activation_clamp;
  const struct tsr_gemm_args args = {
      .batch = 1, .m = rows, .n = op->out_features, .k = op->in_features,
      .alpha = 1.0f, .beta = 0.0f,
      .a = inputs[0].data, .lda = op->in_features,
      .packed_b = &op->weights,
      .c = outputs[0].data, .ldc = op->out_features,
      .bias = op->bias,
      .clamp = fused ? &op->clamp : NULL};
  status = tsr_gemm_execute(&args, pool, "tsr_op_run(dense)");
  if (status == tsr_status_success && !fused && kind != tsr_activation_none)
    tsr_activation_impl_apply(&op->activation, rows * op->out_features, outputs[0].data,
                              outputs[0].data, pool);
  return status;
}

static void tsr_dense_release(tsr_op* base) {
  struct tsr_dense_op* op = (struct tsr_dense_op*)base;
  tsr_gemm_packed_b_release(&op->weights);
  free(op->bias);
}

static const struct tsr_op_vtable tsr_dense_vtable = {
    .run = tsr_dense_run, .release = tsr_dense_release, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_dense_create(int64_t in_features, int64_t out_features, const float* weights,
                            tsr_dense_weights_layout layout, const float* bias,
                            const tsr_activation* activation, tsr_op** op) {
  static const char where[] = "tsr_dense_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (weights == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: weights is NULL", where);
  if (in_features < 1 || out_features < 1)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: %s is %lld; must be at least 1", where,
                     in_features < 1 ? "in_features" : "out_features",
                     (long long)(in_features < 1 ? in_features : out_features));
  size_t count;
  if (!tsr_mul_size((size_t)in_features, (size_t)out_features, &count) || count > SIZE_MAX / 8)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: in_features x out_features overflows", where);
  if (layout != tsr_dense_weights_out_in && layout != tsr_dense_weights_in_out)
    return tsr_error(tsr_status_invalid_parameter, "%s: layout %d is not a tsr_dense_weights_layout",
                     where, (int)layout);
  const tsr_activation none = {tsr_activation_none, 0.0f, 0.0f};
  if (activation == NULL) activation = &none;
  tsr_status status = tsr_activation_check(activation, "tsr_dense_create: activation");
  if (status != tsr_status_success) return status;

  struct tsr_dense_op* created = (struct tsr_dense_op*)tsr_op_alloc(
      sizeof(struct tsr_dense_op), tsr_op_kind_dense, &tsr_dense_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->in_features = (size_t)in_features;
  created->out_features = (size_t)out_features;
  tsr_activation_impl_init(&created->activation, activation);
  created->clamp = tsr_activation_minmax(activation);
  /* y = x W^T: op(B) is in x out; [out][in] weights are B stored transposed. */
  const bool trans_b = layout == tsr_dense_weights_out_in;
  const struct tsr_gemm_config* config = tsr_gemm_config_get();
  status = tsr_gemm_pack_b(config, trans_b, (size_t)in_features, (size_t)out_features, weights,
                           trans_b ? (size_t)in_features : (size_t)out_features, &created->weights,
                           where);
  if (status == tsr_status_success && bias != NULL) {
    created->bias = malloc((size_t)out_features * sizeof(float));
    if (created->bias == NULL) status = tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
    else memcpy(created->bias, bias, (size_t)out_features * sizeof(float));
  }
  if (status != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return status;
  }
  char act[64];
  tsr_activation_describe(activation, act, sizeof(act));
  snprintf(created->base.description, sizeof(created->base.description),
           "dense:%lldx%lld%s %s impl=%s+%s isa=%s", (long long)in_features,
           (long long)out_features, bias ? "+bias" : "", act, config->main_name,
           config->row_name, tsr_isa_name(config->isa));
  *op = &created->base;
  return tsr_status_success;
}

/* ---- backward ---- */

struct tsr_dense_backward_op {
  struct tsr_op base;
  size_t in_features, out_features;
  tsr_dense_weights_layout layout;
  struct tsr_gemm_packed_b weights; /* W as op(B) of dx = dy W: out x in */
};

static tsr_status tsr_dense_backward_run(const tsr_op* base, const tsr_tensor* inputs,
                                         size_t num_outputs, const tsr_tensor* outputs,
                                         tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(dense_backward)";
  const struct tsr_dense_backward_op* op = (const struct tsr_dense_backward_op*)base;
  const tsr_tensor_desc* x = &inputs[0].desc;
  const tsr_tensor_desc* dy = &inputs[1].desc;
  tsr_status status;
  if ((status = tsr_dense_check_tensor(x, op->in_features, "inputs[0] (x)")) ||
      (status = tsr_dense_check_tensor(dy, op->out_features, "inputs[1] (dy)")) ||
      (status = tsr_dense_check_tensor(&outputs[0].desc, op->in_features, "outputs[0] (dx)")))
    return status;
  if (x->ndims != dy->ndims || memcmp(x->dims, dy->dims, sizeof(int64_t) * (size_t)(x->ndims - 1)) != 0 ||
      !tsr_tensor_desc_same_shape(x, &outputs[0].desc))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: dy must have x's leading dims, and dx x's dims", where);
  const size_t weights = op->in_features * op->out_features;
  if (outputs[1].desc.dtype != tsr_dtype_f32 || outputs[1].desc.layout != tsr_layout_plain ||
      tsr_tensor_desc_elements(&outputs[1].desc) != weights)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: outputs[1] (dW) must be %zu f32 values, plain", where, weights);
  if (num_outputs > 2 && (outputs[2].desc.dtype != tsr_dtype_f32 ||
                          tsr_tensor_desc_elements(&outputs[2].desc) != op->out_features))
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[2] (db) must be %zu f32 values",
                     where, op->out_features);
  size_t rows = 1;
  for (int32_t d = 0; d + 1 < x->ndims; d++) rows *= (size_t)x->dims[d];
  const size_t in = op->in_features, out = op->out_features;
  /* dx [rows, in] = dy [rows, out] x W [out, in] */
  const struct tsr_gemm_args dx = {.batch = 1, .m = rows, .n = in, .k = out, .alpha = 1.0f,
                                   .a = inputs[1].data, .lda = out, .packed_b = &op->weights,
                                   .c = outputs[0].data, .ldc = in};
  /* dW [out, in] = dy^T x, or [in, out] = x^T dy */
  const bool out_in = op->layout == tsr_dense_weights_out_in;
  const struct tsr_gemm_args dw = {
      .batch = 1, .m = out_in ? out : in, .n = out_in ? in : out, .k = rows, .alpha = 1.0f,
      .a = out_in ? inputs[1].data : inputs[0].data, .lda = out_in ? out : in, .trans_a = true,
      .b = out_in ? inputs[0].data : inputs[1].data, .ldb = out_in ? in : out,
      .c = outputs[1].data, .ldc = out_in ? in : out};
  if ((status = tsr_gemm_execute(&dx, pool, where)) || (status = tsr_gemm_execute(&dw, pool, where)))
    return status;
  if (num_outputs > 2) {
    const float* g = inputs[1].data;
    float* db = outputs[2].data;
    for (size_t j = 0; j < out; j++) {
      double sum = 0.0;
      for (size_t r = 0; r < rows; r++) sum += g[r * out + j];
      db[j] = (float)sum;
    }
  }
  return tsr_status_success;
}

static void tsr_dense_backward_release(tsr_op* base) {
  tsr_gemm_packed_b_release(&((struct tsr_dense_backward_op*)base)->weights);
}

static const struct tsr_op_vtable tsr_dense_backward_vtable = {
    .run = tsr_dense_backward_run, .release = tsr_dense_backward_release, .num_inputs = 2,
    .num_outputs = 3, .min_outputs = 2};

tsr_status tsr_dense_backward_create(int64_t in_features, int64_t out_features,
                                     const float* weights, tsr_dense_weights_layout layout,
                                     tsr_op** op) {
  static const char where[] = "tsr_dense_backward_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (weights == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: weights is NULL", where);
  if (in_features < 1 || out_features < 1)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is %lld; must be at least 1", where,
                     in_features < 1 ? "in_features" : "out_features",
                     (long long)(in_features < 1 ? in_features : out_features));
  size_t count;
  if (!tsr_mul_size((size_t)in_features, (size_t)out_features, &count) || count > SIZE_MAX / 8)
    return tsr_error(tsr_status_invalid_parameter, "%s: in_features x out_features overflows", where);
  if (layout != tsr_dense_weights_out_in && layout != tsr_dense_weights_in_out)
    return tsr_error(tsr_status_invalid_parameter, "%s: layout %d is not a tsr_dense_weights_layout",
                     where, (int)layout);
  struct tsr_dense_backward_op* created = (struct tsr_dense_backward_op*)tsr_op_alloc(
      sizeof(struct tsr_dense_backward_op), tsr_op_kind_dense_backward, &tsr_dense_backward_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->in_features = (size_t)in_features;
  created->out_features = (size_t)out_features;
  created->layout = layout;
  /* op(B) is W as out x in: stored so for [out][in]; transposed for [in][out] */
  const bool trans_b = layout == tsr_dense_weights_in_out;
  const tsr_status status = tsr_gemm_pack_b(tsr_gemm_config_get(), trans_b, (size_t)out_features,
                                            (size_t)in_features, weights,
                                            trans_b ? (size_t)out_features : (size_t)in_features,
                                            &created->weights, where);
  if (status != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return status;
  }
  snprintf(created->base.description, sizeof(created->base.description),
           "dense_backward:%lldx%lld impl=gemm", (long long)in_features, (long long)out_features);
  *op = &created->base;
  return tsr_status_success;
}
