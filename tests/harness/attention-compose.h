/* Attention composed from explicit loops in double precision (matrix products, masks, softmax),
 * the independent answer the attention and transformer tests compare tessera against. */
#ifndef TSR_TESTS_ATTENTION_COMPOSE_H
#define TSR_TESTS_ATTENTION_COMPOSE_H

#include <stddef.h>

#include "tessera.h"

/// A mask as the composition reads it: plain, dims right-aligned against [B, H, Lq, Lk].
struct tsr_mask_desc {
  int ndims;
  int64_t dims[4];
  tsr_dtype dtype;
  const void* data;
};

/// O [B,H,Lq,dv] and P [B,H,Lq,Lk] (P may be NULL) in double from plain Q [B,H,Lq,d] and
/// K/V [B,Hkv,Lk,*]: S = scale Q K^T + mask (causal positions excluded), softmax rows (a fully
/// masked row is zeros), O = P V.
void tsr_compose_sdpa(size_t B, size_t H, size_t Hkv, size_t Lq, size_t Lk, size_t d, size_t dv,
                      const float* q, const float* k, const float* v, double scale,
                      tsr_causal_mode causal, const struct tsr_mask_desc* mask, double* o, double* p);

void tsr_to_float(const double* x, float* y, size_t n);

/// y [rows, out] = x [rows, in] W^T + b (W [out][in], b may be NULL), summed in double.
void tsr_compose_linear(size_t rows, size_t in, size_t out, const float* x, const float* w,
                        const float* b, float* y);

/// [B, L, heads x hd] -> [B, heads, L, hd]
void tsr_split_heads(size_t B, size_t L, size_t heads, size_t hd, const float* x, float* y);

/// The sizes of a multi-head attention as tsr_mha_params gives them (E, H, Hkv, head_dim, kdim, vdim).
struct tsr_mha_shape {
  size_t E, H, Hkv, hd, kdim, vdim;
};

/// The part of multi-head attention after the input projections: qp [B, Lq, E], kp and vp
/// [B, Lk, Hkv x head_dim] split into heads, tsr_compose_sdpa (or the reference loop for talking
/// heads), heads merged, output projection into out [B, Lq, E].
void tsr_compose_mha_heads(const struct tsr_mha_shape* c, const tsr_mha_weights* w, size_t B, size_t Lq,
                           size_t Lk, const float* qp, const float* kp, const float* vp,
                           tsr_causal_mode causal, const struct tsr_mask_desc* mask, int talking,
                           float* out);

/// Multi-head attention composed: projections, heads split, tsr_compose_sdpa (or the reference
/// loop for talking heads), heads merged, output projection. out [B, Lq, E].
void tsr_compose_mha(const struct tsr_mha_shape* c, const tsr_mha_weights* w, size_t B, size_t Lq,
                     size_t Lk, const float* query, const float* key, const float* value,
                     tsr_causal_mode causal, const struct tsr_mask_desc* mask, int talking, float* out);

#endif
