/* `tessera bench rnn`: benchdnn's RNN descriptors, "l<L>t<T>mb<N>sic<S>slc<I>dhc<H>dic<H>"
 * (sic = dhc = dic: tessera has no projection), under option lines --alg=VANILLA_RNN|
 * VANILLA_LSTM|VANILLA_GRU|LBR_GRU, --activation=TANH|RELU (vanilla RNN; default TANH) and
 * --direction=left2right|right2left|concat|sum. Forward inference, time-major, h0 (and c0)
 * given. Checked against oneDNN's primitive on the whole problem and against the reference
 * loop on batch item 0 (samples are independent); timed beside oneDNN in GFLOP/s counting 2 x gates x hidden
 * x (input + hidden) per step, sample, layer and direction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/rnn-reference.h"
#include "tests/harness/harness.h"
#include "tools/bench.h"
#include "tools/problem-parse.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static tsr_rnn_cell_kind tsr_rnn_alg = tsr_rnn_cell_lstm;
static int tsr_rnn_relu = 0;
static tsr_rnn_direction tsr_rnn_dir = tsr_rnn_forward;

static void tsr_rnn_reset(void) {
  tsr_rnn_alg = tsr_rnn_cell_lstm, tsr_rnn_relu = 0, tsr_rnn_dir = tsr_rnn_forward;
}

static int tsr_rnn_option(const char* key, const char* value, char* error, size_t size) {
  static const char* const algs[] = {"VANILLA_RNN", "VANILLA_LSTM", "VANILLA_GRU", "LBR_GRU"};
  static const char* const dirs[] = {"left2right", "right2left", "concat", "sum"};
  if (strcmp(key, "alg") == 0)
    for (int a = 0; a < 4; a++)
      if (strcmp(value, algs[a]) == 0) {
        static const tsr_rnn_cell_kind cells[] = {tsr_rnn_cell_tanh, tsr_rnn_cell_lstm, tsr_rnn_cell_gru,
                                                  tsr_rnn_cell_gru_linear_before_reset};
        tsr_rnn_alg = cells[a];
        return 0;
      }
  if (strcmp(key, "activation") == 0 && (strcmp(value, "TANH") == 0 || strcmp(value, "RELU") == 0)) {
    tsr_rnn_relu = value[0] == 'R';
    return 0;
  }
  if (strcmp(key, "direction") == 0)
    for (int d = 0; d < 4; d++)
      if (strcmp(value, dirs[d]) == 0) {
        tsr_rnn_dir = (tsr_rnn_direction)d;
        return 0;
      }
  snprintf(error, size, "unknown option --%s=%s (rnn takes --alg=VANILLA_RNN|VANILLA_LSTM|VANILLA_GRU|LBR_GRU, "
           "--activation=TANH|RELU, --direction=left2right|right2left|concat|sum)", key, value);
  return -1;
}

static int tsr_rnn_bench_run(const char* body, const struct tsr_bench_settings* settings,
                             struct tsr_bench_result* result, char* error, size_t size) {
  static const char* const keys[] = {"l", "t", "mb", "sic", "slc", "dhc", "dic"};
  int64_t v[7] = {1, 1, 1, 0, 0, 0, 0};
  bool present[7] = {false};
  if (tsr_parse_keyed(body, keys, 7, v, present, error, size) != 0) return -1;
  const int64_t H = present[5] ? v[5] : v[3];
  if (H < 1 || (present[3] && v[3] != H) || (present[6] && v[6] != H) || !present[4] || v[4] < 1) {
    snprintf(error, size, "'%s': slc and dhc are required, and sic and dic must equal dhc", body);
    return -1;
  }
  const tsr_rnn_cell_kind cell = tsr_rnn_alg == tsr_rnn_cell_tanh && tsr_rnn_relu ? tsr_rnn_cell_relu : tsr_rnn_alg;
  const tsr_rnn_params p = {.cell = cell, .input_size = v[4], .hidden_size = H, .num_layers = v[0],
                            .direction = tsr_rnn_dir, .return_sequences = 1};
  const size_t B = (size_t)(settings->mb > 0 ? settings->mb : v[2]), T = (size_t)v[1], G = (size_t)tsr_rnn_cell_gates(cell);
  const size_t D = tsr_rnn_dir >= tsr_rnn_bidirectional_concat ? 2 : 1, L = (size_t)v[0];
  const size_t W = (size_t)H * (tsr_rnn_dir == tsr_rnn_bidirectional_concat ? 2 : 1);
  if (L > 1 && (D == 2 || v[4] != H)) {
    snprintf(error, size, "'%s': several layers need slc = dhc and one direction (as oneDNN stacks them)", body);
    return -1;
  }
  const size_t units = L * D, in = (size_t)v[4], nw = G * (size_t)H * (in + (size_t)H + 2);
  const size_t nx = T * B * in, ny = T * B * W, ns = units * B * (size_t)H;
  if (units * nw + nx + 2 * ny + 4 * ns > ((size_t)1 << 29)) {
    snprintf(error, size, "'%s': too large to benchmark", body);
    return -1;
  }
  if (result == NULL) return 0;
  float* weights = tsr_bench_alloc(sizeof(float) * units * nw);
  float* x = tsr_bench_alloc(sizeof(float) * nx), *y = tsr_bench_alloc(sizeof(float) * ny);
  float* theirs = tsr_bench_alloc(sizeof(float) * ny), *states = tsr_bench_alloc(sizeof(float) * 6 * ns);
  tsr_rnn_weights* w = calloc(units, sizeof(tsr_rnn_weights));
  if (!weights || !x || !y || !theirs || !states || !w) {
    free(weights), free(x), free(y), free(theirs), free(states), free(w);
    snprintf(error, size, "out of memory");
    return -1;
  }
  tsr_rng rng = tsr_rng_seeded(19);
  tsr_fill_uniform(&rng, weights, units * nw, -0.05f, 0.05f);
  tsr_fill_uniform(&rng, x, nx, -1, 1);
  tsr_fill_uniform(&rng, states, 2 * ns, -1, 1);
  for (size_t u = 0; u < units; u++) {
    float* base = weights + u * nw;
    const size_t GH = G * (size_t)H;
    w[u] = (tsr_rnn_weights){base, base + GH * in, base + GH * (in + (size_t)H), base + GH * (in + (size_t)H + 1)};
  }
  tsr_op* op = NULL;
  tsr_rnn_create(&p, w, &op);
  const int64_t xd[3] = {(int64_t)T, (int64_t)B, (int64_t)in}, yd[3] = {(int64_t)T, (int64_t)B, (int64_t)W};
  const int64_t sd[3] = {(int64_t)units, (int64_t)B, H};
  tsr_tensor inputs[3] = {{.data = x}, {.data = states}, {.data = states + ns}}, output = {.data = y};
  tsr_tensor_desc_init(&inputs[0].desc, tsr_dtype_f32, tsr_layout_plain, 3, xd);
  tsr_tensor_desc_init(&inputs[1].desc, tsr_dtype_f32, tsr_layout_plain, 3, sd);
  inputs[2].desc = inputs[1].desc;
  tsr_tensor_desc_init(&output.desc, tsr_dtype_f32, tsr_layout_plain, 3, yd);
  snprintf(result->impl, sizeof(result->impl), "%s", tsr_op_describe(op));
  result->work = 2.0 * (double)G * (double)H * (double)(in + (size_t)H) * (double)(T * B * units);
  snprintf(result->status, sizeof(result->status), "ok");
  struct tsr_bench_runs runs = {.op = op, .num_inputs = cell == tsr_rnn_cell_lstm ? 3 : 2, .num_outputs = 1,
                                .inputs = inputs, .outputs = &output, .pool = settings->pool};
  const double tol = 1e-5 * (double)(T + L);
#ifdef TSR_HAVE_ONEDNN
  float* hn = states + 4 * ns;
  tsr_onednn_rnn theirs_rnn;
  const int have_onednn =
      tsr_onednn_rnn_create(&theirs_rnn, &p, w, B, T, x, states, states + ns, theirs, hn, hn + ns) == 0;
  if (have_onednn) runs.onednn = &theirs_rnn.call;
  else snprintf(result->status, sizeof(result->status), "onednn_failed");
  if (settings->mode & tsr_bench_check)
    tsr_bench_check_against_onednn(&runs, y, theirs, ny, tol, tol, result);
#endif
  if ((settings->mode & tsr_bench_check) && strcmp(result->status, "ok") == 0) {
    tsr_fill_nan(y, ny);
    tsr_bench_run_tessera(&runs);
    /* The reference on sample 0: its slices of x, h0, c0 (time-major with batch 1). */
    float* x0 = malloc(sizeof(float) * T * in), *y0 = malloc(sizeof(float) * T * W), *mine = malloc(sizeof(float) * T * W);
    float* s0 = states + 2 * ns; /* h0, c0 of sample 0 */
    for (size_t t = 0; t < T; t++) memcpy(x0 + t * in, x + t * B * in, sizeof(float) * in);
    for (size_t u = 0; u < units; u++)
      for (int k = 0; k < 2; k++) memcpy(s0 + k * units * (size_t)H + u * (size_t)H, states + k * ns + u * B * (size_t)H, sizeof(float) * (size_t)H);
    tsr_reference_rnn_f32(&p, w, 1, T, x0, s0, s0 + units * (size_t)H, y0, NULL, NULL);
    for (size_t t = 0; t < T; t++) memcpy(mine + t * W, y + t * B * W, sizeof(float) * W);
    const double err = tsr_max_abs_error(mine, y0, T * W);
    if (!(err <= result->max_abs_err)) result->max_abs_err = err; /* also replaces NAN */
    if (tsr_count_mismatches(mine, y0, T * W, tol, tol) != 0) snprintf(result->status, sizeof(result->status), "mismatch");
    free(x0), free(y0), free(mine);
  }
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn) tsr_onednn_rnn_destroy(&theirs_rnn);
#endif
  tsr_op_destroy(op);
  free(weights), free(x), free(y), free(theirs), free(states), free(w);
  return 0;
}

static const char* const tsr_rnn_suite[] = {"--alg=VANILLA_LSTM", "l1t20mb1sic256slc128dhc256dic256n\"lstm.small\"", NULL};

const struct tsr_bench_driver tsr_bench_rnn_driver = {
    "rnn", "RNN / LSTM / GRU layers (lLtTmbNsicHslcIdhcHdicH; --alg, --activation, --direction); GFLOP/s",
    tsr_rnn_suite, tsr_rnn_reset, tsr_rnn_option, tsr_rnn_bench_run};
