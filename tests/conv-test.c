/* Convolution and transposed convolution: values worked by hand (1-D, dilated, 2-D same
 * padding; transposed with stride, padding, output padding, same and dilation), shape
 * inference with TensorFlow's same-padding split, seeded random sweeps against oneDNN's
 * convolution and deconvolution (1-D to 3-D, batch 1-4, channels 1 and primes, kernels 1-7
 * non-square, strides and dilations 1-3, every padding mode, groups and depthwise, plain and
 * nhwc, bias, ReLU and sum post-ops) with tolerance 0 on integer data, printing a failing case
 * as a descriptor; and every bad argument. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scratch.h"
#include "tests/harness/harness.h"
#include "tests/harness/spatial-case.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

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
    tsr_conv_params p = tsr_conv_params_of(1, 1, 1, 1);
    p.kernel[0] = 3, p.padding_mode = tsr_padding_valid;
    float x[5] = {1, 2, 3, 4, 5}, w[3] = {1, 0, -1}, y[3];
    const float e[3] = {-2, -2, -2};
    tsr_run_conv(&p, w, NULL, tsr_layout_plain, (const int64_t[]){1, 1, 5}, x, y, NULL);
    tsr_check_close("conv1d by hand", y, e, 3, 0, 0);
  }
  { /* dilation 3: y[i] = x[i] + x[i + 3] over [1..7] = [5 7 9 11], bias 10 */
    tsr_conv_params p = tsr_conv_params_of(1, 1, 1, 1);
    p.kernel[0] = 2, p.dilation[0] = 3;
    float x[7] = {1, 2, 3, 4, 5, 6, 7}, w[2] = {1, 1}, b = 10, y[4];
    const float e[4] = {15, 17, 19, 21};
    tsr_run_conv(&p, w, &b, tsr_layout_plain, (const int64_t[]){1, 1, 7}, x, y, NULL);
    tsr_check_close("dilated conv1d by hand", y, e, 4, 0, 0);
  }
  { /* 2-D same, 3x3 ones over 3x3 ones: corners 4, edges 6, centre 9 */
    tsr_conv_params p = tsr_conv_params_of(2, 1, 1, 1);
    p.kernel[0] = p.kernel[1] = 3, p.padding_mode = tsr_padding_same;
    float x[9], w[9], y[9];
    for (int i = 0; i < 9; i++) x[i] = w[i] = 1;
    const float e[9] = {4, 6, 4, 6, 9, 6, 4, 6, 4};
    tsr_run_conv(&p, w, NULL, tsr_layout_plain, (const int64_t[]){1, 1, 3, 3}, x, y, NULL);
    tsr_check_close("conv2d same by hand", y, e, 9, 0, 0);
  }
  { /* same padding, input 5, kernel 4, stride 2: output 3, padding 1 before and 2 after */
    tsr_conv_params p = tsr_conv_params_of(1, 1, 1, 1);
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

static void tsr_run_deconv(const tsr_conv_params* p, const int64_t* output_padding, const float* w, const float* b,
                           const int64_t* in_dims, float* x, float* y, size_t expected_extent) {
  const int32_t ndims = p->spatial_ndims + 2;
  int64_t out_dims[5] = {0};
  tsr_check_status(tsr_deconv_output_shape(p, output_padding, ndims, in_dims, out_dims), tsr_status_success,
                   "deconv shape");
  tsr_check(out_dims[ndims - 1] == (int64_t)expected_extent, "deconv output extent", "%lld, expected %zu",
            (long long)out_dims[ndims - 1], expected_extent);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, ndims, in_dims);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, ndims, out_dims);
  tsr_op* op = NULL;
  tsr_deconv_create(p, output_padding, w, b, &op);
  tsr_fill_nan(y, expected_extent);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_success, tsr_op_describe(op));
  tsr_op_destroy(op);
}

/* Transposed convolution scatters x[p] * w[k] to y[p * stride + k * dilation - pad_begin]. */
static void tsr_test_deconv_by_hand(void) {
  float x[3] = {1, 2, 3}, w[3] = {1, 1, 1}, y[8];
  tsr_conv_params p = tsr_conv_params_of(1, 1, 1, 1);
  p.kernel[0] = 3, p.stride[0] = 2;
  /* positions 0..6: 1, 1, 1+2, 2, 2+3, 3, 3 */
  tsr_run_deconv(&p, NULL, w, NULL, (const int64_t[]){1, 1, 3}, x, y, 7);
  tsr_check_close("deconv1d stride 2 by hand", y, (const float[]){1, 1, 3, 2, 5, 3, 3}, 7, 0, 0);
  p.padding_begin[0] = p.padding_end[0] = 1; /* drops the first and last */
  tsr_run_deconv(&p, NULL, w, NULL, (const int64_t[]){1, 1, 3}, x, y, 5);
  tsr_check_close("deconv1d padding 1 by hand", y, (const float[]){1, 3, 2, 5, 3}, 5, 0, 0);
  tsr_run_deconv(&p, (const int64_t[]){1}, w, NULL, (const int64_t[]){1, 1, 3}, x, y, 6); /* gives back the last */
  tsr_check_close("deconv1d output padding by hand", y, (const float[]){1, 3, 2, 5, 3, 3}, 6, 0, 0);
  p.padding_mode = tsr_padding_same; /* 3 x 2 = 6 outputs; padding (3 - 2) / 2 = 0 at the start */
  tsr_run_deconv(&p, NULL, w, NULL, (const int64_t[]){1, 1, 3}, x, y, 6);
  tsr_check_close("deconv1d same by hand", y, (const float[]){1, 1, 3, 2, 5, 3}, 6, 0, 0);
  /* dilation 3, kernel [1 10], bias 100, output padding 2 (allowed: below the dilation) past
   * the last reachable position: q = p + 3k */
  p = tsr_conv_params_of(1, 1, 1, 1);
  p.kernel[0] = 2, p.dilation[0] = 3;
  const float w2[2] = {1, 10}, bias = 100;
  tsr_run_deconv(&p, (const int64_t[]){2}, w2, &bias, (const int64_t[]){1, 1, 2}, x, y, 7);
  tsr_check_close("dilated deconv1d with output padding by hand", y, (const float[]){101, 102, 100, 110, 120, 100, 100},
                  7, 0, 0);
}

/* A sweep case's tensors on the sweep's buffers (x, w, y and other: `capacity` floats each):
 * x, w and b filled with small integers (exact sums), y and the independent answer's output
 * with the same integers when the case sums into its output, NaN otherwise (an unwritten
 * element fails). Returns y's element count, or 0 when the case does not fit the buffers. */
static size_t tsr_case_tensors(tsr_rng* rng, const tsr_conv_params* p, tsr_layout layout, const int64_t* in_dims,
                               const int64_t* out_dims, size_t capacity, float* w, float* b, tsr_tensor* tx,
                               tsr_tensor* ty, tsr_tensor* other) {
  const int32_t ndims = p->spatial_ndims + 2;
  tsr_tensor_desc_init(&tx->desc, tsr_dtype_f32, layout, ndims, in_dims);
  tsr_tensor_desc_init(&ty->desc, tsr_dtype_f32, layout, ndims, out_dims);
  other->desc = ty->desc;
  size_t wn = (size_t)p->out_channels * (size_t)(p->in_channels / p->groups); /* either way round */
  for (int d = 0; d < p->spatial_ndims; d++) wn *= (size_t)p->kernel[d];
  const size_t xn = tsr_tensor_desc_elements(&tx->desc), yn = tsr_tensor_desc_elements(&ty->desc);
  if (xn > capacity || yn > capacity || wn > capacity) return 0;
  float *y = ty->data, *theirs = other->data;
  tsr_fill_integers(rng, tx->data, xn, -3, 3);
  tsr_fill_integers(rng, w, wn, -3, 3);
  tsr_fill_integers(rng, b, (size_t)p->out_channels, -5, 5);
  if (p->sum_scale != 0.0f) {
    tsr_fill_integers(rng, y, yn, -5, 5);
    memcpy(theirs, y, yn * sizeof(float));
  } else {
    tsr_fill_nan(y, yn);
    tsr_fill_nan(theirs, yn);
  }
  return yn;
}

