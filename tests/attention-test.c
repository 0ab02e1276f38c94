/* Attention layers against an independent composition written here in double precision
 * (explicit Q K^T, mask, softmax, P V; projections as explicit matrix products), and the
 * invariants: key/value permutation, causal independence of later keys, GQA = MHA with
 * repeated K/V heads, talking heads with identity mixing = MHA (to rounding), Linformer with k = L and
 * identity projections = full attention, FAVOR's error falling as features grow, determinism
 * across thread counts, the same result when the pool's threads have no scratch (the caller runs
 * their tasks) and out of memory with the output untouched when no thread has any. Float GEMM
 * scores against double: atol 3e-5 + rtol 1e-4. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scratch.h"
#include "kernels/reference/attention-reference.h"
#include "tests/harness/attention-compose.h"
#include "tests/harness/harness.h"

static tsr_tensor tensor_nd(int32_t ndims, const int64_t* dims, void* data, tsr_dtype dtype) {
  tsr_tensor t = {.data = data};
  tsr_tensor_desc_init(&t.desc, dtype, tsr_layout_plain, ndims, dims);
  return t;
}

static float* random_floats(tsr_rng* rng, size_t n, float bound) {
  float* x = malloc(sizeof(float) * (n ? n : 1));
  tsr_fill_uniform(rng, x, n, -bound, bound);
  return x;
}

static const size_t kLengths[] = {1, 2, 3, 7, 13, 31, 64, 65, 97, 130};

/* SDPA on a sweep: lengths below/at/above the 64-row query block, primes, GQA, every mask
 * shape and causal mode, with and without the probabilities. */
static void test_sdpa_sweep(tsr_rng* rng, tsr_threadpool* pool) {
  for (int n = 0; n < 160; n++) {
    const size_t B = 1 + tsr_rng_below(rng, 2), Hkv = 1 + tsr_rng_below(rng, 3);
    const size_t H = Hkv * (1 + tsr_rng_below(rng, 3));
    const size_t Lq = kLengths[tsr_rng_below(rng, 10)], Lk = kLengths[tsr_rng_below(rng, 10)];
    static const size_t ds[] = {1, 3, 8, 16, 33, 64, 80};
    const size_t d = ds[tsr_rng_below(rng, 7)], dv = ds[tsr_rng_below(rng, 7)];
    const tsr_causal_mode causal = (tsr_causal_mode)tsr_rng_below(rng, 3);
    const int mask_kind = (int)tsr_rng_below(rng, 5); /* none, bool key padding, bool [Lq,Lk], additive [B,H,Lq,Lk], additive [Lk] */
    float* q = random_floats(rng, B * H * Lq * d, 1.0f);
    float* k = random_floats(rng, B * Hkv * Lk * d, 1.0f);
    float* v = random_floats(rng, B * Hkv * Lk * dv, 1.0f);
    struct tsr_mask_desc mask = {0};
    void* mask_data = NULL;
    if (mask_kind == 1 || mask_kind == 2) {
      mask.dtype = tsr_dtype_u8;
      mask.ndims = mask_kind == 1 ? 4 : 2;
      const int64_t key_pad[4] = {(int64_t)B, 1, 1, (int64_t)Lk}, square[2] = {(int64_t)Lq, (int64_t)Lk};
      memcpy(mask.dims, mask_kind == 1 ? key_pad : square, sizeof(int64_t) * (size_t)mask.ndims);
      const size_t count = mask_kind == 1 ? B * Lk : Lq * Lk;
      uint8_t* m = malloc(count);
      for (size_t i = 0; i < count; i++) m[i] = tsr_rng_below(rng, 4) != 0;
      mask_data = m;
    } else if (mask_kind >= 3) {
      mask.dtype = tsr_dtype_f32;
      mask.ndims = mask_kind == 3 ? 4 : 1;
      const int64_t full[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)Lk};
      if (mask_kind == 3) memcpy(mask.dims, full, sizeof(full));
      else mask.dims[0] = (int64_t)Lk;
      const size_t count = mask_kind == 3 ? B * H * Lq * Lk : Lk;
      float* m = random_floats(rng, count, 2.0f);
      for (size_t i = 0; i < count; i += 5) m[i] = -INFINITY;
      mask_data = m;
    }
    mask.data = mask_data;
    const float scale = n % 4 == 0 ? 0.0f : 0.3f;
    const tsr_sdpa_params params = {.scale = scale, .causal = causal};
    tsr_op* op = NULL;
    tsr_check_status(tsr_sdpa_create(&params, &op), tsr_status_success, "sdpa create");
    const int64_t qd[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)d};
    const int64_t kd[4] = {(int64_t)B, (int64_t)Hkv, (int64_t)Lk, (int64_t)d};
    const int64_t vd[4] = {(int64_t)B, (int64_t)Hkv, (int64_t)Lk, (int64_t)dv};
    const int64_t od[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)dv};
    const int64_t pd[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)Lk};
    const size_t no = B * H * Lq * dv, np = B * H * Lq * Lk;
    float* o = malloc(sizeof(float) * no);
    float* pr = malloc(sizeof(float) * np);
    tsr_fill_nan(o, no), tsr_fill_nan(pr, np);
    const tsr_tensor inputs[4] = {tensor_nd(4, qd, q, tsr_dtype_f32), tensor_nd(4, kd, k, tsr_dtype_f32),
                                  tensor_nd(4, vd, v, tsr_dtype_f32),
                                  tensor_nd(mask.ndims ? mask.ndims : 1, mask.dims, mask_data, mask.dtype ? mask.dtype : tsr_dtype_f32)};
    const tsr_tensor outputs[2] = {tensor_nd(4, od, o, tsr_dtype_f32), tensor_nd(4, pd, pr, tsr_dtype_f32)};
    const int with_probs = n % 2;
    char what[160];
    snprintf(what, sizeof(what), "sdpa b%zu h%zu kvh%zu sq%zu skv%zu d%zu dv%zu causal%d mask%d", B, H, Hkv, Lq,
             Lk, d, dv, (int)causal, mask_kind);
    tsr_check_status(tsr_op_run(op, mask_data ? 4 : 3, inputs, with_probs ? 2 : 1, outputs, pool),
                     tsr_status_success, what);
    double* eo = malloc(sizeof(double) * (no + np));
    double* ep = eo + no;
    tsr_compose_sdpa(B, H, Hkv, Lq, Lk, d, dv, q, k, v, scale != 0.0f ? scale : 1.0 / sqrt((double)d), causal,
                 &mask, eo, ep);
    float* expected = malloc(sizeof(float) * (no + np));
    tsr_to_float(eo, expected, no + np);
    tsr_check_close(what, o, expected, no, 3e-5, 1e-4);
    if (with_probs) tsr_check_close(what, pr, expected + no, np, 3e-6, 1e-4);
    /* The reference loop agrees with the composition too. */
    struct tsr_attention_problem rp = {
        .batch = B, .heads = H, .kv_heads = Hkv, .q_len = Lq, .kv_len = Lk, .head_dim = d, .v_dim = dv,
        .q = q, .q_strides = {H * Lq * d, Lq * d, d, 1}, .k = k, .k_strides = {Hkv * Lk * d, Lk * d, d, 1},
        .v = v, .v_strides = {Hkv * Lk * dv, Lk * dv, dv, 1}, .o = o, .o_strides = {H * Lq * dv, Lq * dv, dv, 1},
        .score = tsr_attention_score_dot, .scale = scale != 0.0f ? scale : (float)(1.0 / sqrt((double)d)),
        .causal = causal};
    if (mask_data != NULL) {
      for (int k4 = 0; k4 < 4; k4++) {
        const int dim = mask.ndims - 4 + k4;
        size_t stride = 1;
        for (int e = dim + 1 > 0 ? dim + 1 : 0; e < mask.ndims; e++) stride *= (size_t)mask.dims[e];
        rp.mask_strides[k4] = dim < 0 || mask.dims[dim] == 1 ? 0 : stride;
      }
      rp.mask = mask_data, rp.mask_dtype = mask.dtype;
    }
    tsr_fill_nan(o, no);
    tsr_reference_attention_f32(&rp);
    tsr_check_close("reference vs composition", o, expected, no, 1e-6, 1e-5);
    free(q), free(k), free(v), free(o), free(pr), free(eo), free(expected), free(mask_data);
    tsr_op_destroy(op);
  }
}

