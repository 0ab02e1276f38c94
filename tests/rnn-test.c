/* Recurrent cells and layers: one step against hand-computed values; cells and layers against
 * the double-precision reference (every cell kind, direction, 1-3 layers, batch_first or
 * time-major, last output or sequences, given or zero initial states); stacked layers against
 * single layers chained; and forward inference against oneDNN's vanilla_rnn, lstm, gru and
 * lbr_gru (one and several layers, both directions). Gates are float sums of GEMM products, so
 * comparisons with double references use atol 2e-5 + rtol 1e-4 per step of depth; bad input
 * gets a status, a message naming the argument and untouched outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/rnn-reference.h"
#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static const tsr_rnn_cell_kind kCells[] = {tsr_rnn_cell_tanh, tsr_rnn_cell_relu, tsr_rnn_cell_lstm,
                                           tsr_rnn_cell_gru, tsr_rnn_cell_gru_linear_before_reset};
static const char* const kCellNames[] = {"", "tanh", "relu", "lstm", "gru", "lbr_gru"};

/* Random weights for every unit of a layer; one allocation per unit, freed by weights_free. */
static tsr_rnn_weights* weights_random(tsr_rng* rng, const tsr_rnn_params* p, size_t units,
                                       int with_bias) {
  const size_t G = (size_t)tsr_rnn_cell_gates(p->cell), H = (size_t)p->hidden_size;
  const size_t width = p->direction == tsr_rnn_bidirectional_concat ? 2 * H : H;
  const size_t directions = p->direction >= tsr_rnn_bidirectional_concat ? 2 : 1;
  tsr_rnn_weights* w = calloc(units, sizeof(*w));
  const float bound = 1.0f / sqrtf((float)H); /* PyTorch's init range */
  for (size_t u = 0; u < units; u++) {
    const size_t in = u < directions ? (size_t)p->input_size : width;
    float* data = malloc(sizeof(float) * G * H * (in + H + 2));
    tsr_fill_uniform(rng, data, G * H * (in + H + 2), -bound, bound);
    w[u].w_ih = data;
    w[u].w_hh = data + G * H * in;
    w[u].b_ih = with_bias ? data + G * H * (in + H) : NULL;
    w[u].b_hh = with_bias ? data + G * H * (in + H + 1) : NULL;
  }
  return w;
}

static void weights_free(tsr_rnn_weights* w, size_t units) {
  for (size_t u = 0; u < units; u++) free((void*)w[u].w_ih);
  free(w);
}

static tsr_tensor tensor3(int64_t a, int64_t b, int64_t c, float* data) {
  tsr_tensor t = {.data = data};
  const int64_t dims[] = {a, b, c};
  tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 3, dims);
  return t;
}