/* The op as created, and the same layer on the reference path (TESSERA_CONV=reference). */
static void tsr_create_with_reference(const tsr_conv_params* p, const float* w, const float* b, tsr_op** fast,
                                      tsr_op** slow) {
  tsr_conv_create(p, w, b, fast);
  setenv("TESSERA_CONV", "reference", 1);
  tsr_conv_create(p, w, b, slow);
  unsetenv("TESSERA_CONV");
}

#ifdef TSR_HAVE_ONEDNN
/* Convolution, or with `transposed` transposed convolution (its weights have the same count),
 * against oneDNN's convolution or deconvolution. */
static size_t tsr_sweep(tsr_threadpool* pool, tsr_rng* rng, size_t cases, bool transposed) {
  static float x[1 << 16], w[1 << 16], b[64], theirs[1 << 16];
  static _Alignas(64) float y[1 << 16]; /* aligned: outputs past the test LLC stream (main) */
  size_t run = 0, refused = 0;
  for (size_t c = 0; c < cases; c++) {
    int64_t in_dims[5];
    tsr_conv_params p = tsr_random_conv_params(rng, in_dims);
    p.algorithm = tsr_conv_algorithm_direct; /* exact, so tolerance 0 holds */
    const int32_t spatial = p.spatial_ndims;
    const bool with_bias = tsr_rng_below(rng, 2), relu = tsr_rng_below(rng, 3) == 0, sum = tsr_rng_below(rng, 4) == 0;
    if (relu) p.activation.kind = tsr_activation_relu;
    if (sum) p.sum_scale = 1.0f;
    const tsr_layout layout = spatial > 0 && tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    int64_t out_dims[5], output_padding[3] = {0};
    for (int d = 0; transposed && p.padding_mode == tsr_padding_explicit && d < spatial; d++)
      output_padding[d] = (int64_t)tsr_rng_below(rng, (uint64_t)p.stride[d]); /* oneDNN takes no more */
    if ((transposed ? tsr_deconv_output_shape(&p, output_padding, spatial + 2, in_dims, out_dims)
                    : tsr_conv_output_shape(&p, spatial + 2, in_dims, out_dims)) != tsr_status_success) {
      refused++; /* a kernel larger than the padded input, or padding larger than the output */
      continue;
    }
    tsr_tensor tx = {.data = x}, ty = {.data = y}, tt = {.data = theirs};
    const size_t yn = tsr_case_tensors(rng, &p, layout, in_dims, out_dims, sizeof(x) / 4, w, b, &tx, &ty, &tt);
    if (yn == 0) continue;
    tsr_op* op = NULL;
    if (transposed) tsr_deconv_create(&p, output_padding, w, with_bias ? b : NULL, &op);
    else tsr_conv_create(&p, w, with_bias ? b : NULL, &op);
    tsr_op_run(op, 1, &tx, 1, &ty, pool);
    tsr_op_destroy(op);
    tsr_onednn_call call;
    const int created = (transposed ? tsr_onednn_deconv_call : tsr_onednn_conv_call)(&call, &p, &tx, w,
                                                                                     with_bias ? b : NULL, &tt);
    char what[256], extra[32];
    snprintf(extra, sizeof(extra), "%s%s%s op%lld,%lld,%lld", with_bias ? " bias" : "", relu ? " relu" : "",
             sum ? " sum" : "", (long long)output_padding[0], (long long)output_padding[1], (long long)output_padding[2]);
    tsr_conv_case_name(what, sizeof(what), transposed ? "deconv" : "conv", &p, in_dims, layout, extra);
    if (!tsr_check(created == 0, what, "oneDNN refused the case")) continue;
    tsr_onednn_call_execute(&call);
    tsr_onednn_call_destroy(&call);
    tsr_check_close(what, y, theirs, yn, 0.0, 0.0);
    run++;
  }
  printf("%s sweep: %zu cases against oneDNN, %zu refused as empty outputs\n", transposed ? "deconv" : "conv", run,
         refused);
  return run;
}
#endif

/* The fast paths (1x1 GEMM, indirect GEMM, depthwise) against the reference path
 * (TESSERA_CONV=reference at creation) on the same tensors: channels below, at and above the
 * kernels' blocks (tiles of 4-8 pixels, 4-32 channels), pixel counts around the tiles, 1-D to
 * 3-D, strides, dilations, padding, groups, depthwise with multipliers 1 and 2, batch 1-3,
 * plain and nhwc, bias, ReLU, clamp and the sum; tolerance 0 on integer data. GELU (applied
 * after the kernels) within 2 ulp-sized relative error. The first-layer sweep: 1-4 input
 * channels, kernels 2-7 wide with strides 1-3 along w and up to 3 columns of padding (a
 * network's stem, where few channels a tap meet many taps). */
enum tsr_sweep_kind { tsr_sweep_any, tsr_sweep_depthwise, tsr_sweep_first_layers };

static void tsr_sweep_fast(tsr_threadpool* pool, tsr_rng* rng, size_t cases, enum tsr_sweep_kind sweep) {
  const bool depthwise = sweep == tsr_sweep_depthwise, first = sweep == tsr_sweep_first_layers;
  static float x[1 << 17], w[1 << 17], b[256], ref[1 << 17];
  static _Alignas(64) float mine[1 << 17]; /* aligned: outputs past the test LLC stream (main) */
  static const int64_t channels[] = {1, 3, 4, 8, 15, 16, 17, 31, 32, 33, 48};
  size_t run = 0, by_algorithm[4] = {0};
  for (size_t c = 0; c < cases; c++) {
    const int32_t spatial = tsr_rng_below(rng, 4) == 0 ? 1 + (int32_t)tsr_rng_below(rng, 3) : 2;
    int64_t ic = channels[tsr_rng_below(rng, 11)], oc = channels[tsr_rng_below(rng, 11)], groups = 1;
    const uint64_t kind = depthwise ? 0 : first ? 5 : tsr_rng_below(rng, 6);
    if (first) ic = 1 + (int64_t)tsr_rng_below(rng, 4);
    /* deep depthwise layers (97-256 channels): many channel vectors and a lane tail in each row
     * call, and pixel strides that are multiples of 16 floats (streamed) or not */
    const bool deep = depthwise && tsr_rng_below(rng, 4) == 0;
    if (deep) ic = 97 + (int64_t)tsr_rng_below(rng, 160); /* b holds 256 */
    if (kind == 0) groups = ic, oc = ic;                    /* depthwise */
    else if (kind == 1) groups = ic, oc = 2 * ic;           /* depthwise, multiplier 2 */
    else if (kind == 2) groups = 2, ic *= 2, oc *= 2;
    tsr_conv_params p = tsr_conv_params_of(spatial, ic, oc, groups);
    p.algorithm = tsr_conv_algorithm_direct; /* exact: Winograd has its own sweep below */
    int64_t in_dims[5] = {deep ? 1 : 1 + (int64_t)tsr_rng_below(rng, 3), ic};
    const bool pointwise = tsr_rng_below(rng, 3) == 0;
    p.padding_mode = (tsr_padding_mode)tsr_rng_below(rng, 3);
    for (int d = 0; d < spatial; d++) {
      p.kernel[d] = pointwise ? 1 : 1 + 2 * (int64_t)tsr_rng_below(rng, spatial == 3 ? 2 : 4);
      p.stride[d] = pointwise && tsr_rng_below(rng, 2) ? 1 : 1 + (int64_t)tsr_rng_below(rng, 2);
      p.dilation[d] = tsr_rng_below(rng, 4) == 0 ? 2 : 1;
      p.padding_begin[d] = (int64_t)tsr_rng_below(rng, 3);
      p.padding_end[d] = (int64_t)tsr_rng_below(rng, 3);
      in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 7 : spatial == 2 ? 15 : 40);
      /* depthwise: rows up to 40 wide, so the row kernel runs long interiors (4-pixel steps and
       * their remainders) between the per-pixel edges, and tasks start and end mid-row */
      if (depthwise && d == spatial - 1) in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, deep ? 30 : 40);
      /* first layers: kernels 2-7 wide along w, strides 1-3, windows reaching into either padding */
      if (first && d == spatial - 1) {
        p.kernel[d] = 2 + (int64_t)tsr_rng_below(rng, 6), p.stride[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
        p.dilation[d] = 1, p.padding_begin[d] = (int64_t)tsr_rng_below(rng, 4);
        in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, 40);
      }
      /* 1-D 1x1 layers past 512 output pixels: plain NCHW runs them on the GEMM engine directly */
      if (pointwise && spatial == 1 && tsr_rng_below(rng, 2) == 0) in_dims[2 + d] = 500 + (int64_t)tsr_rng_below(rng, 700);
    }
    const uint64_t act = tsr_rng_below(rng, 5);
    if (act == 1) p.activation.kind = tsr_activation_relu;
    if (act == 2) p.activation = (tsr_activation){tsr_activation_clamp, -20.0f, 30.0f};
    if (act == 3) p.activation.kind = tsr_activation_gelu_erf;
    if (tsr_rng_below(rng, 4) == 0) p.sum_scale = tsr_rng_below(rng, 2) ? 1.0f : 2.0f;
    const bool with_bias = tsr_rng_below(rng, 3) != 0;
    const tsr_layout layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    int64_t out_dims[5];
    if (tsr_conv_output_shape(&p, spatial + 2, in_dims, out_dims) != tsr_status_success) continue;
    tsr_tensor tx = {.data = x}, ty = {.data = mine}, tr = {.data = ref};
    const size_t yn = tsr_case_tensors(rng, &p, layout, in_dims, out_dims, sizeof(x) / 4, w, b, &tx, &ty, &tr);
    if (yn == 0) continue;
    tsr_op *fast = NULL, *slow = NULL;
    tsr_create_with_reference(&p, w, with_bias ? b : NULL, &fast, &slow);
    char what[320];
    tsr_conv_case_name(what, sizeof(what), "conv", &p, in_dims, layout, act == 3 ? " gelu" : "");
    snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", tsr_op_describe(fast));
    tsr_check_status(tsr_op_run(fast, 1, &tx, 1, &ty, pool), tsr_status_success, what);
    tsr_op_run(slow, 1, &tx, 1, &tr, pool);
    tsr_check_close(what, mine, ref, yn, act == 3 ? 1e-6 : 0.0, act == 3 ? 2.4e-7 : 0.0);
    const char* impl = strstr(tsr_op_describe(fast), "impl=");
    by_algorithm[impl == NULL ? 0 : impl[5] == 'g' ? 1 : impl[5] == 'i' ? 2 : impl[5] == 'd' ? 3 : 0]++;
    tsr_op_destroy(fast);
    tsr_op_destroy(slow);
    run++;
  }
  printf("fast conv sweep: %zu cases against the reference path (gemm %zu, igemm %zu, dwconv %zu, other %zu)\n", run,
         by_algorithm[1], by_algorithm[2], by_algorithm[3], by_algorithm[0]);
}