/* Runs an SDPA op on plain [B,H,L,d] buffers; mask optional. */
static void run_sdpa(const tsr_op* op, size_t B, size_t H, size_t Hkv, size_t Lq, size_t Lk, size_t d,
                     const float* q, const float* k, const float* v, const tsr_tensor* mask, float* o,
                     tsr_threadpool* pool) {
  const int64_t qd[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)d};
  const int64_t kd[4] = {(int64_t)B, (int64_t)Hkv, (int64_t)Lk, (int64_t)d};
  const int64_t od[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)d};
  tsr_tensor inputs[4] = {tensor_nd(4, qd, (float*)q, tsr_dtype_f32), tensor_nd(4, kd, (float*)k, tsr_dtype_f32),
                          tensor_nd(4, kd, (float*)v, tsr_dtype_f32)};
  if (mask != NULL) inputs[3] = *mask;
  const tsr_tensor out = tensor_nd(4, od, o, tsr_dtype_f32);
  tsr_check_status(tsr_op_run(op, mask ? 4 : 3, inputs, 1, &out, pool), tsr_status_success, "run_sdpa");
}

static void test_invariants(tsr_rng* rng, tsr_threadpool* pool) {
  const size_t B = 2, H = 4, L = 37, d = 16, n = B * H * L * d;
  float* q = random_floats(rng, n, 1), *k = random_floats(rng, n, 1), *v = random_floats(rng, n, 1);
  float* o1 = malloc(sizeof(float) * n), *o2 = malloc(sizeof(float) * n);
  float* k2 = malloc(sizeof(float) * n), *v2 = malloc(sizeof(float) * n);
  tsr_op *plain = NULL, *causal = NULL;
  const tsr_sdpa_params pp = {0}, pc = {.causal = tsr_causal_top_left};
  tsr_sdpa_create(&pp, &plain), tsr_sdpa_create(&pc, &causal);
  /* Permuting keys and values together (the same permutation) leaves the output unchanged. */
  size_t perm[37];
  for (size_t j = 0; j < L; j++) perm[j] = j;
  for (size_t j = L - 1; j > 0; j--) {
    const size_t r = tsr_rng_below(rng, j + 1), t = perm[j];
    perm[j] = perm[r], perm[r] = t;
  }
  for (size_t bh = 0; bh < B * H; bh++)
    for (size_t j = 0; j < L; j++) {
      memcpy(k2 + (bh * L + j) * d, k + (bh * L + perm[j]) * d, sizeof(float) * d);
      memcpy(v2 + (bh * L + j) * d, v + (bh * L + perm[j]) * d, sizeof(float) * d);
    }
  run_sdpa(plain, B, H, H, L, L, d, q, k, v, NULL, o1, pool);
  run_sdpa(plain, B, H, H, L, L, d, q, k2, v2, NULL, o2, pool);
  tsr_check_close("permuted keys and values", o2, o1, n, 1e-6, 1e-5);
  /* Causal: changing keys and values after position i leaves outputs up to i unchanged, bit
   * for bit (masked scores become exact zeros). */
  const size_t cut = 20;
  memcpy(k2, k, sizeof(float) * n), memcpy(v2, v, sizeof(float) * n);
  for (size_t bh = 0; bh < B * H; bh++)
    tsr_fill_uniform(rng, k2 + (bh * L + cut + 1) * d, (L - cut - 1) * d, -5, 5),
        tsr_fill_uniform(rng, v2 + (bh * L + cut + 1) * d, (L - cut - 1) * d, -5, 5);
  run_sdpa(causal, B, H, H, L, L, d, q, k, v, NULL, o1, pool);
  run_sdpa(causal, B, H, H, L, L, d, q, k2, v2, NULL, o2, pool);
  size_t changed = 0;
  for (size_t bh = 0; bh < B * H; bh++)
    changed += tsr_count_mismatches(o2 + bh * L * d, o1 + bh * L * d, (cut + 1) * d, 0.0, 0.0);
  tsr_check(changed == 0, "causal ignores later keys", "%zu outputs at or before %zu changed", changed, cut);
  /* GQA (2 kv heads for 4) equals MHA with each kv head repeated, exactly. */
  float* k_rep = malloc(sizeof(float) * n), *v_rep = malloc(sizeof(float) * n);
  for (size_t b = 0; b < B; b++)
    for (size_t h = 0; h < H; h++) {
      memcpy(k_rep + (b * H + h) * L * d, k + (b * 2 + h / 2) * L * d, sizeof(float) * L * d);
      memcpy(v_rep + (b * H + h) * L * d, v + (b * 2 + h / 2) * L * d, sizeof(float) * L * d);
    }
  run_sdpa(plain, B, H, 2, L, L, d, q, k, v, NULL, o1, pool);
  run_sdpa(plain, B, H, H, L, L, d, q, k_rep, v_rep, NULL, o2, pool);
  tsr_check_close("GQA = MHA with repeated kv heads", o1, o2, n, 0.0, 0.0);
  /* A fully masked row gives zeros, not NaN; the other rows are untouched by it. */
  uint8_t* m = calloc(L * L, 1);
  for (size_t i = 0; i < L; i++)
    for (size_t j = 0; j < L; j++) m[i * L + j] = i != 5;
  const int64_t md[2] = {(int64_t)L, (int64_t)L};
  const tsr_tensor mask = tensor_nd(2, md, m, tsr_dtype_u8);
  tsr_fill_nan(o1, n);
  run_sdpa(plain, B, H, H, L, L, d, q, k, v, &mask, o1, pool);
  size_t bad = 0;
  for (size_t bh = 0; bh < B * H; bh++)
    for (size_t c = 0; c < d; c++) bad += o1[(bh * L + 5) * d + c] != 0.0f;
  tsr_check(bad == 0, "fully masked row", "%zu elements of row 5 are not 0", bad);
  /* Dropout: deterministic across thread counts, about `rate` of the probabilities dropped,
   * the kept ones scaled by 1 / (1 - rate). */
  const tsr_sdpa_params pd = {.dropout = {.rate = 0.25f, .training = 1, .seed = 7}};
  tsr_op* drop = NULL;
  tsr_sdpa_create(&pd, &drop);
  const int64_t qd[4] = {(int64_t)B, (int64_t)H, (int64_t)L, (int64_t)d};
  const int64_t prd[4] = {(int64_t)B, (int64_t)H, (int64_t)L, (int64_t)L};
  float* p1 = malloc(sizeof(float) * B * H * L * L), *p2 = malloc(sizeof(float) * B * H * L * L);
  const tsr_tensor in[3] = {tensor_nd(4, qd, q, tsr_dtype_f32), tensor_nd(4, qd, k, tsr_dtype_f32),
                            tensor_nd(4, qd, v, tsr_dtype_f32)};
  tsr_tensor out[2] = {tensor_nd(4, qd, o1, tsr_dtype_f32), tensor_nd(4, prd, p1, tsr_dtype_f32)};
  tsr_op_run(drop, 3, in, 2, out, NULL);
  out[0].data = o2, out[1].data = p2;
  tsr_op_run(drop, 3, in, 2, out, pool);
  tsr_check_close("dropout across thread counts", o2, o1, n, 0.0, 0.0);
  out[1].data = p2;
  tsr_op_run(plain, 3, in, 2, out, NULL); /* p2: without dropout */
  size_t dropped = 0, wrong = 0;
  for (size_t i = 0; i < B * H * L * L; i++) {
    if (p1[i] == 0.0f) dropped++;
    else wrong += fabsf(p1[i] - p2[i] / 0.75f) > 1e-6f * (1 + p2[i]);
  }
  const double fraction = (double)dropped / (double)(B * H * L * L);
  tsr_check(fraction > 0.22 && fraction < 0.28 && wrong == 0, "attention dropout",
            "dropped %.3f (rate 0.25), %zu kept values not scaled by 1/(1-rate)", fraction, wrong);
  tsr_op_destroy(drop);
  free(p1), free(p2), free(m), free(k_rep), free(v_rep);
  free(q), free(k), free(v), free(o1), free(o2), free(k2), free(v2);
  tsr_op_destroy(plain), tsr_op_destroy(causal);
}

