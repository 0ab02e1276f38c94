/* `tessera bench conv` and `tessera bench deconv`: benchdnn's convolution descriptors, "[gG][mbN]icCihHocKohPkhRshSphQ" with
 * iw/ow/kw/sw/pw for the width (defaulting to the height's values: square) and id/od/kd/sd/pd
 * for 3-D; 1-D problems give only the w keys. dh/dw/dd are dilations counted from 0 as
 * benchdnn does. ph pads the beginning; the end padding is what the given oh needs (ph when oh
 * is not given). --mb replaces N (default 1); --tag=plain|nhwc|nchw4c|nchw8c|nchw16c: tessera's layout (conv only for the blocked ones);
 * --alg=auto|direct|wino: tsr_conv_algorithm (benchdnn's names; default auto; wino asks oneDNN
 * for its Winograd too, its direct convolution where it has none; the impl column ends with
 * what oneDNN chose). Checked against
 * oneDNN on integer data, tolerance 0 (Winograd: its stated bound, tessera.h). oneDNN's convolution runs in the layouts it
 * chooses (blocked): with --tag=nhwc it is timed without reorders (each library in its own
 * layout), with --tag=plain with the reorders from and back to plain NCHW included. GFLOP/s counts 2 x N x OC x output x IC/G x kernel.
 * For deconv (transposed convolution, weights [ic][oc / g][kernel...]) ih is its input and oh
 * its output; a given oh past what the padding gives becomes output padding; GFLOP/s counts
 * 2 x N x IC x input x OC/G x kernel, and oneDNN's deconvolution is the peer. */
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

static tsr_layout tsr_conv_layout = tsr_layout_plain;
static tsr_conv_algorithm tsr_conv_alg = tsr_conv_algorithm_auto;

static void tsr_conv_reset(void) {
  tsr_conv_layout = tsr_layout_plain;
  tsr_conv_alg = tsr_conv_algorithm_auto;
}

static int tsr_conv_option(const char* key, const char* value, char* error, size_t size) {
  static const char* const tags[] = {"plain", "nhwc", "nchw4c", "nchw8c", "nchw16c"}; /* tsr_layout's order */
  const int tag = strcmp(key, "tag") == 0 ? tsr_parse_choice(value, tags, 5) : -1;
  if (tag >= 0) {
    tsr_conv_layout = (tsr_layout)(tag + 1);
    return 0;
  }
  static const char* const algorithms[] = {"auto", "direct", "wino"}; /* tsr_conv_algorithm's order */
  const int k = strcmp(key, "alg") == 0 ? tsr_parse_choice(value, algorithms, 3) : -1;
  if (k >= 0) {
    tsr_conv_alg = (tsr_conv_algorithm)k;
    return 0;
  }
  snprintf(error, size, "unknown option --%s=%s (conv takes --tag=plain|nhwc|nchw4c|nchw8c|nchw16c and --alg=auto|direct|wino)", key,
           value);
  return -1;
}

struct tsr_conv_problem {
  bool transposed;
  tsr_conv_params params;
  int64_t output_padding[3];
  int64_t in_dims[5], out_dims[5];
};

/* The end padding (or, when negative, the output padding) that the given output extent of a
 * transposed convolution needs: out = (in - 1) stride + span - begin - end + output_padding. */
static int64_t tsr_deconv_end_padding(const struct tsr_spatial_problem* s, int d, int64_t span) {
  if (s->out[d] < 1) return s->pad[d];
  return (s->in[d] - 1) * s->stride[d] + span - s->pad[d] - s->out[d];
}

