/* The whole GEMM engine through the public calls, against the reference, exact (integer inputs,
 * tolerance 0): shapes around every block size (m around mr and mc, n around nr, k around kc),
 * 1 x N x K, M x 1 x K, primes, both transposes, leading dimensions above the minimum (primes),
 * alpha and beta (beta 0 with NaN in C), batched with shared and strided operands, 1, 2, 3 and
 * 16 threads; C against a guard page; every bad argument; and scratch that fails on the pool's
 * threads (the caller runs their tasks: the same result) or everywhere (out of memory, C
 * untouched). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/scratch.h"
#include "kernels/f32-gemm/f32-gemm.h"
#include "kernels/reference/gemm-reference.h"
#include "tests/harness/harness.h"

static size_t tsr_span(size_t rows, size_t cols, size_t ld) { return (rows - 1) * ld + cols; }

static void tsr_test_shape(tsr_threadpool* pool, tsr_rng* rng, bool ta, bool tb, size_t m, size_t n,
                           size_t k, size_t pad, float alpha, float beta, size_t batch) {
  const size_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
  const size_t a_span = tsr_span(ta ? k : m, ta ? m : k, lda), b_span = tsr_span(tb ? n : k, tb ? k : n, ldb);
  const size_t c_span = tsr_span(m, n, ldc);
  const size_t stride_a = batch > 1 ? a_span + 1 : 0, stride_b = batch > 1 ? b_span + 3 : 0;
  const size_t stride_c = c_span + pad;
  const size_t a_total = stride_a * (batch - 1) + a_span, b_total = stride_b * (batch - 1) + b_span;
  const size_t c_total = stride_c * (batch - 1) + c_span;
  float* a = tsr_guarded_alloc(a_total * sizeof(float));
  float* b = tsr_guarded_alloc(b_total * sizeof(float));
  float* c = tsr_guarded_alloc(c_total * sizeof(float));
  float* expected = tsr_guarded_alloc(c_total * sizeof(float));
  tsr_fill_integers(rng, a, a_total, -2, 2);
  tsr_fill_integers(rng, b, b_total, -2, 2);
  tsr_fill_integers(rng, expected, c_total, -3, 3);
  memcpy(c, expected, c_total * sizeof(float));
  if (beta == 0.0f) /* C is not read: NaN inside the matrix must not leak into the result */
    for (size_t t = 0; t < batch; t++)
      for (size_t i = 0; i < m; i++) tsr_fill_nan(c + t * stride_c + i * ldc, n);
  for (size_t t = 0; t < batch; t++)
    tsr_reference_gemm_f32(ta, tb, m, n, k, alpha, a + t * stride_a, lda, b + t * stride_b, ldb,
                           beta, expected + t * stride_c, ldc, NULL, NULL);
  const tsr_transpose ta_flag = ta ? tsr_transpose_op : tsr_no_transpose;
  const tsr_transpose tb_flag = tb ? tsr_transpose_op : tsr_no_transpose;
  const tsr_status status =
      batch == 1 ? tsr_sgemm(ta_flag, tb_flag, (int64_t)m, (int64_t)n, (int64_t)k, alpha, a,
                             (int64_t)lda, b, (int64_t)ldb, beta, c, (int64_t)ldc, pool)
                 : tsr_sgemm_batched((int64_t)batch, ta_flag, tb_flag, (int64_t)m, (int64_t)n,
                                     (int64_t)k, alpha, a, (int64_t)lda, (int64_t)stride_a, b,
                                     (int64_t)ldb, (int64_t)stride_b, beta, c, (int64_t)ldc,
                                     (int64_t)stride_c, pool);
  char what[200];
  snprintf(what, sizeof(what), "gemm %s%s m=%zu n=%zu k=%zu pad=%zu alpha=%g beta=%g batch=%zu threads=%u",
           ta ? "T" : "N", tb ? "T" : "N", m, n, k, pad, (double)alpha, (double)beta, batch,
           tsr_threadpool_threads(pool));
  if (tsr_check_status(status, tsr_status_success, what))
    tsr_check_close(what, c, expected, c_total, 0.0, 0.0); /* the gaps between rows included */
  tsr_guarded_free(a);
  tsr_guarded_free(b);
  tsr_guarded_free(c);
  tsr_guarded_free(expected);
}