/* Keras' Attention layer, composed here: scores, value mask, softmax, weighted sum, query mask. */
static void test_keras_attention(tsr_rng* rng, tsr_threadpool* pool) {
  for (int n = 0; n < 40; n++) {
    const size_t B = 1 + tsr_rng_below(rng, 3), Tq = 1 + tsr_rng_below(rng, 9), Tv = 1 + tsr_rng_below(rng, 9);
    const size_t D = 1 + tsr_rng_below(rng, 12), Dv = n % 3 == 0 ? D : 1 + tsr_rng_below(rng, 12);
    const int separate_key = Dv != D || n % 2, with_masks = n % 4 >= 2;
    const tsr_attention_params params = {.score_mode = (tsr_attention_score)(n % 2 ? tsr_attention_score_concat : 0),
                                         .use_scale = n % 5 < 3, .scale = 0.7f, .concat_score_weight = 1.3f,
                                         .causal = n % 7 == 1};
    float* q = random_floats(rng, B * Tq * D, 1), *k = random_floats(rng, B * Tv * D, 1);
    float* v = random_floats(rng, B * Tv * Dv, 1);
    uint8_t* qm = malloc(B * Tq), *vm = malloc(B * Tv);
    for (size_t i = 0; i < B * Tq; i++) qm[i] = tsr_rng_below(rng, 3) != 0;
    for (size_t i = 0; i < B * Tv; i++) vm[i] = tsr_rng_below(rng, 3) != 0;
    /* The composition. */
    double* s = malloc(sizeof(double) * Tv);
    float* eo = malloc(sizeof(float) * B * Tq * Dv), *es = malloc(sizeof(float) * B * Tq * Tv);
    const double scale = params.use_scale ? 0.7 : 1.0;
    const float* key = separate_key ? k : v;
    for (size_t b = 0; b < B; b++)
      for (size_t i = 0; i < Tq; i++) {
        double max = -INFINITY, total = 0.0;
        for (size_t j = 0; j < Tv; j++) {
          double score = 0.0;
          for (size_t c = 0; c < D; c++) {
            const double qc = q[(b * Tq + i) * D + c], kc = key[(b * Tv + j) * D + c];
            score += params.score_mode == tsr_attention_score_dot ? qc * kc : tanh(scale * (qc + kc));
          }
          score = params.score_mode == tsr_attention_score_dot ? scale * score : 1.3 * score;
          if ((with_masks && !vm[b * Tv + j]) || (params.causal && j > i)) score = -INFINITY;
          s[j] = score;
          max = fmax(max, score);
        }
        for (size_t j = 0; j < Tv; j++) total += s[j] = max == -INFINITY ? 0.0 : exp(s[j] - max);
        for (size_t j = 0; j < Tv; j++) es[(b * Tq + i) * Tv + j] = (float)(s[j] = total > 0 ? s[j] / total : 0);
        for (size_t c = 0; c < Dv; c++) {
          double sum = 0.0;
          for (size_t j = 0; j < Tv; j++) sum += s[j] * v[(b * Tv + j) * Dv + c];
          eo[(b * Tq + i) * Dv + c] = with_masks && !qm[b * Tq + i] ? 0.0f : (float)sum;
        }
      }
    tsr_op* op = NULL;
    tsr_check_status(tsr_attention_create(&params, &op), tsr_status_success, "attention create");
    const int64_t qd[3] = {(int64_t)B, (int64_t)Tq, (int64_t)D}, kd[3] = {(int64_t)B, (int64_t)Tv, (int64_t)D};
    const int64_t vd[3] = {(int64_t)B, (int64_t)Tv, (int64_t)Dv}, od[3] = {(int64_t)B, (int64_t)Tq, (int64_t)Dv};
    const int64_t sd[3] = {(int64_t)B, (int64_t)Tq, (int64_t)Tv};
    const int64_t qmd[2] = {(int64_t)B, (int64_t)Tq}, vmd[2] = {(int64_t)B, (int64_t)Tv};
    const tsr_tensor inputs[5] = {tensor_nd(3, qd, q, tsr_dtype_f32), tensor_nd(3, vd, v, tsr_dtype_f32),
                                  separate_key ? tensor_nd(3, kd, k, tsr_dtype_f32) : tensor_nd(3, vd, v, tsr_dtype_f32),
                                  tensor_nd(2, qmd, qm, tsr_dtype_u8), tensor_nd(2, vmd, vm, tsr_dtype_u8)};
    float* o = malloc(sizeof(float) * B * Tq * Dv), *sc = malloc(sizeof(float) * B * Tq * Tv);
    tsr_fill_nan(o, B * Tq * Dv), tsr_fill_nan(sc, B * Tq * Tv);
    const tsr_tensor outputs[2] = {tensor_nd(3, od, o, tsr_dtype_f32), tensor_nd(3, sd, sc, tsr_dtype_f32)};
    const size_t num_inputs = with_masks ? 5 : separate_key ? 3 : 2;
    tsr_check_status(tsr_op_run(op, num_inputs, inputs, 2, outputs, pool), tsr_status_success, tsr_op_describe(op));
    char what[160];
    snprintf(what, sizeof(what), "keras %s b%zu tq%zu tv%zu d%zu dv%zu%s", tsr_op_describe(op), B, Tq, Tv, D, Dv,
             with_masks ? " masks" : "");
    tsr_check_close(what, o, eo, B * Tq * Dv, 3e-5, 1e-4);
    tsr_check_close(what, sc, es, B * Tq * Tv, 3e-6, 1e-4);
    tsr_op_destroy(op);
    free(q), free(k), free(v), free(qm), free(vm), free(s), free(eo), free(es), free(o), free(sc);
  }
}

