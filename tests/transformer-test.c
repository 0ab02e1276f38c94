/* Transformer layers against a composition in double precision written from PyTorch's
 * definitions (explicit linear layers, layer norms, attention), post- and pre-norm, ReLU and
 * GELU, with masks; the whole Transformer against its composed layers; determinism across
 * thread counts (dropout off, and dropout on with its seeds); and bad input. Tolerance: atol
 * 1e-4 + rtol 1e-4 (float GEMMs and layer norms against double, a few layers deep). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/attention-compose.h"
#include "tests/harness/harness.h"

enum { D = 16, HEADS = 4, FF = 24 };

/* Weights of one layer (encoder or decoder) from one random block. */
struct layer_weights {
  float* storage;
  tsr_mha_weights attn[2];
  const float *w1, *b1, *w2, *b2, *gamma[3], *beta[3];
};

static void layer_weights_init(struct layer_weights* w, tsr_rng* rng) {
  const size_t mha = 4 * D * D + 4 * D, total = 2 * mha + 2 * FF * D + FF + D + 6 * D;
  w->storage = malloc(sizeof(float) * total);
  tsr_fill_uniform(rng, w->storage, total, -0.3f, 0.3f);
  float* at = w->storage;
  for (int a = 0; a < 2; a++) {
    tsr_mha_weights* m = &w->attn[a];
    memset(m, 0, sizeof(*m));
    m->w_q = at, m->w_k = at + D * D, m->w_v = at + 2 * D * D, m->w_o = at + 3 * D * D;
    at += 4 * D * D;
    m->b_q = at, m->b_k = at + D, m->b_v = at + 2 * D, m->b_o = at + 3 * D;
    at += 4 * D;
  }
  w->w1 = at, at += FF * D;
  w->b1 = at, at += FF;
  w->w2 = at, at += FF * D;
  w->b2 = at, at += D;
  for (int k = 0; k < 3; k++) {
    for (int i = 0; i < D; i++) at[i] += 1.0f; /* gammas near 1 */
    w->gamma[k] = at, at += D;
    w->beta[k] = at, at += D;
  }
}

static tsr_transformer_encoder_weights encoder_of(const struct layer_weights* w) {
  return (tsr_transformer_encoder_weights){w->attn[0], w->w1, w->b1, w->w2, w->b2,
                                           w->gamma[0], w->beta[0], w->gamma[1], w->beta[1]};
}

static tsr_transformer_decoder_weights decoder_of(const struct layer_weights* w) {
  return (tsr_transformer_decoder_weights){w->attn[0], w->attn[1], w->w1, w->b1, w->w2, w->b2, w->gamma[0],
                                           w->beta[0], w->gamma[1], w->beta[1], w->gamma[2], w->beta[2]};
}

/* Layer norm over rows of D in double. */
static void compose_norm(size_t rows, const float* gamma, const float* beta, float eps, float* x) {
  for (size_t r = 0; r < rows; r++) {
    double mean = 0, var = 0;
    for (int i = 0; i < D; i++) mean += x[r * D + i];
    mean /= D;
    for (int i = 0; i < D; i++) var += (x[r * D + i] - mean) * (x[r * D + i] - mean);
    var /= D;
    for (int i = 0; i < D; i++)
      x[r * D + i] = (float)((x[r * D + i] - mean) / sqrt(var + eps) * (gamma ? gamma[i] : 1) + (beta ? beta[i] : 0));
  }
}

/* One layer composed: sublayers self-attention, cross-attention (decoder), feed-forward. */
static void compose_layer(const struct layer_weights* w, const tsr_transformer_params* p, int decoder, size_t B,
                          size_t L, size_t Lm, const float* memory, const struct tsr_mask_desc* self_mask,
                          const struct tsr_mask_desc* mem_mask, float* y) {
  const size_t n = B * L * D, rows = B * L;
  float* in = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n), *hidden = malloc(sizeof(float) * rows * FF);
  const struct tsr_mha_shape shape = {D, HEADS, HEADS, D / HEADS, D, D};
  int norm = 0;
  for (int s = 0; s < 3; s++) {
    if (s == 1 && !decoder) continue;
    memcpy(in, y, sizeof(float) * n);
    if (p->norm_first) compose_norm(rows, w->gamma[norm], w->beta[norm], p->layer_norm_eps, in);
    if (s == 0) tsr_compose_mha(&shape, &w->attn[0], B, L, L, in, in, in, p->causal, self_mask, 0, out);
    if (s == 1) tsr_compose_mha(&shape, &w->attn[1], B, L, Lm, in, memory, memory, tsr_causal_none, mem_mask, 0, out);
    if (s == 2) {
      tsr_compose_linear(rows, D, FF, in, w->w1, w->b1, hidden);
      for (size_t i = 0; i < rows * FF; i++) {
        const double x = hidden[i];
        hidden[i] = p->activation == tsr_activation_relu ? (float)fmax(x, 0) : (float)(0.5 * x * (1 + erf(x / sqrt(2.0))));
      }
      tsr_compose_linear(rows, FF, D, hidden, w->w2, w->b2, out);
    }
    for (size_t i = 0; i < n; i++) y[i] += out[i];
    if (!p->norm_first) compose_norm(rows, w->gamma[norm], w->beta[norm], p->layer_norm_eps, y);
    norm++;
  }
  free(in), free(out), free(hidden);
}

