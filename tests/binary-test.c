/* The elementwise binary op end to end, against the reference loop (kernels/reference) with
 * tolerance 0: each element is one IEEE operation, and a fused activation must equal the eltwise
 * op applied afterwards. A seeded sweep draws dims (1 to 5 of them, sizes around the vector
 * widths), which dims of each input broadcast (1 or missing), layouts (plain, nhwc, strided views
 * with gaps), the op, the activation and 1 or 2 threads, with ±0, ±inf, NaN and subnormals among
 * the values; then long runs that the op cuts into pieces, short runs it groups, in-place runs,
 * the blocked layouts, and every argument error (outputs untouched). Outputs are pre-filled with
 * NaN so an unwritten element fails. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/cpu.h"
#include "kernels/reference/binary-reference.h"
#include "tests/harness/harness.h"

static const char* const tsr_kind_names[] = {"?", "add", "sub", "mul", "div", "max", "min"};

static size_t tsr_span(const tsr_tensor_desc* d) { return tsr_tensor_desc_bytes(d) / sizeof(float); }

static void tsr_fill_values(tsr_rng* rng, float* x, size_t n) {
  static const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-40f, 7.0f};
  for (size_t i = 0; i < n; i++)
    x[i] = tsr_rng_below(rng, 10) == 0 ? specials[tsr_rng_below(rng, 7)] : tsr_rng_uniform(rng, -8.0f, 8.0f);
}

/* A descriptor of `dims` in `layout` (plain, nhwc) or, for strided, a view with dims permuted in
 * memory and gaps between them. */
static void tsr_make_desc(tsr_rng* rng, tsr_layout layout, int32_t ndims, const int64_t* dims, tsr_tensor_desc* d) {
  if (layout != tsr_layout_strided) {
    tsr_tensor_desc_init(d, tsr_dtype_f32, layout, ndims, dims);
    return;
  }
  int32_t order[TSR_MAX_DIMS];
  for (int32_t i = 0; i < ndims; i++) order[i] = i;
  for (int32_t i = ndims - 1; i > 0; i--) {
    const int32_t j = (int32_t)tsr_rng_below(rng, (uint64_t)i + 1), t = order[i];
    order[i] = order[j], order[j] = t;
  }
  int64_t strides[TSR_MAX_DIMS], stride = 1 + (int64_t)tsr_rng_below(rng, 2);
  for (int32_t i = ndims - 1; i >= 0; i--) {
    strides[order[i]] = stride;
    stride = stride * dims[order[i]] + (int64_t)tsr_rng_below(rng, 3);
  }
  tsr_tensor_desc_init_strided(d, tsr_dtype_f32, ndims, dims, strides);
}

/* Runs op on a, b into y (y pre-filled with NaN unless in place) and compares with the reference
 * followed by the eltwise form of the activation. */
static void tsr_check_case(tsr_binary_kind kind, const tsr_activation* act, const tsr_tensor* a, const tsr_tensor* b,
                           const tsr_tensor* y, tsr_threadpool* pool, const char* what) {
  const size_t span = tsr_span(&y->desc);
  float* expected = tsr_guarded_alloc(span * sizeof(float));
  tsr_fill_nan(expected, span);
  tsr_reference_binary_f32(kind, &a->desc, a->data, &b->desc, b->data, &y->desc, expected);
  if (act->kind != tsr_activation_none) {
    tsr_op* eltwise = NULL;
    tsr_eltwise_create(act, &eltwise);
    tsr_tensor e = {y->desc, expected};
    tsr_check_status(tsr_op_run(eltwise, 1, &e, 1, &e, NULL), tsr_status_success, what);
    tsr_op_destroy(eltwise);
  }
  tsr_op* op = NULL;
  tsr_check_status(tsr_binary_create(kind, act, &op), tsr_status_success, what);
  const tsr_tensor inputs[2] = {*a, *b};
  if (tsr_check_status(tsr_op_run(op, 2, inputs, 1, y, pool), tsr_status_success, what))
    tsr_check_close(what, y->data, expected, span, 0.0, 0.0);
  tsr_op_destroy(op);
  tsr_guarded_free(expected);
}