struct mha_case {
  tsr_mha_params p;
  tsr_mha_weights w;
  float* storage;
  size_t E, H, Hkv, hd, kdim, vdim;
  struct tsr_mha_shape shape;
};

static void mha_case_init(struct mha_case* c, tsr_rng* rng, size_t E, size_t H, size_t Hkv, size_t kdim,
                          size_t vdim, int bias) {
  memset(c, 0, sizeof(*c));
  c->E = E, c->H = H, c->Hkv = Hkv, c->hd = E / H, c->kdim = kdim, c->vdim = vdim;
  c->shape = (struct tsr_mha_shape){E, H, Hkv, E / H, kdim, vdim};
  c->p = (tsr_mha_params){.embed_dim = (int64_t)E, .num_heads = (int64_t)H, .num_kv_heads = (int64_t)Hkv,
                          .kdim = (int64_t)kdim, .vdim = (int64_t)vdim};
  const size_t W = Hkv * c->hd;
  const size_t total = 2 * E * E + W * kdim + W * vdim + 2 * E + 2 * W + 2 * H * H;
  c->storage = random_floats(rng, total, 0.4f);
  float* at = c->storage;
  c->w.w_q = at, at += E * E;
  c->w.w_k = at, at += W * kdim;
  c->w.w_v = at, at += W * vdim;
  c->w.w_o = at, at += E * E;
  c->w.b_q = bias ? at : NULL, at += E;
  c->w.b_k = bias ? at : NULL, at += W;
  c->w.b_v = bias ? at : NULL, at += W;
  c->w.b_o = bias ? at : NULL, at += E;
  c->w.mix_logits = at, at += H * H;
  c->w.mix_weights = at;
}

