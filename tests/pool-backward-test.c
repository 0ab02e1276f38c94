/* Pooling backward's fast path (f32-dpool kernels through engine/pool-backward.c) against the
 * reference loop (the same op created under TESSERA_POOL=reference), bit for bit (tolerance 0:
 * both add the same f32 terms in the same order): max, average counting and excluding padding;
 * 1-D, 2-D and 3-D; kernels 1-4 (global too), strides 1-3, asymmetric padding, ceil mode;
 * channels below, at and past the vector widths and the kernels' 4-vector groups (1 to 67);
 * batch 1-3; plain NCHW (through the reordered slices), NHWC and the blocked layouts; tall NHWC
 * images split into bands of rows between threads; 1-3 threads; inputs from a small integer
 * range (ties: the first maximum must win) with NaN and -inf; dx pre-filled with NaN, so an
 * element left unwritten fails. Then the tasks' scratch failing on the pool's threads (the
 * caller runs their tasks: the same bits) and everywhere (out of memory, dx untouched); layouts
 * that do not match (an error, dx untouched); and which plain volumes the fast path leaves to the
 * reference loop (slices whose scratch would pass 64 MiB). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pool-backward.h"
#include "engine/scratch.h"
#include "tests/harness/harness.h"

static const tsr_layout tsr_layouts[] = {tsr_layout_plain, tsr_layout_nhwc, tsr_layout_nchw8c, tsr_layout_nchw16c};

static void tsr_random_params(tsr_rng* rng, int32_t spatial, tsr_pool_params* p, int64_t* dims) {
  memset(p, 0, sizeof(*p));
  p->spatial_ndims = spatial;
  p->kind = (tsr_pooling_kind)tsr_rng_below(rng, 3);
  p->global = tsr_rng_below(rng, 12) == 0;
  p->ceil_mode = (int)tsr_rng_below(rng, 2);
  static const int64_t channel_counts[] = {1, 3, 8, 15, 16, 17, 33, 48, 67};
  dims[0] = 1 + (int64_t)tsr_rng_below(rng, 3);
  dims[1] = channel_counts[tsr_rng_below(rng, sizeof(channel_counts) / sizeof(channel_counts[0]))];
  for (int32_t d = 0; d < spatial; d++) {
    p->kernel[d] = 1 + (int64_t)tsr_rng_below(rng, 4);
    p->stride[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
    p->padding_begin[d] = (int64_t)tsr_rng_below(rng, (uint32_t)(p->kernel[d] / 2 + 1));
    p->padding_end[d] = (int64_t)tsr_rng_below(rng, (uint32_t)(p->kernel[d] / 2 + 1));
    dims[2 + d] = p->kernel[d] + (int64_t)tsr_rng_below(rng, spatial == 3 ? 5 : 14);
  }
}

static void tsr_fill_pool_inputs(tsr_rng* rng, float* x, size_t xn, float* dy, size_t yn) {
  for (size_t i = 0; i < xn; i++) {
    const uint32_t pick = tsr_rng_below(rng, 50);
    x[i] = pick == 0 ? NAN : pick == 1 ? -INFINITY : (float)((int)tsr_rng_below(rng, 7) - 3);
  }
  for (size_t i = 0; i < yn; i++) dy[i] = (float)((int)tsr_rng_below(rng, 21) - 10) * 0.75f;
}

/* One case: the fast op against the reference op on the same tensors; with `failures`, also
 * with the tasks' scratch failing. Returns whether the fast path ran. */