static tsr_tensor tensor2(int64_t a, int64_t b, float* data) {
  tsr_tensor t = {.data = data};
  const int64_t dims[] = {a, b};
  tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
  return t;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* One step of each cell with input 1, hidden 1 (and an LSTM with hidden 2), worked by hand. */
static void test_hand_values(void) {
  const float x = 2.0f, h = 0.5f, c = -1.0f;
  struct {
    tsr_rnn_cell_kind cell;
    float w_ih[4], w_hh[4], b_ih[4], b_hh[4];
    double expected_h, expected_c;
  } cases[] = {
      {tsr_rnn_cell_tanh, {0.5f}, {-1.0f}, {0.25f}, {0.125f}, tanh(1.0 - 0.5 + 0.375), 0},
      {tsr_rnn_cell_relu, {0.5f}, {-1.0f}, {0.25f}, {-2.0f}, 0.0, 0},
      {tsr_rnn_cell_relu, {0.5f}, {1.0f}, {0.25f}, {0.0f}, 1.75, 0},
      /* i, f, g, o pre-activations: 2*0.1+0.5*0.2, 2*0.3-0.5*0.4+1, 2*(-0.5)+0.5*0.5, 2*1+0 */
      {tsr_rnn_cell_lstm, {0.1f, 0.3f, -0.5f, 1.0f}, {0.2f, -0.4f, 0.5f, 0.0f}, {0, 1, 0, 0}, {0, 0, 0, 0},
       sigmoid(2.0) * tanh(sigmoid(1.4) * -1.0 + sigmoid(0.3) * tanh(-0.75)),
       sigmoid(1.4) * -1.0 + sigmoid(0.3) * tanh(-0.75)},
      /* r, z, n: r = sig(2*0.5 + 0.5*1), z = sig(2*(-1) + 0.5*0), n parts 2*0.25 + 0.1 and 0.5*(-2)+0.2 */
      {tsr_rnn_cell_gru, {0.5f, -1.0f, 0.25f}, {1.0f, 0.0f, -2.0f}, {0, 0, 0.1f}, {0, 0, 0.2f},
       (1 - sigmoid(-2.0)) * tanh(0.6 + (-2.0 * sigmoid(1.5) * 0.5 + 0.2)) + sigmoid(-2.0) * 0.5, 0},
      {tsr_rnn_cell_gru_linear_before_reset, {0.5f, -1.0f, 0.25f}, {1.0f, 0.0f, -2.0f}, {0, 0, 0.1f},
       {0, 0, 0.2f}, (1 - sigmoid(-2.0)) * tanh(0.6 + sigmoid(1.5) * (-1.0 + 0.2)) + sigmoid(-2.0) * 0.5, 0},
  };
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    const tsr_rnn_weights w = {cases[k].w_ih, cases[k].w_hh, cases[k].b_ih, cases[k].b_hh};
    tsr_op* op = NULL;
    tsr_check_status(tsr_rnn_cell_create(cases[k].cell, 1, 1, &w, &op), tsr_status_success, "hand cell");
    float xs = x, hs = h, cs = c, h_out = NAN, c_out = NAN;
    const tsr_tensor in[] = {tensor2(1, 1, &xs), tensor2(1, 1, &hs), tensor2(1, 1, &cs)};
    const tsr_tensor out[] = {tensor2(1, 1, &h_out), tensor2(1, 1, &c_out)};
    const int lstm = cases[k].cell == tsr_rnn_cell_lstm;
    tsr_check_status(tsr_op_run(op, lstm ? 3 : 2, in, lstm ? 2 : 1, out, NULL), tsr_status_success,
                     tsr_op_describe(op));
    char what[64];
    snprintf(what, sizeof(what), "hand-worked %s step %zu", kCellNames[cases[k].cell], k);
    const float eh = (float)cases[k].expected_h, ec = (float)cases[k].expected_c;
    tsr_check_close(what, &h_out, &eh, 1, 1e-6, 1e-6);
    if (lstm) tsr_check_close(what, &c_out, &ec, 1, 1e-6, 1e-6);
    tsr_op_destroy(op);
  }
}

/* Cells against the reference step, states aliased in place as a user steps a sequence. */
static void test_cells(tsr_rng* rng) {
  const int64_t sizes[][3] = {{1, 1, 1}, {3, 5, 7}, {4, 16, 8}, {2, 33, 17}, {9, 8, 64}};
  for (size_t k = 0; k < 5; k++)
    for (size_t s = 0; s < 5; s++) {
      const int64_t B = sizes[s][0], in = sizes[s][1], H = sizes[s][2];
      const tsr_rnn_params p = {.cell = kCells[k], .input_size = in, .hidden_size = H, .num_layers = 1};
      tsr_rnn_weights* w = weights_random(rng, &p, 1, s != 1);
      tsr_op* op = NULL;
      tsr_check_status(tsr_rnn_cell_create(kCells[k], in, H, w, &op), tsr_status_success, "cell create");
      float* x = malloc(sizeof(float) * (size_t)(B * in));
      float* state = malloc(sizeof(float) * (size_t)(4 * B * H));
      float *h = state, *c = state + B * H, *eh = state + 2 * B * H, *ec = state + 3 * B * H;
      tsr_fill_uniform(rng, x, (size_t)(B * in), -1, 1);
      tsr_fill_uniform(rng, state, (size_t)(2 * B * H), -1, 1);
      tsr_reference_rnn_cell_f32(kCells[k], (size_t)B, (size_t)in, (size_t)H, x, (size_t)in, h, c, w, eh, ec);
      const tsr_tensor in_t[] = {tensor2(B, in, x), tensor2(B, H, h), tensor2(B, H, c)};
      const int lstm = kCells[k] == tsr_rnn_cell_lstm;
      tsr_check_status(tsr_op_run(op, lstm ? 3 : 2, in_t, lstm ? 2 : 1, &in_t[1], NULL),
                       tsr_status_success, tsr_op_describe(op));
      char what[96];
      snprintf(what, sizeof(what), "%s cell b%lld in%lld h%lld", kCellNames[kCells[k]],
               (long long)B, (long long)in, (long long)H);
      tsr_check_close(what, h, eh, (size_t)(B * H), 2e-6, 1e-5);
      if (lstm) tsr_check_close(what, c, ec, (size_t)(B * H), 2e-6, 1e-5);
      free(x), free(state);
      weights_free(w, 1);
      tsr_op_destroy(op);
    }
}