static const tsr_activation tsr_activations[] = {
    {tsr_activation_none, 0, 0}, {tsr_activation_relu, 0, 0}, {tsr_activation_sigmoid, 0, 0}};

static void tsr_test_sweep(tsr_threadpool* pool) {
  static const int64_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33};
  tsr_rng rng = tsr_rng_seeded(2026);
  for (int c = 0; c < 600; c++) {
    const int32_t ndims = 1 + (int32_t)tsr_rng_below(&rng, 5);
    int64_t base[TSR_MAX_DIMS];
    size_t total = 1;
    for (int32_t d = 0; d < ndims; d++) {
      base[d] = sizes[tsr_rng_below(&rng, total > 2000 ? 4 : 12)];
      total *= (size_t)base[d];
    }
    /* each input: some leading dims dropped, some dims 1; the one with every dim kept is y's rank */
    int64_t dims[2][TSR_MAX_DIMS], ydims[TSR_MAX_DIMS];
    int32_t nd[2];
    const int full = (int)tsr_rng_below(&rng, 2);
    for (int t = 0; t < 2; t++) {
      nd[t] = t == full ? ndims : 1 + (int32_t)tsr_rng_below(&rng, (uint64_t)ndims);
      for (int32_t d = 0; d < nd[t]; d++)
        dims[t][d] = tsr_rng_below(&rng, 3) == 0 ? 1 : base[d + ndims - nd[t]];
    }
    for (int32_t d = 0; d < ndims; d++) {
      ydims[d] = 1;
      for (int t = 0; t < 2; t++) {
        const int32_t td = d - (ndims - nd[t]);
        if (td >= 0 && dims[t][td] > ydims[d]) ydims[d] = dims[t][td];
      }
    }
    tsr_tensor_desc descs[3];
    const tsr_layout layouts[3] = {tsr_layout_plain, tsr_layout_nhwc, tsr_layout_strided};
    for (int t = 0; t < 3; t++) {
      const int32_t n = t < 2 ? nd[t] : ndims;
      tsr_layout layout = layouts[tsr_rng_below(&rng, t < 2 ? 3 : 2)];
      if (layout == tsr_layout_nhwc && (n < 3 || n > 5)) layout = tsr_layout_plain;
      tsr_make_desc(&rng, layout, n, t < 2 ? dims[t] : ydims, &descs[t]);
    }
    float* data[3];
    for (int t = 0; t < 3; t++) data[t] = tsr_guarded_alloc(tsr_span(&descs[t]) * sizeof(float));
    tsr_fill_values(&rng, data[0], tsr_span(&descs[0]));
    tsr_fill_values(&rng, data[1], tsr_span(&descs[1]));
    tsr_fill_nan(data[2], tsr_span(&descs[2]));
    const tsr_binary_kind kind = (tsr_binary_kind)(1 + tsr_rng_below(&rng, 6));
    const tsr_activation* act = &tsr_activations[tsr_rng_below(&rng, 5) < 3 ? 0 : 1 + tsr_rng_below(&rng, 2)];
    const tsr_tensor a = {descs[0], data[0]}, b = {descs[1], data[1]}, y = {descs[2], data[2]};
    char what[200];
    snprintf(what, sizeof(what), "sweep case %d: %s, %d dims, a %s, b %s, y %s, activation %d", c,
             tsr_kind_names[kind], (int)ndims, tsr_layout_name(descs[0].layout), tsr_layout_name(descs[1].layout),
             tsr_layout_name(descs[2].layout), (int)act->kind);
    tsr_check_case(kind, act, &a, &b, &y, c % 2 ? pool : NULL, what);
    for (int t = 0; t < 3; t++) tsr_guarded_free(data[t]);
  }
}

/* Fixed shapes: long runs cut into pieces, short runs grouped, NN bias and per-channel forms, and
 * in place on either input. */
