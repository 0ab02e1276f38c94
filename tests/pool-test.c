/* Pooling: values worked by hand (max, averages with padding counted and excluded, ceil mode,
 * global), NaN in a max window, a seeded sweep of the fast path against the reference path (and
 * one of plain planes with wide rows, for the row kernels), a
 * seeded sweep against oneDNN's pooling (1-D to 3-D, batch 1-4,
 * channels 1 to 33, kernels 1-7 (1-4 in 3-D), strides 1-3, padding up to half the kernel, every padding mode, ceil mode, plain and
 * nhwc) with tolerance 0 for max and 1 ulp-ish for averages, and the argument checks. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/harness.h"
#include "tests/harness/spatial-case.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static tsr_pool_params tsr_pool(int32_t spatial, tsr_pooling_kind kind, int64_t k, int64_t s) {
  tsr_pool_params p;
  memset(&p, 0, sizeof(p));
  p.spatial_ndims = spatial, p.kind = kind;
  for (int d = 0; d < 3; d++) p.kernel[d] = k, p.stride[d] = s;
  return p;
}

static void tsr_pool_run_plain(const tsr_pool_params* p, const int64_t* in_dims, float* x, float* y) {
  const int32_t ndims = p->spatial_ndims + 2;
  int64_t out_dims[5];
  tsr_check_status(tsr_pool_output_shape(p, ndims, in_dims, out_dims), tsr_status_success, "pool shape");
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, ndims, in_dims);
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, ndims, out_dims);
  tsr_op* op = NULL;
  tsr_pool_create(p, &op);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_success, tsr_op_describe(op));
  tsr_op_destroy(op);
}

static void tsr_test_by_hand(void) {
  float x[16], y[16];
  for (int i = 0; i < 16; i++) x[i] = (float)i; /* 4x4: 0..15 */
  const int64_t d44[] = {1, 1, 4, 4};
  tsr_pool_params p = tsr_pool(2, tsr_pooling_max, 2, 2);
  tsr_pool_run_plain(&p, d44, x, y);
  tsr_check_close("max 2x2/2 by hand", y, (const float[]){5, 7, 13, 15}, 4, 0, 0);
  /* 3x3 average, padding 1, stride 2, over 4x4: corner window covers x[0,1,4,5] */
  p = tsr_pool(2, tsr_pooling_avg_exclude_padding, 3, 2);
  p.padding_begin[0] = p.padding_begin[1] = p.padding_end[0] = p.padding_end[1] = 1;
  tsr_pool_run_plain(&p, d44, x, y);
  tsr_check(y[0] == (0 + 1 + 4 + 5) / 4.0f, "avg excluding padding by hand", "%g", (double)y[0]);
  p.kind = tsr_pooling_avg_include_padding;
  tsr_pool_run_plain(&p, d44, x, y);
  tsr_check(y[0] == (0 + 1 + 4 + 5) / 9.0f, "avg including padding by hand", "%g", (double)y[0]);
  /* ceil mode: 1-D input 5, kernel 2, stride 2: floor gives 2 outputs, ceil 3 ([4] alone) */
  float v[5] = {1, 2, 3, 4, 5}, w[3];
  p = tsr_pool(1, tsr_pooling_avg_include_padding, 2, 2);
  p.ceil_mode = 1;
  int64_t out[3];
  tsr_pool_output_shape(&p, 3, (const int64_t[]){1, 1, 5}, out);
  tsr_check(out[2] == 3, "ceil mode size", "%lld", (long long)out[2]);
  tsr_pool_run_plain(&p, (const int64_t[]){1, 1, 5}, v, w);
  tsr_check_close("ceil mode, last window not past the input", w, (const float[]){1.5f, 3.5f, 5.0f}, 3, 0, 0);
  p.ceil_mode = 0;
  tsr_pool_output_shape(&p, 3, (const int64_t[]){1, 1, 5}, out);
  tsr_check(out[2] == 2, "floor mode size", "%lld", (long long)out[2]);
  /* global */
  p = tsr_pool(2, tsr_pooling_avg_exclude_padding, 1, 1);
  p.global = 1;
  tsr_pool_run_plain(&p, d44, x, y);
  tsr_check(y[0] == 7.5f, "global average", "%g", (double)y[0]);
  p.kind = tsr_pooling_max;
  tsr_pool_run_plain(&p, d44, x, y);
  tsr_check(y[0] == 15.0f, "global max", "%g", (double)y[0]);
  /* NaN in a max window gives NaN */
  x[5] = NAN;
  p = tsr_pool(2, tsr_pooling_max, 2, 2);
  tsr_pool_run_plain(&p, d44, x, y);
  tsr_check(isnan(y[0]) && y[1] == 7.0f, "max with NaN", "%g %g", (double)y[0], (double)y[1]);
}