/* Everything a layer run needs, allocated from its params. */
struct layer_case {
  tsr_rnn_params p;
  int64_t B, T;
  size_t units, width;
  tsr_rnn_weights* w;
  float *x, *h0, *c0, *y, *hn, *cn;
  size_t nx, ny, ns;
  tsr_tensor inputs[3], outputs[3];
};

static void layer_case_init(struct layer_case* c, tsr_rng* rng, const tsr_rnn_params* p, int64_t B,
                            int64_t T, int with_bias) {
  memset(c, 0, sizeof(*c));
  c->p = *p, c->B = B, c->T = T;
  const size_t D = p->direction >= tsr_rnn_bidirectional_concat ? 2 : 1;
  c->units = (size_t)p->num_layers * D;
  c->width = (size_t)p->hidden_size * (p->direction == tsr_rnn_bidirectional_concat ? 2 : 1);
  c->w = weights_random(rng, p, c->units, with_bias);
  c->nx = (size_t)(B * T * p->input_size);
  c->ns = c->units * (size_t)(B * p->hidden_size);
  c->ny = (size_t)(p->return_sequences ? B * T : B) * c->width;
  c->x = malloc(sizeof(float) * c->nx);
  c->h0 = malloc(sizeof(float) * c->ns * 2);
  c->c0 = c->h0 + c->ns;
  c->y = malloc(sizeof(float) * c->ny);
  c->hn = malloc(sizeof(float) * c->ns * 2);
  c->cn = c->hn + c->ns;
  tsr_fill_uniform(rng, c->x, c->nx, -1, 1);
  tsr_fill_uniform(rng, c->h0, c->ns * 2, -1, 1);
  const int64_t a = p->batch_first ? B : T, b = p->batch_first ? T : B;
  c->inputs[0] = tensor3(a, b, p->input_size, c->x);
  c->inputs[1] = tensor3((int64_t)c->units, B, p->hidden_size, c->h0);
  c->inputs[2] = tensor3((int64_t)c->units, B, p->hidden_size, c->c0);
  c->outputs[0] = p->return_sequences ? tensor3(a, b, (int64_t)c->width, c->y) : tensor2(B, (int64_t)c->width, c->y);
  c->outputs[1] = tensor3((int64_t)c->units, B, p->hidden_size, c->hn);
  c->outputs[2] = tensor3((int64_t)c->units, B, p->hidden_size, c->cn);
}

static void layer_case_free(struct layer_case* c) {
  weights_free(c->w, c->units);
  free(c->x), free(c->h0), free(c->y), free(c->hn);
}

static void case_name(char* text, size_t size, const struct layer_case* c, const char* extra) {
  static const char* const directions[] = {"fwd", "rev", "concat", "sum"};
  snprintf(text, size, "%s l%lld %s in%lld h%lld b%lld t%lld%s%s %s", kCellNames[c->p.cell],
           (long long)c->p.num_layers, directions[c->p.direction], (long long)c->p.input_size,
           (long long)c->p.hidden_size, (long long)c->B, (long long)c->T,
           c->p.batch_first ? " batch_first" : "", c->p.return_sequences ? " seq" : " last", extra);
}

