/* Transformer encoder and decoder layers and the whole Transformer, composed of the ops they
 * hold (multi-head attention, dense, layer norm, dropout). A layer is a list of sublayers
 * (self-attention, cross-attention for the decoder, feed-forward), each run the same way:
 *   post-norm: y = norm(y + dropout(sublayer(y)));  pre-norm: y = y + dropout(sublayer(norm(y))).
 * Dropout sites draw from streams seeded seed + site (+ 16 x layer in a Transformer). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/multihead-attention.h"
#include "engine/op.h"
#include "engine/tensor.h"

enum { tsr_tf_self, tsr_tf_cross, tsr_tf_ff, tsr_tf_sublayers };

/* One encoder (no cross-attention) or decoder layer. */
struct tsr_tf_block {
  tsr_op* attention[2];                 /* self, cross (decoder only) */
  tsr_op *ff1, *ff2;                    /* ff1 has the activation fused */
  tsr_op* norm[tsr_tf_sublayers];       /* NULL for the cross slot of an encoder */
  tsr_op* dropout[tsr_tf_sublayers + 1]; /* after each sublayer, and the FF's hidden layer; NULL when off */
};

/* The tensors of one block's run. */
struct tsr_tf_run {
  const char* where;
  size_t batch, len, memory_len;
  const float* memory;
  const tsr_tensor* mask[2];            /* self, cross; NULL for none */
  const char* mask_name[2];
  float* work;                          /* 2 x B L d + B L ff */
};

static tsr_status tsr_tf_sublayer(const struct tsr_tf_block* blk, int which, const tsr_transformer_params* p,
                                  const struct tsr_tf_run* r, const float* in, float* out, tsr_threadpool* pool) {
  const size_t rows = r->batch * r->len, d = (size_t)p->d_model;
  if (which == tsr_tf_ff) {
    float* hidden = r->work + 2 * rows * d;
    const size_t ff = (size_t)p->dim_feedforward;
    tsr_status status = tsr_op_run_rows(blk->ff1, rows, d, in, ff, hidden, pool);
    if (status == tsr_status_success && blk->dropout[tsr_tf_sublayers] != NULL)
      status = tsr_op_run_rows(blk->dropout[tsr_tf_sublayers], rows, ff, hidden, ff, hidden, pool);
    return status ? status : tsr_op_run_rows(blk->ff2, rows, ff, hidden, d, out, pool);
  }
  const bool cross = which == tsr_tf_cross;
  const struct tsr_mha_tensors t = {
      .where = r->where, .batch = r->batch, .q_len = r->len, .kv_len = cross ? r->memory_len : r->len,
      .query = in, .key = cross ? r->memory : in, .value = cross ? r->memory : in, .output = out,
      .mask = r->mask[which], .mask_name = r->mask_name[which]};
  return tsr_mha_forward(blk->attention[which], &t, pool);
}

/* y (B x L x d, holding the layer's input) becomes the layer's output. */
static tsr_status tsr_tf_block_forward(const struct tsr_tf_block* blk, const tsr_transformer_params* p,
                                       const struct tsr_tf_run* r, float* y, tsr_threadpool* pool) {
  const size_t rows = r->batch * r->len, d = (size_t)p->d_model, n = rows * d;
  float* normed = r->work;
  float* out = r->work + n;
  for (int s = 0; s < tsr_tf_sublayers; s++) {
    if (blk->norm[s] == NULL) continue;
    tsr_status status = tsr_status_success;
    if (p->norm_first) status = tsr_op_run_rows(blk->norm[s], rows, d, y, d, normed, pool);
    if (status == tsr_status_success) status = tsr_tf_sublayer(blk, s, p, r, p->norm_first ? normed : y, out, pool);
    if (status == tsr_status_success && blk->dropout[s] != NULL)
      status = tsr_op_run_rows(blk->dropout[s], rows, d, out, d, out, pool);
    if (status != tsr_status_success) return status;
    for (size_t i = 0; i < n; i++) y[i] += out[i];
    if (!p->norm_first && (status = tsr_op_run_rows(blk->norm[s], rows, d, y, d, y, pool))) return status;
  }
  return tsr_status_success;
}

