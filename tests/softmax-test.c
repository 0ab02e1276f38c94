/* Softmax and log-softmax: every axis (negative ones too) of 1-D to 4-D tensors, plain, nhwc
 * and a strided view, row lengths 1, 2, 17 and 1000, 1 to 3 threads, in place; against a direct
 * double-precision evaluation written here (exp(x) / sum exp(x), no max shift, on inputs in
 * [-20, 20]) within 2 ulp relative, and against oneDNN's softmax and logsoftmax (1e-5); rows
 * sum to 1; NaN and infinities; and the argument checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

/* The direct definition, independent of the library's max-shifted form. */
static void tsr_expected(const tsr_tensor_desc* d, int32_t axis, bool logarithmic, const float* x, float* y) {
  const size_t total = tsr_tensor_desc_elements(d), n = (size_t)d->dims[axis];
  for (size_t flat = 0; flat < total; flat++) {
    size_t rest = flat, offset = 0, axis_index = 0;
    for (int32_t k = d->ndims - 1; k >= 0; k--) {
      const size_t i = rest % (size_t)d->dims[k];
      rest /= (size_t)d->dims[k];
      offset += i * (size_t)d->strides[k];
      if (k == axis) axis_index = i;
    }
    const size_t row_start = offset - axis_index * (size_t)d->strides[axis];
    double sum = 0.0;
    for (size_t j = 0; j < n; j++) sum += exp((double)x[row_start + j * (size_t)d->strides[axis]]);
    y[offset] = (float)(logarithmic ? (double)x[offset] - log(sum) : exp((double)x[offset]) / sum);
  }
}

static void tsr_test_case(tsr_threadpool* pool, tsr_rng* rng, const tsr_tensor_desc* d, int32_t axis,
                          int32_t axis_given, bool logarithmic) {
  const size_t bytes = tsr_tensor_desc_bytes(d), n = bytes / sizeof(float);
  float* x = tsr_guarded_alloc(bytes);
  float* y = tsr_guarded_alloc(bytes);
  float* expected = tsr_guarded_alloc(bytes);
  tsr_fill_uniform(rng, x, n, -20.0f, 20.0f);
  tsr_fill_nan(y, n);
  memcpy(expected, y, bytes); /* gaps of a strided view stay NaN in both */
  tsr_expected(d, axis, logarithmic, x, expected);
  tsr_op* op = NULL;
  tsr_softmax_create(axis_given, logarithmic, &op);
  tsr_tensor tx = {*d, x}, ty = {*d, y};
  char what[200];
  snprintf(what, sizeof(what), "%s %s ndims=%d dims[axis]=%lld threads=%u", tsr_op_describe(op),
           tsr_layout_name(d->layout), (int)d->ndims, (long long)d->dims[axis], tsr_threadpool_threads(pool));
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, pool), tsr_status_success, what);
  /* 2 ulp relative; log-softmax near 0 is held absolutely (its value is a difference). */
  tsr_check_close(what, y, expected, n, logarithmic ? 4e-6 : 1e-37, 2.4e-7);
  if (d->layout == tsr_layout_plain) { /* in place */
    tsr_check_status(tsr_op_run(op, 1, &tx, 1, &tx, pool), tsr_status_success, what);
    tsr_check_close(what, x, expected, n, logarithmic ? 4e-6 : 1e-37, 2.4e-7);
  }
  tsr_op_destroy(op);
  tsr_guarded_free(x);
  tsr_guarded_free(y);
  tsr_guarded_free(expected);
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_test_onednn(tsr_rng* rng, bool logarithmic) {
  const int64_t dims[] = {4, 7, 33};
  tsr_tensor tx = {0}, ty = {0}, to = {0};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, dims);
  ty.desc = to.desc = tx.desc;
  const size_t n = tsr_tensor_desc_elements(&tx.desc);
  tx.data = tsr_guarded_alloc(n * 4);
  ty.data = tsr_guarded_alloc(n * 4);
  to.data = tsr_guarded_alloc(n * 4);
  tsr_fill_uniform(rng, tx.data, n, -5.0f, 5.0f);
  for (int axis = 0; axis < 3; axis++) {
    tsr_op* op = NULL;
    tsr_softmax_create(axis, logarithmic, &op);
    tsr_op_run(op, 1, &tx, 1, &ty, NULL);
    dnnl_memory_desc_t md;
    tsr_onednn_md(&tx.desc, &md);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DST, &to}};
    int created;
    if (logarithmic) {
      dnnl_logsoftmax_desc_t desc;
      dnnl_logsoftmax_forward_desc_init(&desc, dnnl_forward_inference, &md, axis);
      created = tsr_onednn_call_create(&call, &desc, NULL, 2, args);
    } else {
      dnnl_softmax_desc_t desc;
      dnnl_softmax_forward_desc_init(&desc, dnnl_forward_inference, &md, axis);
      created = tsr_onednn_call_create(&call, &desc, NULL, 2, args);
    }
    if (tsr_check(created == 0, "oneDNN softmax", "could not be created")) {
      tsr_onednn_call_execute(&call);
      char what[160];
      snprintf(what, sizeof(what), "%s vs oneDNN %s", tsr_op_describe(op), call.implementation);
      tsr_check_close(what, ty.data, to.data, n, 1e-6, 1e-5);
      tsr_onednn_call_destroy(&call);
    }
    tsr_op_destroy(op);
  }
  tsr_guarded_free(tx.data);
  tsr_guarded_free(ty.data);
  tsr_guarded_free(to.data);
}
#endif