static bool tsr_check_case(tsr_rng* rng, const tsr_pool_params* p, const int64_t* dims, tsr_layout layout,
                           tsr_threadpool* pool, bool failures) {
  const int32_t spatial = p->spatial_ndims, ndims = spatial + 2;
  int64_t out_dims[5];
  tsr_pool_output_shape(p, ndims, dims, out_dims);
  tsr_tensor x, dy, dx, expected;
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout, ndims, dims);
  tsr_tensor_desc_init(&dy.desc, tsr_dtype_f32, layout, ndims, out_dims);
  const size_t xn = tsr_tensor_desc_bytes(&x.desc) / 4, yn = tsr_tensor_desc_bytes(&dy.desc) / 4; /* blocked: padded */
  x.data = malloc(xn * sizeof(float)), dy.data = malloc(yn * sizeof(float));
  dx.desc = expected.desc = x.desc;
  dx.data = malloc(xn * sizeof(float)), expected.data = malloc(xn * sizeof(float));
  tsr_fill_pool_inputs(rng, x.data, xn, dy.data, yn);
  tsr_fill_nan(dx.data, xn), tsr_fill_nan(expected.data, xn);
  tsr_op *fast = NULL, *slow = NULL;
  tsr_check_status(tsr_pool_backward_create(p, &fast), tsr_status_success, "pool backward create");
  setenv("TESSERA_POOL", "reference", 1);
  tsr_pool_backward_create(p, &slow);
  unsetenv("TESSERA_POOL");
  const bool fast_path = strstr(tsr_op_describe(fast), "dpool") != NULL;
  const tsr_tensor inputs[2] = {x, dy};
  char what[240];
  snprintf(what, sizeof(what), "%s %s %lldx%lldx%lldx%lld(x%lld) k%lld s%lld p%lld/%lld threads %u",
           tsr_op_describe(fast), tsr_layout_name(layout), (long long)dims[0], (long long)dims[1], (long long)dims[2],
           (long long)(spatial > 1 ? dims[3] : 1), (long long)(spatial > 2 ? dims[4] : 1),
           (long long)p->kernel[spatial - 1], (long long)p->stride[spatial - 1],
           (long long)p->padding_begin[spatial - 1], (long long)p->padding_end[spatial - 1],
           tsr_threadpool_threads(pool));
  tsr_check_status(tsr_op_run(fast, 2, inputs, 1, &dx, pool), tsr_status_success, what);
  tsr_check_status(tsr_op_run(slow, 2, inputs, 1, &expected, pool), tsr_status_success, "reference run");
  tsr_check_close(what, dx.data, expected.data, xn, 0.0, 0.0);
  if (failures) {
    tsr_fill_nan(dx.data, xn);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_in_tasks);
    tsr_check_status(tsr_op_run(fast, 2, inputs, 1, &dx, pool), tsr_status_success, "scratch failing in tasks");
    tsr_check_close("scratch failing in tasks", dx.data, expected.data, xn, 0.0, 0.0);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_always);
    tsr_fill_nan(dx.data, xn);
    tsr_check_status(tsr_op_run(fast, 2, inputs, 1, &dx, pool), tsr_status_out_of_memory, "scratch failing");
    tsr_check_untouched("scratch failing: dx untouched", dx.data, xn);
    tsr_scratch_set_failure_for_tests(tsr_scratch_failure_none);
  }
  tsr_op_destroy(fast), tsr_op_destroy(slow);
  free(x.data), free(dy.data), free(dx.data), free(expected.data);
  return fast_path;
}

static void tsr_test_sweep(tsr_rng* rng, tsr_threadpool* const* pools, size_t cases) {
  size_t fast_paths = 0;
  for (size_t k = 0; k < cases; k++) {
    const int32_t spatial = k % 5 == 0 ? 1 : k % 5 == 1 ? 3 : 2;
    tsr_pool_params p;
    int64_t dims[5], out_dims[5];
    tsr_random_params(rng, spatial, &p, dims);
    if (tsr_pool_output_shape(&p, spatial + 2, dims, out_dims) != tsr_status_success) {
      k--; /* padding past what the kernel allows for this input: draw again */
      continue;
    }
    fast_paths += tsr_check_case(rng, &p, dims, tsr_layouts[k % 4], pools[k % 3], k % 16 == 0);
  }
  printf("%zu cases, %zu on the fast path\n", cases, fast_paths);
}

/* Tall NHWC images at batch 1 on 2 and 3 threads: bands of input rows, windows straddling two
 * bands (kernels 2-4 at strides 1-3, padded and not). */
static void tsr_test_bands(tsr_rng* rng, tsr_threadpool* const* pools) {
  for (int kind = 0; kind < 3; kind++)
    for (int64_t kernel = 2; kernel <= 4; kernel++)
      for (int64_t stride = 1; stride <= 3; stride++) {
        tsr_pool_params p;
        memset(&p, 0, sizeof(p));
        p.spatial_ndims = 2, p.kind = (tsr_pooling_kind)kind;
        p.kernel[0] = p.kernel[1] = kernel, p.stride[0] = p.stride[1] = stride;
        p.padding_begin[0] = p.padding_end[0] = p.padding_begin[1] = stride == 2 ? kernel / 2 : 0;
        const int64_t dims[4] = {1, 19, 45, 11};
        tsr_check_case(rng, &p, dims, tsr_layout_nhwc, pools[1 + (size_t)stride % 2], false);
      }
}

