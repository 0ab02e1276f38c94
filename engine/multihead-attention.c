/* Multi-head attention and its variants, one op: Q, K, V projections (dense ops, weights packed
 * at creation), an attention core over the projections viewed as [B, H, L, head_dim] through
 * strides (no transposes), and the output projection. The variants change only the core:
 *   softmax   - the attention core, with talking-heads mixing when asked;
 *   linformer - K and V first projected along the sequence (K' = E K, V' = F V: one batched
 *               GEMM each), then the attention core;
 *   performer - the FAVOR+ random-feature core. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/attention-core.h"
#include "engine/error.h"
#include "engine/favor.h"
#include "engine/gemm.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "engine/multihead-attention.h"

enum tsr_mha_core { tsr_mha_softmax, tsr_mha_linformer, tsr_mha_performer };

struct tsr_mha_op {
  struct tsr_op base;
  tsr_mha_params params;
  enum tsr_mha_core core;
  size_t embed, heads, kv_heads, head_dim, kdim, vdim, kv_width;
  tsr_op *q_proj, *k_proj, *v_proj, *o_proj;
  float *mix_logits, *mix_weights;        /* talking heads, heads x heads */
  size_t seq_len, proj_len;               /* linformer */
  float *e_proj, *f_proj;                 /* proj_len x seq_len; f_proj == e_proj when shared */
  struct tsr_favor favor;                 /* performer */
};

/* Problem strides of a [B, L, heads x head_dim] buffer viewed as [B, heads, L, head_dim]. */
static void tsr_mha_head_strides(size_t len, size_t heads, size_t head_dim, size_t* strides) {
  strides[0] = len * heads * head_dim, strides[1] = head_dim, strides[2] = heads * head_dim, strides[3] = 1;
}

/* K' = P[:, :len] K per batch item (P proj_len x seq_len). */
static tsr_status tsr_mha_sequence_projection(const struct tsr_mha_op* op, const float* proj, size_t batch,
                                              size_t len, const float* x, float* y, tsr_threadpool* pool) {
  const size_t w = op->kv_width;
  const struct tsr_gemm_args args = {
      .batch = batch, .m = op->proj_len, .n = w, .k = len, .alpha = 1.0f, .a = proj, .lda = op->seq_len,
      .stride_a = 0, .b = x, .ldb = w, .stride_b = len * w, .c = y, .ldc = w, .stride_c = op->proj_len * w};
  return tsr_gemm_execute(&args, pool, "tsr_op_run(linformer_attention)");
}

