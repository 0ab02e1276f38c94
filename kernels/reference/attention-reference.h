/* Reference attention: one description of an attention problem (shared with the engine's
 * attention core) and naive loops over it in double precision, the ground truth for the SDPA,
 * Keras-style, multi-head, talking-heads and Linformer attention. */
#ifndef TSR_KERNELS_REFERENCE_ATTENTION_H
#define TSR_KERNELS_REFERENCE_ATTENTION_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

/// Every tensor is addressed by element strides over [batch, heads, row, column]: a stride of 0
/// broadcasts (masks). Q, K, V and O must have column stride 1 for the engine.
struct tsr_attention_problem {
  size_t batch, heads, kv_heads, q_len, kv_len, head_dim, v_dim;
  const float* q;
  size_t q_strides[4];
  const float* k;
  size_t k_strides[4];
  const float* v;
  size_t v_strides[4];
  float* o;
  size_t o_strides[4];
  float* probs;                 /* NULL: not wanted */
  size_t p_strides[4];
  const void* mask;             /* NULL, u8 (nonzero attends) or f32 (added) */
  tsr_dtype mask_dtype;
  size_t mask_strides[4];
  tsr_attention_score score;    /* dot: scale q.k; concat: concat_weight sum tanh(scale (q + k)) */
  float scale, concat_weight;
  tsr_causal_mode causal;
  tsr_attention_dropout dropout;
  const float* mix_logits;      /* talking heads: heads x heads, or NULL */
  const float* mix_weights;
};

/// True when query i may see key j under the causal mode.
static inline int tsr_attention_causal_allows(tsr_causal_mode causal, size_t q_len, size_t kv_len,
                                              size_t i, size_t j) {
  if (causal == tsr_causal_top_left) return j <= i;
  if (causal == tsr_causal_bottom_right) return j + q_len <= i + kv_len;
  return 1;
}

/// The mask's value for (b, h, i, j), the mask being set: an f32 mask's element, or for a u8
/// mask 0 (attend) or -inf (masked out).
static inline float tsr_attention_mask_value(const struct tsr_attention_problem* p, size_t b, size_t h, size_t i,
                                             size_t j) {
  const size_t at = b * p->mask_strides[0] + h * p->mask_strides[1] + i * p->mask_strides[2] + j * p->mask_strides[3];
  if (p->mask_dtype == tsr_dtype_u8) return ((const uint8_t*)p->mask)[at] ? 0.0f : -INFINITY;
  return ((const float*)p->mask)[at];
}

/// The dropout factor of probability (b, h, i, j): 0 or 1 / (1 - rate); 1 when not training.
float tsr_attention_dropout_factor(const struct tsr_attention_problem* p, size_t b, size_t h,
                                   size_t i, size_t j);

/// Writes o (and probs) for the problem, everything in double, rounded once. Returns 0, or -1
/// when out of memory.
int tsr_reference_attention_f32(const struct tsr_attention_problem* p);

#endif
