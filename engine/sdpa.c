/* Scaled dot-product attention and Keras-style attention: both bind their tensors to a struct
 * tsr_attention_problem and run the attention core; they differ only in how they read their
 * parameters and masks. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/attention-core.h"
#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"

static const char* tsr_causal_name(tsr_causal_mode causal) {
  return causal == tsr_causal_top_left ? " causal" : causal == tsr_causal_bottom_right ? " causal_br" : "";
}

/* ---- scaled dot-product attention ---- */

struct tsr_sdpa_op {
  struct tsr_op base;
  tsr_sdpa_params params;
};

static tsr_status tsr_sdpa_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                               const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(sdpa)";
  const struct tsr_sdpa_op* op = (const struct tsr_sdpa_op*)base;
  struct tsr_attention_problem p = {.score = tsr_attention_score_dot, .causal = op->params.causal,
                                    .dropout = op->params.dropout};
  tsr_status status;
  if ((status = tsr_attention_tensor_bind(&inputs[0].desc, 4, false, p.q_strides, where, "inputs[0] (Q)")) ||
      (status = tsr_attention_tensor_bind(&inputs[1].desc, 4, false, p.k_strides, where, "inputs[1] (K)")) ||
      (status = tsr_attention_tensor_bind(&inputs[2].desc, 4, false, p.v_strides, where, "inputs[2] (V)")) ||
      (status = tsr_attention_tensor_bind(&outputs[0].desc, 4, true, p.o_strides, where, "outputs[0] (O)")))
    return status;
  const int64_t* q = inputs[0].desc.dims;
  const int64_t* k = inputs[1].desc.dims;
  const int64_t* v = inputs[2].desc.dims;
  if (k[0] != q[0] || v[0] != q[0] || k[3] != q[3] || v[1] != k[1] || v[2] != k[2])
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: K must be [%lld, kv_heads, kv_len, %lld] and V [%lld, kv_heads, kv_len, "
                     "v_dim] with K's kv_heads and kv_len", where, (long long)q[0], (long long)q[3],
                     (long long)q[0]);
  if (q[1] % k[1] != 0)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: K's kv_heads (%lld) must divide Q's heads (%lld)", where, (long long)k[1],
                     (long long)q[1]);
  const int64_t o_dims[4] = {q[0], q[1], q[2], v[3]};
  const int64_t p_dims[4] = {q[0], q[1], q[2], k[2]};
  if (memcmp(outputs[0].desc.dims, o_dims, sizeof(o_dims)) != 0)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[0] (O) must have dims [%lld, %lld, %lld, %lld]",
                     where, (long long)o_dims[0], (long long)o_dims[1], (long long)o_dims[2], (long long)o_dims[3]);
  if (num_outputs > 1) {
    if ((status = tsr_attention_tensor_bind(&outputs[1].desc, 4, true, p.p_strides, where, "outputs[1] (probabilities)")))
      return status;
    if (memcmp(outputs[1].desc.dims, p_dims, sizeof(p_dims)) != 0)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: outputs[1] (probabilities) must have dims [%lld, %lld, %lld, %lld]", where,
                       (long long)p_dims[0], (long long)p_dims[1], (long long)p_dims[2], (long long)p_dims[3]);
    p.probs = outputs[1].data;
  }
  p.batch = (size_t)q[0], p.heads = (size_t)q[1], p.kv_heads = (size_t)k[1];
  p.q_len = (size_t)q[2], p.kv_len = (size_t)k[2], p.head_dim = (size_t)q[3], p.v_dim = (size_t)v[3];
  p.scale = op->params.scale != 0.0f ? op->params.scale : (float)(1.0 / sqrt((double)q[3]));
  if (inputs[3].data != NULL &&
      (status = tsr_attention_mask_bind(&inputs[3], &p, where, "inputs[3] (mask)")))
    return status;
  p.q = inputs[0].data, p.k = inputs[1].data, p.v = inputs[2].data, p.o = outputs[0].data;
  return tsr_attention_core_run(&p, pool, where);
}

