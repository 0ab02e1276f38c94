/* `tessera bench eltwise`: activations over a tensor. Descriptor: benchdnn's dims "AxBxCxD"
 * (1 to 8 dims, the first is the batch that --mb replaces). Options: --alg=NAME (any activation
 * tessera.h names, or oneDNN's clip, logistic, soft_relu, swish), --alpha=F --beta=F (its
 * parameters), --tag=plain|nhwc|
 * nchw4c|nchw8c|nchw16c (blocked and nhwc tags need 3 to 5 dims). Memory-bound: rates are GB/s
 * counting one read and one write of the tensor. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/activation.h"
#include "kernels/reference/activation-reference.h"
#include "tests/harness/harness.h"
#include "tools/bench.h"
#include "tools/problem-parse.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static tsr_activation tsr_eltwise_activation;
static tsr_layout tsr_eltwise_layout;

static void tsr_eltwise_reset(void) {
  tsr_eltwise_activation = (tsr_activation){tsr_activation_relu, 1.0f, 6.0f};
  tsr_eltwise_layout = tsr_layout_plain;
}

static int tsr_eltwise_option(const char* key, const char* value, char* error, size_t size) {
  if (strcmp(key, "alg") == 0) {
    const int kind = tsr_activation_kind_from_name(value);
    if (kind < 0) {
      snprintf(error, size, "--alg=%s: not an activation (relu, clamp, gelu_erf, sigmoid, ... as "
               "tessera.h names them, or oneDNN's clip, logistic, soft_relu, swish)", value);
      return -1;
    }
    tsr_eltwise_activation.kind = (tsr_activation_kind)kind;
    return 0;
  }
  if (strcmp(key, "alpha") == 0 || strcmp(key, "beta") == 0) {
    float v;
    if (tsr_parse_float(value, &v) != 0) {
      snprintf(error, size, "--%s=%s: not a finite number", key, value);
      return -1;
    }
    if (key[1] == 'l') tsr_eltwise_activation.alpha = v;
    else tsr_eltwise_activation.beta = v;
    return 0;
  }
  if (strcmp(key, "tag") == 0) {
    const tsr_layout layouts[] = {tsr_layout_plain, tsr_layout_nhwc, tsr_layout_nchw4c,
                                  tsr_layout_nchw8c, tsr_layout_nchw16c};
    for (size_t l = 0; l < 5; l++)
      if (strcmp(value, tsr_layout_name(layouts[l])) == 0) {
        tsr_eltwise_layout = layouts[l];
        return 0;
      }
    snprintf(error, size, "--tag=%s: tags are plain, nhwc, nchw4c, nchw8c, nchw16c", value);
    return -1;
  }
  snprintf(error, size, "unknown eltwise option --%s (options: --alg, --alpha, --beta, --tag)", key);
  return -1;
}

#ifdef TSR_HAVE_ONEDNN
/* Sets up oneDNN's eltwise on the same tensors; 0 if it could not (layout, algorithm). */
static int tsr_onednn_eltwise(const tsr_tensor* x, const tsr_tensor* y, tsr_onednn_call* call) {
  dnnl_memory_desc_t md;
  dnnl_alg_kind_t alg;
  float alpha, beta;
  if (tsr_onednn_eltwise_alg(&tsr_eltwise_activation, &alg, &alpha, &beta) != 0 ||
      tsr_onednn_md(&x->desc, &md) != 0)
    return 0;
  dnnl_eltwise_desc_t desc;
  dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &md, alpha, beta);
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}};
  return tsr_onednn_call_create(call, &desc, NULL, 2, args) == 0;
}
#endif

static int tsr_eltwise_run(const char* body, const struct tsr_bench_settings* settings,
                           struct tsr_bench_result* result, char* error, size_t size) {
  int64_t dims[TSR_MAX_DIMS];
  const int ndims = tsr_parse_dims(body, dims, TSR_MAX_DIMS, error, size);
  if (ndims < 0) return -1;
  if (settings->mb > 0) dims[0] = settings->mb;
  tsr_tensor x = {0}, y = {0};
  if (tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_eltwise_layout, ndims, dims) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    return -1;
  }
  tsr_op* op = NULL;
  if (tsr_eltwise_create(&tsr_eltwise_activation, &op) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    return -1;
  }
  if (result == NULL) { /* validation only */
    tsr_op_destroy(op);
    return 0;
  }
  y.desc = x.desc;
  const size_t bytes = tsr_tensor_desc_bytes(&x.desc), n = bytes / sizeof(float);
  x.data = tsr_bench_alloc(bytes);
  y.data = tsr_bench_alloc(bytes);
  if (x.data == NULL || y.data == NULL) {
    free(x.data);
    free(y.data);
    tsr_op_destroy(op);
    snprintf(error, size, "out of memory for %zu bytes", bytes);
    return -1;
  }
  snprintf(result->impl, sizeof(result->impl), "%s", tsr_op_describe(op));
  result->memory_bound = true;
  result->work = 2.0 * (double)bytes;
  snprintf(result->status, sizeof(result->status), "ok");
  tsr_rng rng = tsr_rng_seeded(1);
  tsr_fill_integers(&rng, x.data, n, -8, 8);
  struct tsr_bench_runs runs = {.op = op, .num_inputs = 1, .num_outputs = 1, .inputs = &x,
                                .outputs = &y, .pool = settings->pool};
#ifdef TSR_HAVE_ONEDNN
  tsr_onednn_call call;
  const int have_onednn = tsr_onednn_eltwise(&x, &y, &call);
  if (have_onednn) runs.onednn = &call;
#endif
  if (settings->mode & tsr_bench_check) {
    float* expected = tsr_bench_alloc(bytes);
    if (expected == NULL) {
      snprintf(result->status, sizeof(result->status), "no_memory");
    } else {
      tsr_reference_activation_f32(&tsr_eltwise_activation, n, x.data, expected);
      /* Within the bound tessera.h states for the kernel that ran (1 ulp for the portable
       * routines, a few for the vectorized ones; an ulp is at most 1.2e-7 relative): anything
       * else, an unwritten NaN included, is a failure. oneDNN approximates its transcendentals
       * (see tests/activation-test.c), so it gets a looser tolerance. */
      struct tsr_activation_impl impl;
      tsr_activation_impl_init(&impl, &tsr_eltwise_activation);
      const double ulps = impl.vector != NULL ? impl.vector->max_ulps : 1.0;
      tsr_bench_check_against_reference(&runs, y.data, expected, n, 1e-37, 1.2e-7 * ulps, 5e-6, 1e-5, result);
      free(expected);
    }
  }
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn) tsr_onednn_call_destroy(&call);
#endif
  tsr_op_destroy(op);
  free(x.data);
  free(y.data);
  return 0;
}

static const char* const tsr_eltwise_suite[] = {
    "--alg=relu", "32x64x112x112n\"resnet.relu.b32\"", "1x64x56x56n\"resnet.relu.b1\"",
    "--alg=clamp", "--alpha=0", "--beta=6", "1x96x112x112n\"mobilenet.relu6\"",
    "--alg=gelu_erf", "128x3072n\"bert.ffn.gelu\"", "--alg=sigmoid", "1x96x56x56n\"sigmoid\"", NULL};

const struct tsr_bench_driver tsr_bench_eltwise_driver = {
    .op = "eltwise",
    .summary = "activations (relu, clamp, gelu_erf, sigmoid, ...) over AxBx...; GB/s",
    .default_suite = tsr_eltwise_suite,
    .reset_options = tsr_eltwise_reset,
    .set_option = tsr_eltwise_option,
    .run = tsr_eltwise_run,
};