/* Layers against the reference: a seeded sweep over every option. */
static void test_layers(tsr_rng* rng, tsr_threadpool* pool) {
  for (int n = 0; n < 300; n++) {
    const tsr_rnn_params p = {
        .cell = kCells[n % 5],
        .input_size = 1 + (int64_t)tsr_rng_below(rng, 20),
        .hidden_size = 1 + (int64_t)tsr_rng_below(rng, 24),
        .num_layers = 1 + (int64_t)tsr_rng_below(rng, 3),
        .direction = (tsr_rnn_direction)tsr_rng_below(rng, 4),
        .batch_first = (int)tsr_rng_below(rng, 2),
        .return_sequences = (int)tsr_rng_below(rng, 2)};
    struct layer_case c;
    layer_case_init(&c, rng, &p, 1 + (int64_t)tsr_rng_below(rng, 5), 1 + (int64_t)tsr_rng_below(rng, 9),
                    n % 7 != 3);
    const int given_state = (int)tsr_rng_below(rng, 2), lstm = p.cell == tsr_rnn_cell_lstm;
    const size_t num_inputs = given_state ? (lstm ? 3 : 2) : 1;
    const size_t num_outputs = 1 + tsr_rng_below(rng, lstm ? 3 : 2);
    float* ey = malloc(sizeof(float) * c.ny);
    float* ehn = malloc(sizeof(float) * c.ns * 2);
    tsr_reference_rnn_f32(&p, c.w, (size_t)c.B, (size_t)c.T, c.x, given_state ? c.h0 : NULL,
                          given_state ? c.c0 : NULL, ey, ehn, ehn + c.ns);
    tsr_op* op = NULL;
    char what[160];
    case_name(what, sizeof(what), &c, given_state ? "h0" : "");
    tsr_check_status(tsr_rnn_create(&p, c.w, &op), tsr_status_success, what);
    tsr_fill_nan(c.y, c.ny), tsr_fill_nan(c.hn, c.ns * 2);
    tsr_check_status(tsr_op_run(op, num_inputs, c.inputs, num_outputs, c.outputs, pool),
                     tsr_status_success, what);
    /* Errors grow with depth in time and layers. */
    const double tol = 1e-5 * (double)(c.T + p.num_layers);
    tsr_check_close(what, c.y, ey, c.ny, tol, tol);
    if (num_outputs > 1) tsr_check_close(what, c.hn, ehn, c.ns, tol, tol);
    if (num_outputs > 2) tsr_check_close(what, c.cn, ehn + c.ns, c.ns, tol, tol);
    tsr_op_destroy(op);
    free(ey), free(ehn);
    layer_case_free(&c);
  }
}

/* A stack of L layers equals L single-layer ops chained, each fed the one before's sequence. */
static void test_stack_equals_chain(tsr_rng* rng, tsr_threadpool* pool) {
  for (int k = 0; k < 5; k++) {
    const tsr_rnn_params p = {.cell = kCells[k], .input_size = 6, .hidden_size = 5, .num_layers = 3,
                              .direction = tsr_rnn_bidirectional_concat, .batch_first = 1,
                              .return_sequences = 1};
    struct layer_case c;
    layer_case_init(&c, rng, &p, 3, 7, 1);
    tsr_op* op = NULL;
    tsr_rnn_create(&p, c.w, &op);
    tsr_op_run(op, 1, c.inputs, 1, c.outputs, pool);
    float* seq = malloc(sizeof(float) * (size_t)(c.B * c.T) * c.width * 2);
    float* next = seq + (size_t)(c.B * c.T) * c.width;
    memcpy(seq, c.x, sizeof(float) * c.nx);
    for (int64_t l = 0; l < 3; l++) {
      tsr_rnn_params one = p;
      one.num_layers = 1;
      one.input_size = l == 0 ? p.input_size : (int64_t)c.width;
      tsr_op* layer = NULL;
      tsr_rnn_create(&one, c.w + 2 * l, &layer);
      const tsr_tensor in = tensor3(c.B, c.T, one.input_size, seq);
      const tsr_tensor out = tensor3(c.B, c.T, (int64_t)c.width, next);
      tsr_check_status(tsr_op_run(layer, 1, &in, 1, &out, pool), tsr_status_success, "chained layer");
      memcpy(seq, next, sizeof(float) * (size_t)(c.B * c.T) * c.width);
      tsr_op_destroy(layer);
    }
    char what[160];
    case_name(what, sizeof(what), &c, "stack = chain");
    tsr_check_close(what, c.y, seq, c.ny, 0.0, 0.0);
    free(seq);
    tsr_op_destroy(op);
    layer_case_free(&c);
  }
}

#ifdef TSR_HAVE_ONEDNN
/* Forward inference against oneDNN. oneDNN runs the directions of a deep bidirectional stack
 * as separate stacks, unlike PyTorch and tessera, so bidirectional cases have one layer; deep
 * stacks need input_size = hidden_size there. */