tsr_status tsr_mha_forward(const tsr_op* base, const struct tsr_mha_tensors* t, tsr_threadpool* pool) {
  const struct tsr_mha_op* op = (const struct tsr_mha_op*)base;
  const char* where = t->where;
  const size_t B = t->batch, Lq = t->q_len, Lk = t->kv_len, E = op->embed, W = op->kv_width;
  const size_t Lc = op->core == tsr_mha_linformer ? op->proj_len : Lk; /* keys the core sees */
  /* Workspace: Qp and the attention output (B Lq E each), Kp and Vp (B Lk W each), K' and V'. */
  const double estimate = (double)B * (2.0 * Lq * E + 2.0 * Lk * W + (op->core == tsr_mha_linformer ? 2.0 * Lc * W : 0.0));
  const size_t floats = 2 * B * Lq * E + 2 * B * Lk * W + (op->core == tsr_mha_linformer ? 2 * B * Lc * W : 0);
  float* qp = estimate < (double)(SIZE_MAX / sizeof(float) / 2) ? malloc(sizeof(float) * floats) : NULL;
  if (qp == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the workspace", where);
  float* attended = qp + B * Lq * E;
  float* kp = attended + B * Lq * E;
  float* vp = kp + B * Lk * W;
  tsr_status status;
  if ((status = tsr_op_run_rows(op->q_proj, B * Lq, E, t->query, E, qp, pool)) ||
      (status = tsr_op_run_rows(op->k_proj, B * Lk, op->kdim, t->key, W, kp, pool)) ||
      (status = tsr_op_run_rows(op->v_proj, B * Lk, op->vdim, t->value, W, vp, pool)))
    goto done;
  if (op->core == tsr_mha_linformer) {
    float* kc = vp + B * Lk * W;
    float* vc = kc + B * Lc * W;
    if ((status = tsr_mha_sequence_projection(op, op->e_proj, B, Lk, kp, kc, pool)) ||
        (status = tsr_mha_sequence_projection(op, op->f_proj, B, Lk, vp, vc, pool)))
      goto done;
    kp = kc, vp = vc;
  }
  struct tsr_attention_problem p = {
      .batch = B, .heads = op->heads, .kv_heads = op->kv_heads, .q_len = Lq, .kv_len = Lc,
      .head_dim = op->head_dim, .v_dim = op->head_dim, .q = qp, .k = kp, .v = vp, .o = attended,
      .score = tsr_attention_score_dot,
      .scale = op->params.scale != 0.0f ? op->params.scale : (float)(1.0 / sqrt((double)op->head_dim)),
      .causal = op->params.causal, .dropout = op->params.dropout, .mix_logits = op->mix_logits,
      .mix_weights = op->mix_weights, .probs = t->probs};
  tsr_mha_head_strides(Lq, op->heads, op->head_dim, p.q_strides);
  tsr_mha_head_strides(Lc, op->kv_heads, op->head_dim, p.k_strides);
  tsr_mha_head_strides(Lc, op->kv_heads, op->head_dim, p.v_strides);
  tsr_mha_head_strides(Lq, op->heads, op->head_dim, p.o_strides);
  if (t->probs != NULL) {
    const size_t ps[4] = {op->heads * Lq * Lc, Lq * Lc, Lc, 1};
    memcpy(p.p_strides, ps, sizeof(ps));
  }
  if (t->mask != NULL && (status = tsr_attention_mask_bind(t->mask, &p, where, t->mask_name))) goto done;
  status = op->core == tsr_mha_performer ? tsr_favor_run(&op->favor, &p, pool, where)
                                         : tsr_attention_core_run(&p, pool, where);
  if (status == tsr_status_success) status = tsr_op_run_rows(op->o_proj, B * Lq, E, attended, E, t->output, pool);
done:
  free(qp);
  return status;
}

tsr_status tsr_mha_check_tensors(const tsr_op* base, const tsr_tensor* query, const tsr_tensor* key,
                                 const tsr_tensor* value, const char* const* names,
                                 struct tsr_mha_tensors* t) {
  const struct tsr_mha_op* op = (const struct tsr_mha_op*)base;
  const char* where = t->where;
  const tsr_tensor_desc *q = &query->desc, *k = &key->desc, *v = &value->desc;
  if (q->ndims != 3 || k->ndims != 3 || v->ndims != 3)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s must have 3 dims [batch, length, features]", where,
                     q->ndims != 3 ? names[0] : k->ndims != 3 ? names[1] : names[2]);
  const int64_t q_dims[3] = {q->dims[0], q->dims[1], (int64_t)op->embed};
  const int64_t k_dims[3] = {q->dims[0], k->dims[1], (int64_t)op->kdim};
  const int64_t v_dims[3] = {q->dims[0], k->dims[1], (int64_t)op->vdim};
  tsr_status status;
  if ((status = tsr_tensor_expect_f32(q, 3, q_dims, where, names[0])) ||
      (status = tsr_tensor_expect_f32(k, 3, k_dims, where, names[1])) ||
      (status = tsr_tensor_expect_f32(v, 3, v_dims, where, names[2])))
    return status;
  t->batch = (size_t)q->dims[0], t->q_len = (size_t)q->dims[1], t->kv_len = (size_t)k->dims[1];
  t->query = query->data, t->key = key->data, t->value = value->data;
  if (op->core == tsr_mha_linformer && t->kv_len > op->seq_len)
    return tsr_error(tsr_status_invalid_parameter, "%s: the sequence is %zu long; the Linformer takes at most "
                     "seq_len = %zu", where, t->kv_len, op->seq_len);
  if (op->core == tsr_mha_performer && op->params.causal != tsr_causal_none && t->q_len != t->kv_len)
    return tsr_error(tsr_status_invalid_parameter, "%s: causal Performer attention needs q_len = kv_len "
                     "(%zu, %zu)", where, t->q_len, t->kv_len);
  return tsr_status_success;
}

size_t tsr_mha_kv_len_seen(const tsr_op* base, size_t kv_len) {
  const struct tsr_mha_op* op = (const struct tsr_mha_op*)base;
  return op->core == tsr_mha_linformer ? op->proj_len : kv_len;
}

size_t tsr_mha_heads(const tsr_op* base) { return ((const struct tsr_mha_op*)base)->heads; }

