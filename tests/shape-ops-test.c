/* Reshape, flatten, permute and identity: worked by hand (inferred and kept dims, nhwc inputs
 * taken in logical order, Keras' channels-last flatten as permute then flatten), a seeded
 * permute sweep (1-6 dims, plain, nhwc and strided outputs) against indices computed here, the
 * identity between plain and nhwc against oneDNN's reorder, identity into and out of the
 * blocked layouts against indices computed here, NCHW -> NHWC by permute equal to the same data
 * described as nhwc, all with tolerance 0 (copies), and every bad argument. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#include "tests/harness/spatial-case.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static tsr_status tsr_run(tsr_op* op, const tsr_tensor* x, int32_t ndims, const int64_t* dims, tsr_layout layout,
                          float* y) {
  tsr_tensor ty = {.data = y};
  tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, layout, ndims, dims);
  return tsr_op_run(op, 1, x, 1, &ty, NULL);
}

static void tsr_test_by_hand(void) {
  float data[24], y[24];
  for (int i = 0; i < 24; i++) data[i] = (float)i;
  tsr_tensor x = {.data = data};
  tsr_op* op = NULL;
  int32_t ndims = 0;
  int64_t dims[8];
  /* reshape [2, 3, 4] to [0, -1, 2]: keep 2, infer 6 */
  tsr_check_status(tsr_reshape_output_shape(3, (const int64_t[]){0, -1, 2}, 3, (const int64_t[]){2, 3, 4}, &ndims, dims),
                   tsr_status_success, "reshape shape");
  tsr_check(ndims == 3 && dims[0] == 2 && dims[1] == 6 && dims[2] == 2, "reshape keep and infer", "[%lld %lld %lld]",
            (long long)dims[0], (long long)dims[1], (long long)dims[2]);
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, 3, (const int64_t[]){2, 3, 4});
  tsr_reshape_create(3, (const int64_t[]){0, -1, 2}, &op);
  tsr_fill_nan(y, 24);
  tsr_check_status(tsr_run(op, &x, 3, dims, tsr_layout_plain, y), tsr_status_success, "reshape run");
  tsr_check_close("reshape of plain data keeps the bytes", y, data, 24, 0, 0);
  tsr_op_destroy(op);
  /* flatten of nhwc [1, 3, 2, 2] (memory: h, w, c) gives [1, 12] in c, h, w order */
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_nhwc, 4, (const int64_t[]){1, 3, 2, 2});
  tsr_flatten_create(1, -1, &op);
  tsr_fill_nan(y, 24);
  tsr_check_status(tsr_run(op, &x, 2, (const int64_t[]){1, 12}, tsr_layout_plain, y), tsr_status_success, "flatten");
  tsr_check_close("flatten of nhwc in logical order", y, (const float[]){0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, 12, 0, 0);
  tsr_op_destroy(op);
  /* Keras' channels-last flatten: permute to [N, H, W, C], then flatten: the memory order */
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 3, 2, 2});
  tsr_permute_create(4, (const int32_t[]){0, 2, 3, 1}, &op);
  float nhwc[12];
  tsr_fill_nan(nhwc, 12);
  tsr_check_status(tsr_run(op, &x, 4, (const int64_t[]){1, 2, 2, 3}, tsr_layout_plain, nhwc), tsr_status_success,
                   "permute NCHW to NHWC");
  tsr_check_close("permute NCHW to NHWC by hand", nhwc, (const float[]){0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, 12, 0, 0);
  tsr_op_destroy(op);
  /* the same bytes as an identity from plain to the nhwc layout */
  tsr_identity_create(&op);
  tsr_fill_nan(y, 24);
  tsr_check_status(tsr_run(op, &x, 4, (const int64_t[]){1, 3, 2, 2}, tsr_layout_nhwc, y), tsr_status_success,
                   "identity plain to nhwc");
  tsr_check_close("permute {0,2,3,1} equals the nhwc layout", y, nhwc, 12, 0, 0);
  tsr_op_destroy(op);
  /* permute back, NHWC to NCHW, {0, 3, 1, 2} */
  tsr_tensor back = {.data = nhwc};
  tsr_tensor_desc_init(&back.desc, tsr_dtype_f32, tsr_layout_plain, 4, (const int64_t[]){1, 2, 2, 3});
  tsr_permute_create(4, (const int32_t[]){0, 3, 1, 2}, &op);
  tsr_fill_nan(y, 24);
  tsr_check_status(tsr_run(op, &back, 4, (const int64_t[]){1, 3, 2, 2}, tsr_layout_plain, y), tsr_status_success,
                   "permute NHWC to NCHW");
  tsr_check_close("permute there and back", y, data, 12, 0, 0);
  tsr_op_destroy(op);
  /* in place: reshape plain data onto itself */
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, 2, (const int64_t[]){4, 6});
  tsr_flatten_create(0, 1, &op);
  tsr_check_status(tsr_run(op, &x, 1, (const int64_t[]){24}, tsr_layout_plain, data), tsr_status_success, "in place");
  tsr_check(data[23] == 23 && data[5] == 5, "flatten in place", "data changed");
  tsr_op_destroy(op);
}