static void tsr_test_errors(void) {
  float a[16] = {0}, b[16] = {0}, c[16];
  tsr_fill_nan(c, 16);
  struct {
    const char* fragment;
    tsr_status status;
  } expect[] = {{"m is 0", 0}, {"n is -2", 0}, {"k is 0", 0}, {"a is NULL", 0}, {"b is NULL", 0},
                {"c is NULL", 0}, {"lda is 1", 0}, {"ldb is 1", 0}, {"ldc is 3", 0},
                {"trans_a is 7", 0}, {"overflows", 0}, {"batch is 0", 0}, {"stride_a is -1", 0},
                {"overlap", 0}};
  expect[0].status = tsr_sgemm(0, 0, 0, 4, 4, 1, a, 4, b, 4, 0, c, 4, NULL);
  expect[1].status = tsr_sgemm(0, 0, 4, -2, 4, 1, a, 4, b, 4, 0, c, 4, NULL);
  expect[2].status = tsr_sgemm(0, 0, 4, 4, 0, 1, a, 4, b, 4, 0, c, 4, NULL);
  expect[3].status = tsr_sgemm(0, 0, 4, 4, 4, 1, NULL, 4, b, 4, 0, c, 4, NULL);
  expect[4].status = tsr_sgemm(0, 0, 4, 4, 4, 1, a, 4, NULL, 4, 0, c, 4, NULL);
  expect[5].status = tsr_sgemm(0, 0, 4, 4, 4, 1, a, 4, b, 4, 0, NULL, 4, NULL);
  expect[6].status = tsr_sgemm(0, 0, 4, 4, 4, 1, a, 1, b, 4, 0, c, 4, NULL);
  expect[7].status = tsr_sgemm(0, 1, 4, 4, 4, 1, a, 4, b, 1, 0, c, 4, NULL);
  expect[8].status = tsr_sgemm(0, 0, 4, 4, 4, 1, a, 4, b, 4, 0, c, 3, NULL);
  expect[9].status = tsr_sgemm(7, 0, 4, 4, 4, 1, a, 4, b, 4, 0, c, 4, NULL);
  expect[10].status = tsr_sgemm(0, 0, INT64_MAX / 4, 4, 4, 1, a, 4, b, 4, 0, c, 4, NULL);
  expect[11].status = tsr_sgemm_batched(0, 0, 0, 4, 4, 4, 1, a, 4, 0, b, 4, 0, 0, c, 4, 16, NULL);
  expect[12].status = tsr_sgemm_batched(2, 0, 0, 2, 2, 2, 1, a, 2, -1, b, 2, 0, 0, c, 2, 4, NULL);
  expect[13].status = tsr_sgemm_batched(2, 0, 0, 2, 2, 2, 1, a, 2, 0, b, 2, 0, 0, c, 2, 2, NULL);
  for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
    char what[64];
    snprintf(what, sizeof(what), "bad sgemm argument '%s'", expect[i].fragment);
    tsr_check(expect[i].status == tsr_status_invalid_parameter, what, "returned %s",
              tsr_status_string(expect[i].status));
  }
  /* The message is per call: check each one right after its call. */
  tsr_sgemm(0, 0, 4, 4, 4, 1, a, 4, b, 4, 0, c, 3, NULL);
  tsr_check(strstr(tsr_last_error_message(), "ldc is 3") != NULL, "ldc message", "'%s'", tsr_last_error_message());
  tsr_sgemm(0, 0, 4, -2, 4, 1, a, 4, b, 4, 0, c, 4, NULL);
  tsr_check(strstr(tsr_last_error_message(), "n is -2") != NULL, "n message", "'%s'", tsr_last_error_message());
  tsr_check_untouched("failed calls", c, 16);
}

/* Every path that takes per-thread scratch: GEMM tasks (rows x columns, batched) and single-row
 * problems whose row of A is copied (transposed A or alpha other than 1), split by columns or,
 * on several threads, by k. */
static void tsr_test_scratch_failure(tsr_threadpool* pool, tsr_rng* rng) {
  tsr_scratch_set_failure_for_tests(tsr_scratch_failure_in_tasks);
  tsr_test_shape(pool, rng, false, false, 157, 263, 300, 7, 1.0f, 0.0f, 1);
  tsr_test_shape(pool, rng, false, true, 12, 12, 64, 1, 1.0f, 1.0f, 12);
  tsr_test_shape(pool, rng, true, false, 1, 65, 130, 0, 1.0f, 1.0f, 3);
  tsr_test_shape(pool, rng, false, false, 1, 1000, 2048, 0, 2.0f, 0.0f, 1);
  tsr_scratch_set_failure_for_tests(tsr_scratch_failure_always);
  static float a[300 * 300], b[300 * 300], c[300 * 300];
  tsr_fill_integers(rng, a, 300 * 300, -2, 2);
  tsr_fill_integers(rng, b, 300 * 300, -2, 2);
  const struct {
    tsr_transpose ta;
    int64_t m, n, k;
    float alpha;
  } cases[] = {{tsr_no_transpose, 157, 263, 300, 1.0f}, {tsr_transpose_op, 1, 65, 130, 1.0f},
               {tsr_no_transpose, 1, 280, 300, 2.0f}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    tsr_fill_nan(c, 300 * 300);
    char what[120];
    snprintf(what, sizeof(what), "gemm %lldx%lldx%lld, scratch failing everywhere, threads=%u", (long long)cases[i].m,
             (long long)cases[i].n, (long long)cases[i].k, tsr_threadpool_threads(pool));
    const int64_t lda = cases[i].ta == tsr_transpose_op ? cases[i].m : cases[i].k;
    tsr_check_status(tsr_sgemm(cases[i].ta, tsr_no_transpose, cases[i].m, cases[i].n, cases[i].k, cases[i].alpha, a,
                               lda, b, cases[i].n, 0.0f, c, cases[i].n, pool),
                     tsr_status_out_of_memory, what);
    tsr_check_untouched(what, c, 300 * 300);
  }
  tsr_scratch_set_failure_for_tests(tsr_scratch_failure_none);
}