/* Convolution backward (dx by GEMM + col2im, dW by im2col + GEMM, db) against the reference
 * path's (TESSERA_CONV=reference at creation: the loops in double) on the same tensors: 1-D to
 * 3-D, channels below, at and above the GEMM tiles, groups and depthwise, kernels 1-5, strides,
 * dilations, padding, a quarter 1x1 at stride 1 without padding (dW reads x in place), batch
 * 1-3, plain and nhwc; with the test's 16 KiB LLC the weight gradient takes bands of as few as
 * 16 positions, so bands end mid-row and samples hold several; dx, dW and db start as NaN;
 * tolerance 0 on integer data. */
static void tsr_sweep_backward(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 15], w[1 << 15], dy[1 << 15], dx[2][1 << 15], dw[2][1 << 15], db[2][256];
  static const int64_t channels[] = {1, 3, 4, 8, 15, 16, 17, 33};
  size_t run = 0, pointwise_cases = 0;
  for (size_t c = 0; c < cases; c++) {
    const int32_t spatial = tsr_rng_below(rng, 4) == 0 ? 1 + (int32_t)tsr_rng_below(rng, 3) : 2;
    int64_t ic = channels[tsr_rng_below(rng, 8)], oc = channels[tsr_rng_below(rng, 8)], groups = 1;
    const uint64_t kind = tsr_rng_below(rng, 5);
    if (kind == 0) groups = ic, oc = ic; /* depthwise */
    else if (kind == 1) groups = 2, ic *= 2, oc *= 2;
    tsr_conv_params p = tsr_conv_params_of(spatial, ic, oc, groups);
    int64_t in_dims[5] = {1 + (int64_t)tsr_rng_below(rng, 3), ic};
    const bool pointwise = tsr_rng_below(rng, 4) == 0; /* dW reads x in place */
    p.padding_mode = pointwise ? tsr_padding_explicit : (tsr_padding_mode)tsr_rng_below(rng, 3);
    for (int d = 0; d < spatial; d++) {
      p.kernel[d] = pointwise ? 1 : 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 3 : 5);
      p.stride[d] = pointwise ? 1 : 1 + (int64_t)tsr_rng_below(rng, 2);
      p.dilation[d] = tsr_rng_below(rng, 4) == 0 ? 2 : 1;
      p.padding_begin[d] = pointwise ? 0 : (int64_t)tsr_rng_below(rng, 3);
      p.padding_end[d] = pointwise ? 0 : (int64_t)tsr_rng_below(rng, 3);
      in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 6 : spatial == 2 ? 13 : 40);
    }
    const tsr_layout layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    int64_t out_dims[5];
    if (tsr_conv_output_shape(&p, spatial + 2, in_dims, out_dims) != tsr_status_success) continue;
    tsr_tensor tx = {.data = x}, tdy = {.data = dy};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, spatial + 2, in_dims);
    tsr_tensor_desc_init(&tdy.desc, tsr_dtype_f32, layout, spatial + 2, out_dims);
    int64_t wn = oc * (ic / groups);
    for (int d = 0; d < spatial; d++) wn *= p.kernel[d];
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), yn = tsr_tensor_desc_elements(&tdy.desc);
    if (xn > sizeof(x) / 4 || yn > sizeof(dy) / 4 || (size_t)wn > sizeof(w) / 4) continue;
    tsr_fill_integers(rng, x, xn, -3, 3);
    tsr_fill_integers(rng, dy, yn, -3, 3);
    tsr_fill_integers(rng, w, (size_t)wn, -3, 3);
    tsr_op* ops[2] = {NULL, NULL};
    tsr_conv_backward_create(&p, w, &ops[0]);
    setenv("TESSERA_CONV", "reference", 1);
    tsr_conv_backward_create(&p, w, &ops[1]);
    unsetenv("TESSERA_CONV");
    char what[320];
    tsr_conv_case_name(what, sizeof(what), "conv backward", &p, in_dims, layout, "");
    snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", tsr_op_describe(ops[0]));
    for (int k = 0; k < 2; k++) {
      tsr_fill_nan(dx[k], xn), tsr_fill_nan(dw[k], (size_t)wn), tsr_fill_nan(db[k], (size_t)oc);
      tsr_tensor ins[2] = {tx, tdy}, outs[3] = {{.desc = tx.desc, .data = dx[k]}, {.data = dw[k]}, {.data = db[k]}};
      tsr_tensor_desc_init(&outs[1].desc, tsr_dtype_f32, tsr_layout_plain, 1, &wn);
      tsr_tensor_desc_init(&outs[2].desc, tsr_dtype_f32, tsr_layout_plain, 1, &oc);
      tsr_check_status(tsr_op_run(ops[k], 2, ins, 3, outs, pool), tsr_status_success, what);
      tsr_op_destroy(ops[k]);
    }
    tsr_check_close(what, dx[0], dx[1], xn, 0.0, 0.0);
    tsr_check_close(what, dw[0], dw[1], (size_t)wn, 0.0, 0.0);
    tsr_check_close(what, db[0], db[1], (size_t)oc, 0.0, 0.0);
    pointwise_cases += pointwise;
    run++;
  }
  printf("conv backward sweep: %zu cases against the reference path (%zu 1x1 at stride 1 unpadded)\n", run,
         pointwise_cases);
}

/* The blocked layouts (nchw4c/8c/16c): a random one-group or depthwise case run on blocked x and
 * y against the reference path on plain tensors; channels below, at and above each block and the kernel
 * tiles (1-48; depthwise also 192-211), 1-D to 3-D, kernels 1-5, strides, dilation, padding, batch 1-3, bias, ReLU,
 * clamp, GELU and the sum; auto and direct (Winograd's blocked run against its plain run). One
 * one-group layer in three runs as a first layer: x plain or nhwc, y blocked.
 * x's padding lanes are 0 as the layout requires, y's start as NaN and must come back 0;
 * tolerance 0 on integer data (GELU within 2.4e-7 relative). */