/* A random pooling case: 1-D to 3-D, any kind, padding mode and ceil mode, global one time in
 * `global_one_in` (0: never), batch 1 to max_batch, channels from `channels`, kernels 1-7 (1-4 in
 * 3-D), strides 1-3, padding up to half the kernel, extents 1 to max_extent (1-6 in 3-D), plain
 * or nhwc. Shared by the sweeps. */
static void tsr_random_pool_case(tsr_rng* rng, const int64_t* channels, size_t num_channels, uint64_t max_batch,
                                 uint64_t max_extent, uint64_t global_one_in, tsr_pool_params* p, int64_t* in_dims,
                                 tsr_layout* layout) {
  const int32_t spatial = 1 + (int32_t)tsr_rng_below(rng, 3);
  *p = tsr_pool(spatial, (tsr_pooling_kind)tsr_rng_below(rng, 3), 1, 1);
  p->padding_mode = (tsr_padding_mode)tsr_rng_below(rng, 3);
  p->ceil_mode = tsr_rng_below(rng, 2);
  p->global = global_one_in != 0 && tsr_rng_below(rng, global_one_in) == 0;
  in_dims[0] = 1 + (int64_t)tsr_rng_below(rng, max_batch);
  in_dims[1] = channels[tsr_rng_below(rng, num_channels)];
  for (int d = 0; d < spatial; d++) {
    p->kernel[d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 4 : 7);
    p->stride[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
    p->padding_begin[d] = (int64_t)tsr_rng_below(rng, (uint64_t)p->kernel[d] / 2 + 1);
    p->padding_end[d] = (int64_t)tsr_rng_below(rng, (uint64_t)p->kernel[d] / 2 + 1);
    in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 6 : max_extent);
  }
  *layout = tsr_rng_below(rng, 2) ? tsr_layout_nhwc : tsr_layout_plain;
}

/* The tensors of a pooling case over buffers of `capacity` floats each: x and y (y's desc also
 * serves the comparison buffer); false when the case's output shape is invalid or too large. */
static bool tsr_pool_case_tensors(const tsr_pool_params* p, const int64_t* in_dims, tsr_layout layout, float* x,
                                  float* y, size_t capacity, tsr_tensor* tx, tsr_tensor* ty) {
  int64_t out_dims[5];
  const int32_t ndims = p->spatial_ndims + 2;
  if (tsr_pool_output_shape(p, ndims, in_dims, out_dims) != tsr_status_success) return false;
  *tx = (tsr_tensor){.data = x};
  *ty = (tsr_tensor){.data = y};
  tsr_tensor_desc_init(&tx->desc, tsr_dtype_f32, layout, ndims, in_dims);
  tsr_tensor_desc_init(&ty->desc, tsr_dtype_f32, layout, ndims, out_dims);
  return tsr_tensor_desc_elements(&tx->desc) <= capacity && tsr_tensor_desc_elements(&ty->desc) <= capacity;
}

/* The fast path (f32-pool kernels) against the reference path (TESSERA_POOL=reference at
 * creation), tolerance 0 (integer data: sums exact, quotients correctly rounded in both):
 * channels around the kernels' vector and four-vector blocks and multiples of 128 (NCHW's reorder
 * scratch has a padded pixel stride then), windows past the 64 taps one kernel
 * call takes (global pooling over up to 14x14, split into parts), batch 1-3 (at batch 1 a global
 * pool splits channels over tasks), plain and nhwc, NULL pool and 2 threads, NaN in some max
 * inputs. With `wide_rows`: plain planes whose rows (the last dim) are 32-75 wide at stride 1 or
 * 2, which take the row kernels straight from the planes (engine/pool-plain.c) on every ISA. */
