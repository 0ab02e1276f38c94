/* Padding and upsampling: worked by hand (constant and zero padding, nearest, linear with and
 * without align_corners, 1-D and 2-D), a seeded padding sweep against an index computation
 * written here (1-D to 3-D, plain and nhwc, tolerance 0: padding copies), a seeded upsampling
 * sweep against oneDNN's resampling (nearest and linear, scales 1-4 and arbitrary sizes, 1-D to
 * 3-D, plain and nhwc; tolerance 1e-5 relative, as oneDNN interpolates in f32 and tessera in
 * double), a sweep of larger padding and nearest cases that the row path splits over threads
 * (tolerance 0, without oneDNN too), linear NHWC at factors of 3-20 against the reference loops
 * (more rows between two source rows than one bilinear kernel call takes), each failure printed
 * as a descriptor, and every bad argument. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static void tsr_run(tsr_op* op, int32_t ndims, const int64_t* in_dims, const int64_t* out_dims, tsr_layout layout,
                    const float* x, float* y, size_t yn, tsr_threadpool* pool) {
  tsr_tensor tx = {.data = (void*)x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, ndims, in_dims);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, layout, ndims, out_dims);
  tsr_fill_nan(y, yn);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, pool), tsr_status_success, tsr_op_describe(op));
}

static void tsr_test_pad_by_hand(void) {
  tsr_pad_params p = {.spatial_ndims = 1, .padding_begin = {2}, .padding_end = {1}, .value = 7};
  tsr_op* op = NULL;
  tsr_pad_create(&p, &op);
  float y[16];
  tsr_run(op, 3, (const int64_t[]){1, 1, 3}, (const int64_t[]){1, 1, 6}, tsr_layout_plain,
          (const float[]){1, 2, 3}, y, 6, NULL);
  tsr_check_close("pad1d constant by hand", y, (const float[]){7, 7, 1, 2, 3, 7}, 6, 0, 0);
  tsr_op_destroy(op);
  tsr_pad_params z = {.spatial_ndims = 2, .padding_begin = {0, 1}, .padding_end = {1, 0}};
  tsr_pad_create(&z, &op);
  tsr_run(op, 4, (const int64_t[]){1, 1, 2, 2}, (const int64_t[]){1, 1, 3, 3}, tsr_layout_plain,
          (const float[]){1, 2, 3, 4}, y, 9, NULL);
  tsr_check_close("pad2d zero by hand", y, (const float[]){0, 1, 2, 0, 3, 4, 0, 0, 0}, 9, 0, 0);
  tsr_op_destroy(op);
  p.value = NAN; /* a NaN constant comes through as NaN: compare bits */
  tsr_pad_create(&p, &op);
  tsr_run(op, 3, (const int64_t[]){1, 1, 3}, (const int64_t[]){1, 1, 6}, tsr_layout_plain,
          (const float[]){1, 2, 3}, y, 6, NULL);
  tsr_check(isnan(y[0]) && isnan(y[1]) && y[2] == 1 && y[4] == 3 && isnan(y[5]), "pad NaN constant", "%g %g %g",
            (double)y[0], (double)y[2], (double)y[5]);
  tsr_op_destroy(op);
}