static void test_onednn(tsr_rng* rng, tsr_threadpool* pool) {
  int compared = 0;
  for (int n = 0; n < 120; n++) {
    const tsr_rnn_direction direction = (tsr_rnn_direction)(n / 5 % 4);
    const int64_t H = 1 + (int64_t)tsr_rng_below(rng, 40);
    const int64_t layers = direction >= tsr_rnn_bidirectional_concat ? 1 : 1 + (int64_t)tsr_rng_below(rng, 3);
    const tsr_rnn_params p = {.cell = kCells[n % 5],
                              .input_size = layers > 1 ? H : 1 + (int64_t)tsr_rng_below(rng, 40),
                              .hidden_size = H, .num_layers = layers, .direction = direction,
                              .batch_first = (int)tsr_rng_below(rng, 2), .return_sequences = 1};
    struct layer_case c;
    layer_case_init(&c, rng, &p, 1 + (int64_t)tsr_rng_below(rng, 6), 1 + (int64_t)tsr_rng_below(rng, 12), 1);
    float* ey = malloc(sizeof(float) * c.ny);
    float* ehn = malloc(sizeof(float) * c.ns * 2);
    char what[160];
    case_name(what, sizeof(what), &c, "vs oneDNN");
    if (tsr_onednn_rnn_run(&c.p, c.w, (size_t)c.B, (size_t)c.T, c.x, c.h0, c.c0, ey, ehn, ehn + c.ns) != 0) {
      tsr_check(0, what, "oneDNN failed");
    } else {
      tsr_op* op = NULL;
      tsr_rnn_create(&p, c.w, &op);
      const int lstm = p.cell == tsr_rnn_cell_lstm;
      tsr_fill_nan(c.y, c.ny), tsr_fill_nan(c.hn, 2 * c.ns);
      tsr_check_status(tsr_op_run(op, lstm ? 3 : 2, c.inputs, lstm ? 3 : 2, c.outputs, pool),
                       tsr_status_success, what);
      const double tol = 1e-5 * (double)(c.T + p.num_layers);
      tsr_check_close(what, c.y, ey, c.ny, tol, tol);
      tsr_check_close(what, c.hn, ehn, c.ns, tol, tol);
      if (lstm) tsr_check_close(what, c.cn, ehn + c.ns, c.ns, tol, tol);
      tsr_op_destroy(op);
      compared++;
    }
    free(ey), free(ehn);
    layer_case_free(&c);
  }
  printf("oneDNN: %d layer cases compared\n", compared);
}
#endif

