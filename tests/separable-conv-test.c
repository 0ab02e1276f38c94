/* Depthwise convolution with a depth multiplier, and separable convolution: worked by hand, a
 * seeded sweep against two oneDNN convolutions chained (depthwise, then 1x1) with tolerance 0 on
 * integer data, and every bad argument. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#include "tests/harness/spatial-case.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static void tsr_test_depth_multiplier_by_hand(void) {
  /* 2 channels, multiplier 2, 1x1 kernel: output channel c x 2 + j reads input channel c */
  tsr_conv_params p = tsr_conv_params_of(1, 2, 4, 2);
  const float x[4] = {1, 2, 3, 4}, w[4] = {1, 10, 100, 1000};
  float y[8];
  tsr_fill_nan(y, 8);
  tsr_tensor tx = {.data = (void*)x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 2});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 4, 2});
  tsr_op* op = NULL;
  tsr_conv_create(&p, w, NULL, &op);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_success, "depthwise multiplier 2");
  tsr_op_destroy(op);
  tsr_check_close("depthwise multiplier 2 by hand", y, (const float[]){1, 2, 10, 20, 300, 400, 3000, 4000}, 8, 0, 0);
}

static void tsr_test_separable_by_hand(void) {
  /* depthwise [1 1] valid over [1 2 3] = [3 5], bias -4 and ReLU between: [0 1]; pointwise
   * [2; -1] with bias [0 1]: [0 2] and [1 0] */
  tsr_separable_conv_params p;
  memset(&p, 0, sizeof(p));
  p.depthwise = tsr_conv_params_of(1, 1, 1, 1);
  p.depthwise.kernel[0] = 2;
  p.depthwise.activation.kind = tsr_activation_relu;
  p.out_channels = 2;
  const float x[3] = {1, 2, 3}, dw[2] = {1, 1}, dw_bias = -4, pw[2] = {2, -1}, bias[2] = {0, 1};
  float y[4];
  tsr_fill_nan(y, 4);
  int64_t out[3];
  tsr_check_status(tsr_separable_conv_output_shape(&p, 3, (const int64_t[]){1, 1, 3}, out), tsr_status_success,
                   "separable shape");
  tsr_check(out[1] == 2 && out[2] == 2, "separable shape", "[%lld %lld %lld]", (long long)out[0], (long long)out[1],
            (long long)out[2]);
  tsr_tensor tx = {.data = (void*)x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 1, 3});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 3, out);
  tsr_op* op = NULL;
  tsr_check_status(tsr_separable_conv_create(&p, dw, &dw_bias, pw, bias, &op), tsr_status_success, "separable create");
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_success, tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_check_close("separable conv by hand", y, (const float[]){0, 2, 1, 0}, 4, 0, 0);
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_sweep(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 15], dw[1 << 12], dwb[64], pw[1 << 12], b[64], middle[1 << 16], y[1 << 16], theirs[1 << 16];
  size_t run = 0;
  for (size_t c = 0; c < cases; c++) {
    tsr_separable_conv_params p;
    memset(&p, 0, sizeof(p));
    int64_t in_dims[5], middle_dims[5], out_dims[5];
    p.depthwise = tsr_random_conv_params(rng, in_dims);
    const int64_t ic = p.depthwise.in_channels, multiplier = 1 + (int64_t)tsr_rng_below(rng, 3);
    p.depthwise.groups = ic, p.depthwise.out_channels = ic * multiplier;
    p.out_channels = 1 + (int64_t)tsr_rng_below(rng, 8);
    const bool relu_between = tsr_rng_below(rng, 2), relu = tsr_rng_below(rng, 2), sum = tsr_rng_below(rng, 4) == 0;
    if (relu_between) p.depthwise.activation.kind = tsr_activation_relu;
    if (relu) p.activation.kind = tsr_activation_relu;
    if (sum) p.sum_scale = 1.0f;
    const int32_t ndims = p.depthwise.spatial_ndims + 2;
    if (tsr_separable_conv_output_shape(&p, ndims, in_dims, out_dims) != tsr_status_success) continue;
    tsr_conv_output_shape(&p.depthwise, ndims, in_dims, middle_dims);
    const tsr_layout layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    tsr_tensor tx = {.data = x}, ty = {.data = y}, tm = {.data = middle}, tt = {.data = theirs};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, ndims, in_dims);
    tsr_tensor_desc_init(&tm.desc, tsr_dtype_f32, layout, ndims, middle_dims);
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, layout, ndims, out_dims);
    tt.desc = ty.desc;
    size_t taps = 1;
    for (int d = 0; d < p.depthwise.spatial_ndims; d++) taps *= (size_t)p.depthwise.kernel[d];
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), mn = tsr_tensor_desc_elements(&tm.desc);
    const size_t yn = tsr_tensor_desc_elements(&ty.desc), mc = (size_t)p.depthwise.out_channels;
    if (xn > sizeof(x) / 4 || mn > sizeof(middle) / 4 || yn > sizeof(y) / 4 || mc * taps > sizeof(dw) / 4) continue;
    tsr_fill_integers(rng, x, xn, -3, 3);
    tsr_fill_integers(rng, dw, mc * taps, -2, 2);
    tsr_fill_integers(rng, dwb, mc, -3, 3);
    tsr_fill_integers(rng, pw, mc * (size_t)p.out_channels, -2, 2);
    tsr_fill_integers(rng, b, (size_t)p.out_channels, -3, 3);
    if (sum) {
      tsr_fill_integers(rng, y, yn, -5, 5);
      memcpy(theirs, y, yn * sizeof(float));
    } else {
      tsr_fill_nan(y, yn);
      tsr_fill_nan(theirs, yn);
    }
    tsr_op* op = NULL;
    tsr_separable_conv_create(&p, dw, dwb, pw, b, &op);
    tsr_op_run(op, 1, &tx, 1, &ty, pool);
    tsr_op_destroy(op);
    tsr_conv_params pointwise = tsr_conv_params_of(p.depthwise.spatial_ndims, mc, p.out_channels, 1);
    pointwise.activation = p.activation, pointwise.sum_scale = p.sum_scale;
    tsr_onednn_call first, second;
    char what[256], extra[96];
    snprintf(extra, sizeof(extra), " x%lld oc%lld%s%s%s", (long long)multiplier, (long long)p.out_channels,
             relu_between ? " relu-between" : "", relu ? " relu" : "", sum ? " sum" : "");
    tsr_conv_case_name(what, sizeof(what), "separable", &p.depthwise, in_dims, layout, extra);
    if (!tsr_check(tsr_onednn_conv_call(&first, &p.depthwise, &tx, dw, dwb, &tm) == 0, what, "oneDNN refused")) continue;
    if (!tsr_check(tsr_onednn_conv_call(&second, &pointwise, &tm, pw, b, &tt) == 0, what, "oneDNN refused")) {
      tsr_onednn_call_destroy(&first);
      continue;
    }
    tsr_onednn_call_execute(&first);
    tsr_onednn_call_execute(&second);
    tsr_onednn_call_destroy(&first);
    tsr_onednn_call_destroy(&second);
    tsr_check_close(what, y, theirs, yn, 0.0, 0.0);
    run++;
  }
  printf("separable sweep: %zu cases against two chained oneDNN convolutions\n", run);
}
#endif

