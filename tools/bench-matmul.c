/* `tessera bench matmul`: C[M,N] = A[M,K] B[K,N], row-major, benchdnn's "MxK:KxN" descriptor
 * (--mb replaces M). tessera's tsr_sgemm against oneDNN's dnnl_sgemm on the same matrices;
 * integer-valued inputs make both exact, so the check is tolerance 0 against the reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/f32-gemm/f32-gemm.h"
#include "kernels/reference/gemm-reference.h"
#include "tests/harness/harness.h"
#include "tools/bench.h"
#include "tools/problem-parse.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static void tsr_matmul_reset(void) {}

static int tsr_matmul_option(const char* key, const char* value, char* error, size_t size) {
  snprintf(error, size, "unknown matmul option --%s=%s (matmul takes none)", key, value);
  return -1;
}

/* "MxK:KxN" into m, k, n. */
static int tsr_matmul_parse(const char* body, int64_t* m, int64_t* k, int64_t* n, char* error, size_t size) {
  const char* colon = strchr(body, ':');
  if (colon == NULL || strchr(colon + 1, ':') != NULL) {
    snprintf(error, size, "'%s': expected MxK:KxN", body);
    return -1;
  }
  char left[64];
  if ((size_t)(colon - body) >= sizeof(left)) {
    snprintf(error, size, "'%s': expected MxK:KxN", body);
    return -1;
  }
  memcpy(left, body, (size_t)(colon - body));
  left[colon - body] = '\0';
  int64_t a[8], b[8];
  if (tsr_parse_dims(left, a, 8, error, size) != 2 || tsr_parse_dims(colon + 1, b, 8, error, size) != 2) {
    if (error[0] == '\0' || strstr(error, "dims") == NULL) snprintf(error, size, "'%s': expected MxK:KxN", body);
    return -1;
  }
  if (a[1] != b[0]) {
    snprintf(error, size, "'%s': K differs (%lld and %lld)", body, (long long)a[1], (long long)b[0]);
    return -1;
  }
  if (a[0] * a[1] > ((int64_t)1 << 31) || b[0] * b[1] > ((int64_t)1 << 31) || a[0] * b[1] > ((int64_t)1 << 31)) {
    snprintf(error, size, "'%s': a matrix above 2^31 elements is too large to benchmark", body);
    return -1;
  }
  *m = a[0];
  *k = a[1];
  *n = b[1];
  return 0;
}

struct tsr_matmul_timed {
  int64_t m, n, k;
  const float *a, *b;
  float* c;
  tsr_threadpool* pool;
};

static void tsr_run_tessera(void* context) {
  const struct tsr_matmul_timed* t = context;
  tsr_sgemm(tsr_no_transpose, tsr_no_transpose, t->m, t->n, t->k, 1.0f, t->a, t->k, t->b, t->n,
            0.0f, t->c, t->n, t->pool);
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_run_onednn(void* context) {
  const struct tsr_matmul_timed* t = context;
  dnnl_sgemm('N', 'N', t->m, t->n, t->k, 1.0f, t->a, t->k, t->b, t->n, 0.0f, t->c, t->n);
}
#endif

static int tsr_matmul_run(const char* body, const struct tsr_bench_settings* settings,
                          struct tsr_bench_result* result, char* error, size_t size) {
  int64_t m, k, n;
  error[0] = '\0';
  if (tsr_matmul_parse(body, &m, &k, &n, error, size) != 0) return -1;
  if (settings->mb > 0) m = settings->mb;
  if (result == NULL) return 0;
  float* a = tsr_bench_alloc((size_t)(m * k) * sizeof(float));
  float* b = tsr_bench_alloc((size_t)(k * n) * sizeof(float));
  float* c = tsr_bench_alloc((size_t)(m * n) * sizeof(float));
  float* expected = tsr_bench_alloc((size_t)(m * n) * sizeof(float));
  if (a == NULL || b == NULL || c == NULL || expected == NULL) {
    free(a), free(b), free(c), free(expected);
    snprintf(error, size, "out of memory");
    return -1;
  }
  const struct tsr_gemm_config* config = tsr_gemm_config_get();
  snprintf(result->impl, sizeof(result->impl), "sgemm impl=%s", m == 1 ? config->row_name : config->main_name);
  result->work = 2.0 * (double)m * (double)n * (double)k;
  snprintf(result->status, sizeof(result->status), "ok");
  tsr_rng rng = tsr_rng_seeded(3);
  tsr_fill_integers(&rng, a, (size_t)(m * k), -2, 2);
  tsr_fill_integers(&rng, b, (size_t)(k * n), -2, 2);
  struct tsr_matmul_timed timed = {m, n, k, a, b, c, settings->pool};
  if (settings->mode & tsr_bench_check) {
    tsr_reference_gemm_f32(false, false, (size_t)m, (size_t)n, (size_t)k, 1.0f, a, (size_t)k, b,
                           (size_t)n, 0.0f, expected, (size_t)n, NULL, NULL);
    tsr_fill_nan(c, (size_t)(m * n));
    tsr_run_tessera(&timed);
    result->max_abs_err = tsr_max_abs_error(c, expected, (size_t)(m * n));
    if (tsr_count_mismatches(c, expected, (size_t)(m * n), 0.0, 0.0) != 0)
      snprintf(result->status, sizeof(result->status), "mismatch");
#ifdef TSR_HAVE_ONEDNN
    tsr_fill_nan(c, (size_t)(m * n));
    tsr_run_onednn(&timed);
    if (strcmp(result->status, "ok") == 0 && tsr_count_mismatches(c, expected, (size_t)(m * n), 0.0, 0.0) != 0)
      snprintf(result->status, sizeof(result->status), "onednn_diff");
#endif
  }
  if (settings->mode & tsr_bench_perf) {
#ifdef TSR_HAVE_ONEDNN
    result->tessera_ms = tsr_bench_time_both_ms(tsr_run_tessera, &timed, tsr_run_onednn, &timed, &result->onednn_ms);
#else
    result->tessera_ms = tsr_bench_time_ms(tsr_run_tessera, &timed);
#endif
  }
  free(a), free(b), free(c), free(expected);
  return 0;
}

static const char* const tsr_matmul_suite[] = {
    "128x768:768x768n\"bert.qkv_or_out\"", "1x4096:4096x4096n\"decode.b1\"",
    "1024x1024:1024x1024n\"square1024\"", NULL};

const struct tsr_bench_driver tsr_bench_matmul_driver = {
    .op = "matmul",
    .summary = "C = A B (MxK:KxN), tsr_sgemm against dnnl_sgemm; GFLOP/s",
    .default_suite = tsr_matmul_suite,
    .reset_options = tsr_matmul_reset,
    .set_option = tsr_matmul_option,
    .run = tsr_matmul_run,
};