int main(void) {
  tsr_rng rng = tsr_rng_seeded(31);
  const int64_t shapes[][4] = {{1000, 0, 0, 0}, {3, 17, 0, 0}, {2, 1, 17, 0}, {2, 3, 4, 5}, {1, 2, 1, 1000}};
  const int32_t ranks[] = {1, 2, 3, 4, 4};
  for (uint32_t threads = 1; threads <= 3; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    for (size_t s = 0; s < 5; s++)
      for (int32_t axis = 0; axis < ranks[s]; axis++)
        for (int lg = 0; lg < 2; lg++) {
          tsr_tensor_desc d;
          tsr_tensor_desc_init(&d, tsr_dtype_f32, tsr_layout_plain, ranks[s], shapes[s]);
          tsr_test_case(pool, &rng, &d, axis, axis - (lg ? ranks[s] : 0), lg); /* negative axes too */
          if (ranks[s] >= 3) {
            tsr_tensor_desc_init(&d, tsr_dtype_f32, tsr_layout_nhwc, ranks[s], shapes[s]);
            tsr_test_case(pool, &rng, &d, axis, axis, lg);
          }
        }
    /* A strided view: every other element of a 6 x 10 buffer, as 3 x 5. */
    const int64_t dims[] = {3, 5}, strides[] = {20, 2};
    tsr_tensor_desc d;
    tsr_tensor_desc_init_strided(&d, tsr_dtype_f32, 2, dims, strides);
    tsr_test_case(pool, &rng, &d, 1, -1, false);
    tsr_test_case(pool, &rng, &d, 0, 0, true);
    tsr_threadpool_destroy(pool);
  }
#ifdef TSR_HAVE_ONEDNN
  tsr_test_onednn(&rng, false);
  tsr_test_onednn(&rng, true);
#endif
  /* Rows sum to 1, extreme inputs included (the max shift keeps exp from overflowing). */
  {
    float x[6] = {1000.0f, 999.0f, -1000.0f, 88.0f, 89.0f, 90.0f}, y[6];
    const int64_t dims[] = {2, 3};
    tsr_tensor t = {.data = x}, u = {.data = y};
    tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    u.desc = t.desc;
    tsr_op* op = NULL;
    tsr_softmax_create(-1, 0, &op);
    tsr_op_run(op, 1, &t, 1, &u, NULL);
    tsr_check(fabsf(y[0] + y[1] + y[2] - 1.0f) < 1e-6f && fabsf(y[3] + y[4] + y[5] - 1.0f) < 1e-6f &&
                  y[2] == 0.0f && fabsf(y[0] - 0.7310586f) < 1e-6f, "softmax of large inputs",
              "%g %g %g / %g %g %g", (double)y[0], (double)y[1], (double)y[2], (double)y[3], (double)y[4], (double)y[5]);
    /* NaN poisons its row only; +inf gives NaN (inf - inf); -inf gives 0. */
    float z[6] = {NAN, 1.0f, 2.0f, -INFINITY, 0.0f, 0.0f}, w[6];
    t.data = z;
    u.data = w;
    tsr_op_run(op, 1, &t, 1, &u, NULL);
    tsr_check(isnan(w[0]) && isnan(w[1]) && isnan(w[2]) && w[3] == 0.0f && w[4] == 0.5f && w[5] == 0.5f,
              "softmax NaN and -inf", "%g %g %g / %g %g %g", (double)w[0], (double)w[1], (double)w[2], (double)w[3],
              (double)w[4], (double)w[5]);
    float inf_row[3] = {INFINITY, 1.0f, 2.0f}, inf_out[3];
    const int64_t three[] = {3};
    tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 1, three);
    u.desc = t.desc;
    t.data = inf_row;
    u.data = inf_out;
    tsr_op_run(op, 1, &t, 1, &u, NULL);
    tsr_check(isnan(inf_out[0]), "softmax +inf", "gave %g, IEEE inf - inf is NaN", (double)inf_out[0]);
    tsr_op_destroy(op);
  }
  /* Argument checks. */
  {
    tsr_op* op = (tsr_op*)0x1;
    tsr_check_status(tsr_softmax_create(8, 0, &op), tsr_status_invalid_parameter, "axis 8");
    tsr_check_status(tsr_softmax_create(-9, 0, &op), tsr_status_invalid_parameter, "axis -9");
    tsr_check_status(tsr_softmax_create(0, 0, NULL), tsr_status_invalid_parameter, "op NULL");
    tsr_check(op == (tsr_op*)0x1, "softmax_create failures", "op written");
    tsr_softmax_create(3, 0, &op);
    float x[6] = {0}, y[6];
    tsr_fill_nan(y, 6);
    const int64_t dims[] = {2, 3}, nchw[] = {1, 3, 1, 2};
    tsr_tensor t = {.data = x}, u = {.data = y};
    tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    u.desc = t.desc;
    tsr_check_status(tsr_op_run(op, 1, &t, 1, &u, NULL), tsr_status_invalid_parameter, "axis 3 of 2-D");
    tsr_check(strstr(tsr_last_error_message(), "axis 3") != NULL, "axis message", "'%s'", tsr_last_error_message());
    tsr_op_destroy(op);
    tsr_softmax_create(1, 0, &op);
    tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_nchw8c, 4, nchw);
    tsr_tensor_desc_init(&u.desc, tsr_dtype_f32, tsr_layout_nchw8c, 4, nchw);
    float big[16] = {0}, big_out[16];
    t.data = big;
    u.data = big_out;
    tsr_check_status(tsr_op_run(op, 1, &t, 1, &u, NULL), tsr_status_unsupported_parameter, "blocked layout");
    const int64_t bstrides[] = {0, 1};
    t.data = x;
    u.data = y;
    tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    tsr_tensor_desc_init_strided(&u.desc, tsr_dtype_f32, 2, dims, bstrides);
    tsr_check_status(tsr_op_run(op, 1, &t, 1, &u, NULL), tsr_status_invalid_parameter, "broadcast output");
    tsr_check_untouched("softmax failed runs", y, 6);
    tsr_op_destroy(op);
  }
  return tsr_test_finish();
}