static const struct tsr_op_vtable tsr_sdpa_vtable = {
    .run = tsr_sdpa_run, .num_inputs = 4, .min_inputs = 3, .num_outputs = 2, .min_outputs = 1};

tsr_status tsr_sdpa_create(const tsr_sdpa_params* params, tsr_op** op) {
  static const char where[] = "tsr_sdpa_create";
  if (op == NULL || params == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, op == NULL ? "op" : "params");
  const tsr_status status = tsr_attention_options_check(params->scale, params->causal, &params->dropout, where);
  if (status != tsr_status_success) return status;
  struct tsr_sdpa_op* created =
      (struct tsr_sdpa_op*)tsr_op_alloc(sizeof(struct tsr_sdpa_op), tsr_op_kind_sdpa, &tsr_sdpa_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->params = *params;
  snprintf(created->base.description, sizeof(created->base.description),
           "sdpa%s impl=%s (unfused_gemm when probabilities are asked for)", tsr_causal_name(params->causal),
           tsr_attention_core_name());
  *op = &created->base;
  return tsr_status_success;
}

/* ---- Keras-style attention ---- */

struct tsr_keras_attention_op {
  struct tsr_op base;
  tsr_attention_params params;
};

/* A [B, T, D] tensor as [B, 1, T, D] problem strides. */
static tsr_status tsr_bind_sequence(const tsr_tensor* t, size_t* strides, const char* where, const char* name) {
  size_t s3[3];
  const tsr_status status = tsr_attention_tensor_bind(&t->desc, 3, false, s3, where, name);
  strides[0] = s3[0], strides[1] = 0, strides[2] = s3[1], strides[3] = s3[2];
  return status;
}

static tsr_status tsr_keras_mask_check(const tsr_tensor* mask, int64_t batch, int64_t len, const char* where,
                                       const char* name) {
  const tsr_tensor_desc* d = &mask->desc;
  if (d->dtype != tsr_dtype_u8 || d->layout != tsr_layout_plain || d->ndims != 2 || d->dims[0] != batch ||
      d->dims[1] != len)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s must be u8, plain, [%lld, %lld]", where, name,
                     (long long)batch, (long long)len);
  return tsr_status_success;
}

