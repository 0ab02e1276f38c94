/* `tessera bench attn`: scaled dot-product attention problems as the shared attn.txt writes
 * them, "mb<B>h<H>[kvh<Hkv>]sq<Lq>skv<Lkv>d<d>[dv<dv>][_causal|_causal_br|_padmask]" (kvh < h:
 * grouped-query; _padmask: a boolean key padding mask hiding the last quarter of the keys of
 * odd batch items). Checked against the reference loop (double precision) on batch item 0 and
 * the heads of its first kv group, which keeps the check of 2k-long prefill in seconds, and
 * against oneDNN's composed attention (matmul + softmax + matmul, tsr_onednn_sdpa) everywhere;
 * timed beside that composition in GFLOP/s counting 2 B H Lq Lkv (d + dv) (half for causal).
 * --path=unfused runs tessera's unfused path (TESSERA_ATTENTION=unfused) instead of the fused
 * kernel, the second baseline. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/attention-reference.h"
#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif
#include "tools/bench.h"
#include "tools/problem-parse.h"

/* --path sets TESSERA_ATTENTION; the reset leaves a value the user's environment gave alone
 * unless an option line changed it. */
static bool tsr_attn_path_set;

static void tsr_attn_reset(void) {
  if (tsr_attn_path_set) unsetenv("TESSERA_ATTENTION");
  tsr_attn_path_set = false;
}

