/* `tessera bench binary`: elementwise binary ops with broadcasting. Descriptor: benchdnn's
 * binary form "AxBxC:AxBx1" (the two inputs' dims, the same rank; a dim of 1 broadcasts; the
 * first dim is the batch that --mb replaces). Options: --alg=add|sub|mul|div|max|min,
 * --post=none|relu (ReLU fused into the store, oneDNN's eltwise post-op), --tag=plain|nhwc
 * (nhwc needs 3 to 5 dims). Memory-bound: rates are GB/s counting both inputs read and the
 * output written once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/binary-reference.h"
#include "tests/harness/harness.h"
#include "tools/bench.h"
#include "tools/problem-parse.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static const char* const tsr_binary_names[] = {"add", "sub", "mul", "div", "max", "min"};
static tsr_binary_kind tsr_binary_alg;
static tsr_activation_kind tsr_binary_post;
static tsr_layout tsr_binary_layout;

static void tsr_binary_reset(void) {
  tsr_binary_alg = tsr_binary_add;
  tsr_binary_post = tsr_activation_none;
  tsr_binary_layout = tsr_layout_plain;
}

static int tsr_binary_option(const char* key, const char* value, char* error, size_t size) {
  static const char* const posts[] = {"none", "relu"};
  if (strcmp(key, "alg") == 0) {
    const int k = tsr_parse_choice(value, tsr_binary_names, 6);
    if (k >= 0) tsr_binary_alg = (tsr_binary_kind)(k + 1);
    else snprintf(error, size, "--alg=%s: binary ops are add, sub, mul, div, max, min", value);
    return k >= 0 ? 0 : -1;
  }
  if (strcmp(key, "post") == 0) {
    const int k = tsr_parse_choice(value, posts, 2);
    if (k >= 0) tsr_binary_post = k == 1 ? tsr_activation_relu : tsr_activation_none;
    else snprintf(error, size, "--post=%s: post-ops are none, relu", value);
    return k >= 0 ? 0 : -1;
  }
  if (strcmp(key, "tag") == 0) return tsr_bench_plain_nhwc_tag(value, &tsr_binary_layout, error, size);
  snprintf(error, size, "unknown binary option --%s (options: --alg, --post, --tag)", key);
  return -1;
}

#ifdef TSR_HAVE_ONEDNN
/* Sets up oneDNN's binary on the same tensors (y = a's shape after broadcasting); 0 if it
 * could not. */
static int tsr_onednn_binary(const tsr_tensor* a, const tsr_tensor* b, const tsr_tensor* y, tsr_onednn_call* call) {
  static const dnnl_alg_kind_t algs[] = {dnnl_binary_add, dnnl_binary_sub, dnnl_binary_mul,
                                         dnnl_binary_div, dnnl_binary_max, dnnl_binary_min};
  dnnl_memory_desc_t a_md, b_md, y_md;
  if (tsr_onednn_md(&a->desc, &a_md) != 0 || tsr_onednn_md(&b->desc, &b_md) != 0 ||
      tsr_onednn_md(&y->desc, &y_md) != 0)
    return 0;
  dnnl_binary_desc_t desc;
  if (dnnl_binary_desc_init(&desc, algs[tsr_binary_alg - 1], &a_md, &b_md, &y_md) != dnnl_success) return 0;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  if (tsr_binary_post == tsr_activation_relu) {
    dnnl_post_ops_create(&post_ops);
    dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
    dnnl_primitive_attr_create(&attr);
    dnnl_primitive_attr_set_post_ops(attr, post_ops);
  }
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, y}};
  const int created = tsr_onednn_call_create(call, &desc, attr, 3, args) == 0;
  if (attr != NULL) dnnl_primitive_attr_destroy(attr);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  return created;
}
#endif

/* The two inputs' dims from "A:B"; y's dims are their broadcast. Returns the rank or -1. */
static int tsr_binary_parse(const char* body, int64_t* a_dims, int64_t* b_dims, int64_t* y_dims, char* error,
                            size_t size) {
  const char* colon = strchr(body, ':');
  char first[256];
  if (colon == NULL || (size_t)(colon - body) >= sizeof(first)) {
    snprintf(error, size, "'%s': a binary problem is A:B, the two inputs' dims (AxBxC:AxBx1)", body);
    return -1;
  }
  memcpy(first, body, (size_t)(colon - body));
  first[colon - body] = '\0';
  const int ndims = tsr_parse_dims(first, a_dims, TSR_MAX_DIMS, error, size);
  if (ndims < 0) return -1;
  const int b_ndims = tsr_parse_dims(colon + 1, b_dims, TSR_MAX_DIMS, error, size);
  if (b_ndims < 0) return -1;
  if (b_ndims != ndims) {
    snprintf(error, size, "'%s': the inputs have %d and %d dims; give both the same rank", body, ndims, b_ndims);
    return -1;
  }
  for (int d = 0; d < ndims; d++) {
    if (a_dims[d] != b_dims[d] && a_dims[d] != 1 && b_dims[d] != 1) {
      snprintf(error, size, "'%s': dim %d is %lld and %lld: they must match or one be 1", body, d,
               (long long)a_dims[d], (long long)b_dims[d]);
      return -1;
    }
    y_dims[d] = a_dims[d] > b_dims[d] ? a_dims[d] : b_dims[d];
  }
  return ndims;
}