static void tsr_sweep_blocked(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 16], w[1 << 17], b[256], old[1 << 16], ref[1 << 16], xb[1 << 17];
  static _Alignas(64) float yb[1 << 17]; /* aligned: outputs past the test LLC stream (main) */
  static const int64_t channels[] = {1, 3, 4, 5, 8, 9, 15, 16, 17, 31, 32, 33, 48};
  static const tsr_layout layouts[] = {tsr_layout_nchw4c, tsr_layout_nchw8c, tsr_layout_nchw16c};
  size_t run = 0, winograd = 0, deep_run = 0, first_layers = 0;
  for (size_t c = 0; c < cases; c++) {
    const int32_t spatial = tsr_rng_below(rng, 4) == 0 ? 1 + (int32_t)tsr_rng_below(rng, 3) : 2;
    const bool depthwise = tsr_rng_below(rng, 3) == 0, three = tsr_rng_below(rng, 2) == 0;
    const uint64_t first = three && !depthwise ? 7 : 0; /* Winograd's 3x3 stride-1 layers: 16 channels or more */
    /* deep depthwise layers (192 channels or more: many channel blocks) */
    const bool deep = depthwise && tsr_rng_below(rng, 3) == 0;
    const int64_t ic = deep ? 192 + (int64_t)tsr_rng_below(rng, 20) : channels[first + tsr_rng_below(rng, 13 - first)];
    const int64_t oc = depthwise ? ic : channels[first + tsr_rng_below(rng, 13 - first)];
    tsr_conv_params p = tsr_conv_params_of(spatial, ic, oc, depthwise ? ic : 1);
    p.algorithm = tsr_rng_below(rng, 2) ? tsr_conv_algorithm_auto : tsr_conv_algorithm_direct;
    int64_t in_dims[5] = {1 + (int64_t)tsr_rng_below(rng, 3), p.in_channels};
    p.padding_mode = (tsr_padding_mode)tsr_rng_below(rng, 3);
    for (int d = 0; d < spatial; d++) {
      p.kernel[d] = three ? 3 : 1 + 2 * (int64_t)tsr_rng_below(rng, 3);
      p.stride[d] = three ? 1 : 1 + (int64_t)tsr_rng_below(rng, 2);
      p.dilation[d] = !three && tsr_rng_below(rng, 4) == 0 ? 2 : 1;
      p.padding_begin[d] = (int64_t)tsr_rng_below(rng, 3);
      p.padding_end[d] = (int64_t)tsr_rng_below(rng, 3);
      in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, deep ? 6 : spatial == 3 ? 6 : spatial == 2 ? 14 : 30);
    }
    const uint64_t act = tsr_rng_below(rng, 5);
    if (act == 1) p.activation.kind = tsr_activation_relu;
    if (act == 2) p.activation = (tsr_activation){tsr_activation_clamp, 1.0f, 30.0f}; /* maps 0 to 1: padding */
    if (act == 3) p.activation.kind = tsr_activation_gelu_erf;
    if (tsr_rng_below(rng, 4) == 0) p.sum_scale = tsr_rng_below(rng, 2) ? 1.0f : 2.0f;
    const bool with_bias = tsr_rng_below(rng, 3) != 0;
    const tsr_layout layout = layouts[tsr_rng_below(rng, 3)];
    const size_t block = layout == tsr_layout_nchw4c ? 4 : layout == tsr_layout_nchw8c ? 8 : 16;
    int64_t out_dims[5];
    if (tsr_conv_output_shape(&p, spatial + 2, in_dims, out_dims) != tsr_status_success) continue;
    tsr_tensor tx = {.data = x}, ty = {.data = old}, tr = {.data = ref};
    const size_t yn = tsr_case_tensors(rng, &p, tsr_layout_plain, in_dims, out_dims, sizeof(x) / 4, w, b, &tx, &ty, &tr);
    tsr_tensor bx = {.data = xb}, by = {.data = yb};
    tsr_tensor_desc_init(&bx.desc, tsr_dtype_f32, layout, spatial + 2, in_dims);
    tsr_tensor_desc_init(&by.desc, tsr_dtype_f32, layout, spatial + 2, out_dims);
    if (yn == 0 || tsr_tensor_desc_bytes(&bx.desc) > sizeof(xb) || tsr_tensor_desc_bytes(&by.desc) > sizeof(yb)) continue;
    const size_t N = (size_t)in_dims[0], xs = tsr_tensor_desc_elements(&tx.desc) / (N * (size_t)p.in_channels);
    const size_t ys = yn / (N * (size_t)p.out_channels);
    tsr_plain_to_blocked(x, N, (size_t)p.in_channels, xs, block, 0.0f, xb);
    tsr_plain_to_blocked(old, N, (size_t)p.out_channels, ys, block, NAN, yb); /* the sum's old y, or NaN */
    /* a first layer: x plain (as given) or nhwc, y blocked (one layer in three that is not depthwise) */
    const uint64_t source = depthwise ? 0 : tsr_rng_below(rng, 6);
    if (source == 1) bx = tx;
    if (source == 2) {
      tsr_tensor_desc_init(&bx.desc, tsr_dtype_f32, tsr_layout_nhwc, spatial + 2, in_dims);
      tsr_op* reorder = NULL;
      tsr_identity_create(&reorder);
      tsr_op_run(reorder, 1, &tx, 1, &bx, NULL);
      tsr_op_destroy(reorder);
    }
    tsr_op *fast = NULL, *slow = NULL;
    tsr_create_with_reference(&p, w, with_bias ? b : NULL, &fast, &slow);
    char what[320];
    tsr_conv_case_name(what, sizeof(what), "conv", &p, in_dims, layout, act == 3 ? " gelu" : "");
    snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s%s%s", tsr_op_describe(fast),
             pool != NULL ? " 2 threads" : "", source == 1 ? " from plain x" : source == 2 ? " from nhwc x" : "");
    /* Winograd is not exact: its blocked run must equal its own plain run bit for bit */
    tsr_op_run(strstr(tsr_op_describe(fast), "blocked=winograd") != NULL ? fast : slow, 1, &tx, 1, &tr, pool);
    if (tsr_check_status(tsr_op_run(fast, 1, &bx, 1, &by, pool), tsr_status_success, what)) {
      tsr_check_blocked(what, yb, ref, N, (size_t)p.out_channels, ys, block, act == 3 ? 1e-6 : 0.0,
                        act == 3 ? 2.4e-7 : 0.0);
      winograd += strstr(tsr_op_describe(fast), "blocked=winograd") != NULL;
      deep_run += deep;
      first_layers += source == 1 || source == 2;
      run++;
    }
    tsr_op_destroy(fast);
    tsr_op_destroy(slow);
  }
  printf("blocked conv sweep: %zu cases against the reference path on plain tensors (%zu Winograd against its plain "
         "run, %zu depthwise of 192 channels or more, %zu first layers from plain or nhwc x)\n", run, winograd, deep_run,
         first_layers);
}

/* Winograd's stated bound (tessera.h, tsr_conv_create): |y - y_exact| <= TSR_WINOGRAD_KAPPA x
 * (ic + 2) x 2^-24 x R, where R = 9 max|x| max|w| + max|bias| + |sum_scale| max|y_old| over the
 * layer (9 max|x| max|w| bounds one input channel's 3x3 sum). Measured here on uniform data in
 * [-1, 1], the error divided by (ic + 2) 2^-24 R peaks at 6-8, at every channel count. */
#define TSR_WINOGRAD_KAPPA 16.0

static float tsr_max_abs(const float* x, size_t n) {
  float m = 0.0f;
  for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(x[i]));
  return m;
}

/* Winograd F(4x4, 3x3) (tsr_conv_algorithm_winograd) against the reference path (sums in
 * double, rounded once) on uniform data in [-1, 1], within the bound above. Channels below, at
 * and above the transforms' vectors (1-16 lanes) and the GEMM's panels (4-32 columns), images
 * from 1x1 (all padding but one pixel) to 21x21 (tiles cut at the edges), every padding mode,
 * batch 1-3 (tile blocks span images), plain and nhwc, bias, ReLU, clamp and the sum. */