static void tsr_tf_block_release(struct tsr_tf_block* blk) {
  tsr_op_destroy(blk->attention[0]), tsr_op_destroy(blk->attention[1]);
  tsr_op_destroy(blk->ff1), tsr_op_destroy(blk->ff2);
  for (int s = 0; s < tsr_tf_sublayers; s++) tsr_op_destroy(blk->norm[s]);
  for (int s = 0; s <= tsr_tf_sublayers; s++) tsr_op_destroy(blk->dropout[s]);
}

static tsr_status tsr_tf_check_params(const tsr_transformer_params* p, const void* weights, const char* where) {
  if (p == NULL || weights == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, p == NULL ? "params" : "weights");
  const int64_t limit = INT64_C(1) << 24;
  if (p->d_model < 1 || p->d_model > limit || p->num_heads < 1 || p->num_heads > limit ||
      p->dim_feedforward < 1 || p->dim_feedforward > limit)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is %lld; must be in [1, 2^24]", where,
                     p->d_model < 1 || p->d_model > limit ? "d_model"
                     : p->num_heads < 1 || p->num_heads > limit ? "num_heads" : "dim_feedforward",
                     (long long)(p->d_model < 1 || p->d_model > limit ? p->d_model
                                 : p->num_heads < 1 || p->num_heads > limit ? p->num_heads : p->dim_feedforward));
  if (p->activation != tsr_activation_relu && p->activation != tsr_activation_gelu_erf &&
      p->activation != tsr_activation_gelu_tanh)
    return tsr_error(tsr_status_invalid_parameter, "%s: activation %d must be relu, gelu_erf or gelu_tanh", where,
                     (int)p->activation);
  if (!(p->layer_norm_eps >= 0.0f) || isinf(p->layer_norm_eps))
    return tsr_error(tsr_status_invalid_parameter, "%s: layer_norm_eps is %g; must be finite and >= 0", where,
                     (double)p->layer_norm_eps);
  return tsr_status_success;
}

