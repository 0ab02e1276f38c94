/* The elementwise activation op: picks its kernel once at creation, then splits the tensor into
 * tiles of the pool. Blocked layouts are processed whole, channel padding included: the padding
 * holds zeros, and every activation here maps 0 to a finite value. */
#include <stdio.h>
#include <string.h>

#include "engine/activation.h"
#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "kernels/f32-vclamp/f32-vclamp.h"
#include "threadpool/threadpool.h"

/* Tasks: about 4 per thread, so a slow thread's share can be taken over, but at least 16 KiB
 * of input each, so that claiming a task (an atomic on a shared line) stays negligible; and a
 * multiple of 64 elements, so tasks never share a cache line of output. */
#define TSR_ELTWISE_MIN_TILE 4096
#define TSR_ELTWISE_TASKS_PER_THREAD 4

static size_t tsr_eltwise_tile(size_t n, size_t threads) {
  size_t tile = (n + threads * TSR_ELTWISE_TASKS_PER_THREAD - 1) / (threads * TSR_ELTWISE_TASKS_PER_THREAD);
  tile = (tile + 63) / 64 * 64;
  return tile < TSR_ELTWISE_MIN_TILE ? TSR_ELTWISE_MIN_TILE : tile;
}

struct tsr_eltwise_op {
  struct tsr_op base;
  tsr_activation activation;
  struct tsr_f32_minmax_params params;
  tsr_f32_vclamp_ukernel_fn ukernel;
};

struct tsr_eltwise_call {
  const struct tsr_eltwise_op* op;
  const float* x;
  float* y;
};

static void tsr_eltwise_task(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_eltwise_call* call = context;
  call->op->ukernel(count, call->x + start, call->y + start, &call->op->params);
}

static tsr_status tsr_eltwise_run(const tsr_op* base, const tsr_tensor* inputs,
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
  struct tsr_eltwise_call call = {op, inputs[0].data, outputs[0].data};
  const size_t n = tsr_tensor_desc_bytes(x) / sizeof(float);
  tsr_parallelize_1d_tile_1d(pool, tsr_eltwise_task, &call, n,
                             tsr_eltwise_tile(n, tsr_threadpool_threads(pool)));
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_eltwise_vtable = {
    .run = tsr_eltwise_run, .release = NULL, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_eltwise_create(const tsr_activation* activation, tsr_op** op) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "tsr_eltwise_create: op is NULL");
  const tsr_status status = tsr_activation_check(activation, "tsr_eltwise_create: activation");
  if (status != tsr_status_success) return status;
  const struct tsr_ukernel_entry* kernel =
      tsr_ukernel_pick(tsr_f32_vclamp_ukernels, tsr_f32_vclamp_ukernel_count);
  struct tsr_eltwise_op* created = (struct tsr_eltwise_op*)tsr_op_alloc(
      sizeof(struct tsr_eltwise_op), tsr_op_kind_eltwise, &tsr_eltwise_vtable);
  if (created == NULL)
    return tsr_error(tsr_status_out_of_memory, "tsr_eltwise_create: out of memory");
  created->activation = *activation;
  created->params = tsr_activation_minmax(activation);
  created->ukernel = (tsr_f32_vclamp_ukernel_fn)kernel->function;
  char name[64];
  tsr_activation_describe(activation, name, sizeof(name));
  snprintf(created->base.description, sizeof(created->base.description),
           "eltwise:%s impl=%s isa=%s", name, kernel->name, tsr_isa_name(kernel->isa));
  *op = &created->base;
  return tsr_status_success;
}