static void tsr_sweep_winograd(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 17], w[1 << 16], b[128], ref[1 << 17];
  static _Alignas(64) float mine[1 << 17]; /* aligned: outputs past the test LLC stream (main) */
  static const int64_t channels[] = {1, 3, 8, 15, 16, 17, 32, 33, 64, 100};
  size_t run = 0;
  double worst = 0.0; /* the largest |error| / ((ic + 2) 2^-24 R) seen */
  for (size_t c = 0; c < cases; c++) {
    const int64_t ic = channels[tsr_rng_below(rng, 10)], oc = channels[tsr_rng_below(rng, 10)];
    tsr_conv_params p = tsr_conv_params_of(2, ic, oc, 1);
    p.algorithm = tsr_conv_algorithm_winograd;
    p.padding_mode = (tsr_padding_mode)tsr_rng_below(rng, 3);
    int64_t in_dims[4] = {1 + (int64_t)tsr_rng_below(rng, 3), ic, 1 + (int64_t)tsr_rng_below(rng, 21),
                          1 + (int64_t)tsr_rng_below(rng, 21)};
    for (int d = 0; d < 2; d++) {
      p.kernel[d] = 3;
      p.padding_begin[d] = (int64_t)tsr_rng_below(rng, 3);
      p.padding_end[d] = (int64_t)tsr_rng_below(rng, 3);
    }
    const uint64_t act = tsr_rng_below(rng, 4);
    if (act == 1) p.activation.kind = tsr_activation_relu;
    if (act == 2) p.activation = (tsr_activation){tsr_activation_clamp, -2.0f, 3.0f};
    if (tsr_rng_below(rng, 4) == 0) p.sum_scale = 1.0f;
    const bool with_bias = tsr_rng_below(rng, 3) != 0;
    const tsr_layout layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    int64_t out_dims[4];
    if (tsr_conv_output_shape(&p, 4, in_dims, out_dims) != tsr_status_success) continue;
    tsr_tensor tx = {.data = x}, ty = {.data = mine}, tr = {.data = ref};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, 4, in_dims);
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, layout, 4, out_dims);
    tr.desc = ty.desc;
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), yn = tsr_tensor_desc_elements(&ty.desc);
    const size_t wn = (size_t)(oc * ic * 9);
    if (xn > sizeof(x) / 4 || yn > sizeof(mine) / 4 || wn > sizeof(w) / 4) continue;
    tsr_fill_uniform(rng, x, xn, -1.0f, 1.0f);
    tsr_fill_uniform(rng, w, wn, -1.0f, 1.0f);
    tsr_fill_uniform(rng, b, (size_t)oc, -1.0f, 1.0f);
    double r = 9.0 * tsr_max_abs(x, xn) * tsr_max_abs(w, wn) + (with_bias ? tsr_max_abs(b, (size_t)oc) : 0.0);
    if (p.sum_scale != 0.0f) {
      tsr_fill_uniform(rng, mine, yn, -1.0f, 1.0f);
      memcpy(ref, mine, yn * sizeof(float));
      r += tsr_max_abs(mine, yn);
    } else {
      tsr_fill_nan(mine, yn);
    }
    tsr_op *fast = NULL, *slow = NULL;
    char what[320];
    tsr_conv_case_name(what, sizeof(what), "winograd", &p, in_dims, layout, with_bias ? " bias" : "");
    if (!tsr_check_status(tsr_conv_create(&p, w, with_bias ? b : NULL, &fast), tsr_status_success, what)) continue;
    snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", tsr_op_describe(fast));
    setenv("TESSERA_CONV", "reference", 1);
    tsr_conv_create(&p, w, with_bias ? b : NULL, &slow);
    unsetenv("TESSERA_CONV");
    tsr_check_status(tsr_op_run(fast, 1, &tx, 1, &ty, pool), tsr_status_success, what);
    tsr_op_run(slow, 1, &tx, 1, &tr, pool);
    const double unit = (double)(ic + 2) * 0x1p-24 * r;
    tsr_check_close(what, mine, ref, yn, TSR_WINOGRAD_KAPPA * unit, 0.0);
    const double error = tsr_max_abs_error(mine, ref, yn) / unit;
    worst = error > worst ? error : worst;
    tsr_op_destroy(fast);
    tsr_op_destroy(slow);
    run++;
  }
  printf("winograd sweep: %zu cases against the reference path, largest |error| / ((ic + 2) 2^-24 R) %.3g (bound "
         "%.0f)\n", run, worst, TSR_WINOGRAD_KAPPA);
}

/* A wide layer (ic x oc = 512 x 512) under auto, 1 thread: 4 tiles (one 8x8 image) run on the
 * direct path it keeps (exact on integer data: tolerance 0), 8 tiles (two images) on Winograd
 * (within its bound). */
static void tsr_test_wide_layer(void) {
  enum { ic = 512, oc = 512, pixels = 64 };
  static float w[oc * ic * 9], x[2 * ic * pixels], mine[2 * oc * pixels], ref[2 * oc * pixels];
  tsr_rng rng = tsr_rng_seeded(5);
  tsr_fill_integers(&rng, w, oc * ic * 9, -2, 2);
  tsr_fill_integers(&rng, x, 2 * ic * pixels, -2, 2);
  tsr_conv_params p = tsr_conv_params_of(2, ic, oc, 1);
  p.kernel[0] = p.kernel[1] = 3;
  p.padding_begin[0] = p.padding_begin[1] = p.padding_end[0] = p.padding_end[1] = 1;
  tsr_op *fast = NULL, *slow = NULL;
  tsr_create_with_reference(&p, w, NULL, &fast, &slow);
  for (int64_t mb = 1; mb <= 2; mb++) {
    tsr_tensor tx = {.data = x}, ty = {.data = mine}, tr = {.data = ref};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, (const int64_t[]){mb, ic, 8, 8});
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, (const int64_t[]){mb, oc, 8, 8});
    tr.desc = ty.desc;
    tsr_fill_nan(mine, (size_t)(mb * oc * pixels));
    tsr_op_run(fast, 1, &tx, 1, &ty, NULL);
    tsr_op_run(slow, 1, &tx, 1, &tr, NULL);
    const double bound = mb == 1 ? 0.0 : TSR_WINOGRAD_KAPPA * (ic + 2) * 0x1p-24 * (9.0 * 2 * 2);
    tsr_check_close(mb == 1 ? "wide layer, 4 tiles: the direct path, exact" : "wide layer, 8 tiles: Winograd", mine,
                    ref, (size_t)(mb * oc * pixels), bound, 0.0);
    if (mb == 2) /* Winograd's rounding shows: the direct path would have been exact */
      tsr_check(tsr_max_abs_error(mine, ref, (size_t)(2 * oc * pixels)) > 0.0, "wide layer, 8 tiles",
                "exact: the direct path ran, not Winograd");
    /* nchw16c takes the same path (a plain run would not: it goes one batch item at a time):
     * equal, bit for bit, to the nhwc run, x and y moved by the reorders (shape_ops_test) */
    static float xb[2 * ic * pixels], yb[2 * oc * pixels], back[2 * oc * pixels];
    tsr_tensor bx = {.data = xb}, by = {.data = yb}, tb = {.data = back};
    tsr_tensor_desc_init(&bx.desc, tsr_dtype_f32, tsr_layout_nchw16c, 4, (const int64_t[]){mb, ic, 8, 8});
    tsr_tensor_desc_init(&by.desc, tsr_dtype_f32, tsr_layout_nchw16c, 4, (const int64_t[]){mb, oc, 8, 8});
    tb.desc = ty.desc;
    tsr_op* reorder = NULL;
    tsr_identity_create(&reorder);
    tsr_op_run(reorder, 1, &tx, 1, &bx, NULL);
    tsr_fill_nan(yb, (size_t)(mb * oc * pixels));
    tsr_op_run(fast, 1, &bx, 1, &by, NULL);
    tsr_op_run(reorder, 1, &by, 1, &tb, NULL);
    tsr_op_destroy(reorder);
    tsr_check_close(mb == 1 ? "wide layer nchw16c, 4 tiles" : "wide layer nchw16c, 8 tiles", back, mine,
                    (size_t)(mb * oc * pixels), 0.0, 0.0);
  }
  tsr_op_destroy(fast);
  tsr_op_destroy(slow);
}

