/* FAVOR+ (Performer) attention: positive orthogonal random features that approximate the
 * softmax kernel, exp(q.k / sqrt(d)) ~ phi(q).phi(k), so attention costs O(L m d) instead of
 * O(L^2 d). One task per (batch, head): the features of its queries and keys (GEMMs against the
 * m x d feature matrix), then phi(K)^T V and the normalizer (non-causal), or running prefix
 * sums of them (causal). Stabilizers (a per-query-row max, one max over all keys) cancel in
 * the ratio, so they change nothing but the range. */
#include "engine/favor.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/gemm.h"
#include "engine/random.h"
#include "threadpool/threadpool.h"

/* A standard normal value from two uniforms of the stream (Box-Muller). */
static double tsr_gaussian(uint64_t seed, uint64_t index) {
  const double u1 = 1.0 - (double)tsr_random_uniform(seed, 2 * index); /* (0, 1] */
  const double u2 = (double)tsr_random_uniform(seed, 2 * index + 1);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

tsr_status tsr_favor_init(struct tsr_favor* favor, size_t features, size_t dim, uint64_t seed,
                          const char* where) {
  favor->features = features, favor->dim = dim;
  favor->w = malloc(sizeof(float) * features * dim);
  double* block = malloc(sizeof(double) * dim * dim);
  if (favor->w == NULL || block == NULL) {
    free(block);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the random features", where);
  }
  uint64_t next = 0;
  for (size_t r0 = 0; r0 < features; r0 += dim) {
    /* d Gaussian rows, orthonormalized by Gram-Schmidt (twice, for stability). */
    for (size_t i = 0; i < dim * dim; i++) block[i] = tsr_gaussian(seed, next++);
    for (size_t i = 0; i < dim; i++) {
      double* row = block + i * dim;
      for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < i; j++) {
          const double* other = block + j * dim;
          double dot = 0.0;
          for (size_t c = 0; c < dim; c++) dot += row[c] * other[c];
          for (size_t c = 0; c < dim; c++) row[c] -= dot * other[c];
        }
      double norm = 0.0;
      for (size_t c = 0; c < dim; c++) norm += row[c] * row[c];
      norm = sqrt(norm);
      for (size_t c = 0; c < dim; c++) row[c] /= norm;
    }
    /* Each row gets the length of an independent Gaussian vector (chi with d degrees). */
    for (size_t i = 0; i < dim && r0 + i < features; i++) {
      double length = 0.0;
      for (size_t c = 0; c < dim; c++) {
        const double g = tsr_gaussian(seed, next++);
        length += g * g;
      }
      length = sqrt(length);
      for (size_t c = 0; c < dim; c++) favor->w[(r0 + i) * dim + c] = (float)(block[i * dim + c] * length);
    }
  }
  free(block);
  return tsr_status_success;
}

void tsr_favor_release(struct tsr_favor* favor) {
  free(favor->w);
  favor->w = NULL;
}

struct tsr_favor_call {
  const struct tsr_favor* favor;
  const struct tsr_attention_problem* p;
  int failed;
};

/* f = x W^T (rows x m) for rows of x at stride ld, pre-scaled by d^-1/4 through alpha. */
static int tsr_favor_project(const struct tsr_favor* favor, const float* x, size_t ld, size_t rows,
                             float* f) {
  const struct tsr_gemm_args args = {
      .batch = 1, .m = rows, .n = favor->features, .k = favor->dim,
      .alpha = (float)pow((double)favor->dim, -0.25), .a = x, .lda = ld, .b = favor->w,
      .ldb = favor->dim, .trans_b = true, .c = f, .ldc = favor->features};
  return tsr_gemm_execute(&args, NULL, "favor") == tsr_status_success ? 0 : -1;
}

