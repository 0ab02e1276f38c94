/* Recurrent cells and layers (RNN tanh/ReLU, LSTM, GRU both ways) on the GEMM engine. Per layer
 * and direction, one GEMM projects the inputs of every time step at once (x W_ih^T + b_ih);
 * then each step multiplies the hidden state by W_hh^T (both weights packed at creation) and
 * combines the gates elementwise, split over batch rows. The GRU with the reset before the
 * hidden matmul needs r before W_hn, so its W_hh is packed as two parts: the r and z rows, and
 * the n rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/gemm.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "threadpool/threadpool.h"

/* One layer in one direction. */
struct tsr_rnn_unit {
  size_t input_size;
  struct tsr_gemm_packed_b w_ih;  /* k = input, n = gates x hidden */
  struct tsr_gemm_packed_b w_hh;  /* k = hidden, n = gates x hidden (GRU: the r, z rows only) */
  struct tsr_gemm_packed_b w_hn;  /* GRU only: the n rows */
  float* b_ih;                    /* gates x hidden (zeros for NULL) */
  float* b_hh;
};

struct tsr_rnn_op {
  struct tsr_op base;
  tsr_rnn_params params;
  size_t gates, hidden, directions, width; /* width: features of a layer's output */
  size_t num_units;
  struct tsr_rnn_unit* units;
};

int32_t tsr_rnn_cell_gates(tsr_rnn_cell_kind cell) {
  switch (cell) {
    case tsr_rnn_cell_tanh:
    case tsr_rnn_cell_relu: return 1;
    case tsr_rnn_cell_lstm: return 4;
    case tsr_rnn_cell_gru:
    case tsr_rnn_cell_gru_linear_before_reset: return 3;
  }
  return 0;
}

static const char* tsr_rnn_cell_name(tsr_rnn_cell_kind cell) {
  switch (cell) {
    case tsr_rnn_cell_tanh: return "rnn_tanh";
    case tsr_rnn_cell_relu: return "rnn_relu";
    case tsr_rnn_cell_lstm: return "lstm";
    case tsr_rnn_cell_gru: return "gru";
    case tsr_rnn_cell_gru_linear_before_reset: return "lbr_gru";
  }
  return "?";
}

static float tsr_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/* ---- one step ---- */

/* What a step needs: gx holds x W_ih^T + b_ih for the step's rows (row b at gx + b * ldgx); h
 * and c the states (h_out / c_out may alias them); gh and rh are workspace. */
struct tsr_rnn_step {
  const struct tsr_rnn_op* op;
  const struct tsr_rnn_unit* unit;
  size_t batch;
  const float* gx;
  size_t ldgx;
  const float* h;
  const float* c;
  float* h_out;
  float* c_out;
  float* gh;   /* batch x gates x hidden */
  float* rh;   /* GRU: batch x hidden, r * h */
};

/* Elementwise gates of rows [start, start + count). */
static void tsr_rnn_gates(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_rnn_step* s = context;
  const size_t H = s->op->hidden, GH = s->op->gates * H;
  const tsr_rnn_cell_kind cell = s->op->params.cell;
  for (size_t b = start; b < start + count; b++) {
    const float* gx = s->gx + b * s->ldgx;
    const float* gh = s->gh + b * GH;
    const float* h = s->h + b * H;
    float* h_out = s->h_out + b * H;
    for (size_t j = 0; j < H; j++) {
      switch (cell) {
        case tsr_rnn_cell_tanh: h_out[j] = tanhf(gx[j] + gh[j]); break;
        case tsr_rnn_cell_relu: h_out[j] = fmaxf(gx[j] + gh[j], 0.0f); break;
        case tsr_rnn_cell_lstm: {
          const float i = tsr_sigmoid(gx[j] + gh[j]);
          const float f = tsr_sigmoid(gx[H + j] + gh[H + j]);
          const float g = tanhf(gx[2 * H + j] + gh[2 * H + j]);
          const float o = tsr_sigmoid(gx[3 * H + j] + gh[3 * H + j]);
          const float c = f * s->c[b * H + j] + i * g;
          s->c_out[b * H + j] = c;
          h_out[j] = o * tanhf(c);
          break;
        }
        case tsr_rnn_cell_gru:
        case tsr_rnn_cell_gru_linear_before_reset: {
          const float r = tsr_sigmoid(gx[j] + gh[j]);
          const float z = tsr_sigmoid(gx[H + j] + gh[H + j]);
          const float hn = cell == tsr_rnn_cell_gru ? gh[2 * H + j] : r * gh[2 * H + j];
          const float n = tanhf(gx[2 * H + j] + hn);
          h_out[j] = (1.0f - z) * n + z * h[j];
          break;
        }
      }
    }
  }
}