static void tsr_test_shapes(tsr_threadpool* pool) {
  struct shape { int32_t ndims; int64_t y[4], a[4], b[4]; int32_t a_nd, b_nd; tsr_layout layout; } shapes[] = {
      {2, {3, 9001}, {3, 9001}, {3, 9001}, 2, 2, tsr_layout_plain},          /* pieces of one run */
      {2, {3, 9001}, {3, 9001}, {3, 1}, 2, 2, tsr_layout_plain},             /* row scalar */
      {2, {5000, 3}, {5000, 3}, {3}, 2, 1, tsr_layout_plain},                /* bias, short rows */
      {4, {2, 64, 20, 20}, {2, 64, 20, 20}, {1, 64, 1, 1}, 4, 4, tsr_layout_nhwc}, /* per channel */
      {4, {2, 64, 20, 20}, {2, 64, 20, 20}, {2, 64, 1, 1}, 4, 4, tsr_layout_plain}, /* squeeze-excite */
      {4, {2, 64, 20, 20}, {2, 64, 20, 20}, {2, 1, 20, 20}, 4, 4, tsr_layout_nhwc}, /* per pixel */
      {4, {2, 3, 70, 70}, {1}, {2, 3, 70, 70}, 1, 4, tsr_layout_plain},      /* a scalar first */
  };
  tsr_rng rng = tsr_rng_seeded(7);
  for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
    const struct shape* sh = &shapes[s];
    for (tsr_binary_kind kind = tsr_binary_add; kind <= tsr_binary_min; kind++) {
      tsr_tensor t[3];
      const tsr_layout la = sh->a_nd == sh->ndims ? sh->layout : tsr_layout_plain;
      const tsr_layout lb = sh->b_nd == sh->ndims ? sh->layout : tsr_layout_plain;
      tsr_tensor_desc_init(&t[0].desc, tsr_dtype_f32, la, sh->a_nd, sh->a);
      tsr_tensor_desc_init(&t[1].desc, tsr_dtype_f32, lb, sh->b_nd, sh->b);
      tsr_tensor_desc_init(&t[2].desc, tsr_dtype_f32, sh->layout, sh->ndims, sh->y);
      for (int i = 0; i < 3; i++) t[i].data = tsr_guarded_alloc(tsr_span(&t[i].desc) * sizeof(float));
      tsr_fill_values(&rng, t[0].data, tsr_span(&t[0].desc));
      tsr_fill_values(&rng, t[1].data, tsr_span(&t[1].desc));
      tsr_fill_nan(t[2].data, tsr_span(&t[2].desc));
      const tsr_activation* act = &tsr_activations[kind % 3];
      char what[160];
      snprintf(what, sizeof(what), "shape %zu (%s, %s)", s, tsr_kind_names[kind], tsr_layout_name(sh->layout));
      tsr_check_case(kind, act, &t[0], &t[1], &t[2], pool, what);
      /* in place, on whichever input has y's dims */
      for (int i = 0; i < 2; i++) {
        if (!(t[i].desc.ndims == sh->ndims && memcmp(t[i].desc.dims, sh->y, sizeof(int64_t) * 4) == 0)) continue;
        tsr_tensor in[2] = {t[0], t[1]};
        float* copy = tsr_guarded_alloc(tsr_span(&t[i].desc) * sizeof(float));
        memcpy(copy, t[i].data, tsr_span(&t[i].desc) * sizeof(float));
        in[i].data = copy;
        tsr_tensor out = {t[2].desc, copy};
        /* the expectation comes from the untouched original */
        float* expected = tsr_guarded_alloc(tsr_span(&t[2].desc) * sizeof(float));
        tsr_reference_binary_f32(kind, &t[0].desc, t[0].data, &t[1].desc, t[1].data, &t[2].desc, expected);
        tsr_op* op = NULL;
        tsr_binary_create(kind, NULL, &op);
        char label[200];
        snprintf(label, sizeof(label), "%s in place on inputs[%d]", what, i);
        if (tsr_check_status(tsr_op_run(op, 2, in, 1, &out, pool), tsr_status_success, label))
          tsr_check_close(label, copy, expected, tsr_span(&t[2].desc), 0.0, 0.0);
        tsr_op_destroy(op);
        tsr_guarded_free(copy), tsr_guarded_free(expected);
      }
      for (int i = 0; i < 3; i++) tsr_guarded_free(t[i].data);
    }
  }
}

