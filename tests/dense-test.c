/* The dense layer: both weight layouts, with and without bias, every fused activation, leading
 * dims of any rank, batch 1 (the single-row kernel) and more, 1 to 3 threads, against the
 * reference (exact with integer inputs) and against oneDNN's inner product; concurrent runs of
 * one op from several threads; and every bad argument. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kernels/reference/gemm-reference.h"
#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

/* y = act(x W^T + bias) with W given [out][in]. */
static void tsr_dense_expected(size_t rows, size_t in, size_t out, const float* x, const float* w_out_in,
                               const float* bias, const tsr_activation* act, float* y) {
  tsr_reference_gemm_f32(false, true, rows, out, in, 1.0f, x, in, w_out_in, in, 0.0f, y, out, bias, act);
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_dense_onednn(size_t rows, size_t in, size_t out, float* x, float* w, float* bias,
                             const float* actual, const char* what) {
  tsr_tensor src = {.data = x}, weights = {.data = w}, b = {.data = bias}, dst = {0};
  const int64_t src_dims[] = {(int64_t)rows, (int64_t)in}, w_dims[] = {(int64_t)out, (int64_t)in};
  const int64_t b_dims[] = {(int64_t)out}, dst_dims[] = {(int64_t)rows, (int64_t)out};
  tsr_tensor_desc_init(&src.desc, tsr_dtype_f32, tsr_layout_plain, 2, src_dims);
  tsr_tensor_desc_init(&weights.desc, tsr_dtype_f32, tsr_layout_plain, 2, w_dims);
  tsr_tensor_desc_init(&b.desc, tsr_dtype_f32, tsr_layout_plain, 1, b_dims);
  tsr_tensor_desc_init(&dst.desc, tsr_dtype_f32, tsr_layout_plain, 2, dst_dims);
  dst.data = tsr_guarded_alloc(rows * out * sizeof(float));
  dnnl_memory_desc_t src_md, w_md, b_md, dst_md;
  tsr_onednn_md(&src.desc, &src_md);
  tsr_onednn_md(&weights.desc, &w_md);
  tsr_onednn_md(&b.desc, &b_md);
  tsr_onednn_md(&dst.desc, &dst_md);
  dnnl_inner_product_desc_t desc;
  dnnl_inner_product_forward_desc_init(&desc, dnnl_forward_inference, &src_md, &w_md, &b_md, &dst_md);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &src}, {DNNL_ARG_WEIGHTS, &weights}, {DNNL_ARG_BIAS, &b}, {DNNL_ARG_DST, &dst}};
  if (tsr_check(tsr_onednn_call_create(&call, &desc, NULL, 4, args) == 0, what, "oneDNN inner product")) {
    tsr_onednn_call_execute(&call);
    char label[300];
    snprintf(label, sizeof(label), "%s vs oneDNN inner product (%s)", what, call.implementation);
    tsr_check_close(label, actual, dst.data, rows * out, 0.0, 0.0);
    tsr_onednn_call_destroy(&call);
  }
  tsr_guarded_free(dst.data);
}
#endif

