/* The public GEMM calls: validate what a user passes, then hand the problem to the engine. */
#include "engine/error.h"
#include "engine/gemm.h"

/* The span in elements of a rows x cols matrix with row stride ld (0 on overflow). */
static size_t tsr_matrix_span(int64_t rows, int64_t cols, int64_t ld) {
  size_t span;
  if (!tsr_mul_size((size_t)(rows - 1), (size_t)ld, &span) ||
      __builtin_add_overflow(span, (size_t)cols, &span) || span > (SIZE_MAX / sizeof(float)))
    return 0;
  return span;
}

/* Checks one operand: pointer, leading dimension, batch span. */
static tsr_status tsr_check_matrix(const char* where, const char* name, const void* data,
                                   int64_t rows, int64_t cols, int64_t ld, int64_t batch,
                                   int64_t stride) {
  if (data == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: %s is NULL", where, name);
  if (ld < cols)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: ld%s is %lld; it must be at least the %lld elements of a stored row",
                     where, name, (long long)ld, (long long)cols);
  if (stride < 0)
    return tsr_error(tsr_status_invalid_parameter, "%s: stride_%s is %lld; must not be negative",
                     where, name, (long long)stride);
  size_t span = tsr_matrix_span(rows, cols, ld), offset;
  if (span == 0 || !tsr_mul_size((size_t)(batch - 1), (size_t)stride, &offset) ||
      __builtin_add_overflow(span, offset, &span) || span > SIZE_MAX / sizeof(float))
    return tsr_error(tsr_status_invalid_parameter, "%s: the size of %s overflows", where, name);
  return tsr_status_success;
}

static tsr_status tsr_sgemm_checked(const char* where, int64_t batch, tsr_transpose trans_a,
                                    tsr_transpose trans_b, int64_t m, int64_t n, int64_t k,
                                    float alpha, const float* a, int64_t lda, int64_t stride_a,
                                    const float* b, int64_t ldb, int64_t stride_b, float beta,
                                    float* c, int64_t ldc, int64_t stride_c, tsr_threadpool* pool) {
  if (batch < 1)
    return tsr_error(tsr_status_invalid_parameter, "%s: batch is %lld; must be at least 1", where,
                     (long long)batch);
  const int64_t sizes[3] = {m, n, k};
  static const char* const size_names[3] = {"m", "n", "k"};
  for (int i = 0; i < 3; i++)
    if (sizes[i] < 1)
      return tsr_error(tsr_status_invalid_parameter, "%s: %s is %lld; must be at least 1", where,
                       size_names[i], (long long)sizes[i]);
  if (trans_a != tsr_no_transpose && trans_a != tsr_transpose_op)
    return tsr_error(tsr_status_invalid_parameter, "%s: trans_a is %d; not a tsr_transpose", where, (int)trans_a);
  if (trans_b != tsr_no_transpose && trans_b != tsr_transpose_op)
    return tsr_error(tsr_status_invalid_parameter, "%s: trans_b is %d; not a tsr_transpose", where, (int)trans_b);
  const bool ta = trans_a == tsr_transpose_op, tb = trans_b == tsr_transpose_op;
  tsr_status status;
  if ((status = tsr_check_matrix(where, "a", a, ta ? k : m, ta ? m : k, lda, batch, stride_a)) ||
      (status = tsr_check_matrix(where, "b", b, tb ? n : k, tb ? k : n, ldb, batch, stride_b)) ||
      (status = tsr_check_matrix(where, "c", c, m, n, ldc, batch, stride_c)))
    return status;
  if (batch > 1 && (uint64_t)stride_c < (uint64_t)m * (uint64_t)ldc)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: stride_c is %lld; the C items overlap (need at least m * ldc = %lld)",
                     where, (long long)stride_c, (long long)(m * ldc));
  const struct tsr_gemm_args args = {
      .batch = (size_t)batch, .m = (size_t)m, .n = (size_t)n, .k = (size_t)k,
      .alpha = alpha, .beta = beta,
      .a = a, .lda = (size_t)lda, .stride_a = (size_t)stride_a, .trans_a = ta,
      .b = b, .ldb = (size_t)ldb, .stride_b = (size_t)stride_b, .trans_b = tb,
      .c = c, .ldc = (size_t)ldc, .stride_c = (size_t)stride_c};
  return tsr_gemm_execute(&args, pool, where);
}

tsr_status tsr_sgemm(tsr_transpose trans_a, tsr_transpose trans_b, int64_t m, int64_t n,
                     int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                     int64_t ldb, float beta, float* c, int64_t ldc, tsr_threadpool* pool) {
  return tsr_sgemm_checked("tsr_sgemm", 1, trans_a, trans_b, m, n, k, alpha, a, lda, 0, b, ldb,
                           0, beta, c, ldc, 0, pool);
}

tsr_status tsr_sgemm_batched(int64_t batch, tsr_transpose trans_a, tsr_transpose trans_b,
                             int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                             int64_t lda, int64_t stride_a, const float* b, int64_t ldb,
                             int64_t stride_b, float beta, float* c, int64_t ldc,
                             int64_t stride_c, tsr_threadpool* pool) {
  return tsr_sgemm_checked("tsr_sgemm_batched", batch, trans_a, trans_b, m, n, k, alpha, a, lda,
                           stride_a, b, ldb, stride_b, beta, c, ldc, stride_c, pool);
}