static void tsr_test_upsample_by_hand(void) {
  float y[16];
  tsr_op* op = NULL;
  tsr_upsample_params p = {.spatial_ndims = 1, .kind = tsr_resampling_nearest, .scale = {2}};
  tsr_upsample_create(&p, &op);
  tsr_run(op, 3, (const int64_t[]){1, 1, 2}, (const int64_t[]){1, 1, 4}, tsr_layout_plain, (const float[]){1, 2}, y, 4,
          NULL);
  tsr_check_close("nearest x2 by hand", y, (const float[]){1, 1, 2, 2}, 4, 0, 0);
  tsr_op_destroy(op);
  /* half-pixel: s = (o + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (past the last) */
  p.kind = tsr_resampling_linear;
  tsr_upsample_create(&p, &op);
  tsr_run(op, 3, (const int64_t[]){1, 1, 2}, (const int64_t[]){1, 1, 4}, tsr_layout_plain, (const float[]){0, 4}, y, 4,
          NULL);
  tsr_check_close("linear x2 by hand", y, (const float[]){0, 1, 3, 4}, 4, 0, 0);
  tsr_op_destroy(op);
  /* align_corners to size 3: s = 0, 0.5, 1 */
  p.align_corners = 1, p.scale[0] = 0, p.size[0] = 3;
  tsr_upsample_create(&p, &op);
  tsr_run(op, 3, (const int64_t[]){1, 1, 2}, (const int64_t[]){1, 1, 3}, tsr_layout_plain, (const float[]){0, 4}, y, 3,
          NULL);
  tsr_check_close("linear align_corners by hand", y, (const float[]){0, 2, 4}, 3, 0, 0);
  tsr_op_destroy(op);
  /* align_corners 3 -> 5: s = 0, 0.5, 1, 1.5, 2; the weights 0, 0.5, 0, 0.5, 0 repeat every two
   * positions, but a weight of 0 is a copy, so x[1]'s infinity stays out of y[0] (inf x 0) */
  p.size[0] = 5;
  tsr_upsample_create(&p, &op);
  tsr_run(op, 3, (const int64_t[]){1, 1, 3}, (const int64_t[]){1, 1, 5}, tsr_layout_plain,
          (const float[]){0, INFINITY, 2}, y, 5, NULL);
  tsr_check_close("linear align_corners, weight 0 beside an infinity", y,
                  (const float[]){0, INFINITY, INFINITY, INFINITY, 2}, 5, 0, 0);
  tsr_op_destroy(op);
  /* half-pixel x2 of a longer row (plain rows interpolate two positions a step): s = -0.25 (0),
   * 0.25, 0.75, ..., 3.25 (past the last) */
  p.align_corners = 0, p.size[0] = 0, p.scale[0] = 2;
  tsr_upsample_create(&p, &op);
  tsr_run(op, 3, (const int64_t[]){1, 1, 4}, (const int64_t[]){1, 1, 8}, tsr_layout_plain,
          (const float[]){0, 4, 8, 12}, y, 8, NULL);
  tsr_check_close("linear x2 by hand, longer row", y, (const float[]){0, 1, 3, 5, 7, 9, 11, 12}, 8, 0, 0);
  tsr_op_destroy(op);
  tsr_upsample_params b = {.spatial_ndims = 2, .kind = tsr_resampling_linear, .align_corners = 1, .size = {3, 3}};
  tsr_upsample_create(&b, &op);
  tsr_run(op, 4, (const int64_t[]){1, 1, 2, 2}, (const int64_t[]){1, 1, 3, 3}, tsr_layout_nhwc,
          (const float[]){0, 2, 4, 6}, y, 9, NULL);
  tsr_check_close("bilinear align_corners by hand", y, (const float[]){0, 1, 2, 2, 3, 4, 4, 5, 6}, 9, 0, 0);
  tsr_op_destroy(op);
  /* bilinear half-pixel x2 of [[0 4] [8 12]]: the centre elements are the 3:1 blends */
  b.align_corners = 0, b.size[0] = b.size[1] = 0, b.scale[0] = b.scale[1] = 2;
  tsr_upsample_create(&b, &op);
  tsr_run(op, 4, (const int64_t[]){1, 1, 2, 2}, (const int64_t[]){1, 1, 4, 4}, tsr_layout_plain,
          (const float[]){0, 4, 8, 12}, y, 16, NULL);
  const float e[16] = {0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12};
  tsr_check_close("bilinear x2 by hand", y, e, 16, 0, 0);
  tsr_op_destroy(op);
}

/* Element offset of logical index idx[] of [N, C, spatial...] in a dense plain or nhwc tensor,
 * worked out here from the layout's definition rather than from the descriptor's strides. */
static size_t tsr_offset(const int64_t* dims, int32_t ndims, const int64_t* idx, tsr_layout layout) {
  size_t offset = 0;
  if (layout == tsr_layout_plain) {
    for (int32_t d = 0; d < ndims; d++) offset = offset * (size_t)dims[d] + (size_t)idx[d];
    return offset;
  }
  offset = (size_t)idx[0];
  for (int32_t d = 2; d < ndims; d++) offset = offset * (size_t)dims[d] + (size_t)idx[d];
  return offset * (size_t)dims[1] + (size_t)idx[1];
}

