/* The attention core (see attention-core.h): the fused path (flash-attention.c) for every
 * problem it supports, else the unfused path here. An unfused task takes one batch item, one head (or
 * all heads when talking heads mix them) and a block of query rows: it computes the block's
 * scores with a GEMM against K (or the additive score loop), masks them, takes the softmax
 * row by row, mixes and drops, and multiplies by V with a second GEMM straight into O. The
 * GEMMs run inline on the task's thread. */
#include "engine/attention-core.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/flash-attention.h"
#include "engine/gemm.h"
#include "kernels/f32-flash/f32-flash.h"
#include "threadpool/threadpool.h"

enum { tsr_attention_query_block = 64 };

struct tsr_attention_call {
  const struct tsr_attention_problem* p;
  size_t head_group;   /* heads per task: 1, or all of them with talking heads */
  const char* where;
  int failed; /* out of memory in some task (set atomically) */
};

/* Scores of query rows [i0, i0 + rows) of head h into s (rows x kv_len). */
static int tsr_attention_scores(const struct tsr_attention_problem* p, size_t b, size_t h,
                                size_t i0, size_t rows, float* s) {
  const size_t g = h / (p->heads / p->kv_heads), L = p->kv_len;
  const float* q = p->q + b * p->q_strides[0] + h * p->q_strides[1] + i0 * p->q_strides[2];
  const float* k = p->k + b * p->k_strides[0] + g * p->k_strides[1];
  if (p->score == tsr_attention_score_dot) {
    const struct tsr_gemm_args args = {
        .batch = 1, .m = rows, .n = L, .k = p->head_dim, .alpha = p->scale, .beta = 0.0f,
        .a = q, .lda = p->q_strides[2], .b = k, .ldb = p->k_strides[2], .trans_b = true,
        .c = s, .ldc = L};
    return tsr_gemm_execute(&args, NULL, "attention") == tsr_status_success ? 0 : -1;
  }
  for (size_t r = 0; r < rows; r++)
    for (size_t j = 0; j < L; j++) {
      const float* qr = q + r * p->q_strides[2];
      const float* kj = k + j * p->k_strides[2];
      float sum = 0.0f;
      for (size_t c = 0; c < p->head_dim; c++) sum += tanhf(p->scale * (qr[c] + kj[c]));
      s[r * L + j] = p->concat_weight * sum;
    }
  return 0;
}

/* s[h][r][j] = sum_g mix[h][g] s[g][r][j] over the group's heads (all of them). */
static void tsr_attention_mix(const float* mix, size_t heads, size_t plane, float* s, float* tmp) {
  for (size_t at = 0; at < plane; at++) {
    for (size_t h = 0; h < heads; h++) {
      float sum = 0.0f;
      for (size_t g = 0; g < heads; g++) sum += mix[h * heads + g] * s[g * plane + at];
      tmp[h] = sum;
    }
    for (size_t h = 0; h < heads; h++) s[h * plane + at] = tmp[h];
  }
}

/* Mask, softmax and dropout of one score row (query i of head h), in place. */
static void tsr_attention_softmax_row(const struct tsr_attention_problem* p, size_t b, size_t h,
                                      size_t i, float* row) {
  const size_t L = p->kv_len;
  float max = -INFINITY;
  for (size_t j = 0; j < L; j++) {
    if (!tsr_attention_causal_allows(p->causal, p->q_len, L, i, j)) row[j] = -INFINITY;
    else if (p->mask != NULL) row[j] += tsr_attention_mask_value(p, b, h, i, j);
    max = row[j] > max ? row[j] : max;
  }
  if (max == -INFINITY) { /* every key masked out: zeros, not NaN */
    memset(row, 0, sizeof(float) * L);
    return;
  }
  double sum = 0.0;
  for (size_t j = 0; j < L; j++) sum += row[j] = expf(row[j] - max);
  const float inverse = (float)(1.0 / sum);
  const bool dropout = p->dropout.training && p->dropout.rate > 0.0f;
  for (size_t j = 0; j < L; j++)
    row[j] *= dropout ? inverse * tsr_attention_dropout_factor(p, b, h, i, j) : inverse;
}