static int tsr_conv_parse(const char* body, int64_t mb, struct tsr_conv_problem* c, char* error, size_t size) {
  struct tsr_spatial_problem s;
  if (tsr_parse_spatial(body, &s, error, size) != 0) return -1;
  if (s.oc < 1) {
    snprintf(error, size, "'%s': needs oc", body);
    return -1;
  }
  tsr_conv_params* p = &c->params;
  memset(p, 0, sizeof(*p));
  p->spatial_ndims = s.spatial;
  p->in_channels = s.ic;
  p->out_channels = s.oc;
  p->groups = s.groups;
  p->padding_mode = tsr_padding_explicit;
  p->algorithm = c->transposed ? tsr_conv_algorithm_auto : tsr_conv_alg;
  c->in_dims[0] = mb > 0 ? mb : s.mb > 0 ? s.mb : 1;
  c->in_dims[1] = s.ic;
  for (int d = 0; d < s.spatial; d++) {
    c->in_dims[2 + d] = s.in[d];
    p->kernel[d] = s.kernel[d];
    p->stride[d] = s.stride[d];
    p->dilation[d] = s.dilation[d] + 1;
    p->padding_begin[d] = s.pad[d];
    /* the end padding is what the given output needs; the begin padding when it is not given */
    const int64_t span = p->dilation[d] * (p->kernel[d] - 1) + 1;
    c->output_padding[d] = 0;
    if (c->transposed) {
      p->padding_end[d] = tsr_deconv_end_padding(&s, d, span);
      if (p->padding_end[d] < 0) c->output_padding[d] = -p->padding_end[d], p->padding_end[d] = 0;
      continue;
    }
    p->padding_end[d] = tsr_spatial_end_padding(&s, d, span);
    if (p->padding_end[d] < 0) {
      snprintf(error, size, "'%s': o%c%lld does not follow from the input, kernel, stride and padding", body,
               "dhw"[3 - s.spatial + d], (long long)s.out[d]);
      return -1;
    }
  }
  if ((c->transposed ? tsr_deconv_output_shape(p, c->output_padding, s.spatial + 2, c->in_dims, c->out_dims)
                     : tsr_conv_output_shape(p, s.spatial + 2, c->in_dims, c->out_dims)) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    return -1;
  }
  return 0;
}

static int tsr_any_conv_run(bool transposed, const char* body, const struct tsr_bench_settings* settings,
                            struct tsr_bench_result* result, char* error, size_t size) {
  struct tsr_conv_problem c = {.transposed = transposed};
  if (tsr_conv_parse(body, settings->mb, &c, error, size) != 0) return -1;
  const tsr_conv_params* p = &c.params;
  const int32_t ndims = p->spatial_ndims + 2;
  tsr_tensor x = {0}, y = {0};
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_conv_layout, ndims, c.in_dims);
  tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, tsr_conv_layout, ndims, c.out_dims);
  size_t taps = 1;
  for (int d = 0; d < p->spatial_ndims; d++) taps *= (size_t)p->kernel[d];
  const size_t xn = tsr_tensor_desc_bytes(&x.desc) / sizeof(float), yn = tsr_tensor_desc_bytes(&y.desc) / sizeof(float);
  const size_t wn = (size_t)p->out_channels * (size_t)(p->in_channels / p->groups) * taps;
  if ((xn + yn + wn) > ((size_t)1 << 29)) {
    snprintf(error, size, "'%s': larger than 2 GiB of tensors, too large to benchmark", body);
    return -1;
  }
  if (result == NULL) return 0;
  float* w = tsr_bench_alloc(wn * sizeof(float));
  float* b = tsr_bench_alloc((size_t)p->out_channels * sizeof(float));
  float* theirs = tsr_bench_alloc(yn * sizeof(float));
  x.data = tsr_bench_alloc(xn * sizeof(float));
  y.data = tsr_bench_alloc(yn * sizeof(float));
  if (!w || !b || !theirs || !x.data || !y.data) {
    free(w), free(b), free(theirs), free(x.data), free(y.data);
    snprintf(error, size, "out of memory");
    return -1;
  }
  tsr_rng rng = tsr_rng_seeded(11);
  tsr_fill_integers(&rng, x.data, xn, -2, 2);
  if (transposed && tsr_conv_layout > tsr_layout_nhwc) {
    snprintf(error, size, "deconv takes --tag=plain|nhwc");
    free(w), free(b), free(theirs), free(x.data), free(y.data);
    return -1;
  }
  if (tsr_conv_layout > tsr_layout_nhwc) { /* blocked: filled plain, then reordered (zero padding lanes) */
    tsr_tensor plain = {.data = tsr_bench_alloc(xn * sizeof(float))};
    tsr_tensor_desc_init(&plain.desc, tsr_dtype_f32, tsr_layout_plain, ndims, c.in_dims);
    tsr_op* reorder = NULL;
    if (plain.data != NULL && tsr_identity_create(&reorder) == tsr_status_success) {
      memcpy(plain.data, x.data, tsr_tensor_desc_elements(&plain.desc) * sizeof(float));
      tsr_op_run(reorder, 1, &plain, 1, &x, NULL);
    }
    tsr_op_destroy(reorder);
    free(plain.data);
  }
  tsr_fill_integers(&rng, w, wn, -2, 2);
  tsr_fill_integers(&rng, b, (size_t)p->out_channels, -4, 4);
  tsr_op* op = NULL;
  if (transposed) tsr_deconv_create(p, c.output_padding, w, b, &op);
  else if (tsr_conv_create(p, w, b, &op) != tsr_status_success) {
    snprintf(error, size, "%s", tsr_last_error_message());
    free(w), free(b), free(theirs), free(x.data), free(y.data);
    return -1;
  }
  snprintf(result->impl, sizeof(result->impl), "%s", tsr_op_describe(op));
  /* every tap of every (input, output) channel pair of a group meets every position of the small side */
  /* logical elements: a blocked layout's padding lanes are not work */
  result->work = transposed ? 2.0 * (double)tsr_tensor_desc_elements(&x.desc) * (double)(p->out_channels / p->groups) *
                                  (double)taps
                            : 2.0 * (double)tsr_tensor_desc_elements(&y.desc) * (double)(p->in_channels / p->groups) *
                                  (double)taps;
  snprintf(result->status, sizeof(result->status), "ok");
  struct tsr_bench_runs runs = {.op = op, .num_inputs = 1, .num_outputs = 1, .inputs = &x,
                                .outputs = &y, .pool = settings->pool};