static void run_mha(const tsr_op* op, const struct mha_case* c, size_t B, size_t Lq, size_t Lk, const float* query,
                    const float* key, const float* value, const tsr_tensor* mask, float* out, tsr_threadpool* pool) {
  const int64_t qd[3] = {(int64_t)B, (int64_t)Lq, (int64_t)c->E}, kd[3] = {(int64_t)B, (int64_t)Lk, (int64_t)c->kdim};
  const int64_t vd[3] = {(int64_t)B, (int64_t)Lk, (int64_t)c->vdim};
  tsr_tensor inputs[4] = {tensor_nd(3, qd, (float*)query, tsr_dtype_f32), tensor_nd(3, kd, (float*)key, tsr_dtype_f32),
                          tensor_nd(3, vd, (float*)value, tsr_dtype_f32)};
  if (mask) inputs[3] = *mask;
  const tsr_tensor output = tensor_nd(3, qd, out, tsr_dtype_f32);
  tsr_fill_nan(out, B * Lq * c->E);
  tsr_check_status(tsr_op_run(op, mask ? 4 : 3, inputs, 1, &output, pool), tsr_status_success, tsr_op_describe(op));
}

static void test_mha(tsr_rng* rng, tsr_threadpool* pool) {
  for (int n = 0; n < 40; n++) {
    const size_t H = 1 + tsr_rng_below(rng, 4), hd = 1 + tsr_rng_below(rng, 9), E = H * hd;
    const size_t Hkv = n % 3 == 0 && H % 2 == 0 ? H / 2 : H;
    const int cross = n % 2, talking = n % 5 == 4 && Hkv == H;
    const size_t kdim = cross ? 1 + tsr_rng_below(rng, 10) : E, vdim = cross ? 1 + tsr_rng_below(rng, 10) : E;
    const size_t B = 1 + tsr_rng_below(rng, 3), Lq = 1 + tsr_rng_below(rng, 70);
    const size_t Lk = cross ? 1 + tsr_rng_below(rng, 70) : Lq;
    struct mha_case c;
    mha_case_init(&c, rng, E, H, Hkv, kdim, vdim, n % 4 != 1);
    c.p.causal = cross ? tsr_causal_none : (tsr_causal_mode)(n % 3);
    c.p.talking_heads = talking;
    float* query = random_floats(rng, B * Lq * E, 1);
    float* key = cross ? random_floats(rng, B * Lk * kdim, 1) : query;
    float* value = cross ? random_floats(rng, B * Lk * vdim, 1) : query;
    uint8_t* m = malloc(B * Lk);
    for (size_t i = 0; i < B * Lk; i++) m[i] = tsr_rng_below(rng, 4) != 0;
    const struct tsr_mask_desc md = {.ndims = 4, .dims = {(int64_t)B, 1, 1, (int64_t)Lk}, .dtype = tsr_dtype_u8, .data = m};
    const tsr_tensor mask = tensor_nd(4, md.dims, m, tsr_dtype_u8);
    const int masked = n % 3 == 1 && !talking;
    float* out = malloc(sizeof(float) * B * Lq * E), *expected = malloc(sizeof(float) * B * Lq * E);
    tsr_op* op = NULL;
    tsr_check_status(tsr_multihead_attention_create(&c.p, &c.w, &op), tsr_status_success, "mha create");
    run_mha(op, &c, B, Lq, Lk, query, key, value, masked ? &mask : NULL, out, pool);
    tsr_compose_mha(&c.shape, &c.w, B, Lq, Lk, query, key, value, c.p.causal, masked ? &md : NULL, talking, expected);
    char what[200];
    snprintf(what, sizeof(what), "%s b%zu lq%zu lk%zu%s", tsr_op_describe(op), B, Lq, Lk, masked ? " mask" : "");
    tsr_check_close(what, out, expected, B * Lq * E, 3e-5, 1e-4);
    /* Deterministic across thread counts. */
    run_mha(op, &c, B, Lq, Lk, query, key, value, masked ? &mask : NULL, expected, NULL);
    tsr_check_close("mha 1 thread = 2 threads", out, expected, B * Lq * E, 0.0, 0.0);
    tsr_op_destroy(op);
    /* Talking heads with identity mixing equals plain MHA (the unfused path against the fused
     * one, so to rounding). */
    if (Hkv == H && !cross) {
      float* eye = calloc(H * H, sizeof(float));
      for (size_t h = 0; h < H; h++) eye[h * H + h] = 1.0f;
      struct mha_case t = c;
      t.p.talking_heads = 1, t.w.mix_logits = eye, t.w.mix_weights = eye;
      tsr_op *th = NULL, *plain = NULL;
      c.p.talking_heads = 0;
      tsr_multihead_attention_create(&t.p, &t.w, &th);
      tsr_multihead_attention_create(&c.p, &c.w, &plain);
      run_mha(th, &t, B, Lq, Lk, query, key, value, NULL, out, pool);
      run_mha(plain, &c, B, Lq, Lk, query, key, value, NULL, expected, pool);
      tsr_check_close("talking heads with identity mixing = MHA", out, expected, B * Lq * E, 1e-6, 1e-5);
      tsr_op_destroy(th), tsr_op_destroy(plain);
      free(eye);
    }
    free(query), free(m), free(out), free(expected), free(c.storage);
    if (cross) free(key), free(value);
  }
}