static tsr_tensor seq(size_t B, size_t L, float* data) {
  tsr_tensor t = {.data = data};
  const int64_t dims[3] = {(int64_t)B, (int64_t)L, D};
  tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 3, dims);
  return t;
}

static void test_layers(tsr_rng* rng, tsr_threadpool* pools[3]) {
  for (int n = 0; n < 16; n++) {
    tsr_transformer_params p = {.d_model = D, .num_heads = HEADS, .dim_feedforward = FF,
                                .activation = n % 2 ? tsr_activation_gelu_erf : tsr_activation_relu,
                                .norm_first = n / 2 % 2, .layer_norm_eps = 1e-5f,
                                .causal = n / 4 % 2 ? tsr_causal_top_left : tsr_causal_none};
    const int masked = n / 8;
    const size_t B = 1 + tsr_rng_below(rng, 3), L = 1 + tsr_rng_below(rng, 20), Lm = 1 + tsr_rng_below(rng, 20);
    struct layer_weights w;
    layer_weights_init(&w, rng);
    float* x = malloc(sizeof(float) * B * L * D), *memory = malloc(sizeof(float) * B * Lm * D);
    float* y = malloc(sizeof(float) * B * L * D), *expected = malloc(sizeof(float) * B * L * D);
    tsr_fill_uniform(rng, x, B * L * D, -1, 1), tsr_fill_uniform(rng, memory, B * Lm * D, -1, 1);
    uint8_t* km = malloc(B * Lm);
    for (size_t i = 0; i < B * Lm; i++) km[i] = i % 5 != 2;
    const struct tsr_mask_desc mem_mask = {4, {(int64_t)B, 1, 1, (int64_t)Lm}, tsr_dtype_u8, km};
    float* additive = malloc(sizeof(float) * L * L);
    tsr_fill_uniform(rng, additive, L * L, -1, 0);
    const struct tsr_mask_desc self_mask = {2, {(int64_t)L, (int64_t)L}, tsr_dtype_f32, additive};
    tsr_tensor self_t = {.data = additive}, mem_t = {.data = km};
    tsr_tensor_desc_init(&self_t.desc, tsr_dtype_f32, tsr_layout_plain, 2, self_mask.dims);
    tsr_tensor_desc_init(&mem_t.desc, tsr_dtype_u8, tsr_layout_plain, 4, mem_mask.dims);
    for (int decoder = 0; decoder < 2; decoder++) {
      tsr_op* op = NULL;
      const tsr_transformer_encoder_weights ew = encoder_of(&w);
      const tsr_transformer_decoder_weights dw = decoder_of(&w);
      tsr_check_status(decoder ? tsr_transformer_decoder_layer_create(&p, &dw, &op)
                               : tsr_transformer_encoder_layer_create(&p, &ew, &op),
                       tsr_status_success, "layer create");
      memcpy(expected, x, sizeof(float) * B * L * D);
      compose_layer(&w, &p, decoder, B, L, Lm, memory, masked ? &self_mask : NULL, masked ? &mem_mask : NULL, expected);
      const tsr_tensor enc_in[2] = {seq(B, L, x), self_t};
      const tsr_tensor dec_in[4] = {seq(B, L, x), seq(B, Lm, memory), self_t, mem_t};
      const tsr_tensor out = seq(B, L, y);
      char what[200];
      snprintf(what, sizeof(what), "%s b%zu l%zu lm%zu%s", tsr_op_describe(op), B, L, Lm, masked ? " masks" : "");
      for (int t = 0; t < 3; t++) { /* 1, 2 and 3 threads: identical results */
        tsr_fill_nan(y, B * L * D);
        tsr_check_status(tsr_op_run(op, decoder ? (masked ? 4 : 2) : (masked ? 2 : 1), decoder ? dec_in : enc_in, 1,
                                    &out, pools[t]), tsr_status_success, what);
        if (t == 0) {
          tsr_check_close(what, y, expected, B * L * D, 1e-4, 1e-4);
          memcpy(expected, y, sizeof(float) * B * L * D);
        } else {
          tsr_check_close("deterministic across thread counts", y, expected, B * L * D, 0.0, 0.0);
        }
      }
      tsr_op_destroy(op);
    }
    free(x), free(memory), free(y), free(expected), free(km), free(additive), free(w.storage);
  }
}