static void tsr_pad_sweep(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 14], y[1 << 15], e[1 << 15];
  for (size_t c = 0; c < cases; c++) {
    tsr_pad_params p = {.spatial_ndims = 1 + (int32_t)tsr_rng_below(rng, 3)};
    p.value = (float)tsr_rng_below(rng, 3) - 1.0f;
    const int32_t ndims = p.spatial_ndims + 2;
    int64_t in[5] = {1 + (int64_t)tsr_rng_below(rng, 4), 1 + (int64_t)tsr_rng_below(rng, 7)}, out[5];
    for (int d = 0; d < p.spatial_ndims; d++) {
      in[2 + d] = 1 + (int64_t)tsr_rng_below(rng, p.spatial_ndims == 3 ? 5 : 9);
      p.padding_begin[d] = (int64_t)tsr_rng_below(rng, 4);
      p.padding_end[d] = (int64_t)tsr_rng_below(rng, 4);
    }
    tsr_pad_output_shape(&p, ndims, in, out);
    const tsr_layout layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    size_t xn = 1, yn = 1;
    for (int d = 0; d < ndims; d++) xn *= (size_t)in[d], yn *= (size_t)out[d];
    tsr_fill_integers(rng, x, xn, -9, 9);
    for (size_t i = 0; i < yn; i++) { /* every output element, by logical index */
      int64_t idx[5], src[5] = {0};
      size_t rest = i;
      for (int d = ndims - 1; d >= 0; d--) idx[d] = (int64_t)(rest % (size_t)out[d]), rest /= (size_t)out[d];
      bool inside = true;
      for (int d = 0; d < ndims; d++) {
        src[d] = d < 2 ? idx[d] : idx[d] - p.padding_begin[d - 2];
        inside = inside && src[d] >= 0 && src[d] < in[d];
      }
      e[tsr_offset(out, ndims, idx, layout)] = inside ? x[tsr_offset(in, ndims, src, layout)] : p.value;
    }
    tsr_op* op = NULL;
    tsr_pad_create(&p, &op);
    tsr_run(op, ndims, in, out, layout, x, y, yn, pool);
    tsr_op_destroy(op);
    char what[160];
    int len = snprintf(what, sizeof(what), "pad mb%lldic%lld %s value %g:", (long long)in[0], (long long)in[1],
                       tsr_layout_name(layout), (double)p.value);
    for (int d = 0; d < p.spatial_ndims; d++)
      len += snprintf(what + len, sizeof(what) - (size_t)len, " i%lld p%lld-%lld", (long long)in[2 + d],
                      (long long)p.padding_begin[d], (long long)p.padding_end[d]);
    tsr_check_close(what, y, e, yn, 0, 0);
  }
  printf("pad sweep: %zu cases against indices computed here\n", cases);
}

/* Padding, nearest and linear resampling run by rows (engine/resize-fast.c): larger tensors, so
 * that rows split over tasks and output rows repeat, on 2 threads. Padding and nearest against
 * source indices computed here (tolerance 0: both only copy); linear against the reference plane
 * loops (TESSERA_RESIZE=reference, in double) within the bound tessera.h states, 2^-21 (2^-20 in
 * 3-D) of the largest input magnitude (taken over the whole input here). Runs without oneDNN
 * too, so the aarch64 build checks them. */