/* x, dy and dx in layouts that do not go together: an error naming the argument, dx untouched. */
static void tsr_test_mismatched_layouts(void) {
  static const tsr_layout cases[][3] = {{tsr_layout_plain, tsr_layout_nchw16c, tsr_layout_plain},
                                        {tsr_layout_nchw16c, tsr_layout_plain, tsr_layout_nchw16c},
                                        {tsr_layout_nhwc, tsr_layout_plain, tsr_layout_nhwc},
                                        {tsr_layout_nchw16c, tsr_layout_nchw16c, tsr_layout_plain},
                                        {tsr_layout_nchw8c, tsr_layout_nchw16c, tsr_layout_nchw8c}};
  tsr_pool_params p;
  memset(&p, 0, sizeof(p));
  p.spatial_ndims = 2, p.kind = tsr_pooling_max, p.kernel[0] = p.kernel[1] = 2, p.stride[0] = p.stride[1] = 2;
  tsr_op* op = NULL;
  tsr_pool_backward_create(&p, &op);
  static float x[4096], dy[4096], dx[4096];
  const int64_t x_dims[4] = {1, 16, 8, 8}, y_dims[4] = {1, 16, 4, 4};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    tsr_tensor inputs[2] = {{.data = x}, {.data = dy}}, output = {.data = dx};
    tsr_tensor_desc_init(&inputs[0].desc, tsr_dtype_f32, cases[i][0], 4, x_dims);
    tsr_tensor_desc_init(&inputs[1].desc, tsr_dtype_f32, cases[i][1], 4, y_dims);
    tsr_tensor_desc_init(&output.desc, tsr_dtype_f32, cases[i][2], 4, x_dims);
    tsr_fill_nan(dx, 4096);
    char what[120];
    snprintf(what, sizeof(what), "pool backward x %s, dy %s, dx %s", tsr_layout_name(cases[i][0]),
             tsr_layout_name(cases[i][1]), tsr_layout_name(cases[i][2]));
    const tsr_status status = tsr_op_run(op, 2, inputs, 1, &output, NULL);
    tsr_check(status == tsr_status_invalid_parameter || status == tsr_status_unsupported_parameter, what,
              "returned %s", tsr_status_string(status));
    tsr_check(strstr(tsr_last_error_message(), "inputs[1]") != NULL || strstr(tsr_last_error_message(), "dx") != NULL ||
                  strstr(tsr_last_error_message(), "tensors") != NULL,
              what, "message '%s'", tsr_last_error_message());
    tsr_check_untouched(what, dx, 4096);
  }
  tsr_op_destroy(op);
}

/* Plain volumes whose smallest slice would need over 64 MiB of scratch go to the reference loop;
 * NHWC never needs it. */
static void tsr_test_fast_path_limits(void) {
  struct tsr_pool_geometry g = {.kind = tsr_pooling_max, .in = {128, 128, 128}, .out = {64, 64, 64},
                                .kernel = {2, 2, 2}, .stride = {2, 2, 2}};
  tsr_check(!tsr_pool_backward_fast_takes(&g, 16, false), "plain 16x128^3", "took the fast path");
  tsr_check(tsr_pool_backward_fast_takes(&g, 16, true), "nhwc 16x128^3", "left the fast path");
  g.in[0] = g.out[0] = 1, g.in[1] = g.in[2] = 112, g.out[1] = g.out[2] = 56, g.kernel[0] = g.stride[0] = 1;
  tsr_check(tsr_pool_backward_fast_takes(&g, 64, false), "plain 64x112x112", "left the fast path");
}

int main(void) {
  tsr_rng rng = tsr_rng_seeded(11);
  tsr_threadpool* pools[3] = {NULL, NULL, NULL};
  for (uint32_t t = 0; t < 3; t++) tsr_threadpool_create(t + 1, &pools[t]);
  tsr_test_sweep(&rng, pools, 600);
  tsr_test_bands(&rng, pools);
  tsr_test_mismatched_layouts();
  tsr_test_fast_path_limits();
  for (uint32_t t = 0; t < 3; t++) tsr_threadpool_destroy(pools[t]);
  return tsr_test_finish();
}