/* The GRU's r * h, the input of its n rows' hidden matmul. */
static void tsr_rnn_reset_hidden(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_rnn_step* s = context;
  const size_t H = s->op->hidden, GH = s->op->gates * H;
  for (size_t b = start; b < start + count; b++)
    for (size_t j = 0; j < H; j++)
      s->rh[b * H + j] = tsr_sigmoid(s->gx[b * s->ldgx + j] + s->gh[b * GH + j]) * s->h[b * H + j];
}

/* gh[:, column0 ...] = a W^T + bias for one packed part of W_hh. */
static tsr_status tsr_rnn_hidden_gemm(const struct tsr_rnn_step* s, const float* a,
                                      const struct tsr_gemm_packed_b* w, size_t column0,
                                      tsr_threadpool* pool) {
  const size_t H = s->op->hidden, GH = s->op->gates * H;
  const struct tsr_gemm_args args = {
      .batch = 1, .m = s->batch, .n = w->n, .k = H, .alpha = 1.0f, .beta = 0.0f,
      .a = a, .lda = H, .packed_b = w, .c = s->gh + column0, .ldc = GH,
      .bias = s->unit->b_hh + column0};
  return tsr_gemm_execute(&args, pool, "tsr_op_run(rnn)");
}

static tsr_status tsr_rnn_step_run(const struct tsr_rnn_step* s, tsr_threadpool* pool) {
  tsr_status status = tsr_rnn_hidden_gemm(s, s->h, &s->unit->w_hh, 0, pool);
  if (status != tsr_status_success) return status;
  const size_t rows_per_task = 1;
  if (s->op->params.cell == tsr_rnn_cell_gru) {
    tsr_parallelize_1d_tile_1d(pool, tsr_rnn_reset_hidden, (void*)s, s->batch, rows_per_task);
    status = tsr_rnn_hidden_gemm(s, s->rh, &s->unit->w_hn, 2 * s->op->hidden, pool);
    if (status != tsr_status_success) return status;
  }
  tsr_parallelize_1d_tile_1d(pool, tsr_rnn_gates, (void*)s, s->batch, rows_per_task);
  return tsr_status_success;
}

/* ---- the layer ---- */

/* gx = rows of a (row r at a + r * lda) times W_ih^T + b_ih. */
static tsr_status tsr_rnn_input_gemm(const struct tsr_rnn_op* op, const struct tsr_rnn_unit* u,
                                     size_t rows, const float* a, float* gx, tsr_threadpool* pool) {
  const size_t GH = op->gates * op->hidden;
  const struct tsr_gemm_args args = {
      .batch = 1, .m = rows, .n = GH, .k = u->input_size, .alpha = 1.0f, .beta = 0.0f,
      .a = a, .lda = u->input_size, .packed_b = &u->w_ih, .c = gx, .ldc = GH, .bias = u->b_ih};
  return tsr_gemm_execute(&args, pool, "tsr_op_run(rnn)");
}

/* The run's tensors after their checks. */
struct tsr_rnn_run {
  size_t batch, time;
  const float *x, *h0, *c0;
  float *y, *h_n, *c_n;
};

/* Runs layer by layer. seq / out are time-major [T][B][width] buffers (a layer's input and
 * output); layer 0 reads x in its own order, so its gx rows follow x's. */
