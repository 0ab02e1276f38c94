/* Convolution: values worked by hand (1-D, dilated, 2-D same padding), shape inference with
 * TensorFlow's same-padding split, a seeded random sweep against oneDNN (1-D to 3-D, batch 1-3,
 * channels 1 and primes, kernels 1-5 non-square, strides and dilations 1-3, every padding
 * mode, groups and depthwise, plain and nhwc, bias, ReLU and sum post-ops) with tolerance 0 on
 * integer data, printing a failing case as a descriptor; and every bad argument. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static tsr_conv_params tsr_params(int32_t spatial, int64_t ic, int64_t oc, int64_t groups) {
  tsr_conv_params p;
  memset(&p, 0, sizeof(p));
  p.spatial_ndims = spatial, p.in_channels = ic, p.out_channels = oc, p.groups = groups;
  for (int d = 0; d < 3; d++) p.kernel[d] = p.stride[d] = p.dilation[d] = 1;
  return p;
}

static void tsr_run_conv(const tsr_conv_params* p, const float* w, const float* b, tsr_layout layout,
                         const int64_t* in_dims, float* x, float* y, tsr_threadpool* pool) {
  const int32_t ndims = p->spatial_ndims + 2;
  int64_t out_dims[5];
  tsr_conv_output_shape(p, ndims, in_dims, out_dims);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, ndims, in_dims);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, layout, ndims, out_dims);
  tsr_op* op = NULL;
  tsr_conv_create(p, w, b, &op);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, pool), tsr_status_success, tsr_op_describe(op));
  tsr_op_destroy(op);
}

static void tsr_test_by_hand(void) {
  { /* 1-D valid: [1 2 3 4 5] * [1 0 -1] = [-2 -2 -2] */
    tsr_conv_params p = tsr_params(1, 1, 1, 1);
    p.kernel[0] = 3, p.padding_mode = tsr_padding_valid;
    float x[5] = {1, 2, 3, 4, 5}, w[3] = {1, 0, -1}, y[3];
    const float e[3] = {-2, -2, -2};
    tsr_run_conv(&p, w, NULL, tsr_layout_plain, (const int64_t[]){1, 1, 5}, x, y, NULL);
    tsr_check_close("conv1d by hand", y, e, 3, 0, 0);
  }
  { /* dilation 3: y[i] = x[i] + x[i + 3] over [1..7] = [5 7 9 11], bias 10 */
    tsr_conv_params p = tsr_params(1, 1, 1, 1);
    p.kernel[0] = 2, p.dilation[0] = 3;
    float x[7] = {1, 2, 3, 4, 5, 6, 7}, w[2] = {1, 1}, b = 10, y[4];
    const float e[4] = {15, 17, 19, 21};
    tsr_run_conv(&p, w, &b, tsr_layout_plain, (const int64_t[]){1, 1, 7}, x, y, NULL);
    tsr_check_close("dilated conv1d by hand", y, e, 4, 0, 0);
  }
  { /* 2-D same, 3x3 ones over 3x3 ones: corners 4, edges 6, centre 9 */
    tsr_conv_params p = tsr_params(2, 1, 1, 1);
    p.kernel[0] = p.kernel[1] = 3, p.padding_mode = tsr_padding_same;
    float x[9], w[9], y[9];
    for (int i = 0; i < 9; i++) x[i] = w[i] = 1;
    const float e[9] = {4, 6, 4, 6, 9, 6, 4, 6, 4};
    tsr_run_conv(&p, w, NULL, tsr_layout_plain, (const int64_t[]){1, 1, 3, 3}, x, y, NULL);
    tsr_check_close("conv2d same by hand", y, e, 9, 0, 0);
  }
  { /* same padding, input 5, kernel 4, stride 2: output 3, padding 1 before and 2 after */
    tsr_conv_params p = tsr_params(1, 1, 1, 1);
    p.kernel[0] = 4, p.stride[0] = 2, p.padding_mode = tsr_padding_same;
    float x[5] = {1, 2, 3, 4, 5}, w[4] = {1, 1, 1, 1}, y[3];
    const float e[3] = {0 + 1 + 2 + 3, 2 + 3 + 4 + 5, 4 + 5 + 0 + 0}; /* windows [-1..2], [1..4], [3..6] */
    int64_t out[3];
    tsr_conv_output_shape(&p, 3, (const int64_t[]){1, 1, 5}, out);
    tsr_check(out[2] == 3, "same output size", "%lld", (long long)out[2]);
    tsr_run_conv(&p, w, NULL, tsr_layout_plain, (const int64_t[]){1, 1, 5}, x, y, NULL);
    tsr_check_close("same padding split, extra at the end", y, e, 3, 0, 0);
  }
}

