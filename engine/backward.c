/* Backward pass of the activations: elementwise, in double, on the pool. (Softmax, dense and
 * normalization backward passes live beside their forward ops.) */
#include <math.h>
#include <stdio.h>

#include "engine/activation.h"
#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "kernels/reference/activation-reference.h"
#include "threadpool/threadpool.h"

/* ---- activations ---- */

struct tsr_eltwise_backward_op {
  struct tsr_op base;
  tsr_activation activation;
};

struct tsr_eltwise_backward_call {
  const tsr_activation* activation;
  const float *x, *dy;
  float* dx;
};

static void tsr_eltwise_backward_task(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_eltwise_backward_call* call = context;
  for (size_t i = start; i < start + count; i++)
    call->dx[i] = (float)((double)call->dy[i] *
                          tsr_reference_activation_derivative_f64(call->activation, (double)call->x[i]));
}

static tsr_status tsr_eltwise_backward_run(const tsr_op* base, const tsr_tensor* inputs,
                                           size_t num_outputs, const tsr_tensor* outputs,
                                           tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(eltwise_backward)";
  const struct tsr_eltwise_backward_op* op = (const struct tsr_eltwise_backward_op*)base;
  const tsr_tensor* tensors[] = {&inputs[0], &inputs[1], &outputs[0]};
  static const char* const names[] = {"inputs[0] (x)", "inputs[1] (dy)", "outputs[0] (dx)"};
  tsr_status status = tsr_tensors_check_alike(where, 3, tensors, names);
  if (status != tsr_status_success) return status;
  if (!tsr_tensor_desc_is_dense(&inputs[0].desc))
    return tsr_error(tsr_status_unsupported_parameter, "%s: strided tensors are not supported", where);
  struct tsr_eltwise_backward_call call = {&op->activation, inputs[0].data, inputs[1].data, outputs[0].data};
  tsr_parallelize_1d_tile_1d(pool, tsr_eltwise_backward_task, &call,
                             tsr_tensor_desc_bytes(&inputs[0].desc) / sizeof(float), 4096);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_eltwise_backward_vtable = {
    .run = tsr_eltwise_backward_run, .num_inputs = 2, .num_outputs = 1};

tsr_status tsr_eltwise_backward_create(const tsr_activation* activation, tsr_op** op) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "tsr_eltwise_backward_create: op is NULL");
  const tsr_status status = tsr_activation_check(activation, "tsr_eltwise_backward_create: activation");
  if (status != tsr_status_success) return status;
  struct tsr_eltwise_backward_op* created = (struct tsr_eltwise_backward_op*)tsr_op_alloc(
      sizeof(struct tsr_eltwise_backward_op), tsr_op_kind_eltwise_backward, &tsr_eltwise_backward_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "tsr_eltwise_backward_create: out of memory");
  created->activation = *activation;
  char name[64];
  tsr_activation_describe(activation, name, sizeof(name));
  snprintf(created->base.description, sizeof(created->base.description),
           "eltwise_backward:%s impl=derivative_f64 isa=scalar", name);
  *op = &created->base;
  return tsr_status_success;
}

