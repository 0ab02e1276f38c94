/* Attention composed in double precision (see attention-compose.h). */
#include "tests/harness/attention-compose.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/attention-reference.h"

static double tsr_mask_term(const struct tsr_mask_desc* m, const size_t idx[4]) {
  if (m == NULL || m->data == NULL) return 0.0;
  size_t at = 0;
  for (int k = 0; k < m->ndims; k++) {
    const size_t full = idx[4 - m->ndims + k];
    at = at * (size_t)m->dims[k] + (m->dims[k] == 1 ? 0 : full);
  }
  if (m->dtype == tsr_dtype_u8) return ((const uint8_t*)m->data)[at] ? 0.0 : -INFINITY;
  return ((const float*)m->data)[at];
}

/* O [B,H,Lq,dv] and P [B,H,Lq,Lk] in double from plain Q [B,H,Lq,d], K/V [B,Hkv,Lk,*]. */
void tsr_compose_sdpa(size_t B, size_t H, size_t Hkv, size_t Lq, size_t Lk, size_t d, size_t dv,
                         const float* q, const float* k, const float* v, double scale,
                         tsr_causal_mode causal, const struct tsr_mask_desc* mask, double* o, double* p) {
  double* s = malloc(sizeof(double) * Lq * Lk);
  for (size_t b = 0; b < B; b++)
    for (size_t h = 0; h < H; h++) {
      const size_t g = h / (H / Hkv);
      const float* qh = q + (b * H + h) * Lq * d;
      const float* kh = k + (b * Hkv + g) * Lk * d;
      const float* vh = v + (b * Hkv + g) * Lk * dv;
      for (size_t i = 0; i < Lq; i++) /* S = scale Q K^T + mask */
        for (size_t j = 0; j < Lk; j++) {
          double sum = 0.0;
          for (size_t c = 0; c < d; c++) sum += (double)qh[i * d + c] * kh[j * d + c];
          const size_t idx[4] = {b, h, i, j};
          const int hidden = (causal == tsr_causal_top_left && j > i) ||
                             (causal == tsr_causal_bottom_right && j + Lq > i + Lk);
          s[i * Lk + j] = hidden ? -INFINITY : scale * sum + tsr_mask_term(mask, idx);
        }
      for (size_t i = 0; i < Lq; i++) { /* softmax rows */
        double max = -INFINITY, total = 0.0;
        for (size_t j = 0; j < Lk; j++) max = fmax(max, s[i * Lk + j]);
        for (size_t j = 0; j < Lk; j++) total += s[i * Lk + j] = max == -INFINITY ? 0.0 : exp(s[i * Lk + j] - max);
        for (size_t j = 0; j < Lk; j++) s[i * Lk + j] = total > 0 ? s[i * Lk + j] / total : 0.0;
      }
      if (p != NULL) memcpy(p + (b * H + h) * Lq * Lk, s, sizeof(double) * Lq * Lk);
      for (size_t i = 0; i < Lq; i++) /* O = P V */
        for (size_t c = 0; c < dv; c++) {
          double sum = 0.0;
          for (size_t j = 0; j < Lk; j++) sum += s[i * Lk + j] * vh[j * dv + c];
          o[((b * H + h) * Lq + i) * dv + c] = sum;
        }
    }
  free(s);
}

void tsr_to_float(const double* x, float* y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = (float)x[i];
}

/* y [rows, out] = x [rows, in] W^T + b in double, W [out][in]. */
void tsr_compose_linear(size_t rows, size_t in, size_t out, const float* x, const float* w, const float* b,
                           float* y) {
  for (size_t r = 0; r < rows; r++)
    for (size_t o = 0; o < out; o++) {
      double sum = b ? b[o] : 0.0;
      for (size_t i = 0; i < in; i++) sum += (double)x[r * in + i] * w[o * in + i];
      y[r * out + o] = (float)sum;
    }
}

