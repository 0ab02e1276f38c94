/* Inverted dropout, elementwise, per channel (spatial) or per sample (stochastic depth). The
 * keep decision of each unit comes from tsr_random_uniform(seed, unit), so it depends on the
 * seed alone. Work is split over samples x channels; each element reads its unit's decision. */
#include <stdio.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/random.h"
#include "engine/tensor.h"
#include "threadpool/threadpool.h"

struct tsr_dropout_op {
  struct tsr_op base;
  float rate, scale;
  tsr_dropout_mode mode;
  bool training;
  uint64_t seed;
};

struct tsr_dropout_call {
  const struct tsr_dropout_op* op;
  const float* x;
  float* y;
  float* mask;   /* or NULL */
  size_t n, c, s, sn, sc, ss; /* spatial / sample modes: x as [N, C, S] with element strides */
};

/* The factor of unit u: 0 when dropped, 1 / (1 - rate) when kept. */
static float tsr_dropout_factor(const struct tsr_dropout_op* op, uint64_t unit) {
  return tsr_random_uniform(op->seed, unit) >= op->rate ? op->scale : 0.0f;
}

/* Elementwise: the unit is the element's index. */
static void tsr_dropout_elements(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_dropout_call* call = context;
  for (size_t at = start; at < start + count; at++) {
    const float factor = tsr_dropout_factor(call->op, at);
    call->y[at] = call->x[at] * factor;
    if (call->mask != NULL) call->mask[at] = factor;
  }
}

/* Spatial and sample modes: one unit, one factor, for all of (sample n, channel c). */
static void tsr_dropout_unit(void* context, size_t thread, size_t n, size_t c) {
  (void)thread;
  const struct tsr_dropout_call* call = context;
  const uint64_t unit = call->op->mode == tsr_dropout_spatial ? n * call->c + c : n;
  const float factor = tsr_dropout_factor(call->op, unit);
  const size_t base = n * call->sn + c * call->sc;
  for (size_t s = 0; s < call->s; s++) {
    const size_t at = base + s * call->ss;
    call->y[at] = call->x[at] * factor;
    if (call->mask != NULL) call->mask[at] = factor;
  }
}

static tsr_status tsr_dropout_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                  const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(dropout)";
  const struct tsr_dropout_op* op = (const struct tsr_dropout_op*)base;
  const tsr_tensor_desc* d = &inputs[0].desc;
  if (d->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: inputs[0] must be f32", where);
  for (size_t o = 0; o < num_outputs; o++)
    if (!tsr_tensor_desc_same_shape(d, &outputs[o].desc) || outputs[o].desc.layout != d->layout)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: outputs[%zu] must have the dims, dtype and layout of inputs[0]", where, o);
  const bool nhwc = d->layout == tsr_layout_nhwc;
  if (d->layout != tsr_layout_plain && !(nhwc && op->mode == tsr_dropout_spatial))
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: layout %s is not supported (plain, or nhwc in the spatial mode)", where,
                     tsr_layout_name(d->layout));
  if (op->mode != tsr_dropout_elementwise && d->ndims < 2)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: the %s mode needs x with at least 2 dims ([N, C, ...] or [N, ...])", where,
                     op->mode == tsr_dropout_spatial ? "spatial" : "sample");
  const size_t total = tsr_tensor_desc_elements(d);
  struct tsr_dropout_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data,
                                  .mask = num_outputs > 1 ? outputs[1].data : NULL};
  if (!op->training) {
    if (call.y != call.x) memcpy(call.y, call.x, total * sizeof(float));
    if (call.mask != NULL)
      for (size_t i = 0; i < total; i++) call.mask[i] = 1.0f;
    return tsr_status_success;
  }
  if (op->mode == tsr_dropout_elementwise) {
    tsr_parallelize_1d_tile_1d(pool, tsr_dropout_elements, &call, total, 4096);
    return tsr_status_success;
  }
  call.n = (size_t)d->dims[0];
  call.c = op->mode == tsr_dropout_spatial ? (size_t)d->dims[1] : 1;
  call.s = total / (call.n * call.c);
  call.sn = total / call.n;
  call.sc = nhwc ? 1 : call.s;
  call.ss = nhwc ? call.c : 1;
  tsr_parallelize_2d(pool, tsr_dropout_unit, &call, call.n, call.c);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_dropout_vtable = {
    .run = tsr_dropout_run, .num_inputs = 1, .num_outputs = 2, .min_outputs = 1};

tsr_status tsr_dropout_create(float rate, tsr_dropout_mode mode, int training, uint64_t seed,
                              tsr_op** op) {
  static const char where[] = "tsr_dropout_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (!(rate >= 0.0f && rate < 1.0f))
    return tsr_error(tsr_status_invalid_parameter, "%s: rate is %g; must be in [0, 1)", where,
                     (double)rate);
  if (mode != tsr_dropout_elementwise && mode != tsr_dropout_spatial && mode != tsr_dropout_sample)
    return tsr_error(tsr_status_invalid_parameter, "%s: mode %d is not a tsr_dropout_mode", where,
                     (int)mode);
  struct tsr_dropout_op* created = (struct tsr_dropout_op*)tsr_op_alloc(
      sizeof(struct tsr_dropout_op), tsr_op_kind_dropout, &tsr_dropout_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->rate = rate;
  created->scale = 1.0f / (1.0f - rate);
  created->mode = mode;
  created->training = training != 0;
  created->seed = seed;
  static const char* const modes[] = {"elementwise", "spatial", "sample"};
  snprintf(created->base.description, sizeof(created->base.description),
           "dropout:%s rate=%g %s seed=%llu impl=philox4x32 isa=scalar", modes[mode], (double)rate,
           training ? "training" : "inference", (unsigned long long)seed);
  *op = &created->base;
  return tsr_status_success;
}