/* Offset of logical index idx in a plain, nhwc or strided tensor, from the layout's definition. */
static size_t tsr_offset(const tsr_tensor_desc* d, const int64_t* idx) {
  size_t offset = 0;
  if (d->layout == tsr_layout_strided) {
    for (int32_t k = 0; k < d->ndims; k++) offset += (size_t)(idx[k] * d->strides[k]);
  } else if (d->layout == tsr_layout_plain) {
    for (int32_t k = 0; k < d->ndims; k++) offset = offset * (size_t)d->dims[k] + (size_t)idx[k];
  } else {
    offset = (size_t)idx[0];
    for (int32_t k = 2; k < d->ndims; k++) offset = offset * (size_t)d->dims[k] + (size_t)idx[k];
    offset = offset * (size_t)d->dims[1] + (size_t)idx[1];
  }
  return offset;
}

static void tsr_permute_sweep(tsr_rng* rng, size_t cases) {
  static float x[1 << 13], y[1 << 15], e[1 << 15];
  for (size_t c = 0; c < cases; c++) {
    const int32_t ndims = 1 + (int32_t)tsr_rng_below(rng, 6);
    int64_t in[8], out[8], strides[8];
    int32_t perm[8];
    for (int32_t d = 0; d < ndims; d++) in[d] = 1 + (int64_t)tsr_rng_below(rng, 5), perm[d] = d;
    for (int32_t d = ndims - 1; d > 0; d--) { /* Fisher-Yates */
      const int32_t j = (int32_t)tsr_rng_below(rng, (uint64_t)d + 1), t = perm[d];
      perm[d] = perm[j], perm[j] = t;
    }
    tsr_permute_output_shape(ndims, perm, ndims, in, out);
    tsr_tensor tx = {.data = x}, ty = {.data = y};
    const uint64_t x_kind = tsr_rng_below(rng, 2), y_kind = tsr_rng_below(rng, 3);
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, x_kind && ndims >= 3 ? tsr_layout_nhwc : tsr_layout_plain, ndims, in);
    if (y_kind == 2) { /* a padded strided view: every row two elements longer */
      int64_t s = 1;
      for (int32_t d = ndims - 1; d >= 0; d--) strides[d] = s, s *= out[d] + (d == ndims - 1 ? 2 : 0);
      tsr_tensor_desc_init_strided(&ty.desc, tsr_dtype_f32, ndims, out, strides);
    } else {
      tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, y_kind && ndims >= 3 ? tsr_layout_nhwc : tsr_layout_plain, ndims, out);
    }
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), span = tsr_tensor_desc_bytes(&ty.desc) / 4;
    tsr_fill_integers(rng, x, xn, -100, 100);
    tsr_fill_nan(y, span);
    tsr_fill_nan(e, span);
    for (size_t i = 0; i < xn; i++) {
      int64_t idx[8], src[8];
      size_t rest = i;
      for (int32_t d = ndims - 1; d >= 0; d--) idx[d] = (int64_t)(rest % (size_t)out[d]), rest /= (size_t)out[d];
      for (int32_t d = 0; d < ndims; d++) src[perm[d]] = idx[d];
      e[tsr_offset(&ty.desc, idx)] = x[tsr_offset(&tx.desc, src)];
    }
    tsr_op* op = NULL;
    tsr_permute_create(ndims, perm, &op);
    tsr_op_run(op, 1, &tx, 1, &ty, NULL);
    tsr_op_destroy(op);
    char what[160];
    int len = snprintf(what, sizeof(what), "permute %s -> %s dims", tsr_layout_name(tx.desc.layout),
                       tsr_layout_name(ty.desc.layout));
    for (int32_t d = 0; d < ndims; d++)
      len += snprintf(what + len, sizeof(what) - (size_t)len, " %lld", (long long)in[d]);
    len += snprintf(what + len, sizeof(what) - (size_t)len, " perm");
    for (int32_t d = 0; d < ndims; d++) len += snprintf(what + len, sizeof(what) - (size_t)len, " %d", (int)perm[d]);
    size_t bad = 0; /* NaN in both where the strided view skips elements */
    for (size_t i = 0; i < span; i++) bad += !(y[i] == e[i] || (isnan(y[i]) && isnan(e[i])));
    tsr_check(bad == 0, what, "%zu elements differ", bad);
  }
  printf("permute sweep: %zu cases against indices computed here\n", cases);
}

