/* Attention composed from oneDNN primitives (see tsr_onednn_sdpa in onednn.h): the baseline a
 * oneDNN user gets for scaled dot-product attention, which oneDNN 2.6 has no fused primitive for. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels/reference/attention-reference.h"
#include "tests/harness/onednn.h"

static tsr_tensor tsr_plain(float* data, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
  tsr_tensor t = {.data = data};
  const int64_t dims[4] = {d0, d1, d2, d3};
  tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 4, dims);
  return t;
}

int tsr_onednn_sdpa_create(tsr_onednn_sdpa* sdpa, size_t batch, size_t heads, size_t kv_heads, size_t q_len,
                           size_t kv_len, size_t head_dim, size_t v_dim, float scale, tsr_causal_mode causal,
                           const uint8_t* key_mask, const float* q, const float* k, const float* v, float* o) {
  *sdpa = (tsr_onednn_sdpa){0};
  const int64_t B = (int64_t)batch, G = (int64_t)kv_heads, R = (int64_t)(heads / kv_heads * q_len);
  const int64_t Lq = (int64_t)q_len, Lk = (int64_t)kv_len, d = (int64_t)head_dim, dv = (int64_t)v_dim;
  sdpa->score_buffer = malloc(sizeof(float) * (size_t)(B * G * R * Lk));
  if (sdpa->score_buffer == NULL) return fprintf(stderr, "oneDNN attention: out of memory\n"), -1;
  const tsr_tensor tq = tsr_plain((float*)q, B, G, R, d), tv = tsr_plain((float*)v, B, G, Lk, dv);
  const tsr_tensor ts = tsr_plain(sdpa->score_buffer, B, G, R, Lk), to = tsr_plain(o, B, G, R, dv);
  tsr_tensor tk = {.data = (float*)k}; /* K^T: [B, G, d, Lk] over K's [B, G, Lk, d] */
  const int64_t kt_dims[4] = {B, G, d, Lk}, kt_strides[4] = {G * Lk * d, Lk * d, 1, d};
  tsr_tensor_desc_init_strided(&tk.desc, tsr_dtype_f32, 4, kt_dims, kt_strides);
  /* the mask, additive: causal [1, 1, R, Lk] (row r is query r % Lq), key padding [B, 1, 1, Lk] */
  tsr_tensor tm = {0};
  if (causal != tsr_causal_none || key_mask != NULL) {
    const int64_t rows = causal != tsr_causal_none ? R : 1, items = key_mask != NULL ? B : 1;
    sdpa->mask = malloc(sizeof(float) * (size_t)(items * rows * Lk));
    if (sdpa->mask == NULL) return tsr_onednn_sdpa_destroy(sdpa), fprintf(stderr, "oneDNN attention: out of memory\n"), -1;
    for (int64_t b = 0; b < items; b++)
      for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < Lk; j++) {
          const int64_t i = r % Lq;
          const int seen = causal == tsr_causal_none ||
                           tsr_attention_causal_allows(causal, (size_t)Lq, (size_t)Lk, (size_t)i, (size_t)j);
          const int kept = key_mask == NULL || key_mask[b * Lk + j];
          sdpa->mask[(b * rows + r) * Lk + j] = seen && kept ? 0.0f : -INFINITY;
        }
    tm = tsr_plain(sdpa->mask, items, 1, rows, Lk);
  }
  dnnl_memory_desc_t q_md, k_md, v_md, s_md, o_md, m_md;
  tsr_onednn_md(&tq.desc, &q_md), tsr_onednn_md(&tk.desc, &k_md), tsr_onednn_md(&tv.desc, &v_md);
  tsr_onednn_md(&ts.desc, &s_md), tsr_onednn_md(&to.desc, &o_md);
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  dnnl_primitive_attr_create(&attr);
  dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale);
  if (sdpa->mask != NULL) {
    tsr_onednn_md(&tm.desc, &m_md);
    dnnl_post_ops_create(&post_ops);
    dnnl_post_ops_append_binary(post_ops, dnnl_binary_add, &m_md);
    dnnl_primitive_attr_set_post_ops(attr, post_ops);
  }
  dnnl_matmul_desc_t scores_desc, output_desc;
  dnnl_softmax_desc_t softmax_desc;
  dnnl_matmul_desc_init(&scores_desc, &q_md, &k_md, NULL, &s_md);
  dnnl_softmax_forward_desc_init(&softmax_desc, dnnl_forward_inference, &s_md, 3);
  dnnl_matmul_desc_init(&output_desc, &s_md, &v_md, NULL, &o_md);
  const tsr_onednn_arg score_args[] = {{DNNL_ARG_SRC, &tq}, {DNNL_ARG_WEIGHTS, &tk}, {DNNL_ARG_DST, &ts},
                                       {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, &tm}};
  const tsr_onednn_arg softmax_args[] = {{DNNL_ARG_SRC, &ts}, {DNNL_ARG_DST, &ts}};
  const tsr_onednn_arg output_args[] = {{DNNL_ARG_SRC, &ts}, {DNNL_ARG_WEIGHTS, &tv}, {DNNL_ARG_DST, &to}};
  int failed = tsr_onednn_call_create(&sdpa->scores, &scores_desc, attr, sdpa->mask != NULL ? 4 : 3, score_args);
  if (!failed) failed = tsr_onednn_call_create(&sdpa->softmax, &softmax_desc, NULL, 2, softmax_args);
  if (!failed) failed = tsr_onednn_call_create(&sdpa->output, &output_desc, NULL, 3, output_args);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  dnnl_primitive_attr_destroy(attr);
  if (failed) tsr_onednn_sdpa_destroy(sdpa);
  return failed ? -1 : 0;
}

int tsr_onednn_sdpa_execute(const tsr_onednn_sdpa* sdpa) {
  if (tsr_onednn_call_execute(&sdpa->scores) != 0) return -1;
  if (tsr_onednn_call_execute(&sdpa->softmax) != 0) return -1;
  return tsr_onednn_call_execute(&sdpa->output);
}

void tsr_onednn_sdpa_destroy(tsr_onednn_sdpa* sdpa) {
  tsr_onednn_call_destroy(&sdpa->scores);
  tsr_onednn_call_destroy(&sdpa->softmax);
  tsr_onednn_call_destroy(&sdpa->output);
  free(sdpa->score_buffer);
  free(sdpa->mask);
  *sdpa = (tsr_onednn_sdpa){0};
}