/* Past the last-level cache (a, b and y together larger than it): the streaming-store kernels,
 * both operands stepping and b broadcast per row, with a ReLU in the store, and an odd length so
 * the alignment peel and the tail both run; exact against the reference. */
static void tsr_test_past_llc(tsr_threadpool* pool) {
  const int64_t n = (int64_t)(tsr_cpu_llc_bytes() / (2 * sizeof(float))) + 4099;
  const int64_t y_dims[2] = {3, n / 3 + 1}, row_dims[2] = {3, 1};
  tsr_rng rng = tsr_rng_seeded(11);
  for (int form = 0; form < 2; form++) {
    tsr_tensor t[3];
    tsr_tensor_desc_init(&t[0].desc, tsr_dtype_f32, tsr_layout_plain, 2, y_dims);
    tsr_tensor_desc_init(&t[1].desc, tsr_dtype_f32, tsr_layout_plain, 2, form == 0 ? y_dims : row_dims);
    tsr_tensor_desc_init(&t[2].desc, tsr_dtype_f32, tsr_layout_plain, 2, y_dims);
    for (int i = 0; i < 3; i++) t[i].data = tsr_guarded_alloc(tsr_span(&t[i].desc) * sizeof(float));
    tsr_fill_values(&rng, t[0].data, tsr_span(&t[0].desc));
    tsr_fill_values(&rng, t[1].data, tsr_span(&t[1].desc));
    tsr_fill_nan(t[2].data, tsr_span(&t[2].desc));
    tsr_check_case(form == 0 ? tsr_binary_add : tsr_binary_sub, &tsr_activations[1], &t[0], &t[1], &t[2], pool,
                   form == 0 ? "past the LLC, add + ReLU" : "past the LLC, row-broadcast sub + ReLU");
    for (int i = 0; i < 3; i++) tsr_guarded_free(t[i].data);
  }
}

/* Blocked layouts: a in y's layout, b in y's layout or one value; compared through the plain
 * equivalents; the channel padding must come out zero (add of a broadcast value would not). */