#ifdef TSR_HAVE_ONEDNN
static size_t tsr_sweep(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 16], w[1 << 16], b[64], y[1 << 16], theirs[1 << 16];
  size_t run = 0, refused = 0;
  for (size_t c = 0; c < cases; c++) {
    const int32_t spatial = 1 + (int32_t)tsr_rng_below(rng, 3);
    const int64_t channel_choices[] = {1, 2, 3, 5, 7, 8};
    int64_t groups = 1, ic = channel_choices[tsr_rng_below(rng, 6)], oc = channel_choices[tsr_rng_below(rng, 6)];
    const uint64_t kind = tsr_rng_below(rng, 4);
    if (kind == 0) groups = oc = ic; /* depthwise */
    else if (kind == 1) { groups = 2; ic *= 2; oc *= 2; }
    tsr_conv_params p = tsr_params(spatial, ic, oc, groups);
    p.padding_mode = (tsr_padding_mode)tsr_rng_below(rng, 3);
    int64_t in_dims[5] = {1 + (int64_t)tsr_rng_below(rng, 3), ic};
    for (int d = 0; d < spatial; d++) {
      p.kernel[d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 3 : 5);
      p.stride[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
      p.dilation[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
      p.padding_begin[d] = (int64_t)tsr_rng_below(rng, 3);
      p.padding_end[d] = (int64_t)tsr_rng_below(rng, 3);
      in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 6 : 12);
    }
    const bool with_bias = tsr_rng_below(rng, 2), relu = tsr_rng_below(rng, 3) == 0, sum = tsr_rng_below(rng, 4) == 0;
    if (relu) p.activation.kind = tsr_activation_relu;
    if (sum) p.sum_scale = 1.0f;
    const tsr_layout layout = spatial > 0 && tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    int64_t out_dims[5];
    if (tsr_conv_output_shape(&p, spatial + 2, in_dims, out_dims) != tsr_status_success) {
      refused++; /* a kernel larger than the padded input */
      continue;
    }
    tsr_tensor tx = {.data = x}, ty = {.data = y}, tt = {.data = theirs};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, spatial + 2, in_dims);
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, layout, spatial + 2, out_dims);
    tt.desc = ty.desc;
    size_t taps = 1;
    for (int d = 0; d < spatial; d++) taps *= (size_t)p.kernel[d];
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), yn = tsr_tensor_desc_elements(&ty.desc);
    const size_t wn = (size_t)oc * (size_t)(ic / groups) * taps;
    if (xn > sizeof(x) / 4 || yn > sizeof(y) / 4 || wn > sizeof(w) / 4) continue;
    tsr_fill_integers(rng, x, xn, -3, 3);
    tsr_fill_integers(rng, w, wn, -3, 3);
    tsr_fill_integers(rng, b, (size_t)oc, -5, 5);
    if (sum) {
      tsr_fill_integers(rng, y, yn, -5, 5);
      memcpy(theirs, y, yn * sizeof(float));
    } else {
      tsr_fill_nan(y, yn);
      tsr_fill_nan(theirs, yn);
    }
    tsr_op* op = NULL;
    tsr_conv_create(&p, w, with_bias ? b : NULL, &op);
    tsr_op_run(op, 1, &tx, 1, &ty, pool);
    tsr_op_destroy(op);
    tsr_onednn_call call;
    const int created = tsr_onednn_conv_call(&call, &p, &tx, w, with_bias ? b : NULL, &tt);
    char what[256];
    int len = snprintf(what, sizeof(what), "conv g%lldmb%lldic%lldoc%lld", (long long)groups, (long long)in_dims[0], (long long)ic, (long long)oc);
    static const char* const axes = "dhw";
    for (int d = 0; d < spatial; d++) {
      const char a = axes[3 - spatial + d];
      len += snprintf(what + len, sizeof(what) - (size_t)len, "i%c%lldk%c%llds%c%lldd%c%lldp%c%lld-%lld", a, (long long)in_dims[2 + d], a,
                      (long long)p.kernel[d], a, (long long)p.stride[d], a, (long long)p.dilation[d] - 1, a,
                      (long long)p.padding_begin[d], (long long)p.padding_end[d]);
    }
    snprintf(what + len, sizeof(what) - (size_t)len, " %s %s%s%s%s", tsr_layout_name(layout),
             p.padding_mode == 0 ? "explicit" : p.padding_mode == 1 ? "same" : "valid", with_bias ? " bias" : "",
             relu ? " relu" : "", sum ? " sum" : "");
    if (!tsr_check(created == 0, what, "oneDNN refused the case")) continue;
    tsr_onednn_call_execute(&call);
    tsr_onednn_call_destroy(&call);
    tsr_check_close(what, y, theirs, yn, 0.0, 0.0);
    run++;
  }
  printf("conv sweep: %zu cases against oneDNN, %zu refused as empty outputs\n", run, refused);
  return run;
}
#endif