static tsr_status tsr_mha_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                              const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_mha_op* op = (const struct tsr_mha_op*)base;
  const bool linformer = op->core == tsr_mha_linformer;
  struct tsr_mha_tensors t = {.where = linformer ? "tsr_op_run(linformer_attention)"
                                       : op->core == tsr_mha_performer ? "tsr_op_run(performer_attention)"
                                                                        : "tsr_op_run(multihead_attention)"};
  static const char* const names[] = {"inputs[0] (query)", "inputs[1] (key)", "inputs[2] (value)"};
  static const char* const x_names[] = {"inputs[0] (x)", "inputs[0] (x)", "inputs[0] (x)"};
  tsr_status status = linformer ? tsr_mha_check_tensors(base, &inputs[0], &inputs[0], &inputs[0], x_names, &t)
                                : tsr_mha_check_tensors(base, &inputs[0], &inputs[1], &inputs[2], names, &t);
  if (status != tsr_status_success) return status;
  const int64_t o_dims[3] = {(int64_t)t.batch, (int64_t)t.q_len, (int64_t)op->embed};
  const int64_t p_dims[4] = {(int64_t)t.batch, (int64_t)op->heads, (int64_t)t.q_len,
                             (int64_t)tsr_mha_kv_len_seen(base, t.kv_len)};
  if ((status = tsr_tensor_expect_f32(&outputs[0].desc, 3, o_dims, t.where, "outputs[0]")) ||
      (num_outputs > 1 && (status = tsr_tensor_expect_f32(&outputs[1].desc, 4, p_dims, t.where,
                                                          "outputs[1] (probabilities)"))))
    return status;
  t.output = outputs[0].data;
  t.probs = num_outputs > 1 ? outputs[1].data : NULL;
  if (op->core == tsr_mha_softmax && inputs[3].data != NULL) t.mask = &inputs[3], t.mask_name = "inputs[3] (mask)";
  return tsr_mha_forward(base, &t, pool);
}

static void tsr_mha_release(tsr_op* base) {
  struct tsr_mha_op* op = (struct tsr_mha_op*)base;
  tsr_op_destroy(op->q_proj), tsr_op_destroy(op->k_proj), tsr_op_destroy(op->v_proj), tsr_op_destroy(op->o_proj);
  free(op->mix_logits), free(op->mix_weights);
  if (op->f_proj != op->e_proj) free(op->f_proj);
  free(op->e_proj);
  tsr_favor_release(&op->favor);
}

static const struct tsr_op_vtable tsr_mha_vtable = {
    .run = tsr_mha_run, .release = tsr_mha_release, .num_inputs = 4, .min_inputs = 3, .num_outputs = 2,
    .min_outputs = 1};
static const struct tsr_op_vtable tsr_linformer_vtable = {
    .run = tsr_mha_run, .release = tsr_mha_release, .num_inputs = 1, .num_outputs = 2, .min_outputs = 1};
static const struct tsr_op_vtable tsr_performer_vtable = {
    .run = tsr_mha_run, .release = tsr_mha_release, .num_inputs = 3, .num_outputs = 1};

static tsr_status tsr_mha_check_params(const tsr_mha_params* p, const tsr_mha_weights* w, const char* where) {
  if (p == NULL || w == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, p == NULL ? "params" : "weights");
  const int64_t limit = INT64_C(1) << 24;
  const struct { int64_t value, min; const char* name; } sizes[] = {
      {p->embed_dim, 1, "embed_dim"}, {p->num_heads, 1, "num_heads"}, {p->num_kv_heads, 0, "num_kv_heads"},
      {p->kdim, 0, "kdim"}, {p->vdim, 0, "vdim"}};
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
    if (sizes[i].value < sizes[i].min || sizes[i].value > limit)
      return tsr_error(tsr_status_invalid_parameter, "%s: %s is %lld; must be in [%lld, 2^24]", where,
                       sizes[i].name, (long long)sizes[i].value, (long long)sizes[i].min);
  if (p->embed_dim % p->num_heads != 0)
    return tsr_error(tsr_status_invalid_parameter, "%s: num_heads (%lld) must divide embed_dim (%lld)", where,
                     (long long)p->num_heads, (long long)p->embed_dim);
  if (p->num_kv_heads != 0 && p->num_heads % p->num_kv_heads != 0)
    return tsr_error(tsr_status_invalid_parameter, "%s: num_kv_heads (%lld) must divide num_heads (%lld)", where,
                     (long long)p->num_kv_heads, (long long)p->num_heads);
  if (p->talking_heads && p->num_kv_heads != 0 && p->num_kv_heads != p->num_heads)
    return tsr_error(tsr_status_invalid_parameter, "%s: talking_heads needs num_kv_heads = num_heads", where);
  if (p->talking_heads && (w->mix_logits == NULL || w->mix_weights == NULL))
    return tsr_error(tsr_status_invalid_parameter, "%s: talking_heads needs weights->%s", where,
                     w->mix_logits == NULL ? "mix_logits" : "mix_weights");
  const float* const required[] = {w->w_q, w->w_k, w->w_v, w->w_o};
  static const char* const required_names[] = {"w_q", "w_k", "w_v", "w_o"};
  for (size_t i = 0; i < 4; i++)
    if (required[i] == NULL)
      return tsr_error(tsr_status_invalid_parameter, "%s: weights->%s is NULL", where, required_names[i]);
  return tsr_attention_options_check(p->scale, p->causal, &p->dropout, where);
}