static void tsr_test_blocked(tsr_threadpool* pool) {
  const tsr_layout layouts[] = {tsr_layout_nchw4c, tsr_layout_nchw8c, tsr_layout_nchw16c};
  const size_t blocks[] = {4, 8, 16};
  const int64_t dims[4] = {2, 13, 5, 3}, one[1] = {1};
  const size_t N = 2, C = 13, S = 15;
  tsr_rng rng = tsr_rng_seeded(11);
  for (int l = 0; l < 3; l++) {
    const size_t B = blocks[l], CB = (C + B - 1) / B;
    for (int single = 0; single < 2; single++) {
      tsr_tensor_desc plain, blocked, scalar;
      tsr_tensor_desc_init(&plain, tsr_dtype_f32, tsr_layout_plain, 4, dims);
      tsr_tensor_desc_init(&blocked, tsr_dtype_f32, layouts[l], 4, dims);
      tsr_tensor_desc_init(&scalar, tsr_dtype_f32, tsr_layout_plain, 1, one);
      const size_t span = tsr_span(&blocked), count = N * C * S;
      float *pa = tsr_guarded_alloc(count * 4), *pb = tsr_guarded_alloc(count * 4), *expected = tsr_guarded_alloc(count * 4);
      float *ba = tsr_guarded_alloc(span * 4), *bb = tsr_guarded_alloc(span * 4), *by = tsr_guarded_alloc(span * 4);
      tsr_fill_values(&rng, pa, count);
      tsr_fill_values(&rng, pb, count);
      memset(ba, 0, span * 4), memset(bb, 0, span * 4), tsr_fill_nan(by, span);
      for (size_t n = 0; n < N; n++)
        for (size_t c = 0; c < C; c++)
          for (size_t s = 0; s < S; s++) {
            const size_t at = ((n * CB + c / B) * S + s) * B + c % B, p = (n * C + c) * S + s;
            ba[at] = pa[p], bb[at] = pb[p];
          }
      const tsr_tensor a = {blocked, ba}, b = {single ? scalar : blocked, single ? pb : bb}, y = {blocked, by};
      tsr_reference_binary_f32(tsr_binary_sub, &plain, pa, single ? &scalar : &plain, pb, &plain, expected);
      tsr_op* op = NULL;
      tsr_binary_create(tsr_binary_sub, NULL, &op);
      const tsr_tensor inputs[2] = {a, b};
      char what[120];
      snprintf(what, sizeof(what), "blocked %s, b %s", tsr_layout_name(layouts[l]), single ? "one value" : "blocked");
      if (tsr_check_status(tsr_op_run(op, 2, inputs, 1, &y, pool), tsr_status_success, what)) {
        size_t wrong = 0, padding = 0;
        for (size_t n = 0; n < N; n++)
          for (size_t cb = 0; cb < CB; cb++)
            for (size_t s = 0; s < S; s++)
              for (size_t k = 0; k < B; k++) {
                const size_t c = cb * B + k;
                const float v = by[((n * CB + cb) * S + s) * B + k];
                if (c >= C) padding += v != 0.0f;
                else {
                  const float e = expected[(n * C + c) * S + s];
                  wrong += !(e != e ? v != v : v == e);
                }
              }
        tsr_check(wrong == 0 && padding == 0, what, "%zu wrong elements, %zu nonzero padding lanes", wrong, padding);
      }
      tsr_op_destroy(op);
      tsr_guarded_free(pa), tsr_guarded_free(pb), tsr_guarded_free(expected);
      tsr_guarded_free(ba), tsr_guarded_free(bb), tsr_guarded_free(by);
    }
  }
}

static void tsr_expect_run_error(const tsr_tensor_desc* a, const tsr_tensor_desc* b, const tsr_tensor_desc* y,
                                 tsr_status expected, const char* what) {
  float ad[64], bd[64], yd[64];
  for (int i = 0; i < 64; i++) ad[i] = bd[i] = 1.0f;
  tsr_fill_nan(yd, 64);
  tsr_op* op = NULL;
  tsr_binary_create(tsr_binary_add, NULL, &op);
  const tsr_tensor inputs[2] = {{*a, ad}, {*b, bd}}, out = {*y, yd};
  tsr_check_status(tsr_op_run(op, 2, inputs, 1, &out, NULL), expected, what);
  if (expected != tsr_status_success) tsr_check_untouched(what, yd, 64);
  tsr_op_destroy(op);
}