/* The algorithm field: auto picks Winograd for wide 3x3 stride-1 layers and direct leaves it
 * out; winograd on a layer it cannot run is refused; out-of-range values are invalid; and
 * TESSERA_CONV=igemm still forces the indirect GEMM. */
static void tsr_test_algorithm_choice(void) {
  static float w[64 * 64 * 9];
  struct { int64_t ic, kernel, stride; tsr_conv_algorithm algorithm; const char* impl; } cases[] = {
      {64, 3, 1, tsr_conv_algorithm_auto, "impl=winograd:"},  {64, 3, 1, tsr_conv_algorithm_direct, "impl=igemm:"},
      {8, 3, 1, tsr_conv_algorithm_auto, "impl=igemm:"},      {8, 3, 1, tsr_conv_algorithm_winograd, "impl=winograd:"},
      {64, 3, 2, tsr_conv_algorithm_auto, "impl=igemm:"},     {64, 1, 1, tsr_conv_algorithm_direct, "impl=gemm:"}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    tsr_conv_params p = tsr_conv_params_of(2, cases[i].ic, 64, 1);
    p.kernel[0] = p.kernel[1] = cases[i].kernel;
    p.algorithm = tsr_conv_algorithm_direct; /* exact on integer data */
    p.stride[0] = p.stride[1] = cases[i].stride;
    p.algorithm = cases[i].algorithm;
    tsr_op* op = NULL;
    tsr_check_status(tsr_conv_create(&p, w, NULL, &op), tsr_status_success, cases[i].impl);
    tsr_check(op != NULL && strstr(tsr_op_describe(op), cases[i].impl) != NULL, "algorithm choice", "case %zu: '%s'",
              i, op ? tsr_op_describe(op) : "(none)");
    tsr_op_destroy(op);
  }
  /* the backward names its form: a 1x1 layer at stride 1 without padding needs no im2col */
  struct { int64_t kernel, stride, pad; const char* impl; } backward[] = {
      {1, 1, 0, "impl=gemm_1x1 "}, {1, 2, 0, "impl=gemm+col2im+im2col "}, {1, 1, 1, "impl=gemm+col2im+im2col "},
      {3, 1, 1, "impl=gemm+col2im+im2col "}};
  for (size_t i = 0; i < sizeof(backward) / sizeof(backward[0]); i++) {
    tsr_conv_params q = tsr_conv_params_of(2, 16, 16, 1);
    q.kernel[0] = q.kernel[1] = backward[i].kernel;
    q.stride[0] = backward[i].stride;
    q.padding_begin[1] = backward[i].pad;
    tsr_op* op = NULL;
    tsr_check_status(tsr_conv_backward_create(&q, w, &op), tsr_status_success, backward[i].impl);
    tsr_check(op != NULL && strstr(tsr_op_describe(op), backward[i].impl) != NULL, "backward form", "case %zu: '%s'",
              i, op ? tsr_op_describe(op) : "(none)");
    tsr_op_destroy(op);
  }
  tsr_conv_params p = tsr_conv_params_of(2, 64, 64, 1);
  p.kernel[0] = p.kernel[1] = 3;
  tsr_op* op = (tsr_op*)0x1;
  const struct { int64_t stride, dilation, groups; int spatial; } refused[] = {{2, 1, 1, 2}, {1, 2, 1, 2}, {1, 1, 2, 2}, {1, 1, 1, 1}};
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    tsr_conv_params q = p;
    q.algorithm = tsr_conv_algorithm_winograd;
    q.stride[0] = refused[i].stride, q.dilation[1] = refused[i].dilation, q.groups = refused[i].groups;
    q.spatial_ndims = refused[i].spatial;
    tsr_check_status(tsr_conv_create(&q, w, NULL, &op), tsr_status_unsupported_parameter, "winograd refused");
    tsr_check(strstr(tsr_last_error_message(), "winograd") != NULL, "winograd refusal message", "'%s'",
              tsr_last_error_message());
  }
  p.algorithm = (tsr_conv_algorithm)3;
  tsr_check_status(tsr_conv_create(&p, w, NULL, &op), tsr_status_invalid_parameter, "algorithm 3");
  tsr_check(strstr(tsr_last_error_message(), "algorithm") != NULL, "algorithm message", "'%s'", tsr_last_error_message());
  tsr_check(op == (tsr_op*)0x1, "refused creations", "op written");
  tsr_test_wide_layer();
  p.algorithm = tsr_conv_algorithm_auto;
  setenv("TESSERA_CONV", "igemm", 1);
  tsr_conv_create(&p, w, NULL, &op);
  unsetenv("TESSERA_CONV");
  tsr_check(strstr(tsr_op_describe(op), "impl=igemm:") != NULL, "TESSERA_CONV=igemm", "'%s'", tsr_op_describe(op));
  tsr_op_destroy(op);
}

/* Plain NCHW layers through the paths around the reorders, against the reference path, tolerance
 * 0, with bias, ReLU and the residual sum (every other case), 1 and 2 threads: 1x1 layers on both
 * sides of the 512-pixel switch between the GEMM engine (in place) and the reorders to the
 * indirect GEMM (7x7, 14x14, 1x511, 1x512 and 28x28 images, batch 2); and layers whose channels
 * are multiples of 128, whose reorder scratch has a padded pixel stride (tsr_transpose_padded_stride). */
static void tsr_test_nchw_through_reorders(tsr_threadpool* pool, tsr_rng* rng) {
  static float x[1 << 19], w[1 << 16], b[256], ref[1 << 19];
  static _Alignas(64) float mine[1 << 19]; /* aligned: outputs past the test LLC stream (main) */
  const struct { int64_t ic, oc, kernel, h, w; } cases[] = {
      {19, 21, 1, 7, 7},  {19, 21, 1, 14, 14}, {19, 21, 1, 1, 511},  {19, 21, 1, 1, 512},
      {19, 21, 1, 28, 28}, {128, 19, 3, 6, 5}, {19, 128, 3, 5, 6}, {256, 128, 1, 28, 28}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    tsr_conv_params p = tsr_conv_params_of(2, cases[i].ic, cases[i].oc, 1);
    p.kernel[0] = p.kernel[1] = cases[i].kernel;
    p.algorithm = tsr_conv_algorithm_direct; /* exact on integer data */
    p.padding_begin[0] = p.padding_begin[1] = p.padding_end[0] = p.padding_end[1] = cases[i].kernel / 2;
    p.activation.kind = tsr_activation_relu;
    p.sum_scale = i % 2 ? 1.0f : 0.0f;
    const int64_t in_dims[4] = {2, cases[i].ic, cases[i].h, cases[i].w};
    int64_t out_dims[4];
    tsr_conv_output_shape(&p, 4, in_dims, out_dims);
    tsr_tensor tx = {.data = x}, ty = {.data = mine}, tr = {.data = ref};
    const size_t yn = tsr_case_tensors(rng, &p, tsr_layout_plain, in_dims, out_dims, sizeof(x) / 4, w, b, &tx, &ty, &tr);
    tsr_check(yn > 0, "conv nchw through the reorders", "case %zu does not fit the buffers", i);
    tsr_op *fast = NULL, *slow = NULL;
    tsr_create_with_reference(&p, w, b, &fast, &slow);
    char what[320];
    tsr_conv_case_name(what, sizeof(what), "conv nchw", &p, in_dims, tsr_layout_plain, "");
    tsr_check_status(tsr_op_run(fast, 1, &tx, 1, &ty, pool), tsr_status_success, what);
    tsr_op_run(slow, 1, &tx, 1, &tr, pool);
    tsr_check_close(what, mine, ref, yn, 0.0, 0.0);
    tsr_op_destroy(fast);
    tsr_op_destroy(slow);
  }
}

/* Winograd's per-thread task scratch failing (the scratch's test hook): where only tasks lose it,
 * the calling thread runs their tiles afterwards and the result equals a normal run's bit for
 * bit; where every request fails, the run fails with out_of_memory before writing y (pre-filled
 * with NaN: untouched). Both on the thread pool and inline, with and without the residual sum. */