static void tsr_test_errors(void) {
  tsr_separable_conv_params p;
  memset(&p, 0, sizeof(p));
  p.depthwise = tsr_conv_params_of(2, 4, 8, 4);
  p.out_channels = 3;
  const float w[64] = {0};
  tsr_op* op = (tsr_op*)0x1;
  struct { const char* fragment; tsr_separable_conv_params p; } cases[5];
  for (int i = 0; i < 5; i++) cases[i].p = p;
  cases[0].fragment = "depthwise.groups", cases[0].p.depthwise.groups = 2;
  cases[1].fragment = "depthwise.sum_scale", cases[1].p.depthwise.sum_scale = 1.0f;
  cases[2].fragment = "out_channels", cases[2].p.out_channels = 0;
  cases[3].fragment = "depthwise part: tsr_conv_create: stride[0]", cases[3].p.depthwise.stride[0] = 0;
  cases[4].fragment = "pointwise part: tsr_conv_create: activation", cases[4].p.activation.kind = (tsr_activation_kind)999;
  for (int i = 0; i < 5; i++) {
    tsr_check_status(tsr_separable_conv_create(&cases[i].p, w, NULL, w, NULL, &op), tsr_status_invalid_parameter,
                     cases[i].fragment);
    tsr_check(strstr(tsr_last_error_message(), cases[i].fragment) != NULL, cases[i].fragment, "message '%s'",
              tsr_last_error_message());
  }
  tsr_check_status(tsr_separable_conv_create(&p, NULL, NULL, w, NULL, &op), tsr_status_invalid_parameter, "dw NULL");
  tsr_check_status(tsr_separable_conv_create(&p, w, NULL, NULL, NULL, &op), tsr_status_invalid_parameter, "pw NULL");
  tsr_check_status(tsr_separable_conv_create(NULL, w, NULL, w, NULL, &op), tsr_status_invalid_parameter, "params NULL");
  tsr_check(op == (tsr_op*)0x1, "separable create failures", "op written");
  int64_t out[4];
  tsr_check_status(tsr_separable_conv_output_shape(&p, 4, (const int64_t[]){1, 3, 4, 4}, out),
                   tsr_status_invalid_parameter, "separable shape channels");
  tsr_check(strstr(tsr_last_error_message(), "channels") != NULL, "separable channels message", "'%s'",
            tsr_last_error_message());
  tsr_separable_conv_create(&p, w, NULL, w, NULL, &op);
  float x[64] = {0}, y[64];
  tsr_fill_nan(y, 64);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 4, 2, 2});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 8, 2, 2});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "separable output channels");
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, (const int64_t[]){1, 3, 2, 2});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_unsupported_parameter, "separable mixed layouts");
  tsr_check_untouched("separable failed runs", y, 64);
  tsr_op_destroy(op);
}

int main(void) {
  tsr_test_errors();
  tsr_test_depth_multiplier_by_hand();
  tsr_test_separable_by_hand();
#ifdef TSR_HAVE_ONEDNN
  tsr_rng rng = tsr_rng_seeded(77);
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  tsr_sweep(NULL, &rng, 300);
  tsr_sweep(pool, &rng, 300);
  tsr_threadpool_destroy(pool);
#endif
  return tsr_test_finish();
}