/* Creates the ops of a block; `seed` is the block's first dropout stream. */
static tsr_status tsr_tf_block_init(struct tsr_tf_block* blk, const tsr_transformer_params* p, bool decoder,
                                    const tsr_mha_weights* self, const tsr_mha_weights* cross, const float* const* ff,
                                    const float* const* norms, uint64_t seed, const char* where) {
  if (ff[0] == NULL || ff[2] == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: weights->%s is NULL", where, ff[0] == NULL ? "w1" : "w2");
  const tsr_attention_dropout drop = p->dropout;
  tsr_mha_params mp = {.embed_dim = p->d_model, .num_heads = p->num_heads, .causal = p->causal, .dropout = drop};
  mp.dropout.seed = seed;
  tsr_status status = tsr_multihead_attention_create(&mp, self, &blk->attention[tsr_tf_self]);
  if (status == tsr_status_success && decoder) {
    mp.causal = tsr_causal_none, mp.dropout.seed = seed + 1;
    status = tsr_multihead_attention_create(&mp, cross, &blk->attention[tsr_tf_cross]);
  }
  const tsr_activation act = {p->activation, 0.0f, 0.0f};
  if (status == tsr_status_success)
    status = tsr_dense_create(p->d_model, p->dim_feedforward, ff[0], tsr_dense_weights_out_in, ff[1], &act, &blk->ff1);
  if (status == tsr_status_success)
    status = tsr_dense_create(p->dim_feedforward, p->d_model, ff[2], tsr_dense_weights_out_in, ff[3], NULL, &blk->ff2);
  for (int s = 0, k = 0; s < tsr_tf_sublayers && status == tsr_status_success; s++) {
    if (s == tsr_tf_cross && !decoder) continue;
    status = tsr_layer_norm_create(1, &p->d_model, norms[2 * k], norms[2 * k + 1], p->layer_norm_eps, &blk->norm[s]);
    k++;
  }
  const bool dropping = drop.training && drop.rate > 0.0f;
  for (int s = 0; s <= tsr_tf_sublayers && dropping && status == tsr_status_success; s++)
    if (s != tsr_tf_cross || decoder)
      status = tsr_dropout_create(drop.rate, tsr_dropout_elementwise, 1, seed + 2 + (uint64_t)s, &blk->dropout[s]);
  if (status != tsr_status_success) tsr_tf_block_release(blk);
  return status;
}

static tsr_status tsr_tf_init_encoder(struct tsr_tf_block* blk, const tsr_transformer_params* p,
                                      const tsr_transformer_encoder_weights* w, uint64_t seed, const char* where) {
  const float* const ff[4] = {w->w1, w->b1, w->w2, w->b2};
  const float* const norms[4] = {w->norm1_gamma, w->norm1_beta, w->norm2_gamma, w->norm2_beta};
  return tsr_tf_block_init(blk, p, false, &w->self_attention, NULL, ff, norms, seed, where);
}

static tsr_status tsr_tf_init_decoder(struct tsr_tf_block* blk, const tsr_transformer_params* p,
                                      const tsr_transformer_decoder_weights* w, uint64_t seed, const char* where) {
  const float* const ff[4] = {w->w1, w->b1, w->w2, w->b2};
  const float* const norms[6] = {w->norm1_gamma, w->norm1_beta, w->norm2_gamma,
                                 w->norm2_beta, w->norm3_gamma, w->norm3_beta};
  return tsr_tf_block_init(blk, p, true, &w->self_attention, &w->cross_attention, ff, norms, seed, where);
}

/* ---- the ops ---- */

struct tsr_transformer_op {
  struct tsr_op base;
  tsr_transformer_params params;
  size_t num_encoders, num_decoders;
  struct tsr_tf_block* blocks;          /* encoders, then decoders */
  tsr_op *encoder_norm, *decoder_norm;  /* the Transformer's final norms */
};

/* Checks a [B, L, d_model] sequence input; returns its B and L. */
static tsr_status tsr_tf_sequence(const tsr_tensor* t, int64_t d, int64_t batch, const char* where, const char* name,
                                  size_t* b, size_t* len) {
  const tsr_tensor_desc* desc = &t->desc;
  if (desc->dtype != tsr_dtype_f32 || desc->layout != tsr_layout_plain || desc->ndims != 3 || desc->dims[2] != d ||
      (batch > 0 && desc->dims[0] != batch))
    return tsr_error(tsr_status_invalid_parameter, "%s: %s must be f32, plain, [%s, length, %lld]", where, name,
                     batch > 0 ? "the batch of inputs[0]" : "batch", (long long)d);
  *b = (size_t)desc->dims[0], *len = (size_t)desc->dims[1];
  return tsr_status_success;
}

/* The workspace of a run over sequences up to `len` long (plus the decoder stream y). */
static float* tsr_tf_workspace(const tsr_transformer_params* p, size_t batch, size_t len, size_t extra) {
  const size_t rows = batch * len;
  const double estimate = (double)rows * (2.0 * (double)p->d_model + (double)p->dim_feedforward) + (double)extra;
  if (estimate >= (double)(SIZE_MAX / sizeof(float) / 2)) return NULL; /* the sizes would overflow */
  return malloc(sizeof(float) * (rows * (2 * (size_t)p->d_model + (size_t)p->dim_feedforward) + extra));
}

static tsr_status tsr_tf_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                             const tsr_tensor* outputs, tsr_threadpool* pool) {
  (void)num_outputs;
  const struct tsr_transformer_op* op = (const struct tsr_transformer_op*)base;
  const tsr_transformer_params* p = &op->params;
  const bool full = op->num_encoders > 0 && op->num_decoders > 0;
  const bool decoder_only = op->num_encoders == 0;
  const char* where = full ? "tsr_op_run(transformer)"
                      : decoder_only ? "tsr_op_run(transformer_decoder_layer)" : "tsr_op_run(transformer_encoder_layer)";
  /* Inputs by role: the encoder's source, the decoder's target, the memory (given or made). */
  size_t B = 0, Ls = 0, Lt = 0, Bt = 0;
  tsr_status status;
  const int target_index = full ? 1 : 0;
  if (!decoder_only &&
      (status = tsr_tf_sequence(&inputs[0], p->d_model, 0, where, full ? "inputs[0] (src)" : "inputs[0] (src)", &B, &Ls)))
    return status;
  if (op->num_decoders > 0) {
    if ((status = tsr_tf_sequence(&inputs[target_index], p->d_model, full ? (int64_t)B : 0, where,
                                  full ? "inputs[1] (tgt)" : "inputs[0] (tgt)", &Bt, &Lt)))
      return status;
    if (decoder_only &&
        (status = tsr_tf_sequence(&inputs[1], p->d_model, (int64_t)Bt, where, "inputs[1] (memory)", &B, &Ls)))
      return status;
    B = Bt;
  }
  const size_t out_len = op->num_decoders > 0 ? Lt : Ls;
  const int64_t out_dims[3] = {(int64_t)B, (int64_t)out_len, p->d_model};
  if ((status = tsr_tensor_expect_f32(&outputs[0].desc, 3, out_dims, where, "outputs[0]"))) return status;
  const size_t d = (size_t)p->d_model, longest = Ls > Lt ? Ls : Lt;
  /* memory (B Ls d) and the decoder's stream (B Lt d) after the shared workspace. */
  float* work = tsr_tf_workspace(p, B, longest, B * Ls * d + B * Lt * d);
  if (work == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the workspace", where);
  float* memory = work + B * longest * (2 * d + (size_t)p->dim_feedforward);
  float* stream = memory + B * Ls * d;
  const tsr_tensor* given[3] = {NULL, NULL, NULL}; /* src_mask, tgt_mask, memory_mask */
  static const char* const full_names[3] = {"inputs[2] (src_mask)", "inputs[3] (tgt_mask)", "inputs[4] (memory_mask)"};
  static const char* const dec_names[3] = {"", "inputs[2] (tgt_mask)", "inputs[3] (memory_mask)"};
  static const char* const enc_names[3] = {"inputs[1] (src_mask)", "", ""};
  const char* const* names = full ? full_names : decoder_only ? dec_names : enc_names;
  if (full) given[0] = &inputs[2], given[1] = &inputs[3], given[2] = &inputs[4];
  else if (decoder_only) given[1] = &inputs[2], given[2] = &inputs[3];
  else given[0] = &inputs[1];
  for (int m = 0; m < 3; m++)
    if (given[m] != NULL && given[m]->data == NULL) given[m] = NULL;
  /* Encoders: src -> memory (in place), then the final norm. Work stays in the workspace so
   * that a failure (a bad mask is found at the first attention) leaves the output untouched. */
  if (!decoder_only) {
    float* x = memory;
    memcpy(x, inputs[0].data, sizeof(float) * B * Ls * d);
    const struct tsr_tf_run r = {.where = where, .batch = B, .len = Ls, .mask = {given[0], NULL},
                                 .mask_name = {names[0], NULL}, .work = work};
    for (size_t e = 0; e < op->num_encoders && status == tsr_status_success; e++)
      status = tsr_tf_block_forward(&op->blocks[e], p, &r, x, pool);
    if (status == tsr_status_success && op->encoder_norm != NULL)
      status = tsr_op_run_rows(op->encoder_norm, B * Ls, d, x, d, x, pool);
    if (status == tsr_status_success && op->num_decoders == 0)
      memcpy(outputs[0].data, x, sizeof(float) * B * Ls * d);
  } else {
    memcpy(memory, inputs[1].data, sizeof(float) * B * Ls * d);
  }
  /* Decoders: tgt -> output through `stream`, attending to the memory. */
  if (op->num_decoders > 0 && status == tsr_status_success) {
    memcpy(stream, inputs[target_index].data, sizeof(float) * B * Lt * d);
    const struct tsr_tf_run r = {.where = where, .batch = B, .len = Lt, .memory_len = Ls, .memory = memory,
                                 .mask = {given[1], given[2]}, .mask_name = {names[1], names[2]}, .work = work};
    for (size_t k = 0; k < op->num_decoders && status == tsr_status_success; k++)
      status = tsr_tf_block_forward(&op->blocks[op->num_encoders + k], p, &r, stream, pool);
    if (status == tsr_status_success && op->decoder_norm != NULL)
      status = tsr_op_run_rows(op->decoder_norm, B * Lt, d, stream, d, stream, pool);
    if (status == tsr_status_success) memcpy(outputs[0].data, stream, sizeof(float) * B * Lt * d);
  }
  free(work);
  return status;
}

static void tsr_tf_release(tsr_op* base) {
  struct tsr_transformer_op* op = (struct tsr_transformer_op*)base;
  for (size_t i = 0; op->blocks != NULL && i < op->num_encoders + op->num_decoders; i++)
    tsr_tf_block_release(&op->blocks[i]);
  free(op->blocks);
  tsr_op_destroy(op->encoder_norm), tsr_op_destroy(op->decoder_norm);
}

static const struct tsr_op_vtable tsr_encoder_vtable = {
    .run = tsr_tf_run, .release = tsr_tf_release, .num_inputs = 2, .min_inputs = 1, .num_outputs = 1};
static const struct tsr_op_vtable tsr_decoder_vtable = {
    .run = tsr_tf_run, .release = tsr_tf_release, .num_inputs = 4, .min_inputs = 2, .num_outputs = 1};
static const struct tsr_op_vtable tsr_transformer_vtable = {
    .run = tsr_tf_run, .release = tsr_tf_release, .num_inputs = 5, .min_inputs = 2, .num_outputs = 1};

/* The op with its block array, before the blocks are built. */
static struct tsr_transformer_op* tsr_tf_alloc(const tsr_transformer_params* p, size_t encoders, size_t decoders,
                                               tsr_op_kind kind, const struct tsr_op_vtable* vtable) {
  struct tsr_transformer_op* op = (struct tsr_transformer_op*)tsr_op_alloc(sizeof(*op), kind, vtable);
  if (op == NULL) return NULL;
  op->params = *p;
  op->blocks = calloc(encoders + decoders, sizeof(struct tsr_tf_block));
  if (op->blocks == NULL) {
    tsr_op_destroy(&op->base);
    return NULL;
  }
  op->num_encoders = encoders, op->num_decoders = decoders;
  return op;
}

static void tsr_tf_describe(struct tsr_transformer_op* op, const char* name) {
  const tsr_transformer_params* p = &op->params;
  snprintf(op->base.description, sizeof(op->base.description), "%s:d=%lld heads=%lld ff=%lld %s%s%s enc=%zu dec=%zu",
           name, (long long)p->d_model, (long long)p->num_heads, (long long)p->dim_feedforward,
           p->activation == tsr_activation_relu ? "relu" : "gelu", p->norm_first ? " norm_first" : "",
           p->dropout.training && p->dropout.rate > 0 ? " dropout" : "", op->num_encoders, op->num_decoders);
}

/* One encoder or decoder layer as its own op. */
static tsr_status tsr_tf_layer_create(const tsr_transformer_params* params, const void* weights, bool decoder,
                                      tsr_op** op, const char* where) {
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  tsr_status status = tsr_tf_check_params(params, weights, where);
  if (status != tsr_status_success) return status;
  struct tsr_transformer_op* created =
      decoder ? tsr_tf_alloc(params, 0, 1, tsr_op_kind_transformer_decoder_layer, &tsr_decoder_vtable)
              : tsr_tf_alloc(params, 1, 0, tsr_op_kind_transformer_encoder_layer, &tsr_encoder_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  status = decoder ? tsr_tf_init_decoder(&created->blocks[0], params, weights, params->dropout.seed, where)
                   : tsr_tf_init_encoder(&created->blocks[0], params, weights, params->dropout.seed, where);
  if (status != tsr_status_success) {
    created->num_encoders = created->num_decoders = 0; /* the block released its own ops */
    tsr_op_destroy(&created->base);
    return status;
  }
  tsr_tf_describe(created, decoder ? "transformer_decoder_layer" : "transformer_encoder_layer");
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_transformer_encoder_layer_create(const tsr_transformer_params* params,
                                                const tsr_transformer_encoder_weights* weights, tsr_op** op) {
  return tsr_tf_layer_create(params, weights, false, op, "tsr_transformer_encoder_layer_create");
}

tsr_status tsr_transformer_decoder_layer_create(const tsr_transformer_params* params,
                                                const tsr_transformer_decoder_weights* weights, tsr_op** op) {
  return tsr_tf_layer_create(params, weights, true, op, "tsr_transformer_decoder_layer_create");
}

tsr_status tsr_transformer_create(const tsr_transformer_params* params, int64_t num_encoder_layers,
                                  const tsr_transformer_encoder_weights* encoder_layers,
                                  const float* encoder_norm_gamma, const float* encoder_norm_beta,
                                  int64_t num_decoder_layers, const tsr_transformer_decoder_weights* decoder_layers,
                                  const float* decoder_norm_gamma, const float* decoder_norm_beta, tsr_op** op) {
  static const char where[] = "tsr_transformer_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  tsr_status status = tsr_tf_check_params(params, encoder_layers, where);
  if (status != tsr_status_success) return status;
  if (decoder_layers == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: decoder_layers is NULL", where);
  if (num_encoder_layers < 1 || num_decoder_layers < 1 || num_encoder_layers > 1 << 16 || num_decoder_layers > 1 << 16)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is %lld; must be in [1, 65536]", where,
                     num_encoder_layers < 1 || num_encoder_layers > 1 << 16 ? "num_encoder_layers" : "num_decoder_layers",
                     (long long)(num_encoder_layers < 1 || num_encoder_layers > 1 << 16 ? num_encoder_layers
                                                                                         : num_decoder_layers));
  const size_t ne = (size_t)num_encoder_layers, nd = (size_t)num_decoder_layers;
  struct tsr_transformer_op* created = tsr_tf_alloc(params, ne, nd, tsr_op_kind_transformer, &tsr_transformer_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  /* Count only built blocks, so a failure releases exactly those. */
  created->num_encoders = created->num_decoders = 0;
  const uint64_t seed = params->dropout.seed;
  for (size_t i = 0; i < ne && status == tsr_status_success; i++)
    if ((status = tsr_tf_init_encoder(&created->blocks[i], params, &encoder_layers[i], seed + 16 * i, where)) == 0)
      created->num_encoders++;
  for (size_t i = 0; i < nd && status == tsr_status_success; i++)
    if ((status = tsr_tf_init_decoder(&created->blocks[ne + i], params, &decoder_layers[i], seed + 16 * (ne + i),
                                      where)) == 0)
      created->num_decoders++;
  if (status == tsr_status_success)
    status = tsr_layer_norm_create(1, &params->d_model, encoder_norm_gamma, encoder_norm_beta, params->layer_norm_eps,
                                   &created->encoder_norm);
  if (status == tsr_status_success)
    status = tsr_layer_norm_create(1, &params->d_model, decoder_norm_gamma, decoder_norm_beta, params->layer_norm_eps,
                                   &created->decoder_norm);
  if (status != tsr_status_success) {
    /* Decoders are built only after every encoder, so the built blocks are contiguous. */
    tsr_op_destroy(&created->base);
    return status;
  }
  tsr_tf_describe(created, "transformer");
  *op = &created->base;
  return tsr_status_success;
}
