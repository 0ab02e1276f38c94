/* Reference attention (see attention-reference.h). */
#include "kernels/reference/attention-reference.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/random.h"

float tsr_attention_dropout_factor(const struct tsr_attention_problem* p, size_t b, size_t h,
                                   size_t i, size_t j) {
  if (!p->dropout.training || p->dropout.rate == 0.0f) return 1.0f;
  const uint64_t index = (((uint64_t)b * p->heads + h) * p->q_len + i) * p->kv_len + j;
  return tsr_random_uniform(p->dropout.seed, index) >= p->dropout.rate
             ? 1.0f / (1.0f - p->dropout.rate)
             : 0.0f;
}

/* The mask's verdict on (b, h, i, j): -inf to exclude, else the value to add. */
static double tsr_mask_term(const struct tsr_attention_problem* p, size_t b, size_t h, size_t i,
                            size_t j) {
  if (!tsr_attention_causal_allows(p->causal, p->q_len, p->kv_len, i, j)) return -INFINITY;
  return p->mask == NULL ? 0.0 : tsr_attention_mask_value(p, b, h, i, j);
}

/* Mixes row j of every head: s[h] = sum_g mix[h][g] s[g] (heads x kv_len rows). */
static void tsr_mix_heads(const float* mix, size_t heads, size_t kv_len, double* s, double* tmp) {
  for (size_t j = 0; j < kv_len; j++) {
    for (size_t h = 0; h < heads; h++) {
      double sum = 0.0;
      for (size_t g = 0; g < heads; g++) sum += (double)mix[h * heads + g] * s[g * kv_len + j];
      tmp[h] = sum;
    }
    for (size_t h = 0; h < heads; h++) s[h * kv_len + j] = tmp[h];
  }
}

int tsr_reference_attention_f32(const struct tsr_attention_problem* p) {
  const size_t H = p->heads, L = p->kv_len, group = p->heads / p->kv_heads;
  double* s = malloc(sizeof(double) * (H * L + H));
  if (s == NULL) return -1;
  double* tmp = s + H * L;
  for (size_t b = 0; b < p->batch; b++)
    for (size_t i = 0; i < p->q_len; i++) {
      for (size_t h = 0; h < H; h++) {
        const float* q = p->q + b * p->q_strides[0] + h * p->q_strides[1] + i * p->q_strides[2];
        const size_t g = h / group;
        for (size_t j = 0; j < L; j++) {
          const float* k = p->k + b * p->k_strides[0] + g * p->k_strides[1] + j * p->k_strides[2];
          double sum = 0.0;
          for (size_t c = 0; c < p->head_dim; c++) {
            const double qc = q[c * p->q_strides[3]], kc = k[c * p->k_strides[3]];
            sum += p->score == tsr_attention_score_dot ? qc * kc : tanh((double)p->scale * (qc + kc));
          }
          s[h * L + j] = p->score == tsr_attention_score_dot ? p->scale * sum : p->concat_weight * sum;
        }
      }
      if (p->mix_logits != NULL) tsr_mix_heads(p->mix_logits, H, L, s, tmp);
      for (size_t h = 0; h < H; h++) {
        double* row = s + h * L;
        double max = -INFINITY;
        for (size_t j = 0; j < L; j++) {
          row[j] += tsr_mask_term(p, b, h, i, j);
          if (row[j] > max) max = row[j];
        }
        double sum = 0.0;
        for (size_t j = 0; j < L; j++) sum += row[j] = max == -INFINITY ? 0.0 : exp(row[j] - max);
        for (size_t j = 0; j < L; j++)
          row[j] = sum > 0.0 ? row[j] / sum * tsr_attention_dropout_factor(p, b, h, i, j) : 0.0;
      }
      if (p->mix_weights != NULL) tsr_mix_heads(p->mix_weights, H, L, s, tmp);
      for (size_t h = 0; h < H; h++) {
        const size_t g = h / group;
        if (p->probs != NULL)
          for (size_t j = 0; j < L; j++)
            p->probs[b * p->p_strides[0] + h * p->p_strides[1] + i * p->p_strides[2] +
                     j * p->p_strides[3]] = (float)s[h * L + j];
        for (size_t c = 0; c < p->v_dim; c++) {
          double sum = 0.0;
          for (size_t j = 0; j < L; j++)
            sum += s[h * L + j] * p->v[b * p->v_strides[0] + g * p->v_strides[1] +
                                       j * p->v_strides[2] + c * p->v_strides[3]];
          p->o[b * p->o_strides[0] + h * p->o_strides[1] + i * p->o_strides[2] +
               c * p->o_strides[3]] = (float)sum;
        }
      }
    }
  free(s);
  return 0;
}