int main(void) {
  tsr_test_errors();
  const struct tsr_gemm_config* config = tsr_gemm_config_get();
  const size_t mr = config->mr, nr = config->nr, mc = config->mc, kc = config->kc;
  printf("GEMM on %s: %s (%zux%zu) and %s, mc=%zu kc=%zu\n", tsr_isa_name(config->isa),
         config->main_name, mr, nr, config->row_name, mc, kc);
  tsr_rng rng = tsr_rng_seeded(5);
  const size_t ms[] = {1, 2, mr - 1, mr, mr + 1, 2 * mr + 1, 13, mc - 1, mc + 1};
  const size_t ns[] = {1, 3, nr - 1, nr, nr + 1, 2 * nr + 3, 37, 101};
  const size_t ks[] = {1, 2, 7, 16, 17, kc - 1, kc, kc + 1, 2 * kc + 5};
  /* 16 threads make the planner split rows below mc (tasks start at any mr-row panel). */
  const uint32_t thread_counts[] = {1, 2, 3, 16};
  for (size_t ti = 0; ti < sizeof(thread_counts) / sizeof(thread_counts[0]); ti++) {
    const uint32_t threads = thread_counts[ti];
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    for (size_t mi = 0; mi < sizeof(ms) / sizeof(ms[0]); mi++)
      for (size_t ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ni++) {
        const size_t ki = (mi * 3 + ni) % (sizeof(ks) / sizeof(ks[0])); /* vary k across the grid */
        const size_t k = ks[ki];
        tsr_test_shape(pool, &rng, false, false, ms[mi], ns[ni], k, 0, 1.0f, 0.0f, 1);
        if (threads == 2) {
          tsr_test_shape(pool, &rng, true, false, ms[mi], ns[ni], k, 3, 1.0f, 1.0f, 1);
          tsr_test_shape(pool, &rng, false, true, ms[mi], ns[ni], k, 5, 2.0f, 0.0f, 1);
          tsr_test_shape(pool, &rng, true, true, ms[mi], ns[ni], k, 1, -1.0f, 3.0f, 1);
        }
      }
    for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) { /* every k at a few shapes */
      tsr_test_shape(pool, &rng, false, false, mr + 1, nr + 1, ks[ki], 2, 1.0f, -1.0f, 1);
      tsr_test_shape(pool, &rng, false, true, 1, 3 * nr + 1, ks[ki], 0, 1.0f, 0.0f, 1);
    }
    /* Larger and prime shapes, and batched ones, including a shared B (stride 0). */
    tsr_test_shape(pool, &rng, false, false, 157, 263, 300, 7, 1.0f, 0.0f, 1);
    tsr_test_shape(pool, &rng, true, true, 97, 61, 521, 0, 0.5f, 2.0f, 1);
    tsr_test_shape(pool, &rng, false, false, 1, 1000, 2048, 0, 1.0f, 0.0f, 1);
    tsr_test_shape(pool, &rng, false, false, 300, 1, 77, 0, 1.0f, 0.0f, 1);
    tsr_test_shape(pool, &rng, false, false, 7, 33, 19, 2, 1.0f, 0.0f, 5);
    tsr_test_shape(pool, &rng, true, false, 1, 65, 130, 0, 1.0f, 1.0f, 3);
    tsr_test_shape(pool, &rng, false, true, 12, 12, 64, 1, 1.0f, 0.0f, 12);
    tsr_test_shape(pool, &rng, false, false, 128, 768, 40, 0, 1.0f, 0.0f, 1);
    tsr_test_shape(pool, &rng, true, false, 8 * mr + 3, 5 * nr + 1, kc + 3, 0, 1.0f, 1.0f, 1);
    if (threads <= 3) tsr_test_scratch_failure(pool, &rng);
    tsr_threadpool_destroy(pool);
  }
  /* alpha = 0 and beta = 0 must give exact zeros, not NaN, even with NaN in C. */
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 2, 3, 4, 5, 6}, c[4], zeros[4] = {0};
  tsr_fill_nan(c, 4);
  tsr_sgemm(0, 0, 2, 2, 3, 0.0f, a, 3, b, 2, 0.0f, c, 2, NULL);
  tsr_check_close("alpha 0 beta 0", c, zeros, 4, 0.0, 0.0);
  /* By hand: [1 2 3; 4 5 6] x [1 2; 3 4; 5 6] = [22 28; 49 64]. */
  const float by_hand[4] = {22, 28, 49, 64};
  tsr_sgemm(0, 0, 2, 2, 3, 1.0f, a, 3, b, 2, 0.0f, c, 2, NULL);
  tsr_check_close("2x3 by 3x2 by hand", c, by_hand, 4, 0.0, 0.0);
  return tsr_test_finish();
}