#ifdef TSR_HAVE_ONEDNN
  /* deconvolution: oneDNN on the same tensors; convolution: oneDNN in its own (blocked)
   * layouts, checked through reorders to y's layout, timed with them from plain tensors and
   * without them from nhwc ones (each library in its preferred layout) */
  tsr_onednn_call call;
  tsr_onednn_conv peer;
  tsr_tensor t = {y.desc, theirs};
  const int have_onednn = transposed ? tsr_onednn_deconv_call(&call, p, &x, w, b, &t) == 0
                                     : tsr_onednn_conv_create(&peer, p, &x, w, b, &t, 1) == 0;
  if (have_onednn && transposed) runs.onednn = &call;
  if (have_onednn && !transposed) {
    runs.onednn = &peer, runs.onednn_execute = tsr_onednn_conv_execute;
    const size_t used = strlen(result->impl); /* what oneDNN chose, beside tessera's choice */
    snprintf(result->impl + used, sizeof(result->impl) - used, " | onednn %s", peer.implementation);
  }
#endif
  /* Winograd's bound (tessera.h): 16 (ic + 2) 2^-24 R, R = 9 max|x| max|w| + max|bias|; twice
   * that with --alg=wino, where oneDNN's side may be a Winograd convolution too */
  const double tolerance = strstr(result->impl, "impl=winograd") == NULL ? 0.0
                           : (p->algorithm == tsr_conv_algorithm_winograd ? 2.0 : 1.0) * 16.0 *
                                 (double)(p->in_channels + 2) * 0x1p-24 * (9.0 * 2 * 2 + 4);
  if (settings->mode & tsr_bench_check)
    tsr_bench_check_against_onednn(&runs, y.data, theirs, yn, tolerance, 0.0, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn && !transposed) peer.reorders = tsr_conv_layout == tsr_layout_plain;
#endif
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn && transposed) tsr_onednn_call_destroy(&call);
  if (have_onednn && !transposed) tsr_onednn_conv_destroy(&peer);
#endif
  tsr_op_destroy(op);
  free(w), free(b), free(theirs), free(x.data), free(y.data);
  return 0;
}

static int tsr_conv_run(const char* body, const struct tsr_bench_settings* settings, struct tsr_bench_result* result,
                        char* error, size_t size) {
  return tsr_any_conv_run(false, body, settings, result, error, size);
}

static int tsr_deconv_run(const char* body, const struct tsr_bench_settings* settings, struct tsr_bench_result* result,
                          char* error, size_t size) {
  return tsr_any_conv_run(true, body, settings, result, error, size);
}

static const char* const tsr_conv_suite[] = {"ic16ih28oc16oh28kh3ph1n\"small.3x3\"", NULL};
static const char* const tsr_deconv_suite[] = {"ic16ih14oc16oh28kh4sh2ph1n\"upsample.4x4s2\"", NULL};

const struct tsr_bench_driver tsr_bench_conv_driver = {
    "conv", "convolution 1-3 D ([g]mbNicCihHocKohPkhRshSphQ, iw.., id..); GFLOP/s", tsr_conv_suite,
    tsr_conv_reset, tsr_conv_option, tsr_conv_run};

const struct tsr_bench_driver tsr_bench_deconv_driver = {
    "deconv", "transposed convolution 1-3 D (conv's keys; ih input, oh output); GFLOP/s", tsr_deconv_suite,
    tsr_conv_reset, tsr_conv_option, tsr_deconv_run};