#ifdef TSR_HAVE_ONEDNN
static void tsr_identity_against_reorder(tsr_rng* rng, size_t cases) {
  static float x[1 << 13], y[1 << 13], theirs[1 << 13];
  for (size_t c = 0; c < cases; c++) {
    const int32_t ndims = 3 + (int32_t)tsr_rng_below(rng, 3);
    int64_t dims[5];
    for (int32_t d = 0; d < ndims; d++) dims[d] = 1 + (int64_t)tsr_rng_below(rng, 6);
    const bool to_nhwc = tsr_rng_below(rng, 2);
    tsr_tensor tx = {.data = x}, ty = {.data = y}, tt = {.data = theirs};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, to_nhwc ? tsr_layout_plain : tsr_layout_nhwc, ndims, dims);
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, to_nhwc ? tsr_layout_nhwc : tsr_layout_plain, ndims, dims);
    tt.desc = ty.desc;
    const size_t n = tsr_tensor_desc_elements(&tx.desc);
    tsr_fill_integers(rng, x, n, -100, 100);
    tsr_fill_nan(y, n);
    tsr_fill_nan(theirs, n);
    tsr_op* op = NULL;
    tsr_identity_create(&op);
    tsr_op_run(op, 1, &tx, 1, &ty, NULL);
    tsr_op_destroy(op);
    dnnl_memory_desc_t src, dst;
    tsr_onednn_md(&tx.desc, &src);
    tsr_onednn_md(&tt.desc, &dst);
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t reorder;
    dnnl_memory_t ms, md;
    dnnl_stream_t stream;
    dnnl_engine_t engine = tsr_onednn_engine();
    dnnl_reorder_primitive_desc_create(&pd, &src, engine, &dst, engine, NULL);
    dnnl_primitive_create(&reorder, pd);
    dnnl_memory_create(&ms, &src, engine, x);
    dnnl_memory_create(&md, &dst, engine, theirs);
    dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, ms}, {DNNL_ARG_TO, md}};
    dnnl_primitive_execute(reorder, stream, 2, args);
    dnnl_stream_wait(stream);
    dnnl_stream_destroy(stream);
    dnnl_memory_destroy(ms);
    dnnl_memory_destroy(md);
    dnnl_primitive_destroy(reorder);
    dnnl_primitive_desc_destroy(pd);
    char what[96];
    snprintf(what, sizeof(what), "identity %s %dD [%lld ...]", to_nhwc ? "plain->nhwc" : "nhwc->plain", (int)ndims,
             (long long)dims[0]);
    tsr_check_close(what, y, theirs, n, 0, 0);
  }
  printf("identity: %zu layout conversions against oneDNN's reorder\n", cases);
}
#endif

/* Element (n, c, s) of an [N, C, S] tensor (S the flattened spatial index) in `layout`: plain,
 * nhwc or blocked, computed here independently of the library. */
static size_t tsr_layout_offset(tsr_layout layout, size_t n, size_t c, size_t s, size_t channels, size_t spatial) {
  if (layout == tsr_layout_plain) return (n * channels + c) * spatial + s;
  if (layout == tsr_layout_nhwc) return (n * spatial + s) * channels + c;
  return tsr_blocked_offset(n, c, s, channels, spatial, layout == tsr_layout_nchw4c ? 4 : layout == tsr_layout_nchw8c ? 8 : 16);
}

/* Identity as the reorder into and out of the blocked layouts: every pair of plain, nhwc,
 * nchw4c, 8c and 16c with a blocked side, 1-D to 3-D, batch 1-3, channels below, at and above
 * each block; tolerance 0, y pre-filled with NaN and its padding lanes required to be 0. */