static void tsr_rows_sweep(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  for (size_t c = 0; c < cases; c++) {
    const int nearest = (int)(c % 3) != 0, linear = (int)(c % 3) == 2;
    const int32_t spatial = 1 + (int32_t)tsr_rng_below(rng, 3), ndims = spatial + 2;
    tsr_pad_params pp = {.spatial_ndims = spatial, .value = -2.5f};
    tsr_upsample_params up = {.spatial_ndims = spatial,
                              .kind = linear ? tsr_resampling_linear : tsr_resampling_nearest,
                              .align_corners = linear && tsr_rng_below(rng, 2)};
    int64_t in[5] = {1 + (int64_t)tsr_rng_below(rng, 3), 1 + (int64_t)tsr_rng_below(rng, 19)}, out[5];
    for (int d = 0; d < spatial; d++) {
      in[2 + d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 9 : spatial == 2 ? 40 : 300);
      pp.padding_begin[d] = (int64_t)tsr_rng_below(rng, 5), pp.padding_end[d] = (int64_t)tsr_rng_below(rng, 5);
      if (tsr_rng_below(rng, 2)) up.scale[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
      else up.size[d] = 1 + (int64_t)tsr_rng_below(rng, (uint64_t)in[2 + d] * 3);
    }
    if (nearest) tsr_upsample_output_shape(&up, ndims, in, out);
    else tsr_pad_output_shape(&pp, ndims, in, out);
    const tsr_layout layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    size_t xn = 1, yn = 1;
    for (int d = 0; d < ndims; d++) xn *= (size_t)in[d], yn *= (size_t)out[d];
    float *x = tsr_guarded_alloc(xn * sizeof(float)), *y = tsr_guarded_alloc(yn * sizeof(float));
    float* e = tsr_guarded_alloc(yn * sizeof(float));
    tsr_fill_uniform(rng, x, xn, -100.0f, 100.0f);
    for (size_t i = 0; i < yn && !linear; i++) {
      int64_t idx[5], src[5] = {0};
      size_t rest = i;
      for (int d = ndims - 1; d >= 0; d--) idx[d] = (int64_t)(rest % (size_t)out[d]), rest /= (size_t)out[d];
      bool inside = true;
      for (int d = 0; d < ndims; d++) {
        if (d < 2) src[d] = idx[d];
        else if (!nearest) src[d] = idx[d] - pp.padding_begin[d - 2];
        else { /* the input cell holding the output's centre */
          src[d] = (int64_t)floor(((double)idx[d] + 0.5) * (double)in[d] / (double)out[d]);
          if (src[d] > in[d] - 1) src[d] = in[d] - 1;
        }
        inside = inside && src[d] >= 0 && src[d] < in[d];
      }
      e[tsr_offset(out, ndims, idx, layout)] = inside ? x[tsr_offset(in, ndims, src, layout)] : pp.value;
    }
    if (linear) { /* the reference op's output is the expectation */
      tsr_op* reference = NULL;
      setenv("TESSERA_RESIZE", "reference", 1);
      tsr_upsample_create(&up, &reference);
      unsetenv("TESSERA_RESIZE");
      tsr_run(reference, ndims, in, out, layout, x, e, yn, NULL);
      tsr_op_destroy(reference);
    }
    tsr_op* op = NULL;
    if (nearest) tsr_upsample_create(&up, &op);
    else tsr_pad_create(&pp, &op);
    tsr_run(op, ndims, in, out, layout, x, y, yn, pool);
    char what[200];
    int len = snprintf(what, sizeof(what), "%s mb%lldic%lld %s:", tsr_op_describe(op), (long long)in[0],
                       (long long)in[1], tsr_layout_name(layout));
    for (int d = 0; d < spatial; d++)
      len += snprintf(what + len, sizeof(what) - (size_t)len, " i%lld o%lld", (long long)in[2 + d],
                      (long long)out[2 + d]);
    const double atol = linear ? 100.0 * (spatial == 3 ? 0x1p-20 : 0x1p-21) : 0.0;
    tsr_check_close(what, y, e, yn, atol, 0);
    tsr_op_destroy(op);
    tsr_guarded_free(x), tsr_guarded_free(y), tsr_guarded_free(e);
  }
  printf("row sweep: %zu pad, nearest and linear cases on tensors up to 19 channels x 300 wide\n", cases);
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_upsample_sweep(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 14], y[1 << 16], theirs[1 << 16];
  size_t run = 0;
  for (size_t c = 0; c < cases; c++) {
    tsr_upsample_params p = {.spatial_ndims = 1 + (int32_t)tsr_rng_below(rng, 3)};
    p.kind = tsr_rng_below(rng, 2) ? tsr_resampling_linear : tsr_resampling_nearest;
    const int32_t ndims = p.spatial_ndims + 2;
    int64_t in[5] = {1 + (int64_t)tsr_rng_below(rng, 4), 1 + (int64_t)tsr_rng_below(rng, 7)}, out[5];
    for (int d = 0; d < p.spatial_ndims; d++) {
      in[2 + d] = 1 + (int64_t)tsr_rng_below(rng, p.spatial_ndims == 3 ? 5 : 9);
      if (tsr_rng_below(rng, 3)) p.scale[d] = 1 + (int64_t)tsr_rng_below(rng, 4);
      else p.size[d] = 1 + (int64_t)tsr_rng_below(rng, p.spatial_ndims == 3 ? 8 : 17);
    }
    tsr_upsample_output_shape(&p, ndims, in, out);
    const tsr_layout layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
    size_t xn = 1, yn = 1;
    for (int d = 0; d < ndims; d++) xn *= (size_t)in[d], yn *= (size_t)out[d];
    if (yn > sizeof(y) / 4) continue;
    tsr_fill_integers(rng, x, xn, -8, 8);
    tsr_op* op = NULL;
    tsr_upsample_create(&p, &op);
    tsr_run(op, ndims, in, out, layout, x, y, yn, pool);
    tsr_op_destroy(op);
    tsr_tensor tx = {.data = x}, tt = {.data = theirs};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout, ndims, in);
    tsr_tensor_desc_init(&tt.desc, tsr_dtype_f32, layout, ndims, out);
    tsr_fill_nan(theirs, yn);
    char what[160];
    int len = snprintf(what, sizeof(what), "upsample mb%lldic%lld %s %s:", (long long)in[0], (long long)in[1],
                       tsr_layout_name(layout), p.kind == tsr_resampling_linear ? "linear" : "nearest");
    for (int d = 0; d < p.spatial_ndims; d++)
      len += snprintf(what + len, sizeof(what) - (size_t)len, " i%lld o%lld", (long long)in[2 + d],
                      (long long)out[2 + d]);
    dnnl_memory_desc_t src, dst;
    dnnl_resampling_desc_t desc;
    tsr_onednn_md(&tx.desc, &src);
    tsr_onednn_md(&tt.desc, &dst);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DST, &tt}};
    if (!tsr_check(dnnl_resampling_forward_desc_init(&desc, dnnl_forward_inference,
                                                     p.kind == tsr_resampling_linear ? dnnl_resampling_linear
                                                                                     : dnnl_resampling_nearest,
                                                     NULL, &src, &dst) == dnnl_success &&
                       tsr_onednn_call_create(&call, &desc, NULL, 2, args) == 0,
                   what, "oneDNN refused the case"))
      continue;
    tsr_onednn_call_execute(&call);
    tsr_onednn_call_destroy(&call);
    tsr_check_close(what, y, theirs, yn, 1e-5, 1e-5);
    run++;
  }
  printf("upsample sweep: %zu cases against oneDNN's resampling\n", run);
}
#endif

