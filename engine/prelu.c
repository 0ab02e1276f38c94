/* PReLU and its backward pass: per-channel slopes over [N, C, ...] tensors, plain or nhwc, one
 * task per (sample, channel) plane; dslope sums one channel's planes, one task per channel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "threadpool/threadpool.h"

struct tsr_prelu_op {
  struct tsr_op base;
  size_t channels;
  float* slopes;
};

/* x as N x C x S with element (n, c, s) at n*sn + c*sc + s*ss; C = 1 for a shared slope. */
struct tsr_prelu_call {
  const struct tsr_prelu_op* op;
  const float *x, *dy;
  float *y, *dslope;
  size_t n, c, s, sn, sc, ss;
};

static tsr_status tsr_prelu_geometry(const struct tsr_prelu_op* op, const tsr_tensor* inputs,
                                     size_t count, const tsr_tensor* outputs, const char* where,
                                     struct tsr_prelu_call* call) {
  const tsr_tensor_desc* x = &inputs[0].desc;
  const tsr_tensor* alike[] = {&inputs[0], count > 1 ? &inputs[1] : &outputs[0], &outputs[0]};
  static const char* const names[] = {"inputs[0] (x)", "the second tensor", "outputs[0]"};
  const tsr_status status = tsr_tensors_check_alike(where, 3, alike, names);
  if (status != tsr_status_success) return status;
  if (x->layout != tsr_layout_plain && x->layout != tsr_layout_nhwc)
    return tsr_error(tsr_status_unsupported_parameter, "%s: layout %s is not supported (plain or nhwc)",
                     where, tsr_layout_name(x->layout));
  const size_t total = tsr_tensor_desc_elements(x);
  if (op->channels == 1) { /* one slope: the whole tensor is one plane */
    call->n = 1, call->c = 1, call->s = total, call->sn = total, call->sc = 0, call->ss = 1;
    return tsr_status_success;
  }
  if (x->ndims < 2 || (size_t)x->dims[1] != op->channels)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: inputs[0] must be [N, %zu, ...] for %zu slopes", where, op->channels, op->channels);
  const bool nhwc = x->layout == tsr_layout_nhwc;
  call->n = (size_t)x->dims[0], call->c = op->channels, call->s = total / (call->n * call->c);
  call->sn = call->c * call->s, call->sc = nhwc ? 1 : call->s, call->ss = nhwc ? call->c : 1;
  return tsr_status_success;
}

static void tsr_prelu_plane(void* context, size_t thread, size_t n, size_t c) {
  (void)thread;
  const struct tsr_prelu_call* call = context;
  const float slope = call->op->slopes[c];
  const size_t base = n * call->sn + c * call->sc;
  for (size_t s = 0; s < call->s; s++) {
    const size_t at = base + s * call->ss;
    const float v = call->x[at];
    if (call->dy == NULL) call->y[at] = v > 0.0f ? v : slope * v;
    else call->y[at] = v > 0.0f ? call->dy[at] : slope * call->dy[at];
  }
}

static void tsr_prelu_slope_gradient(void* context, size_t thread, size_t c) {
  (void)thread;
  const struct tsr_prelu_call* call = context;
  double sum = 0.0;
  for (size_t n = 0; n < call->n; n++)
    for (size_t s = 0; s < call->s; s++) {
      const size_t at = n * call->sn + c * call->sc + s * call->ss;
      if (!(call->x[at] > 0.0f)) sum += (double)call->dy[at] * call->x[at];
    }
  call->dslope[c] = (float)sum;
}

static tsr_status tsr_prelu_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_prelu_op* op = (const struct tsr_prelu_op*)base;
  struct tsr_prelu_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data};
  const tsr_status status = tsr_prelu_geometry(op, inputs, 1, outputs, "tsr_op_run(prelu)", &call);
  if (status != tsr_status_success) return status;
  tsr_parallelize_2d(pool, tsr_prelu_plane, &call, call.n, call.c);
  return tsr_status_success;
}

static tsr_status tsr_prelu_backward_run(const tsr_op* base, const tsr_tensor* inputs,
                                         size_t num_outputs, const tsr_tensor* outputs,
                                         tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(prelu_backward)";
  const struct tsr_prelu_op* op = (const struct tsr_prelu_op*)base;
  struct tsr_prelu_call call = {.op = op, .x = inputs[0].data, .dy = inputs[1].data, .y = outputs[0].data};
  const tsr_status status = tsr_prelu_geometry(op, inputs, 2, outputs, where, &call);
  if (status != tsr_status_success) return status;
  if (num_outputs > 1) {
    if (outputs[1].desc.dtype != tsr_dtype_f32 || tsr_tensor_desc_elements(&outputs[1].desc) != op->channels)
      return tsr_error(tsr_status_invalid_parameter, "%s: outputs[1] (dslope) must be %zu f32 values",
                       where, op->channels);
    call.dslope = outputs[1].data;
    tsr_parallelize_1d(pool, tsr_prelu_slope_gradient, &call, op->channels); /* before dx: dx may be dy */
  }
  tsr_parallelize_2d(pool, tsr_prelu_plane, &call, call.n, call.c);
  return tsr_status_success;
}

static void tsr_prelu_release(tsr_op* base) { free(((struct tsr_prelu_op*)base)->slopes); }

static const struct tsr_op_vtable tsr_prelu_vtable = {
    .run = tsr_prelu_run, .release = tsr_prelu_release, .num_inputs = 1, .num_outputs = 1};
static const struct tsr_op_vtable tsr_prelu_backward_vtable = {
    .run = tsr_prelu_backward_run, .release = tsr_prelu_release, .num_inputs = 2, .num_outputs = 2,
    .min_outputs = 1};

static tsr_status tsr_prelu_make(int64_t channels, const float* slopes, tsr_op** op, bool backward) {
  const char* where = backward ? "tsr_prelu_backward_create" : "tsr_prelu_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (slopes == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: slopes is NULL", where);
  if (channels < 1 || (uint64_t)channels > SIZE_MAX / 16)
    return tsr_error(tsr_status_invalid_parameter, "%s: channels is %lld; must be at least 1", where,
                     (long long)channels);
  struct tsr_prelu_op* created = (struct tsr_prelu_op*)tsr_op_alloc(
      sizeof(struct tsr_prelu_op), backward ? tsr_op_kind_prelu_backward : tsr_op_kind_prelu,
      backward ? &tsr_prelu_backward_vtable : &tsr_prelu_vtable);
  float* copy = malloc((size_t)channels * sizeof(float));
  if (created == NULL || copy == NULL) {
    free(copy);
    tsr_op_destroy(created ? &created->base : NULL);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  }
  memcpy(copy, slopes, (size_t)channels * sizeof(float));
  created->slopes = copy;
  created->channels = (size_t)channels;
  snprintf(created->base.description, sizeof(created->base.description), "prelu%s:c%lld",
           backward ? "_backward" : "", (long long)channels);
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_prelu_create(int64_t channels, const float* slopes, tsr_op** op) {
  return tsr_prelu_make(channels, slopes, op, false);
}

tsr_status tsr_prelu_backward_create(int64_t channels, const float* slopes, tsr_op** op) {
  return tsr_prelu_make(channels, slopes, op, true);
}