static void tsr_sweep_fast(tsr_threadpool* pool, tsr_rng* rng, size_t cases, bool wide_rows) {
  static float x[1 << 17], expected[1 << 17];
  static _Alignas(64) float y[1 << 17]; /* aligned: outputs past the test LLC stream (main) */
  static const int64_t channel_choices[] = {1, 3, 8, 9, 16, 17, 31, 33, 64, 65, 100, 128, 130, 256};
  size_t run = 0;
  for (size_t c = 0; c < cases; c++) {
    tsr_pool_params p;
    int64_t in_dims[5];
    tsr_layout layout;
    tsr_random_pool_case(rng, channel_choices, wide_rows ? 5 : 14, 3, wide_rows ? 8 : 14, wide_rows ? 0 : 5, &p,
                         in_dims, &layout);
    const int32_t spatial = p.spatial_ndims;
    if (wide_rows) {
      layout = tsr_layout_plain;
      in_dims[1 + spatial] = 32 + (int64_t)tsr_rng_below(rng, 44);
      p.stride[spatial - 1] = 1 + (int64_t)tsr_rng_below(rng, 2);
    }
    tsr_tensor tx, ty;
    if (!tsr_pool_case_tensors(&p, in_dims, layout, x, y, sizeof(x) / 4, &tx, &ty)) continue;
    const tsr_tensor te = {ty.desc, expected};
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), yn = tsr_tensor_desc_elements(&ty.desc);
    tsr_fill_integers(rng, x, xn, -20, 20);
    if (p.kind == tsr_pooling_max && tsr_rng_below(rng, 4) == 0) x[tsr_rng_below(rng, xn)] = NAN;
    tsr_op *fast = NULL, *reference = NULL;
    tsr_pool_create(&p, &fast);
    setenv("TESSERA_POOL", "reference", 1);
    tsr_pool_create(&p, &reference);
    unsetenv("TESSERA_POOL");
    tsr_fill_nan(y, yn);
    tsr_op_run(fast, 1, &tx, 1, &ty, pool);
    tsr_op_run(reference, 1, &tx, 1, &te, pool);
    char what[240];
    snprintf(what, sizeof(what), "%s vs reference: %dd n%lld c%lld in %lldx%lldx%lld %s%s", tsr_op_describe(fast),
             (int)spatial, (long long)in_dims[0], (long long)in_dims[1], (long long)in_dims[2],
             (long long)(spatial > 1 ? in_dims[3] : 1), (long long)(spatial > 2 ? in_dims[4] : 1),
             tsr_layout_name(layout), pool != NULL ? " 2 threads" : "");
    tsr_check(strstr(tsr_op_describe(reference), "impl=reference") != NULL, what, "the reference op is %s",
              tsr_op_describe(reference));
    tsr_check_close(what, y, expected, yn, 0.0, 0.0);
    tsr_op_destroy(fast);
    tsr_op_destroy(reference);
    run++;
  }
  printf("pool fast-path sweep%s: %zu cases against the reference path\n", wide_rows ? " (wide plain rows)" : "", run);
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_sweep(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 15], theirs[1 << 15];
  static _Alignas(64) float y[1 << 15]; /* aligned: outputs past the test LLC stream (main) */
  size_t run = 0, skipped = 0;
  static const int64_t channel_choices[] = {1, 2, 3, 5, 7, 8, 17, 33};
  for (size_t c = 0; c < cases; c++) {
    tsr_pool_params p;
    int64_t in_dims[5];
    tsr_layout layout;
    tsr_random_pool_case(rng, channel_choices, 8, 4, 11, 0, &p, in_dims, &layout);
    const int32_t spatial = p.spatial_ndims;
    tsr_tensor tx, ty;
    if (!tsr_pool_case_tensors(&p, in_dims, layout, x, y, sizeof(x) / 4, &tx, &ty)) continue;
    const tsr_tensor tt = {ty.desc, theirs};
    const int64_t* out_dims = ty.desc.dims;
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), yn = tsr_tensor_desc_elements(&ty.desc);
    /* oneDNN's paddings: what the output uses; an average that counts padding would count
     * ceil mode's overhang past the declared padding, which PyTorch (and tessera) do not */
    dnnl_dims_t strides, kernel, dilation, pad_l, pad_r;
    bool overhang = false;
    for (int d = 0; d < spatial; d++) {
      int64_t begin = p.padding_begin[d], end = p.padding_end[d];
      if (p.padding_mode == tsr_padding_valid) begin = end = 0;
      if (p.padding_mode == tsr_padding_same) {
        const int64_t total = (out_dims[2 + d] - 1) * p.stride[d] + p.kernel[d] - in_dims[2 + d];
        begin = total > 0 ? total / 2 : 0;
        end = total > 0 ? total - begin : 0;
      }
      const int64_t used = (out_dims[2 + d] - 1) * p.stride[d] + p.kernel[d] - in_dims[2 + d] - begin;
      overhang = overhang || used > end;
      strides[d] = p.stride[d], kernel[d] = p.kernel[d], dilation[d] = 0, pad_l[d] = begin, pad_r[d] = used;
    }
    if (overhang && p.kind == tsr_pooling_avg_include_padding) {
      skipped++;
      continue;
    }
    tsr_fill_integers(rng, x, xn, -20, 20);
    tsr_fill_nan(y, yn);
    tsr_op* op = NULL;
    tsr_pool_create(&p, &op);
    tsr_op_run(op, 1, &tx, 1, &ty, pool);
    dnnl_memory_desc_t src, dst;
    tsr_onednn_md(&tx.desc, &src);
    tsr_onednn_md(&ty.desc, &dst);
    static const dnnl_alg_kind_t algs[] = {dnnl_pooling_max, dnnl_pooling_avg_include_padding, dnnl_pooling_avg_exclude_padding};
    dnnl_pooling_v2_desc_t desc;
    dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, algs[p.kind], &src, &dst, strides, kernel, dilation, pad_l, pad_r);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DST, &tt}};
    char what[200];
    snprintf(what, sizeof(what), "%s %dd in %lldx%lldx%lld %s %s", tsr_op_describe(op), (int)spatial,
             (long long)in_dims[2], (long long)(spatial > 1 ? in_dims[3] : 1), (long long)(spatial > 2 ? in_dims[4] : 1),
             tsr_layout_name(layout), p.padding_mode == 0 ? "explicit" : p.padding_mode == 1 ? "same" : "valid");
    if (tsr_check(tsr_onednn_call_create(&call, &desc, NULL, 2, args) == 0, what, "oneDNN refused")) {
      tsr_onednn_call_execute(&call);
      tsr_onednn_call_destroy(&call);
      tsr_check_close(what, y, theirs, yn, 0.0, p.kind == tsr_pooling_max ? 0.0 : 2.4e-7);
      run++;
    }
    tsr_op_destroy(op);
  }
  printf("pool sweep: %zu cases against oneDNN (%zu ceil-mode averages counting padding checked by hand only)\n", run, skipped);
}
#endif