static int tsr_binary_run(const char* body, const struct tsr_bench_settings* settings,
                          struct tsr_bench_result* result, char* error, size_t size) {
  int64_t a_dims[TSR_MAX_DIMS], b_dims[TSR_MAX_DIMS], y_dims[TSR_MAX_DIMS];
  const int ndims = tsr_binary_parse(body, a_dims, b_dims, y_dims, error, size);
  if (ndims < 0) return -1;
  if (settings->mb > 0) a_dims[0] = y_dims[0] = settings->mb, b_dims[0] = b_dims[0] == 1 ? 1 : settings->mb;
  tsr_tensor a = {0}, b = {0}, y = {0};
  if (tsr_tensor_desc_init(&a.desc, tsr_dtype_f32, tsr_binary_layout, ndims, a_dims) != tsr_status_success ||
      tsr_tensor_desc_init(&b.desc, tsr_dtype_f32, tsr_binary_layout, ndims, b_dims) != tsr_status_success ||
      tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, tsr_binary_layout, ndims, y_dims) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    return -1;
  }
  tsr_op* op = NULL;
  const tsr_activation post = {tsr_binary_post, 0.0f, 0.0f};
  if (tsr_binary_create(tsr_binary_alg, &post, &op) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    return -1;
  }
  if (result == NULL) { /* validation only */
    tsr_op_destroy(op);
    return 0;
  }
  const size_t a_bytes = tsr_tensor_desc_bytes(&a.desc), b_bytes = tsr_tensor_desc_bytes(&b.desc);
  const size_t y_bytes = tsr_tensor_desc_bytes(&y.desc), yn = y_bytes / sizeof(float);
  a.data = tsr_bench_alloc(a_bytes);
  b.data = tsr_bench_alloc(b_bytes);
  y.data = tsr_bench_alloc(y_bytes);
  float* expected = (settings->mode & tsr_bench_check) ? tsr_bench_alloc(y_bytes) : NULL;
  if (a.data == NULL || b.data == NULL || y.data == NULL || ((settings->mode & tsr_bench_check) && expected == NULL)) {
    free(a.data);
    free(b.data);
    free(y.data);
    free(expected);
    tsr_op_destroy(op);
    snprintf(error, size, "out of memory for %zu bytes", a_bytes + b_bytes + 2 * y_bytes);
    return -1;
  }
  snprintf(result->impl, sizeof(result->impl), "%s", tsr_op_describe(op));
  result->memory_bound = true;
  result->work = (double)(a_bytes + b_bytes + y_bytes);
  snprintf(result->status, sizeof(result->status), "ok");
  tsr_rng rng = tsr_rng_seeded(1);
  tsr_fill_integers(&rng, a.data, a_bytes / sizeof(float), -8, 8);
  tsr_fill_integers(&rng, b.data, b_bytes / sizeof(float), 1, 8); /* no zero divisors */
  const tsr_tensor inputs[2] = {a, b};
  struct tsr_bench_runs runs = {.op = op, .num_inputs = 2, .num_outputs = 1, .inputs = inputs,
                                .outputs = &y, .pool = settings->pool};
#ifdef TSR_HAVE_ONEDNN
  tsr_onednn_call call;
  const int have_onednn = tsr_onednn_binary(&a, &b, &y, &call);
  if (have_onednn) runs.onednn = &call;
#endif
  if (expected != NULL) {
    /* One IEEE operation per element (and an exact ReLU): tessera must match the reference to
     * the bit. */
    tsr_reference_binary_f32(tsr_binary_alg, &a.desc, a.data, &b.desc, b.data, &y.desc, expected);
    if (tsr_binary_post == tsr_activation_relu)
      for (size_t i = 0; i < yn; i++) expected[i] = expected[i] > 0.0f ? expected[i] : 0.0f;
    tsr_bench_check_against_reference(&runs, y.data, expected, yn, 0.0, 0.0, 0.0, 1e-6, result);
  }
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn) tsr_onednn_call_destroy(&call);
#endif
  tsr_op_destroy(op);
  free(a.data);
  free(b.data);
  free(y.data);
  free(expected);
  return 0;
}

/* binary_bench's problems: residual add (with and without ReLU), max, squeeze-excite scale,
 * bias add, a scalar divide. */
static const char* const tsr_binary_suite[] = {
    "--alg=add", "32x64x56x56:32x64x56x56n\"resnet.residual.b32\"", "1x64x56x56:1x64x56x56n\"resnet.residual.b1\"",
    "--post=relu", "32x64x56x56:32x64x56x56n\"resnet.residual_relu.b32\"", "--post=none",
    "4096x1024:1x1024n\"bias\"", "--alg=max", "1x64x56x56:1x64x56x56n\"max\"",
    "--alg=mul", "1x256x28x28:1x256x1x1n\"se.scale\"", "--tag=nhwc", "32x256x28x28:32x256x1x1n\"se.scale.nhwc.b32\"",
    "--tag=plain", "--alg=div", "1x64x56x56:1x1x1x1n\"div.scalar\"", NULL};

const struct tsr_bench_driver tsr_bench_binary_driver = {
    .op = "binary",
    .summary = "elementwise add/sub/mul/div/max/min with broadcasting (A:B dims); GB/s",
    .default_suite = tsr_binary_suite,
    .reset_options = tsr_binary_reset,
    .set_option = tsr_binary_option,
    .run = tsr_binary_run,
};