static tsr_status tsr_rnn_layers(const struct tsr_rnn_op* op, const struct tsr_rnn_run* r,
                                 float* work, tsr_threadpool* pool) {
  const size_t B = r->batch, T = r->time, H = op->hidden, D = op->directions, W = op->width;
  const size_t GH = op->gates * H;
  float* gx = work;                 /* T x B x GH */
  float* gh = gx + T * B * GH;      /* B x GH */
  float* state = gh + B * GH;       /* D x (h, c, rh) x B x H */
  float* seq = state + D * 3 * B * H; /* T x B x W, twice */
  float* out = seq + T * B * W;
  const bool concat = op->params.direction == tsr_rnn_bidirectional_concat;
  tsr_status status = tsr_status_success;
  for (size_t l = 0; l < (size_t)op->params.num_layers; l++) {
    const bool first = l == 0;
    for (size_t d = 0; d < D; d++) {
      const size_t index = l * D + d;
      const struct tsr_rnn_unit* u = &op->units[index];
      float* h = state + d * 3 * B * H;
      float* c = h + B * H;
      for (size_t i = 0; i < B * H; i++) {
        h[i] = r->h0 != NULL ? r->h0[index * B * H + i] : 0.0f;
        c[i] = r->c0 != NULL ? r->c0[index * B * H + i] : 0.0f;
      }
      status = tsr_rnn_input_gemm(op, u, T * B, first ? r->x : seq, gx, pool);
      if (status != tsr_status_success) return status;
      /* Where step t's rows start in gx and how far apart they are. */
      const bool by_batch = first && op->params.batch_first;
      const bool reverse = op->params.direction == tsr_rnn_reverse || d == 1;
      struct tsr_rnn_step s = {.op = op, .unit = u, .batch = B, .ldgx = (by_batch ? T : 1) * GH,
                               .h = h, .c = c, .h_out = h, .c_out = c, .gh = gh,
                               .rh = c + B * H};
      for (size_t step = 0; step < T; step++) {
        const size_t t = reverse ? T - 1 - step : step;
        s.gx = gx + (by_batch ? t : t * B) * GH;
        status = tsr_rnn_step_run(&s, pool);
        if (status != tsr_status_success) return status;
        for (size_t b = 0; b < B; b++) {
          float* o = out + (t * B + b) * W;
          if (concat) memcpy(o + d * H, h + b * H, sizeof(float) * H);
          else if (d == 0) memcpy(o, h + b * H, sizeof(float) * H);
          else for (size_t j = 0; j < H; j++) o[j] += h[b * H + j];
        }
      }
      if (r->h_n != NULL) memcpy(r->h_n + index * B * H, h, sizeof(float) * B * H);
      if (r->c_n != NULL) memcpy(r->c_n + index * B * H, c, sizeof(float) * B * H);
    }
    float* swap = seq;
    seq = out;
    out = swap;
  }
  /* seq holds the top layer's outputs, time-major. */
  if (op->params.return_sequences) {
    for (size_t t = 0; t < T; t++)
      for (size_t b = 0; b < B; b++)
        memcpy(r->y + (op->params.batch_first ? b * T + t : t * B + b) * W, seq + (t * B + b) * W,
               sizeof(float) * W);
  } else {
    for (size_t b = 0; b < B; b++)
      for (size_t d = 0; d < D; d++) {
        const float* h = state + d * 3 * B * H + b * H;
        float* y = r->y + b * W;
        if (concat) memcpy(y + d * H, h, sizeof(float) * H);
        else if (d == 0) memcpy(y, h, sizeof(float) * H);
        else for (size_t j = 0; j < H; j++) y[j] += h[j];
      }
  }
  return tsr_status_success;
}