/* [B, L, heads x hd] -> [B, heads, L, hd] */
void tsr_split_heads(size_t B, size_t L, size_t heads, size_t hd, const float* x, float* y) {
  for (size_t b = 0; b < B; b++)
    for (size_t l = 0; l < L; l++)
      for (size_t h = 0; h < heads; h++)
        memcpy(y + ((b * heads + h) * L + l) * hd, x + (b * L + l) * heads * hd + h * hd, sizeof(float) * hd);
}

void tsr_compose_mha_heads(const struct tsr_mha_shape* c, const tsr_mha_weights* w, size_t B, size_t Lq, size_t Lk,
                           const float* qp, const float* kp, const float* vp, tsr_causal_mode causal,
                           const struct tsr_mask_desc* mask, int talking, float* out) {
  const size_t E = c->E, W = c->Hkv * c->hd;
  float* qh = malloc(sizeof(float) * B * Lq * E), *kh = malloc(sizeof(float) * B * Lk * W);
  float* vh = malloc(sizeof(float) * B * Lk * W), *ohf = malloc(sizeof(float) * B * Lq * E);
  float* merged = malloc(sizeof(float) * B * Lq * E);
  double* oh = malloc(sizeof(double) * B * Lq * E);
  tsr_split_heads(B, Lq, c->H, c->hd, qp, qh);
  tsr_split_heads(B, Lk, c->Hkv, c->hd, kp, kh);
  tsr_split_heads(B, Lk, c->Hkv, c->hd, vp, vh);
  const double scale = 1.0 / sqrt((double)c->hd);
  if (!talking) {
    tsr_compose_sdpa(B, c->H, c->Hkv, Lq, Lk, c->hd, c->hd, qh, kh, vh, scale, causal, mask, oh, NULL);
    tsr_to_float(oh, ohf, B * Lq * E);
  } else {
    const size_t hd = c->hd, H = c->H;
    struct tsr_attention_problem rp = {
        .batch = B, .heads = H, .kv_heads = H, .q_len = Lq, .kv_len = Lk, .head_dim = hd, .v_dim = hd,
        .q = qh, .q_strides = {H * Lq * hd, Lq * hd, hd, 1}, .k = kh, .k_strides = {H * Lk * hd, Lk * hd, hd, 1},
        .v = vh, .v_strides = {H * Lk * hd, Lk * hd, hd, 1}, .o = ohf, .o_strides = {H * Lq * hd, Lq * hd, hd, 1},
        .score = tsr_attention_score_dot, .scale = (float)scale, .causal = causal,
        .mix_logits = w->mix_logits, .mix_weights = w->mix_weights};
    tsr_reference_attention_f32(&rp);
  }
  for (size_t b = 0; b < B; b++) /* merge heads */
    for (size_t h = 0; h < c->H; h++)
      for (size_t l = 0; l < Lq; l++)
        memcpy(merged + (b * Lq + l) * E + h * c->hd, ohf + ((b * c->H + h) * Lq + l) * c->hd, sizeof(float) * c->hd);
  tsr_compose_linear(B * Lq, E, E, merged, w->w_o, w->b_o, out);
  free(qh), free(kh), free(vh), free(oh), free(merged), free(ohf);
}

void tsr_compose_mha(const struct tsr_mha_shape* c, const tsr_mha_weights* w, size_t B, size_t Lq, size_t Lk,
                     const float* query, const float* key, const float* value, tsr_causal_mode causal,
                     const struct tsr_mask_desc* mask, int talking, float* out) {
  const size_t E = c->E, W = c->Hkv * c->hd;
  float* qp = malloc(sizeof(float) * B * Lq * E), *kp = malloc(sizeof(float) * B * Lk * W);
  float* vp = malloc(sizeof(float) * B * Lk * W);
  tsr_compose_linear(B * Lq, E, E, query, w->w_q, w->b_q, qp);
  tsr_compose_linear(B * Lk, c->kdim, W, key, w->w_k, w->b_k, kp);
  tsr_compose_linear(B * Lk, c->vdim, W, value, w->w_v, w->b_v, vp);
  tsr_compose_mha_heads(c, w, B, Lq, Lk, qp, kp, vp, causal, mask, talking, out);
  free(qp), free(kp), free(vp);
}
