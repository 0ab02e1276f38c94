/* The elementwise activation op: picks its kernel once at creation, then applies it over the
 * pool. Blocked layouts are processed whole, channel padding included (log and its kin turn the
 * zero padding into -inf or NaN there; padding is never part of the logical tensor). */
#include <stdio.h>
#include <string.h>

#include "engine/activation.h"
#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"

struct tsr_eltwise_op {
  struct tsr_op base;
  struct tsr_activation_impl impl;
};

/* Blocked layouts keep their channel padding at zero; an activation that does not map 0 to 0
 * (sigmoid, exp, log...) would break that, so the padding lanes are cleared again. */
static void tsr_eltwise_zero_padding(const struct tsr_eltwise_op* op, const tsr_tensor_desc* y,
                                     float* data) {
  float zero = 0.0f;
  tsr_activation_impl_run_serial(&op->impl, 1, &zero, &zero);
  if (zero != 0.0f) tsr_tensor_zero_channel_padding(y, data);
}

static tsr_status tsr_eltwise_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                  const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_eltwise_op* op = (const struct tsr_eltwise_op*)base;
  const tsr_tensor_desc* x = &inputs[0].desc;
  const tsr_tensor_desc* y = &outputs[0].desc;
  if (x->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter,
                     "tsr_op_run(eltwise): inputs[0] dtype must be f32");
  if (!tsr_tensor_desc_same_shape(x, y))
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_op_run(eltwise): outputs[0] must have the dtype and dims of inputs[0]");
  if (!tsr_tensor_desc_is_dense(x) || x->layout != y->layout)
    return tsr_error(tsr_status_unsupported_parameter,
                     "tsr_op_run(eltwise): inputs[0] and outputs[0] must share one dense layout "
                     "(got %s and %s)", tsr_layout_name(x->layout), tsr_layout_name(y->layout));
  tsr_activation_impl_apply(&op->impl, tsr_tensor_desc_bytes(x) / sizeof(float), inputs[0].data,
                            outputs[0].data, pool);
  tsr_eltwise_zero_padding(op, y, outputs[0].data);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_eltwise_vtable = {
    .run = tsr_eltwise_run, .release = NULL, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_eltwise_create(const tsr_activation* activation, tsr_op** op) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "tsr_eltwise_create: op is NULL");
  const tsr_status status = tsr_activation_check(activation, "tsr_eltwise_create: activation");
  if (status != tsr_status_success) return status;
  struct tsr_eltwise_op* created = (struct tsr_eltwise_op*)tsr_op_alloc(
      sizeof(struct tsr_eltwise_op), tsr_op_kind_eltwise, &tsr_eltwise_vtable);
  if (created == NULL)
    return tsr_error(tsr_status_out_of_memory, "tsr_eltwise_create: out of memory");
  tsr_activation_impl_init(&created->impl, activation);
  char name[64];
  tsr_activation_describe(activation, name, sizeof(name));
  snprintf(created->base.description, sizeof(created->base.description),
           "eltwise:%s impl=%s isa=%s", name, created->impl.kernel_name,
           tsr_isa_name(created->impl.isa));
  *op = &created->base;
  return tsr_status_success;
}