static void tsr_test_dense(tsr_threadpool* pool, tsr_rng* rng, int32_t ndims, const int64_t* lead,
                           size_t in, size_t out, tsr_dense_weights_layout layout, bool with_bias,
                           const tsr_activation* act) {
  size_t rows = 1;
  int64_t x_dims[TSR_MAX_DIMS], y_dims[TSR_MAX_DIMS];
  for (int32_t d = 0; d + 1 < ndims; d++) {
    rows *= (size_t)lead[d];
    x_dims[d] = y_dims[d] = lead[d];
  }
  x_dims[ndims - 1] = (int64_t)in;
  y_dims[ndims - 1] = (int64_t)out;
  float* x = tsr_guarded_alloc(rows * in * sizeof(float));
  float* w_out_in = tsr_guarded_alloc(in * out * sizeof(float));
  float* w_given = tsr_guarded_alloc(in * out * sizeof(float));
  float* bias = tsr_guarded_alloc(out * sizeof(float));
  float* y = tsr_guarded_alloc(rows * out * sizeof(float));
  float* expected = tsr_guarded_alloc(rows * out * sizeof(float));
  tsr_fill_integers(rng, x, rows * in, -3, 3);
  tsr_fill_integers(rng, w_out_in, in * out, -3, 3);
  tsr_fill_integers(rng, bias, out, -10, 10);
  for (size_t o = 0; o < out; o++)
    for (size_t i = 0; i < in; i++)
      w_given[layout == tsr_dense_weights_out_in ? o * in + i : i * out + o] = w_out_in[o * in + i];
  tsr_dense_expected(rows, in, out, x, w_out_in, with_bias ? bias : NULL, act, expected);

  tsr_op* op = NULL;
  if (!tsr_check_status(tsr_dense_create((int64_t)in, (int64_t)out, w_given, layout,
                                         with_bias ? bias : NULL, act, &op), tsr_status_success, "dense_create"))
    return;
  tsr_fill_nan(w_given, in * out); /* the op keeps its own packed copy */
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, ndims, x_dims);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, ndims, y_dims);
  tsr_fill_nan(y, rows * out);
  char what[300];
  snprintf(what, sizeof(what), "%s rows=%zu threads=%u", tsr_op_describe(op), rows, tsr_threadpool_threads(pool));
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, pool), tsr_status_success, what);
  tsr_check_close(what, y, expected, rows * out, 0.0, 0.0);
#ifdef TSR_HAVE_ONEDNN
  if (with_bias && act->kind == tsr_activation_none) tsr_dense_onednn(rows, in, out, x, w_out_in, bias, y, what);
#endif
  tsr_op_destroy(op);
  tsr_guarded_free(x);
  tsr_guarded_free(w_out_in);
  tsr_guarded_free(w_given);
  tsr_guarded_free(bias);
  tsr_guarded_free(y);
  tsr_guarded_free(expected);
}

/* One op, four application threads running it at once on their own tensors. */
struct tsr_concurrent {
  const tsr_op* op;
  const float* x;
  const float* expected;
  size_t rows, in, out;
  bool ok;
};

static void* tsr_concurrent_main(void* arg) {
  struct tsr_concurrent* c = arg;
  float* y = tsr_guarded_alloc(c->rows * c->out * sizeof(float));
  tsr_tensor tx = {.data = (void*)c->x}, ty = {.data = y};
  const int64_t xd[] = {(int64_t)c->rows, (int64_t)c->in}, yd[] = {(int64_t)c->rows, (int64_t)c->out};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 2, xd);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 2, yd);
  c->ok = true;
  for (int r = 0; r < 20; r++) {
    tsr_fill_nan(y, c->rows * c->out);
    if (tsr_op_run(c->op, 1, &tx, 1, &ty, NULL) != tsr_status_success ||
        tsr_count_mismatches(y, c->expected, c->rows * c->out, 0.0, 0.0) != 0)
      c->ok = false;
  }
  tsr_guarded_free(y);
  return NULL;
}

static void tsr_test_concurrent(tsr_rng* rng) {
  const size_t rows = 9, in = 70, out = 45;
  float w[70 * 45], x[9 * 70], expected[9 * 45];
  tsr_fill_integers(rng, w, in * out, -3, 3);
  tsr_fill_integers(rng, x, rows * in, -3, 3);
  tsr_dense_expected(rows, in, out, x, w, NULL, NULL, expected);
  tsr_op* op = NULL;
  tsr_dense_create((int64_t)in, (int64_t)out, w, tsr_dense_weights_out_in, NULL, NULL, &op);
  struct tsr_concurrent runs[4];
  pthread_t threads[4];
  for (int t = 0; t < 4; t++) {
    runs[t] = (struct tsr_concurrent){op, x, expected, rows, in, out, false};
    pthread_create(&threads[t], NULL, tsr_concurrent_main, &runs[t]);
  }
  bool ok = true;
  for (int t = 0; t < 4; t++) {
    pthread_join(threads[t], NULL);
    ok = ok && runs[t].ok;
  }
  tsr_check(ok, "dense concurrent", "a run from one of 4 threads gave a wrong result");
  tsr_op_destroy(op);
}