static void tsr_test_errors(void) {
  const float w[4 * 4 * 3 * 3] = {0}; /* the largest valid convolution below reads 144 */
  tsr_op* op = (tsr_op*)0x1;
  struct { const char* fragment; tsr_conv_params p; } cases[8];
  for (int i = 0; i < 8; i++) cases[i].p = tsr_params(2, 4, 4, 1);
  cases[0].fragment = "spatial_ndims", cases[0].p.spatial_ndims = 4;
  cases[1].fragment = "groups", cases[1].p.groups = 3;
  cases[2].fragment = "stride[1]", cases[2].p.stride[1] = 0;
  cases[3].fragment = "dilation[0]", cases[3].p.dilation[0] = 0;
  cases[4].fragment = "padding_begin[0]", cases[4].p.padding_begin[0] = -1;
  cases[5].fragment = "kernel[1]", cases[5].p.kernel[1] = 0;
  cases[6].fragment = "in_channels", cases[6].p.in_channels = 0;
  cases[7].fragment = "overflows", cases[7].p.kernel[0] = cases[7].p.kernel[1] = (int64_t)1 << 35;
  for (int i = 0; i < 8; i++) {
    tsr_check_status(tsr_conv_create(&cases[i].p, w, NULL, &op), tsr_status_invalid_parameter, cases[i].fragment);
    tsr_check(strstr(tsr_last_error_message(), cases[i].fragment) != NULL, cases[i].fragment, "message '%s'", tsr_last_error_message());
  }
  tsr_conv_params good = tsr_params(2, 4, 4, 1);
  tsr_check_status(tsr_conv_create(&good, NULL, NULL, &op), tsr_status_invalid_parameter, "weights NULL");
  tsr_check_status(tsr_conv_create(NULL, w, NULL, &op), tsr_status_invalid_parameter, "params NULL");
  tsr_check(op == (tsr_op*)0x1, "conv create failures", "op written");
  /* run: channels that do not match, kernel larger than the padded input, output dims */
  good.kernel[0] = good.kernel[1] = 3;
  tsr_conv_create(&good, w, NULL, &op);
  float x[64] = {0}, y[64];
  tsr_fill_nan(y, 64);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 3, 4, 4});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 4, 2, 2});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "conv channels 3 vs 4");
  tsr_check(strstr(tsr_last_error_message(), "channels") != NULL, "channels message", "'%s'", tsr_last_error_message());
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 4, 2, 4});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "kernel larger than input");
  tsr_check(strstr(tsr_last_error_message(), "larger than the padded input") != NULL, "kernel message", "'%s'", tsr_last_error_message());
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 4, 4, 4});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 4, 3, 2});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "conv output dims");
  size_t untouched = 0;
  for (int i = 0; i < 64; i++) untouched += isnan(y[i]);
  tsr_check(untouched == 64, "conv failed runs", "%zu outputs written", 64 - untouched);
  tsr_op_destroy(op);
  int64_t out[4];
  tsr_check_status(tsr_conv_output_shape(&good, 3, (const int64_t[]){1, 4, 4}, out), tsr_status_invalid_parameter, "shape ndims");
}

int main(void) {
  tsr_test_errors();
  tsr_test_by_hand();
#ifdef TSR_HAVE_ONEDNN
  tsr_rng rng = tsr_rng_seeded(2026);
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  tsr_sweep(NULL, &rng, 1500);
  tsr_sweep(pool, &rng, 1500);
  tsr_threadpool_destroy(pool);
#endif
  return tsr_test_finish();
}