static void tsr_test_errors(void) {
  tsr_op* op = (tsr_op*)0x1;
  struct { const char* fragment; tsr_pad_params p; } pads[4] = {
      {"spatial_ndims", {.spatial_ndims = 0}},
      {"padding_begin[1]", {.spatial_ndims = 2, .padding_begin = {0, -1}}},
      {"padding_end[0]", {.spatial_ndims = 1, .padding_end = {-2}}},
      {"padding_begin[0]", {.spatial_ndims = 1, .padding_begin = {(int64_t)1 << 41}}},
  };
  for (int i = 0; i < 4; i++) {
    tsr_check_status(tsr_pad_create(&pads[i].p, &op), tsr_status_invalid_parameter, pads[i].fragment);
    tsr_check(strstr(tsr_last_error_message(), pads[i].fragment) != NULL, pads[i].fragment, "message '%s'",
              tsr_last_error_message());
  }
  struct { const char* fragment; tsr_upsample_params p; } ups[6] = {
      {"spatial_ndims", {.spatial_ndims = 4, .scale = {2, 2, 2}}},
      {"kind", {.spatial_ndims = 1, .kind = (tsr_resampling_kind)7, .scale = {2}}},
      {"align_corners", {.spatial_ndims = 1, .align_corners = 1, .scale = {2}}},
      {"scale[0]", {.spatial_ndims = 1, .scale = {-1}}},
      {"size[1]", {.spatial_ndims = 2, .scale = {2, 0}, .size = {0, 0}}},
      {"size[0]", {.spatial_ndims = 1, .size = {(int64_t)1 << 41}}},
  };
  for (int i = 0; i < 6; i++) {
    tsr_check_status(tsr_upsample_create(&ups[i].p, &op), tsr_status_invalid_parameter, ups[i].fragment);
    tsr_check(strstr(tsr_last_error_message(), ups[i].fragment) != NULL, ups[i].fragment, "message '%s'",
              tsr_last_error_message());
  }
  tsr_check_status(tsr_pad_create(NULL, &op), tsr_status_invalid_parameter, "pad params NULL");
  tsr_check_status(tsr_upsample_create(NULL, &op), tsr_status_invalid_parameter, "upsample params NULL");
  tsr_check(op == (tsr_op*)0x1, "resize create failures", "op written");
  int64_t out[3] = {-7, -7, -7};
  const tsr_upsample_params big = {.spatial_ndims = 1, .scale = {(int64_t)1 << 30}};
  tsr_check_status(tsr_upsample_output_shape(&big, 3, (const int64_t[]){1, 1, (int64_t)1 << 20}, out),
                   tsr_status_invalid_parameter, "upsample overflow");
  tsr_check(strstr(tsr_last_error_message(), "overflows") != NULL && out[0] == -7, "upsample overflow message", "'%s'",
            tsr_last_error_message());
  const tsr_pad_params pad = {.spatial_ndims = 1, .padding_begin = {1}, .padding_end = {1}};
  tsr_check_status(tsr_pad_output_shape(&pad, 4, (const int64_t[]){1, 1, 2, 2}, out), tsr_status_invalid_parameter,
                   "pad ndims");
  tsr_check_status(tsr_pad_output_shape(&pad, 3, (const int64_t[]){1, 0, 2}, out), tsr_status_invalid_parameter,
                   "pad zero channels");
  tsr_pad_create(&pad, &op);
  float x[8] = {0}, y[8];
  tsr_fill_nan(y, 8);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 2});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 3});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "pad output dims");
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){1, 2, 4});
  ty.data = NULL;
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "pad y NULL");
  tsr_check_untouched("pad failed runs", y, 8);
  tsr_op_destroy(op);
}