static void test_linformer(tsr_rng* rng, tsr_threadpool* pool) {
  const size_t B = 2, L = 23, E = 12, H = 3;
  struct mha_case c;
  mha_case_init(&c, rng, E, H, H, E, E, 1);
  float* x = random_floats(rng, B * L * E, 1);
  float* out = malloc(sizeof(float) * B * L * E), *expected = malloc(sizeof(float) * B * L * E);
  /* k = L with identity projections is full attention. */
  float* eye = calloc(L * L, sizeof(float));
  for (size_t i = 0; i < L; i++) eye[i * L + i] = 1.0f;
  tsr_linformer_params lp = {.attention = c.p, .seq_len = (int64_t)L, .proj_len = (int64_t)L};
  tsr_op *lin = NULL, *full = NULL;
  tsr_check_status(tsr_linformer_attention_create(&lp, &c.w, eye, eye, &lin), tsr_status_success, "linformer");
  tsr_multihead_attention_create(&c.p, &c.w, &full);
  const int64_t xd[3] = {(int64_t)B, (int64_t)L, (int64_t)E};
  const tsr_tensor tx = tensor_nd(3, xd, x, tsr_dtype_f32), ty = tensor_nd(3, xd, out, tsr_dtype_f32);
  tsr_fill_nan(out, B * L * E);
  tsr_check_status(tsr_op_run(lin, 1, &tx, 1, &ty, pool), tsr_status_success, tsr_op_describe(lin));
  run_mha(full, &c, B, L, L, x, x, x, NULL, expected, pool);
  tsr_check_close("linformer k = L, identity projections = full attention", out, expected, B * L * E, 0.0, 0.0);
  tsr_op_destroy(lin);
  /* Random projections to k = 8, shared and separate, a shorter sequence: the composition
   * projects K and V along the sequence, then attends. */
  for (int shared = 0; shared < 2; shared++) {
    const size_t k = 8, n = 30, Ls = L;
    float* e = random_floats(rng, k * n, 0.3f), *f = random_floats(rng, k * n, 0.3f);
    lp.seq_len = (int64_t)n, lp.proj_len = (int64_t)k, lp.share_kv = shared;
    tsr_check_status(tsr_linformer_attention_create(&lp, &c.w, e, f, &lin), tsr_status_success, "linformer k8");
    tsr_fill_nan(out, B * Ls * E);
    tsr_check_status(tsr_op_run(lin, 1, &tx, 1, &ty, pool), tsr_status_success, tsr_op_describe(lin));
    /* Composition: the projections, K and V projected along the sequence (K' = E[:, :L] K per
     * batch item, V' = F[:, :L] V), then the heads over k keys. */
    const size_t W = E;
    float* kp = malloc(sizeof(float) * B * Ls * W), *vp = malloc(sizeof(float) * B * Ls * W);
    float* kc = malloc(sizeof(float) * B * k * W), *vc = malloc(sizeof(float) * B * k * W);
    float* qp = malloc(sizeof(float) * B * Ls * E);
    tsr_compose_linear(B * Ls, E, E, x, c.w.w_q, c.w.b_q, qp);
    tsr_compose_linear(B * Ls, E, W, x, c.w.w_k, c.w.b_k, kp);
    tsr_compose_linear(B * Ls, E, W, x, c.w.w_v, c.w.b_v, vp);
    const float* fv = shared ? e : f;
    for (size_t b = 0; b < B; b++)
      for (size_t r = 0; r < k; r++)
        for (size_t w = 0; w < W; w++) {
          double sk = 0, sv = 0;
          for (size_t j = 0; j < Ls; j++) {
            sk += (double)e[r * n + j] * kp[(b * Ls + j) * W + w];
            sv += (double)fv[r * n + j] * vp[(b * Ls + j) * W + w];
          }
          kc[(b * k + r) * W + w] = (float)sk, vc[(b * k + r) * W + w] = (float)sv;
        }
    tsr_compose_mha_heads(&c.shape, &c.w, B, Ls, k, qp, kc, vc, tsr_causal_none, NULL, 0, expected);
    tsr_check_close(shared ? "linformer k8 shared" : "linformer k8", out, expected, B * Ls * E, 3e-5, 1e-4);
    tsr_op_destroy(lin);
    free(e), free(f), free(kp), free(vp), free(kc), free(vc), free(qp);
  }
  tsr_op_destroy(full);
  free(x), free(out), free(expected), free(eye), free(c.storage);
}

/* FAVOR+: the mean error against exact softmax attention falls as the feature count grows, and
 * stays under a bound at 256 features; causal too; the same seed gives the same result. */
static void test_performer(tsr_rng* rng, tsr_threadpool* pool) {
  const size_t B = 2, L = 40, E = 32, H = 2;
  struct mha_case c;
  mha_case_init(&c, rng, E, H, H, E, E, 1);
  float* x = random_floats(rng, B * L * E, 0.5f);
  float* exact = malloc(sizeof(float) * B * L * E), *out = malloc(sizeof(float) * B * L * E);
  for (int causal = 0; causal < 2; causal++) {
    c.p.causal = causal ? tsr_causal_top_left : tsr_causal_none;
    tsr_op* full = NULL;
    tsr_multihead_attention_create(&c.p, &c.w, &full);
    run_mha(full, &c, B, L, L, x, x, x, NULL, exact, pool);
    tsr_op_destroy(full);
    double scale = 0.0;
    for (size_t i = 0; i < B * L * E; i++) scale += fabs(exact[i]);
    scale /= (double)(B * L * E);
    const int64_t counts[] = {4, 16, 64, 256, 1024};
    double errors[5];
    for (int m = 0; m < 5; m++) {
      /* Average over seeds so one lucky draw cannot break the trend. */
      errors[m] = 0.0;
      for (uint64_t seed = 1; seed <= 4; seed++) {
        const tsr_performer_params pp = {.attention = c.p, .num_features = counts[m], .seed = seed};
        tsr_op* op = NULL;
        tsr_check_status(tsr_performer_attention_create(&pp, &c.w, &op), tsr_status_success, "performer");
        run_mha(op, &c, B, L, L, x, x, x, NULL, out, pool);
        double err = 0.0;
        for (size_t i = 0; i < B * L * E; i++) err += fabs(out[i] - exact[i]);
        errors[m] += err / (double)(B * L * E) / scale / 4.0;
        tsr_op_destroy(op);
      }
    }
    printf("FAVOR+ %s: mean relative error at 4/16/64/256/1024 features: %.4f %.4f %.4f %.4f %.4f\n",
           causal ? "causal" : "non-causal", errors[0], errors[1], errors[2], errors[3], errors[4]);
    tsr_check(errors[1] < errors[0] && errors[2] < errors[1] && errors[3] < errors[2] && errors[4] < errors[3],
              "FAVOR error falls with features", "errors not decreasing");
    tsr_check(errors[3] < 0.05, "FAVOR bound at 256 features", "mean relative error %.4f >= 0.05", errors[3]);
  }
  /* Same seed, same op: identical results across thread counts. */
  const tsr_performer_params pp = {.attention = c.p, .num_features = 64, .seed = 9};
  tsr_op* op = NULL;
  tsr_performer_attention_create(&pp, &c.w, &op);
  run_mha(op, &c, B, L, L, x, x, x, NULL, out, pool);
  run_mha(op, &c, B, L, L, x, x, x, NULL, exact, NULL);
  tsr_check_close("performer across thread counts", out, exact, B * L * E, 0.0, 0.0);
  tsr_op_destroy(op);
  free(x), free(exact), free(out), free(c.storage);
}