static void tsr_blocked_reorder_sweep(tsr_rng* rng, tsr_threadpool* pool, size_t cases) {
  static float x[1 << 15], y[1 << 15];
  static const int64_t channels[] = {1, 3, 4, 5, 8, 9, 15, 16, 17, 33};
  static const tsr_layout layouts[] = {tsr_layout_plain, tsr_layout_nhwc, tsr_layout_nchw4c, tsr_layout_nchw8c,
                                       tsr_layout_nchw16c};
  size_t run = 0;
  for (size_t c = 0; c < cases; c++) {
    const int32_t ndims = 3 + (int32_t)tsr_rng_below(rng, 3);
    int64_t dims[5] = {1 + (int64_t)tsr_rng_below(rng, 3), channels[tsr_rng_below(rng, 10)]};
    for (int32_t d = 2; d < ndims; d++) dims[d] = 1 + (int64_t)tsr_rng_below(rng, 7);
    const tsr_layout from = layouts[tsr_rng_below(rng, 5)];
    const tsr_layout to = from < tsr_layout_nchw4c ? layouts[2 + tsr_rng_below(rng, 3)] : layouts[tsr_rng_below(rng, 5)];
    tsr_tensor tx = {.data = x}, ty = {.data = y};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, from, ndims, dims);
    tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, to, ndims, dims);
    const size_t xn = tsr_tensor_desc_bytes(&tx.desc) / 4, yn = tsr_tensor_desc_bytes(&ty.desc) / 4;
    if (xn > sizeof(x) / 4 || yn > sizeof(y) / 4) continue;
    const size_t N = (size_t)dims[0], C = (size_t)dims[1], S = tsr_tensor_desc_elements(&tx.desc) / (N * C);
    memset(x, 0, xn * 4);
    for (size_t n = 0; n < N; n++)
      for (size_t ch = 0; ch < C; ch++)
        for (size_t sp = 0; sp < S; sp++) x[tsr_layout_offset(from, n, ch, sp, C, S)] = (float)((n * C + ch) * S + sp);
    tsr_fill_nan(y, yn);
    tsr_op* op = NULL;
    tsr_identity_create(&op);
    char what[128];
    snprintf(what, sizeof(what), "identity %s->%s %dD n%zu c%zu s%zu%s", tsr_layout_name(from), tsr_layout_name(to),
             (int)ndims - 2, N, C, S, pool != NULL ? " 2 threads" : "");
    if (tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, pool), tsr_status_success, what)) {
      size_t wrong = 0;
      for (size_t n = 0; n < N; n++)
        for (size_t ch = 0; ch < C; ch++)
          for (size_t sp = 0; sp < S; sp++)
            wrong += y[tsr_layout_offset(to, n, ch, sp, C, S)] != (float)((n * C + ch) * S + sp);
      const size_t block = to == tsr_layout_nchw4c ? 4 : to == tsr_layout_nchw8c ? 8 : to == tsr_layout_nchw16c ? 16 : 1;
      size_t padding = 0;
      for (size_t n = 0; n < N; n++)
        for (size_t ch = C; ch < (C + block - 1) / block * block; ch++)
          for (size_t sp = 0; sp < S; sp++) padding += y[tsr_blocked_offset(n, ch, sp, C, S, block)] != 0.0f;
      tsr_check(wrong == 0 && padding == 0, what, "%zu elements misplaced, %zu padding lanes nonzero", wrong, padding);
      run++;
    }
    tsr_op_destroy(op);
  }
  printf("identity: %zu reorders with a blocked side%s\n", run, pool != NULL ? " (2 threads)" : "");
}