/* Linear upsampling at large factors in NHWC, 1-D and 2-D (runs of more output rows between
 * the same two source rows than the bilinear kernel takes at once, TSR_VBILERP_MAX_ROWS, so
 * they go in several calls), with and without align_corners, against the reference loops within
 * the row sweep's bound. */
static void tsr_large_factor_cases(tsr_threadpool* pool, tsr_rng* rng) {
  static const int64_t shapes[][6] = {/* spatial, channels, in h, in w, out h, out w */
                                      {2, 5, 3, 4, 40, 50}, {2, 37, 2, 3, 29, 17}, {2, 16, 1, 7, 23, 9},
                                      {1, 19, 1, 3, 1, 61}};
  size_t cases = 0;
  for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
    for (int corners = 0; corners <= 1; corners++) {
      const int32_t spatial = (int32_t)shapes[k][0], ndims = spatial + 2;
      tsr_upsample_params up = {.spatial_ndims = spatial, .kind = tsr_resampling_linear, .align_corners = corners};
      int64_t in[4] = {2, shapes[k][1]}, out[4] = {2, shapes[k][1]};
      for (int d = 0; d < spatial; d++) {
        in[2 + d] = shapes[k][4 - spatial + d], out[2 + d] = shapes[k][6 - spatial + d];
        up.size[d] = out[2 + d];
      }
      size_t xn = 1, yn = 1;
      for (int d = 0; d < ndims; d++) xn *= (size_t)in[d], yn *= (size_t)out[d];
      float *x = tsr_guarded_alloc(xn * sizeof(float)), *y = tsr_guarded_alloc(yn * sizeof(float));
      float* e = tsr_guarded_alloc(yn * sizeof(float));
      tsr_fill_uniform(rng, x, xn, -100.0f, 100.0f);
      tsr_op *reference = NULL, *op = NULL;
      setenv("TESSERA_RESIZE", "reference", 1);
      tsr_upsample_create(&up, &reference);
      unsetenv("TESSERA_RESIZE");
      tsr_run(reference, ndims, in, out, tsr_layout_nhwc, x, e, yn, NULL);
      tsr_upsample_create(&up, &op);
      tsr_run(op, ndims, in, out, tsr_layout_nhwc, x, y, yn, pool);
      char what[160];
      snprintf(what, sizeof(what), "linear nhwc %lld channels, %lldx%lld -> %lldx%lld%s", (long long)in[1],
               (long long)(spatial == 2 ? in[2] : 1), (long long)in[ndims - 1],
               (long long)(spatial == 2 ? out[2] : 1), (long long)out[ndims - 1], corners ? " align_corners" : "");
      tsr_check_close(what, y, e, yn, 100.0 * 0x1p-21, 0);
      tsr_op_destroy(reference), tsr_op_destroy(op);
      tsr_guarded_free(x), tsr_guarded_free(y), tsr_guarded_free(e);
      cases++;
    }
  printf("large-factor linear cases: %zu against the reference loops\n", cases);
}

int main(void) {
  tsr_test_errors();
  tsr_test_pad_by_hand();
  tsr_test_upsample_by_hand();
  tsr_rng rng = tsr_rng_seeded(404);
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  tsr_pad_sweep(NULL, &rng, 250);
  tsr_pad_sweep(pool, &rng, 250);
  tsr_rows_sweep(pool, &rng, 300);
  tsr_large_factor_cases(NULL, &rng);
  tsr_large_factor_cases(pool, &rng);
#ifdef TSR_HAVE_ONEDNN
  tsr_upsample_sweep(NULL, &rng, 400);
  tsr_upsample_sweep(pool, &rng, 400);
#endif
  tsr_threadpool_destroy(pool);
  return tsr_test_finish();
}