static void test_bad_input(tsr_rng* rng) {
  tsr_op* op = (tsr_op*)0x1;
  tsr_sdpa_params sp = {.scale = -1.0f};
  tsr_check_status(tsr_sdpa_create(&sp, &op), tsr_status_invalid_parameter, "negative scale");
  sp = (tsr_sdpa_params){.causal = (tsr_causal_mode)3};
  tsr_check_status(tsr_sdpa_create(&sp, &op), tsr_status_invalid_parameter, "causal 3");
  sp = (tsr_sdpa_params){.dropout = {.rate = 1.0f}};
  tsr_check_status(tsr_sdpa_create(&sp, &op), tsr_status_invalid_parameter, "dropout 1");
  tsr_check_status(tsr_sdpa_create(NULL, &op), tsr_status_invalid_parameter, "sdpa params NULL");
  tsr_attention_params ap = {.score_mode = (tsr_attention_score)2};
  tsr_check_status(tsr_attention_create(&ap, &op), tsr_status_invalid_parameter, "score mode 2");
  struct mha_case c;
  mha_case_init(&c, rng, 12, 3, 3, 12, 12, 1);
  tsr_mha_params bad = c.p;
  bad.num_heads = 5;
  tsr_check_status(tsr_multihead_attention_create(&bad, &c.w, &op), tsr_status_invalid_parameter, "heads 5 of 12");
  tsr_check(strstr(tsr_last_error_message(), "num_heads") != NULL, "heads message", "'%s'", tsr_last_error_message());
  bad = c.p, bad.num_kv_heads = 2;
  tsr_check_status(tsr_multihead_attention_create(&bad, &c.w, &op), tsr_status_invalid_parameter, "kv heads 2 of 3");
  tsr_check(strstr(tsr_last_error_message(), "num_kv_heads") != NULL, "kv message", "'%s'", tsr_last_error_message());
  bad = c.p, bad.embed_dim = INT64_C(1) << 40;
  tsr_check_status(tsr_multihead_attention_create(&bad, &c.w, &op), tsr_status_invalid_parameter, "embed overflow");
  bad = c.p, bad.embed_dim = 0;
  tsr_check_status(tsr_multihead_attention_create(&bad, &c.w, &op), tsr_status_invalid_parameter, "embed 0");
  tsr_mha_weights w = c.w;
  w.w_v = NULL;
  tsr_check_status(tsr_multihead_attention_create(&c.p, &w, &op), tsr_status_invalid_parameter, "w_v NULL");
  tsr_check(strstr(tsr_last_error_message(), "w_v") != NULL, "w_v message", "'%s'", tsr_last_error_message());
  bad = c.p, bad.talking_heads = 1;
  w = c.w, w.mix_weights = NULL;
  tsr_check_status(tsr_multihead_attention_create(&bad, &w, &op), tsr_status_invalid_parameter, "mix NULL");
  tsr_linformer_params lp = {.attention = c.p, .seq_len = 0, .proj_len = 4};
  tsr_check_status(tsr_linformer_attention_create(&lp, &c.w, c.storage, c.storage, &op), tsr_status_invalid_parameter, "seq_len 0");
  tsr_performer_params pp = {.attention = c.p, .num_features = 0};
  tsr_check_status(tsr_performer_attention_create(&pp, &c.w, &op), tsr_status_invalid_parameter, "features 0");
  tsr_check(op == (tsr_op*)0x1, "op untouched", "a failed create wrote op");

  /* Run-time checks: nothing written. */
  tsr_multihead_attention_create(&c.p, &c.w, &op);
  const size_t B = 2, L = 5;
  float* x = random_floats(rng, B * L * 12, 1);
  float* y = malloc(sizeof(float) * B * L * 12 * 2);
  const int64_t xd[3] = {2, 5, 12}, wrong[3] = {2, 5, 11}, kd[3] = {3, 5, 12};
  uint8_t m[30] = {0};
  const int64_t bad_mask[2] = {3, 5}, good_mask[4] = {2, 1, 1, 5};
  struct {
    tsr_tensor t[4];
    size_t n;
    const char* name;
  } runs[] = {
      {{tensor_nd(3, wrong, x, tsr_dtype_f32), tensor_nd(3, xd, x, tsr_dtype_f32), tensor_nd(3, xd, x, tsr_dtype_f32)}, 3, "query"},
      {{tensor_nd(3, xd, x, tsr_dtype_f32), tensor_nd(3, kd, y, tsr_dtype_f32), tensor_nd(3, xd, x, tsr_dtype_f32)}, 3, "key"},
      {{tensor_nd(3, xd, x, tsr_dtype_f32), tensor_nd(3, xd, x, tsr_dtype_f32), tensor_nd(3, xd, x, tsr_dtype_f32),
        tensor_nd(2, bad_mask, m, tsr_dtype_u8)}, 4, "mask"},
      {{tensor_nd(3, xd, x, tsr_dtype_f32), tensor_nd(3, xd, x, tsr_dtype_f32), tensor_nd(3, xd, x, tsr_dtype_f32),
        tensor_nd(4, good_mask, m, tsr_dtype_s32)}, 4, "mask"},
  };
  for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
    const tsr_tensor out = tensor_nd(3, xd, y, tsr_dtype_f32);
    tsr_fill_nan(y, B * L * 12);
    const tsr_status st = tsr_op_run(op, runs[r].n, runs[r].t, 1, &out, NULL);
    tsr_check(st != tsr_status_success && strstr(tsr_last_error_message(), runs[r].name) != NULL, runs[r].name,
              "status %d, '%s'", (int)st, tsr_last_error_message());
    tsr_check_untouched(runs[r].name, y, B * L * 12);
  }
  /* SDPA: kv heads not dividing heads; a mask that does not broadcast. */
  tsr_op* sdpa = NULL;
  sp = (tsr_sdpa_params){0};
  tsr_sdpa_create(&sp, &sdpa);
  const int64_t qd[4] = {1, 3, 4, 4}, kvd[4] = {1, 2, 4, 4}, md[4] = {1, 2, 4, 4};
  const tsr_tensor in[4] = {tensor_nd(4, qd, x, tsr_dtype_f32), tensor_nd(4, kvd, x, tsr_dtype_f32),
                            tensor_nd(4, kvd, x, tsr_dtype_f32), tensor_nd(4, md, m, tsr_dtype_u8)};
  const tsr_tensor out = tensor_nd(4, qd, y, tsr_dtype_f32);
  tsr_fill_nan(y, 48);
  tsr_check_status(tsr_op_run(sdpa, 3, in, 1, &out, NULL), tsr_status_invalid_parameter, "kv_heads 2 of 3");
  tsr_check(strstr(tsr_last_error_message(), "kv_heads") != NULL, "kv_heads run message", "'%s'", tsr_last_error_message());
  const tsr_tensor in2[4] = {tensor_nd(4, qd, x, tsr_dtype_f32), tensor_nd(4, qd, x, tsr_dtype_f32),
                             tensor_nd(4, qd, x, tsr_dtype_f32), tensor_nd(4, md, m, tsr_dtype_u8)};
  tsr_check_status(tsr_op_run(sdpa, 4, in2, 1, &out, NULL), tsr_status_invalid_parameter, "mask 2 heads of 3");
  tsr_check(strstr(tsr_last_error_message(), "broadcast") != NULL, "mask message", "'%s'", tsr_last_error_message());
  tsr_check_untouched("sdpa bad input", y, 48);
  /* An output that broadcasts (stride 0 over the heads) would be written by several tasks. */
  const int64_t o_strides[4] = {16, 0, 4, 1};
  tsr_tensor shared_out = {.data = y};
  tsr_tensor_desc_init_strided(&shared_out.desc, tsr_dtype_f32, 4, qd, o_strides);
  tsr_check_status(tsr_op_run(sdpa, 3, in2, 1, &shared_out, NULL), tsr_status_invalid_parameter, "O stride 0");
  tsr_check(strstr(tsr_last_error_message(), "stride 0") != NULL, "O stride message", "'%s'", tsr_last_error_message());
  tsr_check_untouched("sdpa broadcast output", y, 16);
  tsr_op_destroy(sdpa);
  tsr_op_destroy(op);
  free(x), free(y), free(c.storage);
}