static void tsr_favor_task(void* context, size_t thread, size_t b, size_t h) {
  (void)thread;
  struct tsr_favor_call* call = context;
  const struct tsr_attention_problem* p = call->p;
  const size_t m = call->favor->features, d = p->head_dim, dv = p->v_dim;
  const size_t Lq = p->q_len, Lk = p->kv_len, g = h / (p->heads / p->kv_heads);
  const float* q = p->q + b * p->q_strides[0] + h * p->q_strides[1];
  const float* k = p->k + b * p->k_strides[0] + g * p->k_strides[1];
  const float* v = p->v + b * p->v_strides[0] + g * p->v_strides[1];
  float* o = p->o + b * p->o_strides[0] + h * p->o_strides[1];
  float* fq = malloc(sizeof(float) * ((Lq + Lk) * m + m * dv + m));
  if (fq == NULL) {
    __atomic_store_n(&call->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  float* fk = fq + Lq * m;
  float* kv = fk + Lk * m; /* m x dv */
  float* ksum = kv + m * dv;
  if (tsr_favor_project(call->favor, q, p->q_strides[2], Lq, fq) != 0 ||
      tsr_favor_project(call->favor, k, p->k_strides[2], Lk, fk) != 0) {
    __atomic_store_n(&call->failed, 1, __ATOMIC_RELAXED);
    free(fq);
    return;
  }
  /* phi(q): the per-row terms (|q'|^2 / 2 and the row max) cancel in the ratio: drop the first,
   * subtract the second. phi(k): exp(w.k' - |k'|^2 / 2 - the max over every key and feature). */
  const double inv_sqrt_d = 1.0 / sqrt((double)d);
  for (size_t i = 0; i < Lq; i++) {
    float* row = fq + i * m;
    float max = -INFINITY;
    for (size_t r = 0; r < m; r++) max = row[r] > max ? row[r] : max;
    for (size_t r = 0; r < m; r++) row[r] = expf(row[r] - max);
  }
  float key_max = -INFINITY;
  for (size_t j = 0; j < Lk; j++) {
    const float* kj = k + j * p->k_strides[2];
    double norm = 0.0;
    for (size_t c = 0; c < d; c++) norm += (double)kj[c] * kj[c];
    const float half = (float)(0.5 * norm * inv_sqrt_d);
    for (size_t r = 0; r < m; r++) {
      fk[j * m + r] -= half;
      key_max = fk[j * m + r] > key_max ? fk[j * m + r] : key_max;
    }
  }
  for (size_t at = 0; at < Lk * m; at++) fk[at] = expf(fk[at] - key_max);
  if (p->causal == tsr_causal_none) {
    /* KV = phi(K)^T V, ksum = column sums of phi(K), then O = phi(Q) KV / phi(Q) ksum. */
    const struct tsr_gemm_args args = {
        .batch = 1, .m = m, .n = dv, .k = Lk, .alpha = 1.0f, .a = fk, .lda = m, .trans_a = true,
        .b = v, .ldb = p->v_strides[2], .c = kv, .ldc = dv};
    if (tsr_gemm_execute(&args, NULL, "favor") != tsr_status_success) __atomic_store_n(&call->failed, 1, __ATOMIC_RELAXED);
    memset(ksum, 0, sizeof(float) * m);
    for (size_t j = 0; j < Lk; j++)
      for (size_t r = 0; r < m; r++) ksum[r] += fk[j * m + r];
    const struct tsr_gemm_args out = {
        .batch = 1, .m = Lq, .n = dv, .k = m, .alpha = 1.0f, .a = fq, .lda = m, .b = kv, .ldb = dv,
        .c = o, .ldc = p->o_strides[2]};
    if (tsr_gemm_execute(&out, NULL, "favor") != tsr_status_success) __atomic_store_n(&call->failed, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i < Lq; i++) {
      double den = 0.0;
      for (size_t r = 0; r < m; r++) den += (double)fq[i * m + r] * ksum[r];
      float* oi = o + i * p->o_strides[2];
      const float scale = den > 0.0 ? (float)(1.0 / den) : 0.0f;
      for (size_t c = 0; c < dv; c++) oi[c] *= scale;
    }
  } else {
    /* Causal (q_len = kv_len): running sums over the keys so far. */
    memset(kv, 0, sizeof(float) * (m * dv + m));
    for (size_t i = 0; i < Lq; i++) {
      const float* fki = fk + i * m;
      const float* vi = v + i * p->v_strides[2];
      for (size_t r = 0; r < m; r++) {
        ksum[r] += fki[r];
        for (size_t c = 0; c < dv; c++) kv[r * dv + c] += fki[r] * vi[c];
      }
      const float* fqi = fq + i * m;
      double den = 0.0;
      for (size_t r = 0; r < m; r++) den += (double)fqi[r] * ksum[r];
      float* oi = o + i * p->o_strides[2];
      const float scale = den > 0.0 ? (float)(1.0 / den) : 0.0f;
      for (size_t c = 0; c < dv; c++) {
        float sum = 0.0f;
        for (size_t r = 0; r < m; r++) sum += fqi[r] * kv[r * dv + c];
        oi[c] = sum * scale;
      }
    }
  }
  free(fq);
}

tsr_status tsr_favor_run(const struct tsr_favor* favor, const struct tsr_attention_problem* p,
                         tsr_threadpool* pool, const char* where) {
  struct tsr_favor_call call = {.favor = favor, .p = p};
  tsr_parallelize_2d(pool, tsr_favor_task, &call, p->batch, p->heads);
  if (__atomic_load_n(&call.failed, __ATOMIC_RELAXED))
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the random features", where);
  return tsr_status_success;
}
