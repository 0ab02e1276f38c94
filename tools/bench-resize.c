/* `tessera bench resize`: padding and upsampling. Descriptor: benchdnn's resampling form
 * "mbNicC ih.. iw.. oh.. ow.." (id/od for 3-D; the output sizes are required for nearest and
 * linear, any ratio). --alg=nearest|linear|pad: pad takes ph/pw (pd) as the padding on each
 * side, or the output sizes for the end padding. --tag=plain|nhwc. Checked against tessera's
 * reference loops (TESSERA_RESIZE=reference: double, rounded once): exact for pad and nearest,
 * linear within the bound tessera.h states (2^-21 of the largest neighbour, 2^-20 in 3-D); then
 * oneDNN's resampling within 1e-5 where it has one (not pad). Memory-bound: GB/s counts one
 * read of x and one write of y. */
#include <math.h>
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

enum tsr_resize_alg { tsr_resize_nearest, tsr_resize_linear, tsr_resize_pad };
static enum tsr_resize_alg tsr_resize_alg;
static tsr_layout tsr_resize_layout;

static void tsr_resize_reset(void) {
  tsr_resize_alg = tsr_resize_nearest;
  tsr_resize_layout = tsr_layout_plain;
}

static int tsr_resize_option(const char* key, const char* value, char* error, size_t size) {
  static const char* const algs[] = {"nearest", "linear", "pad"};
  if (strcmp(key, "alg") == 0) {
    const int k = tsr_parse_choice(value, algs, 3);
    if (k >= 0) tsr_resize_alg = (enum tsr_resize_alg)k;
    else snprintf(error, size, "--alg=%s: resize algorithms are nearest, linear, pad", value);
    return k >= 0 ? 0 : -1;
  }
  if (strcmp(key, "tag") == 0) return tsr_bench_plain_nhwc_tag(value, &tsr_resize_layout, error, size);
  snprintf(error, size, "unknown resize option --%s (options: --alg, --tag)", key);
  return -1;
}

/* The op for the problem (reference: TESSERA_RESIZE=reference at creation) and its output dims. */
static tsr_status tsr_resize_op(const struct tsr_spatial_problem* s, const int64_t* in_dims, bool reference,
                                int64_t* out_dims, tsr_op** op) {
  if (reference) setenv("TESSERA_RESIZE", "reference", 1);
  tsr_status status;
  if (tsr_resize_alg == tsr_resize_pad) {
    tsr_pad_params p = {.spatial_ndims = s->spatial};
    for (int d = 0; d < s->spatial; d++)
      p.padding_begin[d] = s->pad[d], p.padding_end[d] = s->out[d] > 0 ? s->out[d] - s->in[d] - s->pad[d] : s->pad[d];
    status = tsr_pad_output_shape(&p, s->spatial + 2, in_dims, out_dims);
    if (status == tsr_status_success) status = tsr_pad_create(&p, op);
  } else {
    tsr_upsample_params p = {.spatial_ndims = s->spatial};
    p.kind = tsr_resize_alg == tsr_resize_linear ? tsr_resampling_linear : tsr_resampling_nearest;
    for (int d = 0; d < s->spatial; d++) p.size[d] = s->out[d];
    status = tsr_upsample_output_shape(&p, s->spatial + 2, in_dims, out_dims);
    if (status == tsr_status_success) status = tsr_upsample_create(&p, op);
  }
  if (reference) unsetenv("TESSERA_RESIZE");
  return status;
}

