/* `tessera bench pool`: benchdnn's pooling descriptors, "[mbN]icCihHohPkhRshSphQ" (iw.. and
 * id.. forms as for conv), with --alg=max|avg_np (padding excluded)|avg_p (padding counted)
 * as option lines. ph pads the beginning; the end padding is what the given oh needs (ph when
 * oh is not given). --mb replaces N (default 1); --tag=plain|nhwc|nchw4c|nchw8c|nchw16c (both
 * libraries in that layout; the blocked ones pad the channels to the block). Checked against
 * oneDNN's pooling. Memory-bound: GB/s for reading x and writing y. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/harness.h"
#include "tools/bench.h"
#include "tools/problem-parse.h"
#include "tools/spatial-descriptor.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static tsr_pooling_kind tsr_pool_kind = tsr_pooling_max;
static tsr_layout tsr_pool_layout = tsr_layout_plain;

static void tsr_pool_reset(void) {
  tsr_pool_kind = tsr_pooling_max;
  tsr_pool_layout = tsr_layout_plain;
}

static int tsr_pool_option(const char* key, const char* value, char* error, size_t size) {
  if (strcmp(key, "alg") == 0) {
    if (strcmp(value, "max") == 0) tsr_pool_kind = tsr_pooling_max;
    else if (strcmp(value, "avg_np") == 0) tsr_pool_kind = tsr_pooling_avg_exclude_padding;
    else if (strcmp(value, "avg_p") == 0) tsr_pool_kind = tsr_pooling_avg_include_padding;
    else {
      snprintf(error, size, "--alg=%s: pooling algorithms are max, avg_np, avg_p", value);
      return -1;
    }
    return 0;
  }
  static const char* const tags[] = {"plain", "nhwc", "nchw4c", "nchw8c", "nchw16c"}; /* tsr_layout's order */
  const int tag = strcmp(key, "tag") == 0 ? tsr_parse_choice(value, tags, 5) : -1;
  if (tag >= 0) {
    tsr_pool_layout = (tsr_layout)(tag + 1);
    return 0;
  }
  snprintf(error, size, "unknown option --%s=%s (pool takes --alg and --tag=plain|nhwc|nchw4c|nchw8c|nchw16c)", key,
           value);
  return -1;
}

static int tsr_pool_run(const char* body, const struct tsr_bench_settings* settings, struct tsr_bench_result* result,
                        char* error, size_t size) {
  struct tsr_spatial_problem s;
  if (tsr_parse_spatial(body, &s, error, size) != 0) return -1;
  tsr_pool_params p;
  memset(&p, 0, sizeof(p));
  p.spatial_ndims = s.spatial;
  p.kind = tsr_pool_kind;
  p.padding_mode = tsr_padding_explicit;
  int64_t in_dims[5] = {settings->mb > 0 ? settings->mb : s.mb > 0 ? s.mb : 1, s.ic}, out_dims[5];
  for (int d = 0; d < s.spatial; d++) {
    in_dims[2 + d] = s.in[d];
    p.kernel[d] = s.kernel[d];
    p.stride[d] = s.stride[d];
    p.padding_begin[d] = s.pad[d];
    p.padding_end[d] = tsr_spatial_end_padding(&s, d, s.kernel[d]);
    if (p.padding_end[d] < 0 || s.dilation[d] != 0) {
      snprintf(error, size, "'%s': the output size does not follow from input, kernel, stride and padding "
               "(or a dilation was given)", body);
      return -1;
    }
  }
  if (tsr_pool_output_shape(&p, s.spatial + 2, in_dims, out_dims) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    return -1;
  }
  tsr_tensor x = {0}, y = {0};
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_pool_layout, s.spatial + 2, in_dims);
  tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, tsr_pool_layout, s.spatial + 2, out_dims);
  const size_t xn = tsr_tensor_desc_elements(&x.desc), yn = tsr_tensor_desc_elements(&y.desc);
  if (xn + yn > ((size_t)1 << 29)) {
    snprintf(error, size, "'%s': too large to benchmark", body);
    return -1;
  }
  if (result == NULL) return 0;
  float* theirs = tsr_bench_alloc(yn * sizeof(float));
  x.data = tsr_bench_alloc(xn * sizeof(float));
  y.data = tsr_bench_alloc(yn * sizeof(float));
  if (!theirs || !x.data || !y.data) {
    free(theirs), free(x.data), free(y.data);
    snprintf(error, size, "out of memory");
    return -1;
  }
  tsr_rng rng = tsr_rng_seeded(13);
  tsr_fill_integers(&rng, x.data, xn, -20, 20);
  tsr_op* op = NULL;
  tsr_pool_create(&p, &op);
  snprintf(result->impl, sizeof(result->impl), "%s", tsr_op_describe(op));
  result->memory_bound = true;
  result->work = (double)(xn + yn) * sizeof(float);
  snprintf(result->status, sizeof(result->status), "ok");
  struct tsr_bench_runs runs = {.op = op, .num_inputs = 1, .num_outputs = 1, .inputs = &x, .outputs = &y,
                                .pool = settings->pool};
#ifdef TSR_HAVE_ONEDNN
  tsr_onednn_call call;
  tsr_tensor t = {y.desc, theirs};
  dnnl_memory_desc_t src, dst;
  dnnl_dims_t strides, kernel, dilation, pad_l, pad_r;
  for (int d = 0; d < s.spatial; d++)
    strides[d] = p.stride[d], kernel[d] = p.kernel[d], dilation[d] = 0, pad_l[d] = p.padding_begin[d],
    pad_r[d] = p.padding_end[d];
  tsr_onednn_md(&x.desc, &src);
  tsr_onednn_md(&y.desc, &dst);
  static const dnnl_alg_kind_t algs[] = {dnnl_pooling_max, dnnl_pooling_avg_include_padding, dnnl_pooling_avg_exclude_padding};
  dnnl_pooling_v2_desc_t desc;
  dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, algs[p.kind], &src, &dst, strides, kernel, dilation, pad_l, pad_r);
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &x}, {DNNL_ARG_DST, &t}};
  const int have_onednn = tsr_onednn_call_create(&call, &desc, NULL, 2, args) == 0;
  if (have_onednn) runs.onednn = &call;
#endif
  if (settings->mode & tsr_bench_check)
    tsr_bench_check_against_onednn(&runs, y.data, theirs, yn, 0.0, p.kind == tsr_pooling_max ? 0.0 : 2.4e-7, result);
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn) tsr_onednn_call_destroy(&call);
#endif
  tsr_op_destroy(op);
  free(theirs), free(x.data), free(y.data);
  return 0;
}

static const char* const tsr_pool_suite[] = {"--alg=max", "mb1ic64ih112oh56kh3sh2ph1n\"resnet.maxpool\"", NULL};

const struct tsr_bench_driver tsr_bench_pool_driver = {
    "pool", "max / average pooling 1-3 D (mbNicCihHohPkhRshSphQ; --alg=max|avg_np|avg_p); GB/s",
    tsr_pool_suite, tsr_pool_reset, tsr_pool_option, tsr_pool_run};