static void tsr_attention_task(void* context, size_t thread, size_t b, size_t head0, size_t block) {
  (void)thread;
  struct tsr_attention_call* call = context;
  const struct tsr_attention_problem* p = call->p;
  const size_t heads = call->head_group, L = p->kv_len;
  head0 *= heads;
  const size_t i0 = block * tsr_attention_query_block;
  const size_t rows = p->q_len - i0 < tsr_attention_query_block ? p->q_len - i0 : tsr_attention_query_block;
  const size_t plane = rows * L;
  float* s = malloc(sizeof(float) * (heads * plane + heads));
  if (s == NULL) {
    __atomic_store_n(&call->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  float* tmp = s + heads * plane;
  int status = 0;
  for (size_t h = 0; h < heads && status == 0; h++)
    status = tsr_attention_scores(p, b, head0 + h, i0, rows, s + h * plane);
  if (p->mix_logits != NULL) tsr_attention_mix(p->mix_logits, heads, plane, s, tmp);
  for (size_t h = 0; h < heads; h++)
    for (size_t r = 0; r < rows; r++) tsr_attention_softmax_row(p, b, head0 + h, i0 + r, s + h * plane + r * L);
  if (p->mix_weights != NULL) tsr_attention_mix(p->mix_weights, heads, plane, s, tmp);
  for (size_t hh = 0; hh < heads && status == 0; hh++) {
    const size_t h = head0 + hh, g = h / (p->heads / p->kv_heads);
    const float* probs = s + hh * plane;
    if (p->probs != NULL)
      for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < L; j++)
          p->probs[b * p->p_strides[0] + h * p->p_strides[1] + (i0 + r) * p->p_strides[2] +
                   j * p->p_strides[3]] = probs[r * L + j];
    const struct tsr_gemm_args args = {
        .batch = 1, .m = rows, .n = p->v_dim, .k = L, .alpha = 1.0f, .beta = 0.0f,
        .a = probs, .lda = L, .b = p->v + b * p->v_strides[0] + g * p->v_strides[1],
        .ldb = p->v_strides[2],
        .c = p->o + b * p->o_strides[0] + h * p->o_strides[1] + i0 * p->o_strides[2],
        .ldc = p->o_strides[2]};
    status = tsr_gemm_execute(&args, NULL, "attention") == tsr_status_success ? 0 : -1;
  }
  if (status != 0) __atomic_store_n(&call->failed, 1, __ATOMIC_RELAXED);
  free(s);
}

tsr_status tsr_attention_core_run(const struct tsr_attention_problem* p, tsr_threadpool* pool,
                                  const char* where) {
  const char* path = getenv("TESSERA_ATTENTION"); /* "unfused": the baseline, for comparisons */
  if (tsr_flash_attention_supports(p) && (path == NULL || strcmp(path, "unfused") != 0))
    return tsr_flash_attention_run(p, pool, where);
  return tsr_attention_core_run_unfused(p, pool, where);
}

const char* tsr_attention_core_name(void) { return tsr_flash_ukernels_get()->name; }

tsr_status tsr_attention_core_run_unfused(const struct tsr_attention_problem* p, tsr_threadpool* pool,
                                          const char* where) {
  struct tsr_attention_call call = {
      .p = p, .head_group = p->mix_logits != NULL || p->mix_weights != NULL ? p->heads : 1,
      .where = where};
  const size_t blocks = (p->q_len + tsr_attention_query_block - 1) / tsr_attention_query_block;
  tsr_parallelize_3d(pool, tsr_attention_task, &call, p->batch, p->heads / call.head_group, blocks);
  if (__atomic_load_n(&call.failed, __ATOMIC_RELAXED))
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the attention scores", where);
  return tsr_status_success;
}

tsr_status tsr_attention_mask_bind(const tsr_tensor* mask, struct tsr_attention_problem* p,
                                   const char* where, const char* name) {
  const tsr_tensor_desc* d = &mask->desc;
  if (d->dtype != tsr_dtype_u8 && d->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s must be u8 (boolean) or f32 (additive)",
                     where, name);
  if (d->layout != tsr_layout_plain && d->layout != tsr_layout_strided)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s must be plain or strided", where, name);
  if (d->ndims > 4)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s has %d dims; at most 4", where, name,
                     (int)d->ndims);
  const size_t full[4] = {p->batch, p->heads, p->q_len, p->kv_len};
  for (int32_t k = 0; k < 4; k++) {
    const int32_t dim = d->ndims - 4 + k; /* right-aligned */
    if (dim < 0) {
      p->mask_strides[k] = 0;
      continue;
    }
    if (d->dims[dim] != 1 && (size_t)d->dims[dim] != full[k])
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: %s does not broadcast to [%zu, %zu, %zu, %zu]: its dim %d is %lld",
                       where, name, full[0], full[1], full[2], full[3], (int)dim,
                       (long long)d->dims[dim]);
    p->mask_strides[k] = d->dims[dim] == 1 ? 0 : (size_t)d->strides[dim];
  }
  p->mask = mask->data;
  p->mask_dtype = d->dtype;
  return tsr_status_success;
}

tsr_status tsr_attention_options_check(float scale, tsr_causal_mode causal, const tsr_attention_dropout* dropout,
                                       const char* where) {
  if (!(scale >= 0.0f) || isinf(scale))
    return tsr_error(tsr_status_invalid_parameter, "%s: scale is %g; must be finite and >= 0 (0: 1/sqrt(d))",
                     where, (double)scale);
  if (causal < tsr_causal_none || causal > tsr_causal_bottom_right)
    return tsr_error(tsr_status_invalid_parameter, "%s: causal %d is not a tsr_causal_mode", where, (int)causal);
  return tsr_attention_dropout_check(dropout, where);
}

tsr_status tsr_attention_dropout_check(const tsr_attention_dropout* dropout, const char* where) {
  if (!(dropout->rate >= 0.0f && dropout->rate < 1.0f))
    return tsr_error(tsr_status_invalid_parameter, "%s: dropout.rate is %g; must be in [0, 1)",
                     where, (double)dropout->rate);
  return tsr_status_success;
}

tsr_status tsr_attention_tensor_bind(const tsr_tensor_desc* d, int32_t ndims, bool is_output, size_t* strides,
                                     const char* where, const char* name) {
  if (d->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s must be f32", where, name);
  if (d->layout != tsr_layout_plain && d->layout != tsr_layout_strided)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s must be plain or strided", where, name);
  if (d->ndims != ndims)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s has %d dims; must have %d", where, name,
                     (int)d->ndims, (int)ndims);
  if (d->strides[ndims - 1] != 1 && d->dims[ndims - 1] != 1)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s's last dim must be contiguous", where, name);
  if (is_output)
    for (int32_t k = 0; k < ndims; k++)
      if (d->strides[k] == 0 && d->dims[k] > 1)
        return tsr_error(tsr_status_invalid_parameter, "%s: %s has stride 0 in dim %d; an output must not "
                         "broadcast", where, name, (int)k);
  for (int32_t k = 0; k < ndims; k++) strides[k] = (size_t)d->strides[k];
  return tsr_status_success;
}