static int tsr_attn_option(const char* key, const char* value, char* error, size_t size) {
  if (strcmp(key, "path") == 0 && (strcmp(value, "fused") == 0 || strcmp(value, "unfused") == 0)) {
    if (strcmp(value, "unfused") == 0) setenv("TESSERA_ATTENTION", "unfused", 1);
    else unsetenv("TESSERA_ATTENTION");
    tsr_attn_path_set = true;
    return 0;
  }
  snprintf(error, size, "unknown option --%s=%s (attn takes --path=fused|unfused)", key, value);
  return -1;
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_attn_onednn_execute(void* sdpa) { tsr_onednn_sdpa_execute(sdpa); }
#endif

static int tsr_attn_run(const char* body, const struct tsr_bench_settings* settings, struct tsr_bench_result* result,
                        char* error, size_t size) {
  char text[256];
  snprintf(text, sizeof(text), "%s", body);
  char* suffix = strchr(text, '_');
  tsr_causal_mode causal = tsr_causal_none;
  int padmask = 0;
  if (suffix != NULL) {
    *suffix++ = '\0';
    if (strcmp(suffix, "causal") == 0) causal = tsr_causal_top_left;
    else if (strcmp(suffix, "causal_br") == 0) causal = tsr_causal_bottom_right;
    else if (strcmp(suffix, "padmask") == 0) padmask = 1;
    else {
      snprintf(error, size, "'%s': unknown suffix _%s (causal, causal_br, padmask)", body, suffix);
      return -1;
    }
  }
  static const char* const keys[] = {"mb", "h", "kvh", "sq", "skv", "d", "dv"};
  int64_t v[7] = {1, 0, 0, 0, 0, 0, 0};
  bool present[7] = {false};
  if (tsr_parse_keyed(text, keys, 7, v, present, error, size) != 0) return -1;
  if (!present[1] || !present[3] || !present[4] || !present[5]) {
    snprintf(error, size, "'%s': h, sq, skv and d are required", body);
    return -1;
  }
  const size_t B = (size_t)(settings->mb > 0 ? settings->mb : v[0]), H = (size_t)v[1];
  const size_t Hkv = (size_t)(present[2] ? v[2] : v[1]), Lq = (size_t)v[3], Lk = (size_t)v[4], d = (size_t)v[5];
  const size_t dv = (size_t)(present[6] ? v[6] : v[5]);
  if (B < 1 || H < 1 || Hkv < 1 || H % Hkv != 0 || Lq < 1 || Lk < 1 || d < 1 || dv < 1) {
    snprintf(error, size, "'%s': sizes must be at least 1 and kvh must divide h", body);
    return -1;
  }
  const size_t nq = B * H * Lq * d, nk = B * Hkv * Lk * d, nv = B * Hkv * Lk * dv, no = B * H * Lq * dv;
  if (nq + nk + nv + no > ((size_t)1 << 29)) {
    snprintf(error, size, "'%s': too large to benchmark", body);
    return -1;
  }
  if (result == NULL) return 0;
  float* q = tsr_bench_alloc(sizeof(float) * nq), *k = tsr_bench_alloc(sizeof(float) * nk);
  float* vv = tsr_bench_alloc(sizeof(float) * nv), *o = tsr_bench_alloc(sizeof(float) * no);
  float* ref = tsr_bench_alloc(sizeof(float) * no);
  uint8_t* mask = malloc(B * Lk);
  if (!q || !k || !vv || !o || !ref || !mask) {
    free(q), free(k), free(vv), free(o), free(ref), free(mask);
    snprintf(error, size, "out of memory");
    return -1;
  }
  tsr_rng rng = tsr_rng_seeded(17);
  tsr_fill_uniform(&rng, q, nq, -1, 1), tsr_fill_uniform(&rng, k, nk, -1, 1), tsr_fill_uniform(&rng, vv, nv, -1, 1);
  for (size_t b = 0; b < B; b++)
    for (size_t j = 0; j < Lk; j++) mask[b * Lk + j] = !(b % 2 == 1 && j >= Lk - Lk / 4);
  const tsr_sdpa_params params = {.causal = causal};
  tsr_op* op = NULL;
  tsr_sdpa_create(&params, &op);
  const int64_t qd[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)d};
  const int64_t kd[4] = {(int64_t)B, (int64_t)Hkv, (int64_t)Lk, (int64_t)d};
  const int64_t vd[4] = {(int64_t)B, (int64_t)Hkv, (int64_t)Lk, (int64_t)dv};
  const int64_t od[4] = {(int64_t)B, (int64_t)H, (int64_t)Lq, (int64_t)dv};
  const int64_t md[4] = {(int64_t)B, 1, 1, (int64_t)Lk};
  tsr_tensor inputs[4] = {{.data = q}, {.data = k}, {.data = vv}, {.data = mask}}, output = {.data = o};
  tsr_tensor_desc_init(&inputs[0].desc, tsr_dtype_f32, tsr_layout_plain, 4, qd);
  tsr_tensor_desc_init(&inputs[1].desc, tsr_dtype_f32, tsr_layout_plain, 4, kd);
  tsr_tensor_desc_init(&inputs[2].desc, tsr_dtype_f32, tsr_layout_plain, 4, vd);
  tsr_tensor_desc_init(&inputs[3].desc, tsr_dtype_u8, tsr_layout_plain, 4, md);
  tsr_tensor_desc_init(&output.desc, tsr_dtype_f32, tsr_layout_plain, 4, od);
  const char* path = getenv("TESSERA_ATTENTION");
  snprintf(result->impl, sizeof(result->impl), "%s", path != NULL && strcmp(path, "unfused") == 0
                                                        ? "sdpa impl=unfused_gemm (TESSERA_ATTENTION=unfused)" : tsr_op_describe(op));
  result->work = 2.0 * (double)B * H * Lq * Lk * (double)(d + dv) * (causal ? 0.5 : 1.0);
  snprintf(result->status, sizeof(result->status), "ok");
  struct tsr_bench_runs runs = {.op = op, .num_inputs = padmask ? 4 : 3, .num_outputs = 1, .inputs = inputs,
                                .outputs = &output, .pool = settings->pool};
#ifdef TSR_HAVE_ONEDNN
  float* theirs = tsr_bench_alloc(sizeof(float) * no);
  tsr_onednn_sdpa composed;
  const int have_onednn = theirs != NULL && tsr_onednn_sdpa_create(&composed, B, H, Hkv, Lq, Lk, d, dv, 1.0f / sqrtf((float)d),
                                                                   causal, padmask ? mask : NULL, q, k, vv, theirs) == 0;
  if (have_onednn) runs.onednn = &composed, runs.onednn_execute = tsr_attn_onednn_execute;
  else snprintf(result->status, sizeof(result->status), "onednn_failed");
#endif
  if (settings->mode & tsr_bench_check) {
    tsr_fill_nan(o, no);
    tsr_bench_run_tessera(&runs);
    const size_t group = H / Hkv;
    struct tsr_attention_problem p = {
        .batch = 1, .heads = group, .kv_heads = 1, .q_len = Lq, .kv_len = Lk, .head_dim = d, .v_dim = dv,
        .q = q, .q_strides = {H * Lq * d, Lq * d, d, 1}, .k = k, .k_strides = {Hkv * Lk * d, Lk * d, d, 1},
        .v = vv, .v_strides = {Hkv * Lk * dv, Lk * dv, dv, 1}, .o = ref, .o_strides = {H * Lq * dv, Lq * dv, dv, 1},
        .score = tsr_attention_score_dot, .scale = 1.0f / sqrtf((float)d), .causal = causal,
        .mask = padmask ? mask : NULL, .mask_dtype = tsr_dtype_u8, .mask_strides = {Lk, 0, 0, 1}};
    tsr_reference_attention_f32(&p);
    const size_t checked = group * Lq * dv; /* batch 0, heads 0 .. group-1: contiguous */
    result->max_abs_err = tsr_max_abs_error(o, ref, checked);
    if (tsr_count_mismatches(o, ref, checked, 1e-4, 1e-3) != 0) snprintf(result->status, sizeof(result->status), "mismatch");
#ifdef TSR_HAVE_ONEDNN
    if (have_onednn && strcmp(result->status, "ok") == 0) {
      const double err = result->max_abs_err;
      tsr_bench_check_against_onednn(&runs, o, theirs, no, 1e-4, 1e-3, result);
      if (err > result->max_abs_err) result->max_abs_err = err;
    }
#endif
  }
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn) tsr_onednn_sdpa_destroy(&composed);
  free(theirs);
#endif
  tsr_op_destroy(op);
  free(q), free(k), free(vv), free(o), free(ref), free(mask);
  return 0;
}

static const char* const tsr_attn_suite[] = {"mb1h12sq128skv128d64n\"bert_base.s128\"", NULL};

const struct tsr_bench_driver tsr_bench_attn_driver = {
    "attn", "scaled dot-product attention (mbBhHkvhKsqLskvLdD[dvV][_causal|_causal_br|_padmask]); GFLOP/s",
    tsr_attn_suite, tsr_attn_reset, tsr_attn_option, tsr_attn_run};