static tsr_status tsr_keras_attention_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                          const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(attention)";
  const tsr_attention_params* a = &((const struct tsr_keras_attention_op*)base)->params;
  const tsr_tensor* query = &inputs[0];
  const tsr_tensor* value = &inputs[1];
  const tsr_tensor* key = inputs[2].data != NULL ? &inputs[2] : value;
  struct tsr_attention_problem p = {
      .score = a->score_mode, .scale = a->use_scale ? a->scale : 1.0f,
      .concat_weight = a->concat_score_weight, .dropout = a->dropout,
      .causal = a->causal ? tsr_causal_top_left : tsr_causal_none};
  tsr_status status;
  if ((status = tsr_bind_sequence(query, p.q_strides, where, "inputs[0] (query)")) ||
      (status = tsr_bind_sequence(value, p.v_strides, where, "inputs[1] (value)")) ||
      (status = tsr_bind_sequence(key, p.k_strides, where, "inputs[2] (key)")))
    return status;
  const int64_t *qd = query->desc.dims, *vd = value->desc.dims, *kd = key->desc.dims;
  if (vd[0] != qd[0] || kd[0] != qd[0] || kd[1] != vd[1] || kd[2] != qd[2])
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: value must be [%lld, Tv, Dv] and key [%lld, Tv, %lld] (without a key, value's Dv "
                     "must be %lld)", where, (long long)qd[0], (long long)qd[0], (long long)qd[2], (long long)qd[2]);
  const int64_t o_dims[3] = {qd[0], qd[1], vd[2]}, s_dims[3] = {qd[0], qd[1], vd[1]};
  if ((status = tsr_tensor_expect_f32(&outputs[0].desc, 3, o_dims, where, "outputs[0]")) ||
      (num_outputs > 1 && (status = tsr_tensor_expect_f32(&outputs[1].desc, 3, s_dims, where, "outputs[1] (scores)"))) ||
      (inputs[3].data != NULL && (status = tsr_keras_mask_check(&inputs[3], qd[0], qd[1], where, "inputs[3] (query_mask)"))) ||
      (inputs[4].data != NULL && (status = tsr_keras_mask_check(&inputs[4], qd[0], vd[1], where, "inputs[4] (value_mask)"))))
    return status;
  p.batch = (size_t)qd[0], p.heads = p.kv_heads = 1, p.q_len = (size_t)qd[1], p.kv_len = (size_t)vd[1];
  p.head_dim = (size_t)qd[2], p.v_dim = (size_t)vd[2];
  p.q = query->data, p.k = key->data, p.v = value->data, p.o = outputs[0].data;
  const size_t o_strides[4] = {p.q_len * p.v_dim, 0, p.v_dim, 1};
  memcpy(p.o_strides, o_strides, sizeof(o_strides));
  if (num_outputs > 1) {
    const size_t s_strides[4] = {p.q_len * p.kv_len, 0, p.kv_len, 1};
    memcpy(p.p_strides, s_strides, sizeof(s_strides));
    p.probs = outputs[1].data;
  }
  if (inputs[4].data != NULL) { /* value_mask [B, Tv] as [B, 1, 1, Tv] */
    const size_t m_strides[4] = {p.kv_len, 0, 0, 1};
    memcpy(p.mask_strides, m_strides, sizeof(m_strides));
    p.mask = inputs[4].data, p.mask_dtype = tsr_dtype_u8;
  }
  if ((status = tsr_attention_core_run(&p, pool, where))) return status;
  if (inputs[3].data != NULL) { /* Keras multiplies the result by the query mask */
    const uint8_t* q_mask = inputs[3].data;
    float* o = outputs[0].data;
    for (size_t r = 0; r < p.batch * p.q_len; r++)
      if (!q_mask[r]) memset(o + r * p.v_dim, 0, sizeof(float) * p.v_dim);
  }
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_keras_attention_vtable = {
    .run = tsr_keras_attention_run, .num_inputs = 5, .min_inputs = 2, .num_outputs = 2, .min_outputs = 1};

tsr_status tsr_attention_create(const tsr_attention_params* params, tsr_op** op) {
  static const char where[] = "tsr_attention_create";
  if (op == NULL || params == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, op == NULL ? "op" : "params");
  if (params->score_mode != tsr_attention_score_dot && params->score_mode != tsr_attention_score_concat)
    return tsr_error(tsr_status_invalid_parameter, "%s: score_mode %d is not a tsr_attention_score", where,
                     (int)params->score_mode);
  if ((params->use_scale && !isfinite(params->scale)) ||
      (params->score_mode == tsr_attention_score_concat && !isfinite(params->concat_score_weight)))
    return tsr_error(tsr_status_invalid_parameter, "%s: %s must be finite", where,
                     params->use_scale && !isfinite(params->scale) ? "scale" : "concat_score_weight");
  const tsr_status status = tsr_attention_dropout_check(&params->dropout, where);
  if (status != tsr_status_success) return status;
  struct tsr_keras_attention_op* created = (struct tsr_keras_attention_op*)tsr_op_alloc(
      sizeof(struct tsr_keras_attention_op), tsr_op_kind_attention, &tsr_keras_attention_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->params = *params;
  snprintf(created->base.description, sizeof(created->base.description), "attention:%s%s%s impl=%s",
           params->score_mode == tsr_attention_score_dot ? "dot" : "concat", params->use_scale ? " scaled" : "",
           params->causal ? " causal" : "", tsr_attention_core_name());
  *op = &created->base;
  return tsr_status_success;
}