/* Fused attention's tile path (with and without key splits) and its row path for short queries
 * (with and without), each with scratch failing on the pool's threads: the caller runs the tasks
 * they missed, bit for bit the normal result; failing everywhere: out of memory, O untouched. */
static void test_scratch_failure(tsr_rng* rng, tsr_threadpool* pool) {
  static const struct { size_t B, H, Hkv, Lq, Lk, d; } shapes[] = {
      {2, 4, 4, 130, 97, 16}, {1, 1, 1, 65, 1024, 32}, {1, 4, 2, 1, 600, 16}, {3, 2, 1, 2, 100, 8}};
  const tsr_sdpa_params params = {.scale = 0.0f};
  tsr_op* op = NULL;
  tsr_check_status(tsr_sdpa_create(&params, &op), tsr_status_success, "sdpa create");
  for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
    const size_t B = shapes[i].B, H = shapes[i].H, Hkv = shapes[i].Hkv, Lq = shapes[i].Lq, Lk = shapes[i].Lk;
    const size_t d = shapes[i].d, no = B * H * Lq * d;
    float* q = random_floats(rng, B * H * Lq * d, 1.0f);
    float* k = random_floats(rng, B * Hkv * Lk * d, 1.0f);
    float* v = random_floats(rng, B * Hkv * Lk * d, 1.0f);
    float* expected = malloc(sizeof(float) * no);
    float* o = malloc(sizeof(float) * no);
    tsr_fill_nan(expected, no), tsr_fill_nan(o, no);
    run_sdpa(op, B, H, Hkv, Lq, Lk, d, q, k, v, NULL, expected, pool);
    char what[120];
    snprintf(what, sizeof(what), "sdpa b%zu h%zu kvh%zu sq%zu skv%zu d%zu, scratch failing in tasks", B, H, Hkv, Lq,
             Lk, d);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_in_tasks);
    run_sdpa(op, B, H, Hkv, Lq, Lk, d, q, k, v, NULL, o, pool);
    tsr_check_close(what, o, expected, no, 0.0, 0.0);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_always);
    tsr_fill_nan(o, no);
    const int64_t qd[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)d};
    const int64_t kd[4] = {(int64_t)B, (int64_t)Hkv, (int64_t)Lk, (int64_t)d};
    const tsr_tensor inputs[3] = {tensor_nd(4, qd, q, tsr_dtype_f32), tensor_nd(4, kd, k, tsr_dtype_f32),
                                  tensor_nd(4, kd, v, tsr_dtype_f32)};
    const tsr_tensor out = tensor_nd(4, qd, o, tsr_dtype_f32);
    snprintf(what, sizeof(what), "sdpa b%zu h%zu kvh%zu sq%zu skv%zu d%zu, scratch failing always", B, H, Hkv, Lq,
             Lk, d);
    tsr_check_status(tsr_op_run(op, 3, inputs, 1, &out, pool), tsr_status_out_of_memory, what);
    tsr_check_untouched(what, o, no);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_none);
    free(q), free(k), free(v), free(expected), free(o);
  }
  tsr_op_destroy(op);
}

int main(void) {
  tsr_rng rng = tsr_rng_seeded(5);
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  test_sdpa_sweep(&rng, pool);
  test_invariants(&rng, pool);
  test_keras_attention(&rng, pool);
  test_mha(&rng, pool);
  test_linformer(&rng, pool);
  test_performer(&rng, pool);
  test_scratch_failure(&rng, pool);
  test_bad_input(&rng);
  tsr_threadpool_destroy(pool);
  return tsr_test_finish();
}