static void tsr_test_errors(void) {
  int32_t ndims = -5;
  int64_t dims[8] = {-7};
  const int64_t in[3] = {2, 3, 4};
  struct { const char* fragment; int32_t n; int64_t shape[4]; } reshapes[] = {
      {"second -1", 3, {-1, -1, 4}}, {"shape[1] is -2", 2, {6, -2}}, {"holds 25 elements", 2, {5, 5}},
      {"do not divide", 2, {5, -1}}, {"ndims is 0", 0, {0}},         {"shape[3] is 0 (keep)", 4, {1, 1, 24, 0}},
  };
  for (size_t i = 0; i < sizeof(reshapes) / sizeof(reshapes[0]); i++) {
    tsr_check_status(tsr_reshape_output_shape(reshapes[i].n, reshapes[i].shape, 3, in, &ndims, dims),
                     tsr_status_invalid_parameter, reshapes[i].fragment);
    tsr_check(strstr(tsr_last_error_message(), reshapes[i].fragment) != NULL, reshapes[i].fragment, "message '%s'",
              tsr_last_error_message());
  }
  tsr_check(ndims == -5 && dims[0] == -7, "reshape shape failures", "outputs written");
  tsr_check_status(tsr_flatten_output_shape(2, 1, 3, in, &ndims, dims), tsr_status_invalid_parameter, "flatten order");
  tsr_check_status(tsr_flatten_output_shape(0, 3, 3, in, &ndims, dims), tsr_status_invalid_parameter, "flatten range");
  tsr_check_status(tsr_flatten_output_shape(0, 1, 2, (const int64_t[]){0, 3}, &ndims, dims),
                   tsr_status_invalid_parameter, "flatten zero dim");
  tsr_check_status(tsr_permute_output_shape(3, (const int32_t[]){0, 1, 1}, 3, in, dims), tsr_status_invalid_parameter,
                   "permute duplicate");
  tsr_check(strstr(tsr_last_error_message(), "perm[2]") != NULL, "permute message", "'%s'", tsr_last_error_message());
  tsr_check_status(tsr_permute_output_shape(2, (const int32_t[]){1, 0}, 3, in, dims), tsr_status_invalid_parameter,
                   "permute rank");
  tsr_op* op = (tsr_op*)0x1;
  tsr_check_status(tsr_reshape_create(2, NULL, &op), tsr_status_invalid_parameter, "reshape shape NULL");
  tsr_check_status(tsr_permute_create(2, (const int32_t[]){0, 2}, &op), tsr_status_invalid_parameter, "perm range");
  tsr_check_status(tsr_flatten_create(9, 1, &op), tsr_status_invalid_parameter, "flatten axis 9");
  tsr_check_status(tsr_identity_create(NULL), tsr_status_invalid_parameter, "identity op NULL");
  tsr_check(op == (tsr_op*)0x1, "shape op create failures", "op written");
  float x[24] = {0}, y[32];
  tsr_fill_nan(y, 32);
  tsr_tensor tx = {.data = x};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, in);
  tsr_reshape_create(2, (const int64_t[]){4, -1}, &op);
  tsr_check_status(tsr_run(op, &tx, 2, (const int64_t[]){6, 4}, tsr_layout_plain, y), tsr_status_invalid_parameter,
                   "reshape output dims");
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 2, (const int64_t[]){5, 5});
  tsr_check_status(tsr_run(op, &tx, 2, (const int64_t[]){4, 6}, tsr_layout_plain, y), tsr_status_invalid_parameter,
                   "reshape input count");
  tsr_check(strstr(tsr_last_error_message(), "inputs[0]") != NULL, "reshape run message", "'%s'", tsr_last_error_message());
  tsr_op_destroy(op);
  tsr_identity_create(&op);
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_nchw8c, 4, (const int64_t[]){1, 3, 2, 2});
  tsr_check_status(tsr_run(op, &tx, 4, (const int64_t[]){1, 3, 2, 3}, tsr_layout_plain, y),
                   tsr_status_invalid_parameter, "identity from a blocked layout to other dims");
  tsr_tensor ts = {.data = y};
  tsr_tensor_desc_init_strided(&ts.desc, tsr_dtype_f32, 4, (const int64_t[]){1, 3, 2, 2},
                               (const int64_t[]){12, 4, 2, 1});
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ts, NULL), tsr_status_unsupported_parameter,
                   "identity from a blocked layout to a strided view");
  tsr_check(strstr(tsr_last_error_message(), "strided") != NULL, "blocked to strided message", "'%s'",
            tsr_last_error_message());
  tsr_op_destroy(op);
  tsr_flatten_create(1, -1, &op);
  tsr_check_status(tsr_run(op, &tx, 2, (const int64_t[]){1, 12}, tsr_layout_plain, y),
                   tsr_status_unsupported_parameter, "flatten of a blocked layout");
  tsr_op_destroy(op);
  tsr_check_untouched("shape op failed runs", y, 32);
}

int main(void) {
  tsr_test_errors();
  tsr_test_by_hand();
  tsr_rng rng = tsr_rng_seeded(31);
  tsr_permute_sweep(&rng, 400);
  tsr_blocked_reorder_sweep(&rng, NULL, 300);
  {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(2, &pool);
    tsr_blocked_reorder_sweep(&rng, pool, 300);
    tsr_threadpool_destroy(pool);
  }
#ifdef TSR_HAVE_ONEDNN
  tsr_identity_against_reorder(&rng, 100);
#endif
  return tsr_test_finish();
}
