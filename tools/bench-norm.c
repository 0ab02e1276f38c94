/* `tessera bench lnorm|bnorm|gnorm`: the normalizations on benchdnn's descriptors.
 *   lnorm: "AxBx...xF", normalized over the last axis (F features; --mb replaces A);
 *   bnorm: "mbNicCihH[iwW][idD]", inference with given statistics;
 *   gnorm: "gGmbNicCihH[iwW][idD]", instance norm when G = C.
 * Options: --tag=plain|nhwc (bnorm, gnorm). Memory-bound: rates are GB/s for one read and one
 * write of the tensor. Checked against the reference run serially and, for lnorm and bnorm,
 * oneDNN's layer and batch normalization (oneDNN 2.6 has no group normalization). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/norm-reference.h"
#include "tests/harness/harness.h"
#include "tools/bench.h"
#include "tools/problem-parse.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

enum tsr_norm_kind { tsr_lnorm, tsr_bnorm, tsr_gnorm };
static tsr_layout tsr_norm_layout = tsr_layout_plain;

static void tsr_norm_reset(void) { tsr_norm_layout = tsr_layout_plain; }

static int tsr_norm_option(const char* key, const char* value, char* error, size_t size) {
  if (strcmp(key, "tag") == 0 && (strcmp(value, "plain") == 0 || strcmp(value, "nhwc") == 0)) {
    tsr_norm_layout = value[0] == 'p' ? tsr_layout_plain : tsr_layout_nhwc;
    return 0;
  }
  snprintf(error, size, "unknown option --%s=%s (norms take --tag=plain|nhwc)", key, value);
  return -1;
}

struct tsr_norm_problem {
  enum tsr_norm_kind kind;
  tsr_tensor_desc desc;
  size_t channels, groups, features;
};

/* Parses the descriptor into a tensor shape. */
static int tsr_norm_parse(enum tsr_norm_kind kind, const char* body, int64_t mb,
                          struct tsr_norm_problem* p, char* error, size_t size) {
  int64_t dims[TSR_MAX_DIMS];
  int ndims;
  p->kind = kind;
  if (kind == tsr_lnorm) {
    if ((ndims = tsr_parse_dims(body, dims, TSR_MAX_DIMS, error, size)) < 0) return -1;
    if (ndims < 2) {
      snprintf(error, size, "'%s': expected ROWSxFEATURES", body);
      return -1;
    }
  } else {
    static const char* const keys[] = {"g", "mb", "ic", "ih", "iw", "id"};
    int64_t v[6];
    bool present[6];
    if (tsr_parse_keyed(body, keys, 6, v, present, error, size) != 0) return -1;
    if (!present[2] || (kind == tsr_gnorm && !present[0])) {
      snprintf(error, size, "'%s': needs %sic (channels)", body, kind == tsr_gnorm ? "g and " : "");
      return -1;
    }
    if (kind == tsr_bnorm && present[0]) {
      snprintf(error, size, "'%s': bnorm takes no g", body);
      return -1;
    }
    dims[0] = present[1] ? v[1] : 1;
    dims[1] = v[2];
    ndims = 2;
    if (present[5]) dims[ndims++] = v[5];
    if (present[3]) dims[ndims++] = v[3];
    if (present[4] || present[3]) dims[ndims++] = present[4] ? v[4] : v[3];
    p->channels = (size_t)v[2];
    p->groups = present[0] ? (size_t)v[0] : 1;
    if (kind == tsr_gnorm && (v[0] < 1 || v[2] % v[0] != 0)) {
      snprintf(error, size, "'%s': g must divide ic", body);
      return -1;
    }
  }
  if (mb > 0) dims[0] = mb;
  const tsr_layout layout = kind == tsr_lnorm || ndims < 3 ? tsr_layout_plain : tsr_norm_layout;
  if (tsr_tensor_desc_init(&p->desc, tsr_dtype_f32, layout, ndims, dims) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    return -1;
  }
  for (int d = 0; d < ndims; d++)
    if (dims[d] < 1) {
      snprintf(error, size, "'%s': every extent must be at least 1", body);
      return -1;
    }
  if (tsr_tensor_desc_bytes(&p->desc) > ((size_t)1 << 31)) {
    snprintf(error, size, "'%s': larger than 2 GiB, too large to benchmark", body);
    return -1;
  }
  p->features = (size_t)dims[ndims - 1];
  return 0;
}

