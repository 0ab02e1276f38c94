/* What the transformer layers use of a multi-head attention op: running it on raw buffers
 * after their own checks. */
#ifndef TSR_ENGINE_MULTIHEAD_ATTENTION_H
#define TSR_ENGINE_MULTIHEAD_ATTENTION_H

#include <stddef.h>

#include "tessera.h"

/// One forward of an attention op over plain buffers: query [batch, q_len, E], key and value
/// [batch, kv_len, kdim / vdim], output [batch, q_len, E], probs NULL or [batch, H, q_len,
/// kv_len seen], mask NULL or a tensor broadcasting to [batch, H, q_len, kv_len].
struct tsr_mha_tensors {
  const char* where;
  size_t batch, q_len, kv_len;
  const float *query, *key, *value;
  float* output;
  float* probs;
  const tsr_tensor* mask;
  const char* mask_name;
};

/// Checks query/key/value (named by names[0..2]) against the op and fills t's sizes and inputs.
tsr_status tsr_mha_check_tensors(const tsr_op* op, const tsr_tensor* query, const tsr_tensor* key,
                                 const tsr_tensor* value, const char* const* names,
                                 struct tsr_mha_tensors* t);

/// Runs the op (a tsr_multihead_attention_create one) on t.
tsr_status tsr_mha_forward(const tsr_op* op, const struct tsr_mha_tensors* t, tsr_threadpool* pool);

/// Keys the core attends over (proj_len for a Linformer), and the head count.
size_t tsr_mha_kv_len_seen(const tsr_op* op, size_t kv_len);
size_t tsr_mha_heads(const tsr_op* op);

#endif