static void tsr_test_errors(void) {
  tsr_op* op = (tsr_op*)0x1;
  tsr_pool_params p = tsr_pool(2, tsr_pooling_max, 3, 1);
  p.kind = (tsr_pooling_kind)5;
  tsr_check_status(tsr_pool_create(&p, &op), tsr_status_invalid_parameter, "pool kind 5");
  p = tsr_pool(2, tsr_pooling_max, 3, 0);
  tsr_check_status(tsr_pool_create(&p, &op), tsr_status_invalid_parameter, "pool stride 0");
  tsr_check(strstr(tsr_last_error_message(), "stride") != NULL, "stride message", "'%s'", tsr_last_error_message());
  p = tsr_pool(2, tsr_pooling_max, 3, 1);
  p.padding_begin[0] = 2;
  tsr_check_status(tsr_pool_create(&p, &op), tsr_status_invalid_parameter, "pool padding over half the kernel");
  p.padding_begin[0] = -1;
  tsr_check_status(tsr_pool_create(&p, &op), tsr_status_invalid_parameter, "pool negative padding");
  p = tsr_pool(4, tsr_pooling_max, 3, 1);
  tsr_check_status(tsr_pool_create(&p, &op), tsr_status_invalid_parameter, "pool spatial 4");
  tsr_check_status(tsr_pool_create(NULL, &op), tsr_status_invalid_parameter, "pool params NULL");
  tsr_check(op == (tsr_op*)0x1, "pool create failures", "op written");
  p = tsr_pool(2, tsr_pooling_max, 3, 1);
  tsr_pool_create(&p, &op);
  float x[16] = {0}, y[16];
  tsr_fill_nan(y, 16);
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 1, 2, 8});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 1, 1, 6});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "pool kernel larger than input");
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 1, 4, 4});
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 1, 2, 3});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "pool output dims");
  tsr_check(isnan(y[0]), "pool failed runs", "output written");
  tsr_op_destroy(op);
}

/* The blocked layouts: a random case pooled from plain x by the plain op (checked above against
 * the reference and oneDNN) is the expectation; x is rearranged into each block size, pooled,
 * and compared element by element (tolerance 0), with the padding channels required to stay 0.
 * Channels below, at and above each block. */