static tsr_status tsr_rnn_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                              const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(rnn)";
  const struct tsr_rnn_op* op = (const struct tsr_rnn_op*)base;
  const tsr_rnn_params* p = &op->params;
  const tsr_tensor_desc* x = &inputs[0].desc;
  if (x->dtype != tsr_dtype_f32 || x->layout != tsr_layout_plain || x->ndims != 3 ||
      x->dims[2] != p->input_size)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: inputs[0] must be f32, plain, [%s, %s, %lld]", where,
                     p->batch_first ? "batch" : "time", p->batch_first ? "time" : "batch",
                     (long long)p->input_size);
  const int64_t B = x->dims[p->batch_first ? 0 : 1], T = x->dims[p->batch_first ? 1 : 0];
  const int64_t H = (int64_t)op->hidden, W = (int64_t)op->width;
  const int64_t state_dims[3] = {(int64_t)op->num_units, B, H};
  static const char* const names[] = {"inputs[1] (h0)", "inputs[2] (c0)", "outputs[1] (h_n)",
                                      "outputs[2] (c_n)"};
  tsr_status status;
  const size_t state_inputs = p->cell == tsr_rnn_cell_lstm ? 2 : 1;
  for (size_t i = 1; i <= state_inputs; i++)
    if (inputs[i].data != NULL &&
        (status = tsr_tensor_expect_f32(&inputs[i].desc, 3, state_dims, where, names[i - 1])))
      return status;
  const float* c0 = state_inputs == 2 ? inputs[2].data : NULL;
  for (size_t i = 1; i < num_outputs; i++)
    if ((status = tsr_tensor_expect_f32(&outputs[i].desc, 3, state_dims, where, names[i + 1])))
      return status;
  const int64_t seq_dims[3] = {p->batch_first ? B : T, p->batch_first ? T : B, W};
  const int64_t last_dims[2] = {B, W};
  if ((status = p->return_sequences
                    ? tsr_tensor_expect_f32(&outputs[0].desc, 3, seq_dims, where, "outputs[0] (y)")
                    : tsr_tensor_expect_f32(&outputs[0].desc, 2, last_dims, where, "outputs[0] (y)")))
    return status;
  /* Workspace: gx, gh, the states, two layer buffers (see tsr_rnn_layers). */
  const size_t GH = op->gates * op->hidden;
  const size_t widest = op->width > (size_t)p->input_size ? op->width : (size_t)p->input_size;
  size_t tb, floats = 0, part;
  bool ok = tsr_mul_size((size_t)T, (size_t)B, &tb);
  ok = ok && tsr_mul_size(tb, GH, &part) && (floats += part) >= part;
  ok = ok && tsr_mul_size((size_t)B, GH + op->directions * 3 * op->hidden, &part) && (floats += part) >= part;
  ok = ok && tsr_mul_size(tb, 2 * widest, &part) && (floats += part) >= part;
  float* work = ok && floats < SIZE_MAX / sizeof(float) ? malloc(floats * sizeof(float)) : NULL;
  if (work == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the workspace", where);
  const struct tsr_rnn_run run = {
      .batch = (size_t)B, .time = (size_t)T, .x = inputs[0].data, .h0 = inputs[1].data, .c0 = c0, .y = outputs[0].data,
      .h_n = num_outputs > 1 ? outputs[1].data : NULL,
      .c_n = num_outputs > 2 ? outputs[2].data : NULL};
  status = tsr_rnn_layers(op, &run, work, pool);
  free(work);
  return status;
}