static int tsr_norm_run(enum tsr_norm_kind kind, const char* body, const struct tsr_bench_settings* settings,
                        struct tsr_bench_result* result, char* error, size_t size) {
  struct tsr_norm_problem p;
  if (tsr_norm_parse(kind, body, settings->mb, &p, error, size) != 0) return -1;
  if (result == NULL) return 0;
  const size_t n = tsr_tensor_desc_elements(&p.desc), bytes = n * sizeof(float);
  const size_t affine = kind == tsr_lnorm ? p.features : p.channels;
  float* x = tsr_bench_alloc(bytes);
  float* y = tsr_bench_alloc(bytes);
  float* expected = tsr_bench_alloc(bytes);
  float* params = tsr_bench_alloc(4 * affine * sizeof(float)); /* gamma, beta, mean, variance */
  if (!x || !y || !expected || !params) {
    free(x), free(y), free(expected), free(params);
    snprintf(error, size, "out of memory");
    return -1;
  }
  float *gamma = params, *beta = params + affine, *mean = params + 2 * affine, *var = params + 3 * affine;
  tsr_rng rng = tsr_rng_seeded(5);
  tsr_fill_uniform(&rng, x, n, -10.0f, 10.0f);
  tsr_fill_uniform(&rng, gamma, affine, 0.5f, 2.0f);
  tsr_fill_uniform(&rng, beta, affine, -1.0f, 1.0f);
  tsr_fill_uniform(&rng, mean, affine, -1.0f, 1.0f);
  tsr_fill_uniform(&rng, var, affine, 0.5f, 3.0f);
  tsr_op* op = NULL;
  const float eps = 1e-5f;
  if (kind == tsr_lnorm) tsr_layer_norm_create(1, &p.desc.dims[p.desc.ndims - 1], gamma, beta, eps, &op);
  else if (kind == tsr_bnorm) tsr_batch_norm_create((int64_t)p.channels, mean, var, gamma, beta, eps, &op);
  else tsr_group_norm_create((int64_t)p.channels, (int64_t)p.groups, gamma, beta, eps, &op);
  tsr_tensor tx = {p.desc, x}, ty = {p.desc, y};
  snprintf(result->impl, sizeof(result->impl), "%s", tsr_op_describe(op));
  result->memory_bound = true;
  result->work = 2.0 * (double)bytes;
  snprintf(result->status, sizeof(result->status), "ok");
  struct tsr_bench_runs runs = {.op = op, .num_inputs = 1, .num_outputs = 1, .inputs = &tx,
                                .outputs = &ty, .pool = settings->pool};
#ifdef TSR_HAVE_ONEDNN
  tsr_onednn_call call;
  int have_onednn = 0;
  float* statistics = NULL; /* layer norm's mean and variance, outputs of oneDNN's training form */
  if (kind != tsr_gnorm) {
    const int64_t cd[] = {(int64_t)affine}, sd[] = {(int64_t)(n / p.features)};
    tsr_tensor g = {.data = gamma}, b = {.data = beta}, m = {.data = mean}, v = {.data = var};
    tsr_tensor_desc_init(&g.desc, tsr_dtype_f32, tsr_layout_plain, 1, cd);
    b.desc = g.desc;
    tsr_tensor_desc_init(&m.desc, tsr_dtype_f32, tsr_layout_plain, 1, kind == tsr_lnorm ? sd : cd);
    v.desc = m.desc;
    if (kind == tsr_lnorm) {
      statistics = tsr_bench_alloc(2 * (n / p.features) * sizeof(float));
      m.data = statistics;
      v.data = statistics + n / p.features;
    }
    dnnl_memory_desc_t md, stat_md;
    tsr_onednn_md(&p.desc, &md);
    tsr_onednn_md(&m.desc, &stat_md);
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DST, &ty}, {DNNL_ARG_SCALE, &g},
                                   {DNNL_ARG_SHIFT, &b}, {DNNL_ARG_MEAN, &m}, {DNNL_ARG_VARIANCE, &v}};
    if (kind == tsr_lnorm) {
      dnnl_layer_normalization_desc_t desc;
      dnnl_layer_normalization_forward_desc_init(&desc, dnnl_forward_training, &md, &stat_md, eps,
                                                 dnnl_use_scale | dnnl_use_shift);
      have_onednn = tsr_onednn_call_create(&call, &desc, NULL, 6, args) == 0;
    } else {
      dnnl_batch_normalization_desc_t desc;
      dnnl_batch_normalization_forward_desc_init(&desc, dnnl_forward_inference, &md, eps,
                                                 dnnl_use_scale | dnnl_use_shift | dnnl_use_global_stats);
      have_onednn = tsr_onednn_call_create(&call, &desc, NULL, 6, args) == 0;
    }
  }
  if (have_onednn) runs.onednn = &call;
