/* The generic half of every op: handle checks, tensor checks, run dispatch and destruction. */
#include "engine/op.h"

#include <stdio.h>
#include <stdlib.h>

#include "engine/error.h"
#include "engine/tensor.h"
#include "engine/verbose.h"

tsr_op* tsr_op_alloc(size_t size, tsr_op_kind kind, const struct tsr_op_vtable* vtable) {
  tsr_op* op = calloc(1, size);
  if (op == NULL) return NULL;
  op->magic = TSR_OP_MAGIC;
  op->kind = kind;
  op->vtable = vtable;
  return op;
}

static int tsr_op_valid(const tsr_op* op) { return op != NULL && op->magic == TSR_OP_MAGIC; }

/* Checks tensors[0..count) ("inputs" or "outputs"). The message's "tsr_op_run: inputs[i]" is
 * formatted only for a tensor that fails (the check is run again with it, to the same failure):
 * two snprintf calls on every run were 2-3% of a 3 µs global average pooling. */
static tsr_status tsr_op_check_tensors(const tsr_tensor* tensors, size_t count, const char* role) {
  for (size_t i = 0; i < count; i++) {
    if (tsr_tensor_check(&tensors[i], role) == tsr_status_success) continue;
    char where[48];
    snprintf(where, sizeof(where), "tsr_op_run: %s[%zu]", role, i);
    return tsr_tensor_check(&tensors[i], where);
  }
  return tsr_status_success;
}

tsr_status tsr_op_run(const tsr_op* op, size_t num_inputs, const tsr_tensor* inputs,
                      size_t num_outputs, const tsr_tensor* outputs, tsr_threadpool* pool) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "tsr_op_run: op is NULL");
  if (!tsr_op_valid(op))
    return tsr_error(tsr_status_invalid_parameter, "tsr_op_run: op is not a live tsr_op");
  const struct tsr_op_vtable* vtable = op->vtable;
  const size_t min_inputs = vtable->min_inputs != 0 ? vtable->min_inputs : vtable->num_inputs;
  if (num_inputs < min_inputs || num_inputs > vtable->num_inputs)
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_op_run: num_inputs is %zu; op '%s' takes %zu to %zu", num_inputs,
                     op->description, min_inputs, vtable->num_inputs);
  const size_t min_outputs = vtable->min_outputs != 0 ? vtable->min_outputs : vtable->num_outputs;
  if (num_outputs < min_outputs || num_outputs > vtable->num_outputs)
    return tsr_error(tsr_status_invalid_parameter,
                     "tsr_op_run: num_outputs is %zu; op '%s' takes %zu to %zu", num_outputs,
                     op->description, min_outputs, vtable->num_outputs);
  if (num_inputs != 0 && inputs == NULL)
    return tsr_error(tsr_status_invalid_parameter, "tsr_op_run: inputs is NULL");
  if (num_outputs != 0 && outputs == NULL)
    return tsr_error(tsr_status_invalid_parameter, "tsr_op_run: outputs is NULL");
  tsr_status status = tsr_op_check_tensors(inputs, num_inputs, "inputs");
  if (status == tsr_status_success) status = tsr_op_check_tensors(outputs, num_outputs, "outputs");
  if (status != tsr_status_success) return status;
  const bool verbose = tsr_verbose_enabled();
  const double start = verbose ? tsr_verbose_now_ms() : 0.0;
  if (num_inputs == vtable->num_inputs) {
    status = vtable->run(op, inputs, num_outputs, outputs, pool);
  } else { /* optional inputs left out: the op sees them as zeroed tensors (data NULL) */
    tsr_tensor all[TSR_OP_MAX_INPUTS] = {0};
    for (size_t i = 0; i < num_inputs; i++) all[i] = inputs[i];
    status = vtable->run(op, all, num_outputs, outputs, pool);
  }
  if (verbose)
    tsr_verbose_exec(op, num_inputs, inputs, num_outputs, outputs, status, tsr_verbose_now_ms() - start);
  return status;
}

tsr_op_kind tsr_op_get_kind(const tsr_op* op) {
  return tsr_op_valid(op) ? op->kind : (tsr_op_kind)0;
}

const char* tsr_op_describe(const tsr_op* op) {
  return tsr_op_valid(op) ? op->description : "(null)";
}

void tsr_op_destroy(tsr_op* op) {
  if (!tsr_op_valid(op)) return;
  if (op->vtable->release != NULL) op->vtable->release(op);
  op->magic = 0;
  free(op);
}

tsr_status tsr_op_run_rows(const tsr_op* op, size_t rows, size_t in_cols, const float* x,
                           size_t out_cols, float* y, tsr_threadpool* pool) {
  tsr_tensor tx = {.data = (float*)x}, ty = {.data = y};
  const int64_t x_dims[2] = {(int64_t)rows, (int64_t)in_cols}, y_dims[2] = {(int64_t)rows, (int64_t)out_cols};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 2, x_dims);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 2, y_dims);
  return tsr_op_run(op, 1, &tx, 1, &ty, pool);
}