static void test_bad_input(tsr_rng* rng) {
  tsr_rnn_params p = {.cell = tsr_rnn_cell_lstm, .input_size = 3, .hidden_size = 4, .num_layers = 2,
                      .direction = tsr_rnn_bidirectional_concat, .batch_first = 1, .return_sequences = 1};
  struct layer_case c;
  layer_case_init(&c, rng, &p, 2, 3, 1);
  tsr_op* op = (tsr_op*)0x1;
  tsr_rnn_params bad = p;
  tsr_check_status(tsr_rnn_create(NULL, c.w, &op), tsr_status_invalid_parameter, "params NULL");
  tsr_check_status(tsr_rnn_create(&p, NULL, &op), tsr_status_invalid_parameter, "weights NULL");
  tsr_check_status(tsr_rnn_create(&p, c.w, NULL), tsr_status_invalid_parameter, "op NULL");
  bad.cell = (tsr_rnn_cell_kind)9;
  tsr_check_status(tsr_rnn_create(&bad, c.w, &op), tsr_status_invalid_parameter, "cell 9");
  tsr_check(strstr(tsr_last_error_message(), "cell") != NULL, "cell message", "'%s'", tsr_last_error_message());
  bad = p, bad.direction = (tsr_rnn_direction)4;
  tsr_check_status(tsr_rnn_create(&bad, c.w, &op), tsr_status_invalid_parameter, "direction 4");
  bad = p, bad.hidden_size = 0;
  tsr_check_status(tsr_rnn_create(&bad, c.w, &op), tsr_status_invalid_parameter, "hidden 0");
  tsr_check(strstr(tsr_last_error_message(), "hidden_size") != NULL, "hidden message", "'%s'", tsr_last_error_message());
  bad = p, bad.input_size = -1;
  tsr_check_status(tsr_rnn_create(&bad, c.w, &op), tsr_status_invalid_parameter, "input -1");
  bad = p, bad.num_layers = 0;
  tsr_check_status(tsr_rnn_create(&bad, c.w, &op), tsr_status_invalid_parameter, "layers 0");
  bad = p, bad.hidden_size = INT64_C(1) << 40, bad.input_size = INT64_C(1) << 40;
  tsr_check_status(tsr_rnn_create(&bad, c.w, &op), tsr_status_invalid_parameter, "sizes overflow");
  tsr_rnn_weights saved = c.w[3];
  c.w[3].w_hh = NULL;
  tsr_check_status(tsr_rnn_create(&p, c.w, &op), tsr_status_invalid_parameter, "w_hh NULL");
  tsr_check(strstr(tsr_last_error_message(), "weights[3].w_hh") != NULL, "w_hh message", "'%s'", tsr_last_error_message());
  c.w[3] = saved;
  tsr_check(op == (tsr_op*)0x1, "op untouched", "failed creates must not write op");
  tsr_check_status(tsr_rnn_cell_create(tsr_rnn_cell_gru, 3, 4, NULL, &op), tsr_status_invalid_parameter, "cell weights NULL");
  tsr_check_status(tsr_rnn_cell_create(tsr_rnn_cell_gru, 0, 4, c.w, &op), tsr_status_invalid_parameter, "cell input 0");

  tsr_check_status(tsr_rnn_create(&p, c.w, &op), tsr_status_success, "create");
  /* Mismatched run tensors: refused, nothing written. */
  struct {
    int which;          /* 0: x, 1: h0, 3: y, 4: h_n */
    int64_t dims[3];
    const char* name;
  } cases[] = {{0, {2, 3, 4}, "inputs[0]"}, {1, {4, 2, 5}, "h0"}, {1, {3, 2, 4}, "h0"},
               {3, {2, 3, 4}, "outputs[0]"}, {4, {4, 1, 4}, "h_n"}};
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    tsr_tensor in[3] = {c.inputs[0], c.inputs[1], c.inputs[2]};
    tsr_tensor out[3] = {c.outputs[0], c.outputs[1], c.outputs[2]};
    tsr_tensor* t = cases[k].which < 3 ? &in[cases[k].which] : &out[cases[k].which - 3];
    float* big = malloc(sizeof(float) * 200);
    *t = tensor3(cases[k].dims[0], cases[k].dims[1], cases[k].dims[2], big);
    tsr_fill_nan(c.y, c.ny), tsr_fill_nan(c.hn, 2 * c.ns);
    tsr_check_status(tsr_op_run(op, 3, in, 3, out, NULL), tsr_status_invalid_parameter, cases[k].name);
    tsr_check(strstr(tsr_last_error_message(), cases[k].name) != NULL, cases[k].name, "'%s'", tsr_last_error_message());
    if (t->data != c.y) tsr_check_untouched(cases[k].name, c.y, c.ny);
    tsr_check_untouched(cases[k].name, c.hn, 2 * c.ns);
    free(big);
  }
  tsr_check_status(tsr_op_run(op, 0, c.inputs, 1, c.outputs, NULL), tsr_status_invalid_parameter, "no inputs");
  tsr_check_status(tsr_op_run(op, 4, c.inputs, 1, c.outputs, NULL), tsr_status_invalid_parameter, "4 inputs");
  tsr_op_destroy(op);
  tsr_op_destroy(NULL);
  tsr_check(tsr_rnn_cell_gates(tsr_rnn_cell_lstm) == 4 && tsr_rnn_cell_gates((tsr_rnn_cell_kind)0) == 0,
            "gates", "tsr_rnn_cell_gates");
  layer_case_free(&c);
}

int main(void) {
  tsr_rng rng = tsr_rng_seeded(42);
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  test_hand_values();
  test_cells(&rng);
  test_layers(&rng, NULL);
  test_layers(&rng, pool);
  test_stack_equals_chain(&rng, pool);
#ifdef TSR_HAVE_ONEDNN
  test_onednn(&rng, pool);
#endif
  test_bad_input(&rng);
  tsr_threadpool_destroy(pool);
  return tsr_test_finish();
}