/* nn.Transformer: 2 encoders + norm, 2 decoders + norm, against its composed layers; and with
 * dropout in training, deterministic across thread counts and different from inference. */
static void test_transformer(tsr_rng* rng, tsr_threadpool* pools[3]) {
  tsr_transformer_params p = {.d_model = D, .num_heads = HEADS, .dim_feedforward = FF,
                              .activation = tsr_activation_gelu_erf, .layer_norm_eps = 1e-5f,
                              .causal = tsr_causal_top_left};
  struct layer_weights w[4];
  for (int i = 0; i < 4; i++) layer_weights_init(&w[i], rng);
  const tsr_transformer_encoder_weights enc[2] = {encoder_of(&w[0]), encoder_of(&w[1])};
  const tsr_transformer_decoder_weights dec[2] = {decoder_of(&w[2]), decoder_of(&w[3])};
  const float* norms = w[0].gamma[2]; /* unused by encoders: reuse as the final norms */
  const size_t B = 2, Ls = 11, Lt = 7;
  float* src = malloc(sizeof(float) * B * Ls * D), *tgt = malloc(sizeof(float) * B * Lt * D);
  float* memory = malloc(sizeof(float) * B * Ls * D), *expected = malloc(sizeof(float) * B * Lt * D);
  float* y = malloc(sizeof(float) * B * Lt * D), *y2 = malloc(sizeof(float) * B * Lt * D);
  tsr_fill_uniform(rng, src, B * Ls * D, -1, 1), tsr_fill_uniform(rng, tgt, B * Lt * D, -1, 1);
  memcpy(memory, src, sizeof(float) * B * Ls * D);
  for (int i = 0; i < 2; i++) compose_layer(&w[i], &p, 0, B, Ls, 0, NULL, NULL, NULL, memory);
  compose_norm(B * Ls, norms, w[0].beta[2], p.layer_norm_eps, memory);
  memcpy(expected, tgt, sizeof(float) * B * Lt * D);
  for (int i = 2; i < 4; i++) compose_layer(&w[i], &p, 1, B, Lt, Ls, memory, NULL, NULL, expected);
  compose_norm(B * Lt, norms, w[0].beta[2], p.layer_norm_eps, expected);
  tsr_op* op = NULL;
  tsr_check_status(tsr_transformer_create(&p, 2, enc, norms, w[0].beta[2], 2, dec, norms, w[0].beta[2], &op),
                   tsr_status_success, "transformer create");
  const tsr_tensor in[2] = {seq(B, Ls, src), seq(B, Lt, tgt)};
  const tsr_tensor out = seq(B, Lt, y);
  tsr_fill_nan(y, B * Lt * D);
  tsr_check_status(tsr_op_run(op, 2, in, 1, &out, pools[1]), tsr_status_success, tsr_op_describe(op));
  tsr_check_close(tsr_op_describe(op), y, expected, B * Lt * D, 2e-4, 2e-4);
  tsr_op_destroy(op);
  p.dropout = (tsr_attention_dropout){.rate = 0.2f, .training = 1, .seed = 3};
  tsr_transformer_create(&p, 2, enc, norms, NULL, 2, dec, NULL, NULL, &op);
  tsr_op_run(op, 2, in, 1, &out, pools[0]);
  const tsr_tensor out2 = seq(B, Lt, y2);
  tsr_op_run(op, 2, in, 1, &out2, pools[2]);
  tsr_check_close("dropout in training: same across thread counts", y2, y, B * Lt * D, 0.0, 0.0);
  tsr_check(tsr_count_mismatches(y, expected, B * Lt * D, 1e-3, 1e-3) > B * Lt * D / 2, "dropout changes the result",
            "training output too close to inference");
  tsr_op_destroy(op);
  for (int i = 0; i < 4; i++) free(w[i].storage);
  free(src), free(tgt), free(memory), free(expected), free(y), free(y2);
}