static float* tsr_mha_copy(const float* data, size_t n) {
  float* copy = malloc(sizeof(float) * n);
  if (copy != NULL) memcpy(copy, data, sizeof(float) * n);
  return copy;
}

/* Builds the op after the variant's own checks; `extra` is filled by the variant's caller. */
static tsr_status tsr_mha_build(const tsr_mha_params* p, const tsr_mha_weights* w, enum tsr_mha_core core,
                                tsr_op_kind kind, const struct tsr_op_vtable* vtable,
                                struct tsr_mha_op** result, const char* where) {
  struct tsr_mha_op* op = (struct tsr_mha_op*)tsr_op_alloc(sizeof(struct tsr_mha_op), kind, vtable);
  if (op == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  op->params = *p;
  op->core = core;
  op->embed = (size_t)p->embed_dim, op->heads = (size_t)p->num_heads;
  op->kv_heads = p->num_kv_heads != 0 ? (size_t)p->num_kv_heads : op->heads;
  op->head_dim = op->embed / op->heads;
  op->kdim = p->kdim != 0 ? (size_t)p->kdim : op->embed;
  op->vdim = p->vdim != 0 ? (size_t)p->vdim : op->embed;
  op->kv_width = op->kv_heads * op->head_dim;
  const int64_t E = (int64_t)op->embed, W = (int64_t)op->kv_width;
  tsr_status status;
  if ((status = tsr_dense_create(E, E, w->w_q, tsr_dense_weights_out_in, w->b_q, NULL, &op->q_proj)) ||
      (status = tsr_dense_create((int64_t)op->kdim, W, w->w_k, tsr_dense_weights_out_in, w->b_k, NULL, &op->k_proj)) ||
      (status = tsr_dense_create((int64_t)op->vdim, W, w->w_v, tsr_dense_weights_out_in, w->b_v, NULL, &op->v_proj)) ||
      (status = tsr_dense_create(E, E, w->w_o, tsr_dense_weights_out_in, w->b_o, NULL, &op->o_proj))) {
    tsr_op_destroy(&op->base);
    return status;
  }
  if (p->talking_heads) {
    op->mix_logits = tsr_mha_copy(w->mix_logits, op->heads * op->heads);
    op->mix_weights = tsr_mha_copy(w->mix_weights, op->heads * op->heads);
    if (op->mix_logits == NULL || op->mix_weights == NULL) {
      tsr_op_destroy(&op->base);
      return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
    }
  }
  *result = op;
  return tsr_status_success;
}

static void tsr_mha_describe(struct tsr_mha_op* op, const char* name, const char* extra) {
  snprintf(op->base.description, sizeof(op->base.description), "%s:E=%zu heads=%zu kv_heads=%zu%s%s%s impl=%s",
           name, op->embed, op->heads, op->kv_heads, op->params.talking_heads ? " talking_heads" : "",
           op->params.causal == tsr_causal_top_left ? " causal" : op->params.causal ? " causal_br" : "", extra,
           op->core == tsr_mha_performer ? "favor+gemm" : op->params.talking_heads ? "unfused_gemm" : tsr_attention_core_name());
}

tsr_status tsr_multihead_attention_create(const tsr_mha_params* params, const tsr_mha_weights* weights,
                                          tsr_op** op) {
  static const char where[] = "tsr_multihead_attention_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  tsr_status status = tsr_mha_check_params(params, weights, where);
  if (status != tsr_status_success) return status;
  struct tsr_mha_op* created;
  if ((status = tsr_mha_build(params, weights, tsr_mha_softmax, tsr_op_kind_multihead_attention, &tsr_mha_vtable,
                              &created, where)))
    return status;
  tsr_mha_describe(created, "multihead_attention", "");
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_linformer_attention_create(const tsr_linformer_params* params, const tsr_mha_weights* weights,
                                          const float* e_proj, const float* f_proj, tsr_op** op) {
  static const char where[] = "tsr_linformer_attention_create";
  if (op == NULL || params == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, op == NULL ? "op" : "params");
  const tsr_mha_params* a = &params->attention;
  tsr_status status = tsr_mha_check_params(a, weights, where);
  if (status != tsr_status_success) return status;
  if (params->seq_len < 1 || params->proj_len < 1 || params->seq_len > INT64_C(1) << 24 ||
      params->proj_len > INT64_C(1) << 24)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is %lld; must be in [1, 2^24]", where,
                     params->seq_len < 1 || params->seq_len > INT64_C(1) << 24 ? "seq_len" : "proj_len",
                     (long long)(params->seq_len < 1 || params->seq_len > INT64_C(1) << 24 ? params->seq_len
                                                                                           : params->proj_len));
  if (e_proj == NULL || (!params->share_kv && f_proj == NULL))
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, e_proj == NULL ? "e_proj" : "f_proj");
  if (a->talking_heads || a->causal != tsr_causal_none ||
      (a->kdim != 0 && a->kdim != a->embed_dim) || (a->vdim != 0 && a->vdim != a->embed_dim))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: Linformer self-attention takes no talking heads, no causal mode, kdim = vdim = embed_dim",
                     where);
  struct tsr_mha_op* created;
  if ((status = tsr_mha_build(a, weights, tsr_mha_linformer, tsr_op_kind_multihead_attention,
                              &tsr_linformer_vtable, &created, where)))
    return status;
  created->seq_len = (size_t)params->seq_len, created->proj_len = (size_t)params->proj_len;
  const size_t n = created->seq_len * created->proj_len;
  created->e_proj = tsr_mha_copy(e_proj, n);
  created->f_proj = params->share_kv ? created->e_proj : tsr_mha_copy(f_proj, n);
  if (created->e_proj == NULL || created->f_proj == NULL) {
    tsr_op_destroy(&created->base);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  }
  char extra[64];
  snprintf(extra, sizeof(extra), " linformer n=%zu k=%zu%s", created->seq_len, created->proj_len,
           params->share_kv ? " shared" : "");
  tsr_mha_describe(created, "linformer_attention", extra);
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_performer_attention_create(const tsr_performer_params* params, const tsr_mha_weights* weights,
                                          tsr_op** op) {
  static const char where[] = "tsr_performer_attention_create";
  if (op == NULL || params == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, op == NULL ? "op" : "params");
  const tsr_mha_params* a = &params->attention;
  tsr_status status = tsr_mha_check_params(a, weights, where);
  if (status != tsr_status_success) return status;
  if (params->num_features < 1 || params->num_features > INT64_C(1) << 20)
    return tsr_error(tsr_status_invalid_parameter, "%s: num_features is %lld; must be in [1, 2^20]", where,
                     (long long)params->num_features);
  if (a->talking_heads || a->dropout.rate != 0.0f || a->scale != 0.0f ||
      (a->num_kv_heads != 0 && a->num_kv_heads != a->num_heads))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: Performer attention takes no talking heads, dropout, scale or grouped kv heads", where);
  struct tsr_mha_op* created;
  if ((status = tsr_mha_build(a, weights, tsr_mha_performer, tsr_op_kind_multihead_attention,
                              &tsr_performer_vtable, &created, where)))
    return status;
  if ((status = tsr_favor_init(&created->favor, (size_t)params->num_features, created->head_dim, params->seed,
                               where))) {
    tsr_op_destroy(&created->base);
    return status;
  }
  char extra[64];
  snprintf(extra, sizeof(extra), " performer m=%lld", (long long)params->num_features);
  tsr_mha_describe(created, "performer_attention", extra);
  *op = &created->base;
  return tsr_status_success;
}