static void tsr_test_errors(void) {
  tsr_op* op = NULL;
  tsr_check_status(tsr_binary_create(tsr_binary_add, NULL, NULL), tsr_status_invalid_parameter, "op NULL");
  tsr_check_status(tsr_binary_create((tsr_binary_kind)0, NULL, &op), tsr_status_invalid_parameter, "kind 0");
  tsr_check_status(tsr_binary_create((tsr_binary_kind)7, NULL, &op), tsr_status_invalid_parameter, "kind 7");
  const tsr_activation bad = {tsr_activation_clamp, 2.0f, 1.0f};
  tsr_check_status(tsr_binary_create(tsr_binary_mul, &bad, &op), tsr_status_invalid_parameter, "bad activation");
  tsr_check(op == NULL, "failed creates", "op was written");
  tsr_check(strstr(tsr_last_error_message(), "activation") != NULL, "bad activation message", "%s",
            tsr_last_error_message());
  const int64_t d23[2] = {2, 3}, d33[2] = {3, 3}, d3[1] = {3}, d2[1] = {2}, d4[4] = {1, 3, 2, 2}, d32[2] = {3, 2};
  const int64_t strides[2] = {3, 1};
  tsr_tensor_desc a, b, y, s, blk;
  tsr_tensor_desc_init(&a, tsr_dtype_f32, tsr_layout_plain, 2, d23);
  tsr_tensor_desc_init(&b, tsr_dtype_f32, tsr_layout_plain, 1, d3);
  tsr_tensor_desc_init(&y, tsr_dtype_f32, tsr_layout_plain, 2, d23);
  tsr_expect_run_error(&a, &b, &y, tsr_status_success, "bias [3] on [2, 3]");
  tsr_tensor_desc bad_b;
  tsr_tensor_desc_init(&bad_b, tsr_dtype_f32, tsr_layout_plain, 1, d2);
  tsr_expect_run_error(&a, &bad_b, &y, tsr_status_invalid_parameter, "b [2] on [2, 3]");
  tsr_check(strstr(tsr_last_error_message(), "inputs[1]") != NULL, "b [2] message", "%s", tsr_last_error_message());
  tsr_tensor_desc big_y;
  tsr_tensor_desc_init(&big_y, tsr_dtype_f32, tsr_layout_plain, 2, d33);
  tsr_expect_run_error(&a, &b, &big_y, tsr_status_invalid_parameter, "y [3, 3] for [2, 3] + [3]");
  tsr_check(strstr(tsr_last_error_message(), "inputs[0]") != NULL, "y [3, 3] message", "%s", tsr_last_error_message());
  tsr_tensor_desc y1;
  tsr_tensor_desc_init(&y1, tsr_dtype_f32, tsr_layout_plain, 1, d3);
  tsr_expect_run_error(&a, &b, &y1, tsr_status_invalid_parameter, "y with too few dims");
  tsr_tensor_desc bb1;
  tsr_tensor_desc_init(&bb1, tsr_dtype_f32, tsr_layout_plain, 2, d32);
  tsr_tensor_desc y32;
  tsr_tensor_desc_init(&y32, tsr_dtype_f32, tsr_layout_plain, 2, d32);
  tsr_expect_run_error(&bb1, &bb1, &a, tsr_status_invalid_parameter, "y [2, 3] for [3, 2]");
  tsr_check(strstr(tsr_last_error_message(), "outputs[0]") != NULL || strstr(tsr_last_error_message(), "inputs") != NULL,
            "y [2, 3] message", "%s", tsr_last_error_message());
  tsr_tensor_desc_init_strided(&s, tsr_dtype_f32, 2, d23, strides);
  tsr_expect_run_error(&a, &b, &s, tsr_status_unsupported_parameter, "strided y");
  tsr_tensor_desc_init(&blk, tsr_dtype_f32, tsr_layout_nchw8c, 4, d4);
  tsr_tensor_desc plain4;
  tsr_tensor_desc_init(&plain4, tsr_dtype_f32, tsr_layout_plain, 4, d4);
  tsr_expect_run_error(&blk, &plain4, &plain4, tsr_status_unsupported_parameter, "blocked a, plain y");
  tsr_expect_run_error(&plain4, &blk, &blk, tsr_status_unsupported_parameter, "plain a, blocked y");
  tsr_tensor_desc s32 = a;
  s32.dtype = tsr_dtype_s32;
  tsr_expect_run_error(&s32, &b, &y, tsr_status_invalid_parameter, "s32 a");
  tsr_op_destroy(NULL);
}

int main(void) {
  tsr_test_small_llc("4M");
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  tsr_test_sweep(pool);
  tsr_test_shapes(pool);
  tsr_test_blocked(pool);
  tsr_test_past_llc(pool);
  tsr_test_past_llc(NULL);
  tsr_test_errors();
  tsr_op* op = NULL;
  if (tsr_binary_create(tsr_binary_max, NULL, &op) == tsr_status_success) {
    printf("%s\n", tsr_op_describe(op));
    tsr_op_destroy(op);
  }
  tsr_threadpool_destroy(pool);
  return tsr_test_finish();
}
