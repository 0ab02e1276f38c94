/* Embedding lookup: rows against the table, padding rows zero whatever the table holds, indices
 * of any rank, 1 to 3 threads; an out-of-range or negative index refused with its position and
 * nothing written; and the argument checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"

int main(void) {
  const int64_t count = 50, dim = 7;
  float table[50 * 7];
  tsr_rng rng = tsr_rng_seeded(8);
  tsr_fill_uniform(&rng, table, 350, -1, 1);
  for (int padding = -1; padding <= 3; padding += 4) {
    tsr_op* op = NULL;
    tsr_check_status(tsr_embedding_create(count, dim, table, padding, &op), tsr_status_success, "embedding_create");
    int32_t indices[2 * 3 * 4];
    for (int i = 0; i < 24; i++) indices[i] = (int32_t)tsr_rng_below(&rng, 50);
    indices[5] = 3, indices[6] = 0, indices[7] = 49;
    const int64_t idims[] = {2, 3, 4}, ydims[] = {2, 3, 4, 7};
    tsr_tensor ti = {.data = indices}, ty = {.data = tsr_guarded_alloc(24 * 7 * sizeof(float))};
    tsr_tensor_desc_init(&ti.desc, tsr_dtype_s32, tsr_layout_plain, 3, idims);
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, ydims);
    float expected[24 * 7];
    for (int i = 0; i < 24; i++)
      for (int d = 0; d < 7; d++) expected[i * 7 + d] = indices[i] == padding ? 0.0f : table[indices[i] * 7 + d];
    for (uint32_t threads = 1; threads <= 3; threads++) {
      tsr_threadpool* pool = NULL;
      tsr_threadpool_create(threads, &pool);
      tsr_fill_nan(ty.data, 24 * 7);
      tsr_check_status(tsr_op_run(op, 1, &ti, 1, &ty, pool), tsr_status_success, tsr_op_describe(op));
      tsr_check_close(tsr_op_describe(op), ty.data, expected, 24 * 7, 0.0, 0.0);
      tsr_threadpool_destroy(pool);
    }
    /* Out of range and negative indices: refused, nothing written. */
    const int32_t bad_values[] = {50, -1, INT32_MAX};
    for (int b = 0; b < 3; b++) {
      indices[17] = bad_values[b];
      tsr_fill_nan(ty.data, 24 * 7);
      tsr_check_status(tsr_op_run(op, 1, &ti, 1, &ty, NULL), tsr_status_invalid_parameter, "bad index");
      tsr_check(strstr(tsr_last_error_message(), "element 17") != NULL, "bad index message", "'%s'", tsr_last_error_message());
      tsr_check_untouched("bad index", (float*)ty.data, 24 * 7);
    }
    /* Mismatched output dims. */
    const int64_t wrong[] = {2, 3, 4, 8};
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, wrong);
    indices[17] = 1;
    float big[24 * 8];
    ty.data = big;
    tsr_check_status(tsr_op_run(op, 1, &ti, 1, &ty, NULL), tsr_status_invalid_parameter, "embedding dims");
    tsr_op_destroy(op);
  }
  tsr_op* op = (tsr_op*)0x1;
  tsr_check_status(tsr_embedding_create(0, 4, table, -1, &op), tsr_status_invalid_parameter, "count 0");
  tsr_check_status(tsr_embedding_create(4, 0, table, -1, &op), tsr_status_invalid_parameter, "dim 0");
  tsr_check_status(tsr_embedding_create(4, 4, NULL, -1, &op), tsr_status_invalid_parameter, "weights NULL");
  tsr_check_status(tsr_embedding_create(4, 4, table, 4, &op), tsr_status_invalid_parameter, "padding 4 of 4");
  tsr_check(strstr(tsr_last_error_message(), "padding_index") != NULL, "padding message", "'%s'", tsr_last_error_message());
  tsr_check_status(tsr_embedding_create((int64_t)1 << 40, 4, table, -1, &op), tsr_status_invalid_parameter, "count 2^40");
  tsr_check(op == (tsr_op*)0x1, "embedding create failures", "op written");
  return tsr_test_finish();
}