static int tsr_resize_run(const char* body, const struct tsr_bench_settings* settings,
                          struct tsr_bench_result* result, char* error, size_t size) {
  struct tsr_spatial_problem s;
  if (tsr_parse_spatial(body, &s, error, size) != 0) return -1;
  for (int d = 0; d < s.spatial; d++)
    if ((tsr_resize_alg != tsr_resize_pad && s.out[d] == 0) || s.kernel[d] != 1 || s.stride[d] != 1 ||
        s.dilation[d] != 0 || (tsr_resize_alg != tsr_resize_pad && s.pad[d] != 0) || s.oc != 0) {
      snprintf(error, size, "'%s': resize takes mb, ic, input and output sizes (and padding for --alg=pad); "
               "nearest and linear need every output size", body);
      return -1;
    }
  int64_t in_dims[5] = {settings->mb > 0 ? settings->mb : s.mb > 0 ? s.mb : 1, s.ic}, out_dims[5];
  for (int d = 0; d < s.spatial; d++) in_dims[2 + d] = s.in[d];
  tsr_op* op = NULL;
  if (tsr_resize_op(&s, in_dims, false, out_dims, &op) != tsr_status_success) {
    snprintf(error, size, "'%s': %s", body, tsr_last_error_message());
    return -1;
  }
  tsr_tensor x = {0}, y = {0};
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_resize_layout, s.spatial + 2, in_dims);
  tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, tsr_resize_layout, s.spatial + 2, out_dims);
  const size_t xn = tsr_tensor_desc_elements(&x.desc), yn = tsr_tensor_desc_elements(&y.desc);
  if (xn + yn > ((size_t)1 << 29)) {
    tsr_op_destroy(op);
    snprintf(error, size, "'%s': too large to benchmark", body);
    return -1;
  }
  if (result == NULL) { /* validation only */
    tsr_op_destroy(op);
    return 0;
  }
  float* expected = tsr_bench_alloc(yn * sizeof(float));
  x.data = tsr_bench_alloc(xn * sizeof(float));
  y.data = tsr_bench_alloc(yn * sizeof(float));
  if (!expected || !x.data || !y.data) {
    free(expected), free(x.data), free(y.data);
    tsr_op_destroy(op);
    snprintf(error, size, "out of memory");
    return -1;
  }
  tsr_rng rng = tsr_rng_seeded(17);
  tsr_fill_integers(&rng, x.data, xn, -20, 20);
  snprintf(result->impl, sizeof(result->impl), "%s", tsr_op_describe(op));
  result->memory_bound = true;
  result->work = (double)(xn + yn) * sizeof(float);
  snprintf(result->status, sizeof(result->status), "ok");
  struct tsr_bench_runs runs = {.op = op, .num_inputs = 1, .num_outputs = 1, .inputs = &x, .outputs = &y,
                                .pool = settings->pool};
#ifdef TSR_HAVE_ONEDNN
  tsr_onednn_call call;
  int have_onednn = 0;
  if (tsr_resize_alg != tsr_resize_pad) { /* oneDNN 2.6 has no padding primitive */
    dnnl_memory_desc_t src, dst;
    dnnl_resampling_desc_t desc;
    if (tsr_onednn_md(&x.desc, &src) == 0 && tsr_onednn_md(&y.desc, &dst) == 0 &&
        dnnl_resampling_forward_desc_init(&desc, dnnl_forward_inference,
                                          tsr_resize_alg == tsr_resize_linear ? dnnl_resampling_linear
                                                                              : dnnl_resampling_nearest,
                                          NULL, &src, &dst) == dnnl_success) {
      const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &x}, {DNNL_ARG_DST, &y}};
      have_onednn = tsr_onednn_call_create(&call, &desc, NULL, 2, args) == 0;
    }
  }
  if (have_onednn) runs.onednn = &call;
#endif
  if (settings->mode & tsr_bench_check) {
    tsr_op* reference = NULL;
    int64_t dims[5];
    tsr_resize_op(&s, in_dims, true, dims, &reference);
    tsr_tensor e = {y.desc, expected};
    tsr_op_run(reference, 1, &x, 1, &e, settings->pool);
    tsr_op_destroy(reference);
    /* Exact for pad and nearest; linear within 2^-21 (3-D 2^-20) of the largest input
     * magnitude, 20, which bounds every neighbour. */
    const double atol = tsr_resize_alg == tsr_resize_linear ? 20.0 * ldexp(1.0, s.spatial == 3 ? -20 : -21) : 0.0;
    tsr_bench_check_against_reference(&runs, y.data, expected, yn, atol, 0.0, 1e-5, 1e-5, result);
  }
  if (settings->mode & tsr_bench_perf) tsr_bench_time_runs(&runs, result);
#ifdef TSR_HAVE_ONEDNN
  if (have_onednn) tsr_onednn_call_destroy(&call);
#endif
  tsr_op_destroy(op);
  free(expected), free(x.data), free(y.data);
  return 0;
}

/* resize_bench's problems: padding, nearest and linear 2x upsampling in both layouts. */
static const char* const tsr_resize_suite[] = {
    "--alg=pad", "mb1ic64ih56ph1n\"pad1\"", "--tag=nhwc", "mb1ic64ih56ph1n\"pad1.nhwc\"", "--tag=plain",
    "mb32ic3ih224ph3n\"pad3.b32\"", "--alg=nearest", "mb1ic64ih56oh112n\"nearest2x\"", "--tag=nhwc",
    "mb1ic64ih56oh112n\"nearest2x.nhwc\"", "mb8ic256ih20oh40n\"nearest2x.b8.nhwc\"", "--alg=linear",
    "mb1ic64ih56oh112n\"linear2x.nhwc\"", "--tag=plain", "mb1ic64ih56oh112n\"linear2x\"", NULL};

const struct tsr_bench_driver tsr_bench_resize_driver = {
    .op = "resize",
    .summary = "padding and nearest / linear upsampling 1-3 D (mbNicCihHoh..; --alg=nearest|linear|pad); GB/s",
    .default_suite = tsr_resize_suite,
    .reset_options = tsr_resize_reset,
    .set_option = tsr_resize_option,
    .run = tsr_resize_run,
};