static void tsr_test_winograd_scratch_failure(tsr_threadpool* pool, tsr_rng* rng) {
  static float x[1 << 16], w[1 << 16], b[256], expected[1 << 16], mine[1 << 16];
  for (int sum = 0; sum < 2; sum++) {
    tsr_conv_params p = tsr_conv_params_of(2, 32, 48, 1);
    p.kernel[0] = p.kernel[1] = 3;
    p.padding_begin[0] = p.padding_begin[1] = p.padding_end[0] = p.padding_end[1] = 1;
    p.algorithm = tsr_conv_algorithm_winograd;
    p.sum_scale = (float)sum;
    const int64_t in_dims[4] = {2, 32, 13, 11};
    int64_t out_dims[4];
    tsr_conv_output_shape(&p, 4, in_dims, out_dims);
    tsr_tensor tx = {.data = x}, ty = {.data = expected}, tm = {.data = mine};
    const size_t yn = tsr_case_tensors(rng, &p, tsr_layout_nhwc, in_dims, out_dims, sizeof(x) / 4, w, b, &tx, &ty, &tm);
    tsr_op* op = NULL;
    tsr_check_status(tsr_conv_create(&p, w, b, &op), tsr_status_success, "winograd scratch failure: create");
    const char* what = sum ? "winograd, task scratch failing in tasks, with sum" : "winograd, task scratch failing in tasks";
    tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, pool), tsr_status_success, what);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_in_tasks);
    tsr_check_status(tsr_op_run(op, 1, &tx, 1, &tm, pool), tsr_status_success, what);
    tsr_check_close(what, mine, expected, yn, 0.0, 0.0);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_always);
    tsr_fill_nan(mine, yn);
    what = sum ? "winograd, task scratch failing always, with sum" : "winograd, task scratch failing always";
    tsr_check_status(tsr_op_run(op, 1, &tx, 1, &tm, pool), tsr_status_out_of_memory, what);
    tsr_check_untouched(what, mine, yn);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_none);
    tsr_op_destroy(op);
  }
}

static void tsr_test_errors(void) {
  const float w[4 * 4 * 3 * 3] = {0}; /* the largest valid convolution below reads 144 */
  tsr_op* op = (tsr_op*)0x1;
  struct { const char* fragment; tsr_conv_params p; } cases[8];
  for (int i = 0; i < 8; i++) cases[i].p = tsr_conv_params_of(2, 4, 4, 1);
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
  tsr_conv_params good = tsr_conv_params_of(2, 4, 4, 1);
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
  /* blocked: one layout for both tensors, their dims checked as plain ones, one group or depthwise */
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_nchw4c, 4, (const int64_t[]){1, 4, 4, 4});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, (const int64_t[]){1, 4, 2, 2});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_unsupported_parameter, "conv nchw4c to nhwc");
  tsr_check(strstr(tsr_last_error_message(), "same layout") != NULL, "blocked layout message", "'%s'",
            tsr_last_error_message());
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_nchw4c, 4, (const int64_t[]){1, 4, 3, 2});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "blocked conv output dims");
  /* a first layer (plain or nhwc x, blocked y): y's dims checked too; a blocked x needs a blocked y */
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, (const int64_t[]){1, 4, 4, 4});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "first layer output dims");
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_nchw8c, 4, (const int64_t[]){1, 4, 4, 4});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 4, 2, 2});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_unsupported_parameter, "conv nchw8c to plain");
  tsr_check(strstr(tsr_last_error_message(), "same layout") != NULL, "blocked to plain message", "'%s'",
            tsr_last_error_message());
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_nchw4c, 4, (const int64_t[]){1, 4, 4, 4});
  tsr_check_untouched("conv failed runs", y, 64);
  tsr_op_destroy(op);
  tsr_conv_params grouped = tsr_conv_params_of(2, 4, 4, 2);
  tsr_conv_create(&grouped, w, NULL, &op);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_nchw4c, 4, (const int64_t[]){1, 4, 4, 4});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_unsupported_parameter, "grouped conv blocked");
  tsr_check(strstr(tsr_last_error_message(), "grouped") != NULL, "grouped blocked message", "'%s'",
            tsr_last_error_message());
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 4, 4, 4});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_unsupported_parameter, "grouped first layer");
  tsr_check(strstr(tsr_last_error_message(), "grouped") != NULL && strstr(tsr_last_error_message(), "plain") != NULL,
            "grouped first layer message", "'%s'", tsr_last_error_message());
  tsr_check_untouched("grouped blocked run", y, 64);
  tsr_op_destroy(op);
  int64_t out[4];
  tsr_check_status(tsr_conv_output_shape(&good, 3, (const int64_t[]){1, 4, 4}, out), tsr_status_invalid_parameter, "shape ndims");
}

static void tsr_test_deconv_errors(void) {
  const float w[16] = {0};
  tsr_op* op = (tsr_op*)0x1;
  tsr_conv_params p = tsr_conv_params_of(1, 2, 2, 1);
  p.kernel[0] = 2, p.stride[0] = 2;
  tsr_check_status(tsr_deconv_create(&p, (const int64_t[]){2}, w, NULL, &op), tsr_status_invalid_parameter,
                   "deconv output_padding = stride");
  tsr_check(strstr(tsr_last_error_message(), "output_padding[0]") != NULL, "deconv output_padding message", "'%s'",
            tsr_last_error_message());
  tsr_check_status(tsr_deconv_create(&p, (const int64_t[]){-1}, w, NULL, &op), tsr_status_invalid_parameter,
                   "deconv output_padding negative");
  tsr_check_status(tsr_deconv_create(&p, NULL, NULL, NULL, &op), tsr_status_invalid_parameter, "deconv weights NULL");
  tsr_check(strstr(tsr_last_error_message(), "weights") != NULL, "deconv weights message", "'%s'", tsr_last_error_message());
  p.groups = 3;
  tsr_check_status(tsr_deconv_create(&p, NULL, w, NULL, &op), tsr_status_invalid_parameter, "deconv groups");
  tsr_check(op == (tsr_op*)0x1, "deconv create failures", "op written");
  p.groups = 1;
  int64_t out[3] = {-7, -7, -7};
  p.padding_begin[0] = p.padding_end[0] = 3; /* input 1: (1 - 1) x 2 + 2 - 6 = -4 outputs */
  tsr_check_status(tsr_deconv_output_shape(&p, NULL, 3, (const int64_t[]){1, 2, 1}, out), tsr_status_invalid_parameter,
                   "deconv empty output");
  tsr_check(strstr(tsr_last_error_message(), "output size") != NULL && out[0] == -7, "deconv empty output message",
            "'%s'", tsr_last_error_message());
  p.padding_begin[0] = p.padding_end[0] = 0;
  p.stride[0] = (int64_t)1 << 40;
  tsr_check_status(tsr_deconv_output_shape(&p, NULL, 3, (const int64_t[]){1, 2, (int64_t)1 << 30}, out),
                   tsr_status_invalid_parameter, "deconv overflow");
  tsr_check(strstr(tsr_last_error_message(), "overflows") != NULL, "deconv overflow message", "'%s'",
            tsr_last_error_message());
  p.stride[0] = 2;
  tsr_deconv_create(&p, NULL, w, NULL, &op);
  float x[8] = {0}, y[16];
  tsr_fill_nan(y, 16);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 3, 2});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 4});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "deconv channels 3 vs 2");
  tsr_check(strstr(tsr_last_error_message(), "channels") != NULL, "deconv channels message", "'%s'", tsr_last_error_message());
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 2});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 5});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "deconv output dims");
  tx.data = NULL;
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 4});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "deconv x data NULL");
  tsr_check_untouched("deconv failed runs", y, 16);
  tsr_op_destroy(op);
}

/* Transposed convolution on the GEMM + col2im path against the same layer on the reference loop
 * (TESSERA_CONV=reference at creation), integer data, tolerance 0: outputs of several bands of
 * dy rows (the path's 1 MiB of GEMM results a band: 6, 6 and 1 rows here), of one row a band
 * (the GEMM result of a row past the band), grouped 3-D with dilation and output padding, and
 * 1-D; plain and nhwc, bias, ReLU and the sum into y. */