#endif
  if (settings->mode & tsr_bench_check) {
    /* The reference, serially: each set as the op's own layout defines it. */
    const tsr_tensor_desc* d = &p.desc;
    if (kind == tsr_lnorm) {
      const struct tsr_norm_set set = {.outer = 1, .inner = p.features, .inner_stride = 1, .gamma = gamma,
                                       .beta = beta, .affine_inner_stride = 1, .epsilon = eps};
      for (size_t row = 0; row < n / p.features; row++)
        tsr_reference_normalize_set(&set, x + row * p.features, expected + row * p.features, NULL, NULL);
    } else {
      const size_t N = (size_t)d->dims[0], C = p.channels, S = n / (N * C);
      const size_t sn = C * S, sc = d->layout == tsr_layout_nhwc ? 1 : S, ss = d->layout == tsr_layout_nhwc ? C : 1;
      if (kind == tsr_bnorm)
        for (size_t c = 0; c < C; c++) {
          const double m = mean[c], v = var[c];
          const struct tsr_norm_set set = {.outer = N, .outer_stride = sn, .inner = S, .inner_stride = ss,
                                           .gamma = gamma + c, .beta = beta + c, .epsilon = eps, .mean = &m, .variance = &v};
          tsr_reference_normalize_set(&set, x + c * sc, expected + c * sc, NULL, NULL);
        }
      else
        for (size_t b = 0; b < N; b++)
          for (size_t g = 0; g < p.groups; g++) {
            const size_t per = C / p.groups;
            const struct tsr_norm_set set = {.outer = per, .outer_stride = sc, .inner = S, .inner_stride = ss,
                                             .gamma = gamma + g * per, .beta = beta + g * per,
                                             .affine_outer_stride = 1, .epsilon = eps};
            tsr_reference_normalize_set(&set, x + b * sn + g * per * sc, expected + b * sn + g * per * sc, NULL, NULL);
          }
    }
    tsr_fill_nan(y, n);
    tsr_bench_run_tessera(&runs);
    result->max_abs_err = tsr_max_abs_error(y, expected, n);
    if (tsr_count_mismatches(y, expected, n, 2e-6, 2e-6) != 0)
      snprintf(result->status, sizeof(result->status), "mismatch");
#ifdef TSR_HAVE_ONEDNN
    if (have_onednn && strcmp(result->status, "ok") == 0) {
      tsr_fill_nan(y, n);
      tsr_onednn_call_execute(&call);
      if (tsr_count_mismatches(y, expected, n, 1e-5, 1e-5) != 0)
        snprintf(result->status, sizeof(result->status), "onednn_diff");
    }
#endif
  }
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn) tsr_onednn_call_destroy(&call);
  free(statistics);
#endif
  tsr_op_destroy(op);
  free(x), free(y), free(expected), free(params);
  return 0;
}

static int tsr_lnorm_run(const char* b, const struct tsr_bench_settings* s, struct tsr_bench_result* r, char* e, size_t n) { return tsr_norm_run(tsr_lnorm, b, s, r, e, n); }
static int tsr_bnorm_run(const char* b, const struct tsr_bench_settings* s, struct tsr_bench_result* r, char* e, size_t n) { return tsr_norm_run(tsr_bnorm, b, s, r, e, n); }
static int tsr_gnorm_run(const char* b, const struct tsr_bench_settings* s, struct tsr_bench_result* r, char* e, size_t n) { return tsr_norm_run(tsr_gnorm, b, s, r, e, n); }

static const char* const tsr_lnorm_suite[] = {"128x768n\"bert_base.s128\"", NULL};
static const char* const tsr_bnorm_suite[] = {"mb1ic256ih56n\"resnet.bn.b1\"", NULL};
static const char* const tsr_gnorm_suite[] = {"g32mb1ic256ih56n\"groupnorm.g32\"", NULL};

const struct tsr_bench_driver tsr_bench_lnorm_driver = {
    "lnorm", "layer norm over the last axis (ROWSxFEATURES); GB/s", tsr_lnorm_suite,
    tsr_norm_reset, tsr_norm_option, tsr_lnorm_run};
const struct tsr_bench_driver tsr_bench_bnorm_driver = {
    "bnorm", "batch norm inference (mbNicCihH); GB/s", tsr_bnorm_suite,
    tsr_norm_reset, tsr_norm_option, tsr_bnorm_run};
const struct tsr_bench_driver tsr_bench_gnorm_driver = {
    "gnorm", "group / instance norm (gGmbNicCihH); GB/s", tsr_gnorm_suite,
    tsr_norm_reset, tsr_norm_option, tsr_gnorm_run};
