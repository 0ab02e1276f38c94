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