static tsr_status tsr_rnn_cell_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                   const tsr_tensor* outputs, tsr_threadpool* pool) {
  (void)num_outputs;
  static const char where[] = "tsr_op_run(rnn_cell)";
  const struct tsr_rnn_op* op = (const struct tsr_rnn_op*)base;
  const tsr_tensor_desc* x = &inputs[0].desc;
  if (x->dtype != tsr_dtype_f32 || x->layout != tsr_layout_plain || x->ndims != 2 ||
      x->dims[1] != op->params.input_size)
    return tsr_error(tsr_status_invalid_parameter, "%s: inputs[0] must be f32, plain, [batch, %lld]",
                     where, (long long)op->params.input_size);
  const size_t B = (size_t)x->dims[0], H = op->hidden, GH = op->gates * H;
  const int64_t state_dims[2] = {(int64_t)B, (int64_t)H};
  const bool lstm = op->params.cell == tsr_rnn_cell_lstm;
  tsr_status status;
  if ((status = tsr_tensor_expect_f32(&inputs[1].desc, 2, state_dims, where, "inputs[1] (h)")) ||
      (lstm && (status = tsr_tensor_expect_f32(&inputs[2].desc, 2, state_dims, where, "inputs[2] (c)"))) ||
      (status = tsr_tensor_expect_f32(&outputs[0].desc, 2, state_dims, where, "outputs[0] (h')")) ||
      (lstm && (status = tsr_tensor_expect_f32(&outputs[1].desc, 2, state_dims, where, "outputs[1] (c')"))))
    return status;
  /* gx, gh, rh; then the states are read from the inputs and written to the outputs. */
  float* work = malloc(sizeof(float) * B * (2 * GH + H));
  if (work == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  const struct tsr_rnn_unit* u = &op->units[0];
  status = tsr_rnn_input_gemm(op, u, B, inputs[0].data, work, pool);
  const struct tsr_rnn_step s = {
      .op = op, .unit = u, .batch = B, .gx = work, .ldgx = GH, .h = inputs[1].data,
      .c = lstm ? inputs[2].data : NULL, .h_out = outputs[0].data,
      .c_out = lstm ? outputs[1].data : NULL, .gh = work + B * GH, .rh = work + 2 * B * GH};
  if (status == tsr_status_success) status = tsr_rnn_step_run(&s, pool);
  free(work);
  return status;
}

static void tsr_rnn_release(tsr_op* base) {
  struct tsr_rnn_op* op = (struct tsr_rnn_op*)base;
  for (size_t i = 0; op->units != NULL && i < op->num_units; i++) {
    tsr_gemm_packed_b_release(&op->units[i].w_ih);
    tsr_gemm_packed_b_release(&op->units[i].w_hh);
    tsr_gemm_packed_b_release(&op->units[i].w_hn);
    free(op->units[i].b_ih);
    free(op->units[i].b_hh);
  }
  free(op->units);
}

static const struct tsr_op_vtable tsr_rnn_vtable = {
    .run = tsr_rnn_run, .release = tsr_rnn_release, .num_inputs = 2, .num_outputs = 2,
    .min_inputs = 1, .min_outputs = 1};
static const struct tsr_op_vtable tsr_lstm_vtable = {
    .run = tsr_rnn_run, .release = tsr_rnn_release, .num_inputs = 3, .num_outputs = 3,
    .min_inputs = 1, .min_outputs = 1};
static const struct tsr_op_vtable tsr_rnn_cell_vtable = {
    .run = tsr_rnn_cell_run, .release = tsr_rnn_release, .num_inputs = 2, .num_outputs = 1};
static const struct tsr_op_vtable tsr_lstm_cell_vtable = {
    .run = tsr_rnn_cell_run, .release = tsr_rnn_release, .num_inputs = 3, .num_outputs = 2};

static tsr_status tsr_rnn_copy_bias(const float* bias, size_t n, float** copy, const char* where) {
  *copy = calloc(n, sizeof(float));
  if (*copy == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  if (bias != NULL) memcpy(*copy, bias, n * sizeof(float));
  return tsr_status_success;
}

/* Packs one unit's weights: W_ih [GH][in] and W_hh [GH][H] as op(B) = W^T. */
static tsr_status tsr_rnn_unit_init(struct tsr_rnn_op* op, struct tsr_rnn_unit* u, size_t input_size,
                                    const tsr_rnn_weights* w, const char* where) {
  const struct tsr_gemm_config* config = tsr_gemm_config_get();
  const size_t H = op->hidden, GH = op->gates * H;
  const bool split = op->params.cell == tsr_rnn_cell_gru;
  u->input_size = input_size;
  tsr_status status;
  if ((status = tsr_gemm_pack_b(config, true, input_size, GH, w->w_ih, input_size, &u->w_ih, where)) ||
      (status = tsr_gemm_pack_b(config, true, H, split ? 2 * H : GH, w->w_hh, H, &u->w_hh, where)) ||
      (split && (status = tsr_gemm_pack_b(config, true, H, H, w->w_hh + 2 * H * H, H, &u->w_hn, where))) ||
      (status = tsr_rnn_copy_bias(w->b_ih, GH, &u->b_ih, where)) ||
      (status = tsr_rnn_copy_bias(w->b_hh, GH, &u->b_hh, where)))
    return status;
  return tsr_status_success;
}

static tsr_status tsr_rnn_check(const tsr_rnn_params* p, const tsr_rnn_weights* weights,
                                size_t units, const char* where) {
  const int32_t gates = tsr_rnn_cell_gates(p->cell);
  if (gates == 0)
    return tsr_error(tsr_status_invalid_parameter, "%s: cell %d is not a tsr_rnn_cell_kind", where,
                     (int)p->cell);
  if (p->input_size < 1 || p->hidden_size < 1 || p->num_layers < 1)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is %lld; must be at least 1", where,
                     p->input_size < 1 ? "input_size" : p->hidden_size < 1 ? "hidden_size" : "num_layers",
                     (long long)(p->input_size < 1 ? p->input_size
                                 : p->hidden_size < 1 ? p->hidden_size : p->num_layers));
  /* Every weight matrix must be addressable: gates x hidden x max(input, 2 hidden). */
  const int64_t limit = INT64_C(1) << 40;
  if (p->input_size > limit || p->hidden_size > limit || p->num_layers > 1 << 20 ||
      (double)gates * (double)p->hidden_size *
              (double)(p->input_size > 2 * p->hidden_size ? p->input_size : 2 * p->hidden_size) >
          (double)(SIZE_MAX / 16))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: gates x hidden_size x input_size overflows", where);
  if (weights == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: weights is NULL", where);
  for (size_t i = 0; i < units; i++)
    if (weights[i].w_ih == NULL || weights[i].w_hh == NULL)
      return tsr_error(tsr_status_invalid_parameter, "%s: weights[%zu].%s is NULL", where, i,
                       weights[i].w_ih == NULL ? "w_ih" : "w_hh");
  return tsr_status_success;
}

static tsr_status tsr_rnn_build(const tsr_rnn_params* params, const tsr_rnn_weights* weights,
                                bool cell, tsr_op** op, const char* where) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (params->direction < tsr_rnn_forward || params->direction > tsr_rnn_bidirectional_sum)
    return tsr_error(tsr_status_invalid_parameter, "%s: direction %d is not a tsr_rnn_direction",
                     where, (int)params->direction);
  const bool bidirectional = params->direction >= tsr_rnn_bidirectional_concat;
  const size_t directions = bidirectional ? 2 : 1;
  tsr_status status = tsr_rnn_check(params, weights,
                                    (size_t)(params->num_layers > 0 && params->num_layers <= 1 << 20
                                                 ? params->num_layers : 0) * directions, where);
  if (status != tsr_status_success) return status;
  const bool lstm = params->cell == tsr_rnn_cell_lstm;
  const struct tsr_op_vtable* vtable = cell ? (lstm ? &tsr_lstm_cell_vtable : &tsr_rnn_cell_vtable)
                                            : (lstm ? &tsr_lstm_vtable : &tsr_rnn_vtable);
  struct tsr_rnn_op* created = (struct tsr_rnn_op*)tsr_op_alloc(
      sizeof(struct tsr_rnn_op), cell ? tsr_op_kind_rnn_cell : tsr_op_kind_rnn, vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->params = *params;
  created->gates = (size_t)tsr_rnn_cell_gates(params->cell);
  created->hidden = (size_t)params->hidden_size;
  created->directions = directions;
  created->width = (params->direction == tsr_rnn_bidirectional_concat ? 2 : 1) * created->hidden;
  created->num_units = (size_t)params->num_layers * directions;
  created->units = calloc(created->num_units, sizeof(struct tsr_rnn_unit));
  status = created->units == NULL ? tsr_error(tsr_status_out_of_memory, "%s: out of memory", where)
                                  : tsr_status_success;
  for (size_t i = 0; i < created->num_units && status == tsr_status_success; i++)
    status = tsr_rnn_unit_init(created, &created->units[i],
                               i < directions ? (size_t)params->input_size : created->width,
                               &weights[i], where);
  if (status != tsr_status_success) {
    tsr_op_destroy(&created->base);
    return status;
  }
  const struct tsr_gemm_config* config = tsr_gemm_config_get();
  static const char* const direction_names[] = {"forward", "reverse", "bidirectional_concat",
                                                "bidirectional_sum"};
  if (cell)
    snprintf(created->base.description, sizeof(created->base.description),
             "rnn_cell:%s in=%lld hidden=%lld impl=gemm:%s isa=%s", tsr_rnn_cell_name(params->cell),
             (long long)params->input_size, (long long)params->hidden_size, config->main_name,
             tsr_isa_name(config->isa));
  else
    snprintf(created->base.description, sizeof(created->base.description),
             "rnn:%s in=%lld hidden=%lld layers=%lld %s%s impl=gemm:%s isa=%s",
             tsr_rnn_cell_name(params->cell), (long long)params->input_size,
             (long long)params->hidden_size, (long long)params->num_layers,
             direction_names[params->direction], params->batch_first ? " batch_first" : "",
             config->main_name, tsr_isa_name(config->isa));
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_rnn_create(const tsr_rnn_params* params, const tsr_rnn_weights* weights, tsr_op** op) {
  if (params == NULL)
    return tsr_error(tsr_status_invalid_parameter, "tsr_rnn_create: params is NULL");
  return tsr_rnn_build(params, weights, false, op, "tsr_rnn_create");
}

tsr_status tsr_rnn_cell_create(tsr_rnn_cell_kind cell, int64_t input_size, int64_t hidden_size,
                               const tsr_rnn_weights* weights, tsr_op** op) {
  const tsr_rnn_params params = {.cell = cell, .input_size = input_size, .hidden_size = hidden_size,
                                 .num_layers = 1, .direction = tsr_rnn_forward};
  return tsr_rnn_build(&params, weights, true, op, "tsr_rnn_cell_create");
}