static void tsr_sweep_blocked(tsr_threadpool* pool, tsr_rng* rng, size_t cases) {
  static float x[1 << 15], y[1 << 15], xb[1 << 16];
  static _Alignas(64) float yb[1 << 16]; /* aligned: outputs past the test LLC stream (main) */
  static const int64_t channel_choices[] = {1, 3, 4, 5, 8, 9, 16, 17, 33};
  static const tsr_layout layouts[] = {tsr_layout_nchw4c, tsr_layout_nchw8c, tsr_layout_nchw16c};
  size_t run = 0;
  for (size_t c = 0; c < cases; c++) {
    tsr_pool_params p;
    int64_t in_dims[5];
    tsr_layout ignored;
    tsr_random_pool_case(rng, channel_choices, 9, 3, 12, 6, &p, in_dims, &ignored);
    tsr_tensor tx, ty;
    if (!tsr_pool_case_tensors(&p, in_dims, tsr_layout_plain, x, y, sizeof(x) / 4, &tx, &ty)) continue;
    const size_t N = (size_t)in_dims[0], C = (size_t)in_dims[1];
    const size_t xs = tsr_tensor_desc_elements(&tx.desc) / (N * C), ys = tsr_tensor_desc_elements(&ty.desc) / (N * C);
    tsr_fill_integers(rng, x, N * C * xs, -20, 20);
    tsr_op* op = NULL;
    tsr_pool_create(&p, &op);
    tsr_op_run(op, 1, &tx, 1, &ty, pool);
    const tsr_layout layout = layouts[tsr_rng_below(rng, 3)];
    const size_t block = layout == tsr_layout_nchw4c ? 4 : layout == tsr_layout_nchw8c ? 8 : 16;
    tsr_tensor bx = {.data = xb}, by = {.data = yb};
    tsr_tensor_desc_init(&bx.desc, tsr_dtype_f32, layout, tx.desc.ndims, tx.desc.dims);
    tsr_tensor_desc_init(&by.desc, tsr_dtype_f32, layout, ty.desc.ndims, ty.desc.dims);
    const size_t x_span = tsr_tensor_desc_bytes(&bx.desc) / 4, y_span = tsr_tensor_desc_bytes(&by.desc) / 4;
    if (x_span > sizeof(xb) / 4 || y_span > sizeof(yb) / 4) {
      tsr_op_destroy(op);
      continue;
    }
    tsr_plain_to_blocked(x, N, C, xs, block, 0.0f, xb);
    tsr_fill_nan(yb, y_span);
    char what[200];
    snprintf(what, sizeof(what), "%s %s: %dd n%zu c%zu%s", tsr_op_describe(op), tsr_layout_name(layout),
             (int)p.spatial_ndims, N, C, pool != NULL ? " 2 threads" : "");
    if (tsr_check_status(tsr_op_run(op, 1, &bx, 1, &by, pool), tsr_status_success, what)) {
      tsr_check_blocked(what, yb, y, N, C, ys, block, 0.0, 0.0);
      run++;
    }
    tsr_op_destroy(op);
  }
  printf("blocked sweep: %zu cases against the plain layout\n", run);
}

int main(int argc, char** argv) {
  tsr_rng rng = tsr_rng_seeded(515);
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  /* "in-cache": a last-level cache of 64 MiB, so the wide plain rows run on the in-cache paths
   * (at stride 2 straight from the planes, runs of rows with clipped pixels in one call) */
  if (argc > 1 && strcmp(argv[1], "in-cache") == 0) {
    tsr_test_small_llc("64M");
    tsr_sweep_fast(NULL, &rng, 300, true);
    tsr_sweep_fast(pool, &rng, 300, true);
    tsr_threadpool_destroy(pool);
    return tsr_test_finish();
  }
  /* A last-level cache of 16 KiB: the sweeps' larger inputs then take the prefetch and, where y
   * is aligned (16-float pixel strides), the streaming stores, against the same references. */
  tsr_test_small_llc("16K");
  tsr_test_errors();
  tsr_test_by_hand();
  tsr_sweep_fast(NULL, &rng, 400, false);
  tsr_sweep_fast(pool, &rng, 400, false);
  tsr_sweep_fast(NULL, &rng, 300, true);
  tsr_sweep_fast(pool, &rng, 300, true);
  /* 8 threads: NCHW slices then go down to a task for every other thread */
  tsr_threadpool* pool8 = NULL;
  tsr_threadpool_create(8, &pool8);
  tsr_sweep_fast(pool8, &rng, 200, false);
  tsr_threadpool_destroy(pool8);
  tsr_sweep_blocked(NULL, &rng, 150);
  tsr_sweep_blocked(pool, &rng, 150);
#ifdef TSR_HAVE_ONEDNN
  tsr_sweep(NULL, &rng, 1000);
  tsr_sweep(pool, &rng, 1000);
#endif
  tsr_threadpool_destroy(pool);
  return tsr_test_finish();
}