static void test_bad_input(tsr_rng* rng) {
  struct layer_weights w;
  layer_weights_init(&w, rng);
  tsr_transformer_encoder_weights ew = encoder_of(&w);
  const tsr_transformer_params good = {.d_model = D, .num_heads = HEADS, .dim_feedforward = FF,
                                       .activation = tsr_activation_relu, .layer_norm_eps = 1e-5f};
  tsr_transformer_params p = good;
  tsr_op* op = (tsr_op*)0x1;
  p.num_heads = 5;
  tsr_check_status(tsr_transformer_encoder_layer_create(&p, &ew, &op), tsr_status_invalid_parameter, "heads 5 of 16");
  tsr_check(strstr(tsr_last_error_message(), "num_heads") != NULL, "heads message", "'%s'", tsr_last_error_message());
  p = good, p.dim_feedforward = 0;
  tsr_check_status(tsr_transformer_encoder_layer_create(&p, &ew, &op), tsr_status_invalid_parameter, "ff 0");
  p = good, p.activation = tsr_activation_tanh;
  tsr_check_status(tsr_transformer_encoder_layer_create(&p, &ew, &op), tsr_status_invalid_parameter, "tanh");
  p = good, p.layer_norm_eps = -1.0f;
  tsr_check_status(tsr_transformer_encoder_layer_create(&p, &ew, &op), tsr_status_invalid_parameter, "eps -1");
  p = good, p.dropout.rate = 2.0f;
  tsr_check_status(tsr_transformer_encoder_layer_create(&p, &ew, &op), tsr_status_invalid_parameter, "dropout 2");
  ew.w2 = NULL;
  tsr_check_status(tsr_transformer_encoder_layer_create(&good, &ew, &op), tsr_status_invalid_parameter, "w2 NULL");
  tsr_check(strstr(tsr_last_error_message(), "w2") != NULL, "w2 message", "'%s'", tsr_last_error_message());
  ew = encoder_of(&w);
  ew.self_attention.w_q = NULL;
  tsr_check_status(tsr_transformer_encoder_layer_create(&good, &ew, &op), tsr_status_invalid_parameter, "w_q NULL");
  tsr_check_status(tsr_transformer_encoder_layer_create(&good, NULL, &op), tsr_status_invalid_parameter, "weights NULL");
  const tsr_transformer_decoder_weights dw = decoder_of(&w);
  ew = encoder_of(&w);
  tsr_check_status(tsr_transformer_create(&good, 0, &ew, NULL, NULL, 1, &dw, NULL, NULL, &op),
                   tsr_status_invalid_parameter, "0 encoder layers");
  tsr_check(op == (tsr_op*)0x1, "op untouched", "a failed create wrote op");
  /* Run: wrong d_model, a mask that does not broadcast; nothing written. */
  tsr_transformer_encoder_layer_create(&good, &ew, &op);
  float x[2 * 5 * D], y[2 * 5 * D];
  tsr_fill_uniform(rng, x, 2 * 5 * D, -1, 1);
  tsr_tensor in[2] = {seq(2, 5, x)};
  const int64_t narrow[3] = {2, 5, D - 1};
  tsr_tensor_desc_init(&in[0].desc, tsr_dtype_f32, tsr_layout_plain, 3, narrow);
  const tsr_tensor out = seq(2, 5, y);
  tsr_fill_nan(y, 2 * 5 * D);
  tsr_check_status(tsr_op_run(op, 1, in, 1, &out, NULL), tsr_status_invalid_parameter, "d_model 15");
  tsr_check(strstr(tsr_last_error_message(), "src") != NULL, "src message", "'%s'", tsr_last_error_message());
  in[0] = seq(2, 5, x);
  uint8_t m[4 * 5] = {0};
  const int64_t mdims[2] = {4, 5};
  in[1].data = m;
  tsr_tensor_desc_init(&in[1].desc, tsr_dtype_u8, tsr_layout_plain, 2, mdims);
  tsr_check_status(tsr_op_run(op, 2, in, 1, &out, NULL), tsr_status_invalid_parameter, "mask 4x5");
  tsr_check(strstr(tsr_last_error_message(), "src_mask") != NULL, "mask message", "'%s'", tsr_last_error_message());
  tsr_check_untouched("bad transformer input", y, 2 * 5 * D);
  tsr_op_destroy(op);
  free(w.storage);
}

int main(void) {
  tsr_rng rng = tsr_rng_seeded(11);
  tsr_threadpool* pools[3] = {NULL, NULL, NULL};
  tsr_threadpool_create(2, &pools[1]);
  tsr_threadpool_create(3, &pools[2]);
  test_layers(&rng, pools);
  test_transformer(&rng, pools);
  test_bad_input(&rng);
  tsr_threadpool_destroy(pools[1]), tsr_threadpool_destroy(pools[2]);
  return tsr_test_finish();
}