static void tsr_test_errors(void) {
  float w[12] = {0}, x[8] = {0}, y[6];
  tsr_op* op = (tsr_op*)0x1;
  const tsr_activation bad = {tsr_activation_clamp, 2.0f, 1.0f};
  tsr_check_status(tsr_dense_create(4, 3, NULL, 0, NULL, NULL, &op), tsr_status_invalid_parameter, "weights NULL");
  tsr_check_status(tsr_dense_create(0, 3, w, 0, NULL, NULL, &op), tsr_status_invalid_parameter, "in 0");
  tsr_check(strstr(tsr_last_error_message(), "in_features is 0") != NULL, "in 0 message", "'%s'", tsr_last_error_message());
  tsr_check_status(tsr_dense_create(4, -1, w, 0, NULL, NULL, &op), tsr_status_invalid_parameter, "out -1");
  tsr_check_status(tsr_dense_create(INT64_MAX / 2, 4, w, 0, NULL, NULL, &op), tsr_status_invalid_parameter, "overflow");
  tsr_check_status(tsr_dense_create(4, 3, w, (tsr_dense_weights_layout)5, NULL, NULL, &op), tsr_status_invalid_parameter, "layout 5");
  tsr_check_status(tsr_dense_create(4, 3, w, 0, NULL, &bad, &op), tsr_status_invalid_parameter, "bad activation");
  tsr_check_status(tsr_dense_create(4, 3, w, 0, NULL, NULL, NULL), tsr_status_invalid_parameter, "op NULL");
  tsr_check(op == (tsr_op*)0x1, "dense_create failures", "op written on failure");
  tsr_dense_create(4, 3, w, 0, NULL, NULL, &op);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  const int64_t xd[] = {2, 4}, yd[] = {2, 3}, wrong_in[] = {2, 5}, wrong_rows[] = {3, 3}, nhwc[] = {1, 3, 1, 2};
  tsr_fill_nan(y, 6);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 2, yd);
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 2, wrong_in);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "dense x features");
  tsr_check(strstr(tsr_last_error_message(), "inputs[0]") != NULL, "features message", "'%s'", tsr_last_error_message());
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 2, xd);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 2, wrong_rows);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "dense y rows");
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, nhwc);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_unsupported_parameter, "dense nhwc");
  tsr_check_untouched("dense failed runs", y, 6);
  tsr_op_destroy(op);
}

int main(void) {
  tsr_test_errors();
  tsr_rng rng = tsr_rng_seeded(9);
  const tsr_activation acts[] = {{tsr_activation_none, 0, 0}, {tsr_activation_relu, 0, 0}, {tsr_activation_clamp, -5, 6}};
  const int64_t one[] = {1}, seven[] = {7}, many[] = {150}, nested[] = {2, 3, 5};
  for (uint32_t threads = 1; threads <= 3; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    for (int layout = 0; layout < 2; layout++)
      for (size_t a = 0; a < 3; a++) {
        tsr_test_dense(pool, &rng, 2, one, 64, 10, (tsr_dense_weights_layout)layout, true, &acts[a]);
        tsr_test_dense(pool, &rng, 2, seven, 33, 17, (tsr_dense_weights_layout)layout, a != 1, &acts[a]);
        tsr_test_dense(pool, &rng, 2, many, 300, 129, (tsr_dense_weights_layout)layout, true, &acts[a]);
        tsr_test_dense(pool, &rng, 4, nested, 5, 3, (tsr_dense_weights_layout)layout, false, &acts[a]);
      }
    tsr_test_dense(pool, &rng, 1, NULL, 1000, 1, tsr_dense_weights_out_in, true, &acts[0]);
    tsr_test_dense(pool, &rng, 2, one, 2048, 1000, tsr_dense_weights_out_in, true, &acts[0]);
    /* past the GEMM's 1024-column task blocks, whose starts must fall on whole packed panels
     * (NEON's 12-column panels once split one); rows of several tiles */
    tsr_test_dense(pool, &rng, 2, seven, 40, 2500, tsr_dense_weights_out_in, true, &acts[0]);
    tsr_test_dense(pool, &rng, 2, many, 24, 1100, tsr_dense_weights_in_out, false, &acts[1]);
    tsr_threadpool_destroy(pool);
  }
  tsr_test_concurrent(&rng);
  return tsr_test_finish();
}