static void tsr_test_deconv_bands(tsr_threadpool* pool, tsr_rng* rng) {
  struct {
    int32_t spatial;
    int64_t ic, oc, groups, kernel, stride, dilation, pad, out_pad, dims[5];
  } cases[] = {
      {2, 24, 64, 1, 4, 2, 1, 1, 0, {2, 24, 13, 40}}, /* m = 64 x 16, 40 positions a row: 6 rows a band */
      {2, 24, 64, 1, 4, 2, 1, 1, 0, {1, 24, 27, 40}}, /* the same, and on 8 threads bands of 25 rows */
      {2, 4, 512, 1, 5, 1, 1, 2, 0, {1, 4, 6, 30}},   /* m = 512 x 25: a row's results past a band */
      {3, 8, 6, 2, 3, 2, 2, 1, 1, {2, 8, 4, 5, 6}},
      {1, 12, 20, 4, 7, 3, 1, 3, 2, {3, 12, 37}}};
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
    for (int nhwc = 0; nhwc <= 1; nhwc++) {
      tsr_conv_params p = tsr_conv_params_of(cases[k].spatial, cases[k].ic, cases[k].oc, cases[k].groups);
      int64_t output_padding[3] = {0};
      for (int32_t d = 0; d < p.spatial_ndims; d++) {
        p.kernel[d] = cases[k].kernel, p.stride[d] = cases[k].stride, p.dilation[d] = cases[k].dilation;
        p.padding_begin[d] = p.padding_end[d] = cases[k].pad, output_padding[d] = cases[k].out_pad;
      }
      p.activation.kind = nhwc ? tsr_activation_relu : tsr_activation_none;
      p.sum_scale = nhwc ? 0.0f : 1.0f;
      const int32_t ndims = p.spatial_ndims + 2;
      int64_t out_dims[5];
      tsr_check_status(tsr_deconv_output_shape(&p, output_padding, ndims, cases[k].dims, out_dims), tsr_status_success,
                       "deconv bands: shape");
      const tsr_layout layout = nhwc ? tsr_layout_nhwc : tsr_layout_plain;
      tsr_tensor tx, ty, tr;
      tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, ndims, cases[k].dims);
      tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, layout, ndims, out_dims);
      tr.desc = ty.desc;
      const size_t xn = tsr_tensor_desc_elements(&tx.desc), yn = tsr_tensor_desc_elements(&ty.desc);
      size_t wn = (size_t)(p.in_channels * (p.out_channels / p.groups));
      for (int32_t d = 0; d < p.spatial_ndims; d++) wn *= (size_t)p.kernel[d];
      float *x = malloc(xn * sizeof(float)), *w = malloc(wn * sizeof(float)), b[512];
      float *y = malloc(yn * sizeof(float)), *expected = malloc(yn * sizeof(float)), *initial = malloc(yn * sizeof(float));
      tsr_fill_integers(rng, x, xn, -3, 3);
      tsr_fill_integers(rng, w, wn, -3, 3);
      tsr_fill_integers(rng, b, (size_t)p.out_channels, -5, 5);
      if (p.sum_scale != 0.0f) tsr_fill_integers(rng, y, yn, -5, 5);
      else tsr_fill_nan(y, yn);
      memcpy(expected, y, yn * sizeof(float));
      memcpy(initial, y, yn * sizeof(float));
      tx.data = x, ty.data = y, tr.data = expected;
      tsr_op *fast = NULL, *slow = NULL;
      tsr_check_status(tsr_deconv_create(&p, output_padding, w, b, &fast), tsr_status_success, "deconv bands: create");
      setenv("TESSERA_CONV", "reference", 1);
      tsr_deconv_create(&p, output_padding, w, b, &slow);
      unsetenv("TESSERA_CONV");
      tsr_check(strstr(tsr_op_describe(fast), "gemm+col2im") != NULL, "deconv bands: path", "%s",
                tsr_op_describe(fast));
      tsr_check_status(tsr_op_run(fast, 1, &tx, 1, &ty, pool), tsr_status_success, "deconv bands: run");
      tsr_check_status(tsr_op_run(slow, 1, &tx, 1, &tr, pool), tsr_status_success, "deconv bands: reference run");
      char what[64];
      snprintf(what, sizeof(what), "deconv bands case %zu %s", k, nhwc ? "nhwc relu" : "plain sum");
      tsr_check_close(what, y, expected, yn, 0.0, 0.0);
      /* Scratch failing on the pool's threads: the caller runs their samples, the same result
       * (a sample's y is not read twice: the sum would count it twice); failing everywhere: out of
       * memory before y is written. */
      memcpy(y, initial, yn * sizeof(float));
      tsr_scratch_set_failure_for_tests(tsr_scratch_failure_in_tasks);
      snprintf(what, sizeof(what), "deconv bands case %zu %s, scratch failing in tasks", k, nhwc ? "nhwc" : "plain");
      tsr_check_status(tsr_op_run(fast, 1, &tx, 1, &ty, pool), tsr_status_success, what);
      tsr_check_close(what, y, expected, yn, 0.0, 0.0);
      memcpy(y, initial, yn * sizeof(float));
      tsr_scratch_set_failure_for_tests(tsr_scratch_failure_always);
      snprintf(what, sizeof(what), "deconv bands case %zu %s, scratch failing always", k, nhwc ? "nhwc" : "plain");
      tsr_check_status(tsr_op_run(fast, 1, &tx, 1, &ty, pool), tsr_status_out_of_memory, what);
      tsr_check_close(what, y, initial, yn, 0.0, 0.0);
      tsr_scratch_set_failure_for_tests(tsr_scratch_failure_none);
      tsr_op_destroy(fast), tsr_op_destroy(slow);
      free(x), free(w), free(y), free(expected), free(initial);
    }
}

int main(void) {
  /* A last-level cache of 16 KiB: the sweeps' larger outputs (nhwc, 16-float pixel strides) then
   * take the streaming stores of the indirect GEMM and depthwise kernels, and the depthwise
   * input prefetch runs, all against the same references as the cached stores. */
  tsr_test_small_llc("16K");
  tsr_test_errors();
  tsr_test_algorithm_choice();
  tsr_test_deconv_errors();
  tsr_test_by_hand();
  tsr_test_deconv_by_hand();
  {
    tsr_rng rng = tsr_rng_seeded(77);
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(2, &pool);
    tsr_test_deconv_bands(NULL, &rng);
    tsr_test_deconv_bands(pool, &rng);
    tsr_threadpool* pool8 = NULL; /* a split band is 4x longer from 8 threads */
    tsr_threadpool_create(8, &pool8);
    tsr_test_deconv_bands(pool8, &rng);
    tsr_sweep_backward(pool8, &rng, 60);
    tsr_threadpool_destroy(pool8);
    tsr_sweep_backward(NULL, &rng, 150);
    tsr_sweep_backward(pool, &rng, 150);
    tsr_sweep_fast(NULL, &rng, 400, tsr_sweep_any);
    tsr_sweep_fast(pool, &rng, 400, tsr_sweep_any);
    tsr_sweep_fast(NULL, &rng, 150, tsr_sweep_depthwise);
    tsr_sweep_fast(pool, &rng, 150, tsr_sweep_depthwise);
    tsr_sweep_fast(NULL, &rng, 150, tsr_sweep_first_layers);
    tsr_sweep_fast(pool, &rng, 150, tsr_sweep_first_layers);
    tsr_sweep_winograd(NULL, &rng, 150);
    tsr_sweep_winograd(pool, &rng, 150);
    tsr_sweep_blocked(NULL, &rng, 300);
    tsr_sweep_blocked(pool, &rng, 300);
    tsr_test_nchw_through_reorders(NULL, &rng);
    tsr_test_nchw_through_reorders(pool, &rng);
    tsr_test_winograd_scratch_failure(NULL, &rng);
    tsr_test_winograd_scratch_failure(pool, &rng);
    tsr_threadpool_destroy(pool);
  }
#ifdef TSR_HAVE_ONEDNN
  tsr_rng rng = tsr_rng_seeded(2026);
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  tsr_sweep(NULL, &rng, 1500, false);
  tsr_sweep(pool, &rng, 1500, false);
  tsr_sweep(NULL, &rng, 700, true);
  tsr_sweep(pool, &rng, 700, true);
  tsr_threadpool_destroy(pool);
#endif
  return tsr_test_finish();
}
