/* The eltwise op end to end: every dense layout (blocked with channel padding included), sizes
 * below, at and above the kernels' tiles and the op's task tile, 1 to 3 threads, in place; against
 * the reference loop and against oneDNN's eltwise primitive, both with tolerance 0 (clamping is
 * exact), and an output past the last-level cache, which takes the streaming-store kernels.
 * Outputs are pre-filled with NaN so an unwritten element fails. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/cpu.h"
#include "kernels/reference/activation-reference.h"
#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static const tsr_activation tsr_activations[] = {
    {tsr_activation_relu, 0, 0},
    {tsr_activation_clamp, 0.0f, 6.0f},
    {tsr_activation_clamp, -1.5f, 2.25f},
    {tsr_activation_none, 0, 0},
};

#ifdef TSR_HAVE_ONEDNN
static void tsr_compare_onednn(const tsr_activation* act, const tsr_tensor* x, const float* actual,
                               size_t n, const char* what) {
  if (act->kind == tsr_activation_none) return;
  dnnl_memory_desc_t md;
  if (x->desc.layout != tsr_layout_plain && x->desc.layout != tsr_layout_nhwc) return; /* blocked: by the reference */
  if (tsr_onednn_md(&x->desc, &md) != 0) return;
  dnnl_eltwise_desc_t desc;
  const dnnl_alg_kind_t alg = act->kind == tsr_activation_relu ? dnnl_eltwise_relu : dnnl_eltwise_clip;
  const float alpha = act->kind == tsr_activation_relu ? 0.0f : act->alpha;
  const float beta = act->kind == tsr_activation_relu ? 0.0f : act->beta;
  dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &md, alpha, beta);
  float* expected = tsr_guarded_alloc(n * sizeof(float));
  tsr_fill_nan(expected, n);
  tsr_tensor y = {x->desc, expected};
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, &y}};
  if (tsr_check(tsr_onednn_call_create(&call, &desc, NULL, 2, args) == 0, what, "oneDNN setup")) {
    tsr_onednn_call_execute(&call);
    char label[400];
    snprintf(label, sizeof(label), "%s vs oneDNN (%s)", what, call.implementation);
    tsr_check_close(label, actual, expected, n, 0.0, 0.0);
    tsr_onednn_call_destroy(&call);
  }
  tsr_guarded_free(expected);
}
#endif

static void tsr_test_case(tsr_threadpool* pool, const tsr_activation* act, tsr_layout layout,
                          int32_t ndims, const int64_t* dims, tsr_rng* rng) {
  tsr_tensor x = {0}, y = {0};
  tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout, ndims, dims);
  y.desc = x.desc;
  const size_t n = tsr_tensor_desc_bytes(&x.desc) / sizeof(float);
  x.data = tsr_guarded_alloc(n * sizeof(float));
  y.data = tsr_guarded_alloc(n * sizeof(float));
  float* expected = tsr_guarded_alloc(n * sizeof(float));
  tsr_fill_integers(rng, x.data, n, -8, 8);
  tsr_fill_nan(y.data, n);
  tsr_reference_activation_f32(act, n, x.data, expected);

  tsr_op* op = NULL;
  tsr_eltwise_create(act, &op);
  char shape[96] = "", what[300];
  for (int32_t d = 0; d < ndims; d++)
    snprintf(shape + strlen(shape), sizeof(shape) - strlen(shape), d ? "x%lld" : "%lld",
             (long long)dims[d]);
  snprintf(what, sizeof(what), "eltwise %s %s %s threads %u", tsr_op_describe(op),
           tsr_layout_name(layout), shape, tsr_threadpool_threads(pool));
  tsr_check_status(tsr_op_run(op, 1, &x, 1, &y, pool), tsr_status_success, what);
  tsr_check_close(what, y.data, expected, n, 0.0, 0.0);
#ifdef TSR_HAVE_ONEDNN
  tsr_compare_onednn(act, &x, y.data, n, what);
#endif
  tsr_check_status(tsr_op_run(op, 1, &x, 1, &x, pool), tsr_status_success, what); /* in place */
  tsr_check_close(what, x.data, expected, n, 0.0, 0.0);
  tsr_op_destroy(op);
  tsr_guarded_free(x.data);
  tsr_guarded_free(y.data);
  tsr_guarded_free(expected);
}

int main(void) {
  tsr_test_small_llc("4M");
  tsr_check(tsr_cpu_llc_bytes() == (size_t)4 << 20, "TESSERA_LLC_BYTES=4M", "read as %zu bytes",
            tsr_cpu_llc_bytes());
  tsr_rng rng = tsr_rng_seeded(7);
  const tsr_layout layouts[] = {tsr_layout_plain, tsr_layout_nhwc, tsr_layout_nchw4c,
                                tsr_layout_nchw8c, tsr_layout_nchw16c};
  /* Sizes around the kernel tiles (4-32 elements) and the op's 4096-element task tile. */
  const int64_t shapes[][4] = {{1, 1, 1, 1},  {1, 3, 1, 5},   {2, 7, 3, 3},    {1, 16, 2, 1},
                               {1, 17, 4, 9}, {3, 5, 11, 13}, {1, 64, 8, 8},   {2, 8, 16, 32},
                               {1, 1, 4097, 1}, {5, 31, 7, 19}};
  for (uint32_t threads = 1; threads <= 3; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    for (size_t a = 0; a < sizeof(tsr_activations) / sizeof(tsr_activations[0]); a++)
      for (size_t l = 0; l < 5; l++)
        for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
          tsr_test_case(pool, &tsr_activations[a], layouts[l], 4, shapes[s], &rng);
    tsr_threadpool_destroy(pool);
  }
  /* 3-D and 5-D tensors and a plain 1-D vector. */
  const int64_t ncw[] = {2, 9, 33}, ncdhw[] = {1, 5, 3, 4, 7}, vec[] = {1000003};
  tsr_test_case(NULL, &tsr_activations[1], tsr_layout_nhwc, 3, ncw, &rng);
  tsr_test_case(NULL, &tsr_activations[2], tsr_layout_nchw8c, 5, ncdhw, &rng);
  tsr_test_case(NULL, &tsr_activations[0], tsr_layout_plain, 1, vec, &rng);
  /* An output larger than the last-level cache goes through the streaming-store kernels: one
   * just past it (odd length, so tasks end unaligned), on 2 threads and on one. */
  const int64_t past_llc[] = {(int64_t)(tsr_cpu_llc_bytes() / sizeof(float)) + 4099};
  tsr_threadpool* two = NULL;
  tsr_threadpool_create(2, &two);
  tsr_test_case(two, &tsr_activations[2], tsr_layout_plain, 1, past_llc, &rng);
  tsr_threadpool_destroy(two);
  tsr_test_case(NULL, &tsr_activations[0], tsr_layout_plain, 1, past_llc, &rng);

  /* NaN and infinities pass through as IEEE 754 says. */
  const tsr_activation relu = {tsr_activation_relu, 0, 0};
  tsr_op* op = NULL;
  tsr_eltwise_create(&relu, &op);
  float x[5] = {NAN, INFINITY, -INFINITY, -0.0f, 1.0f}, y[5];
  const float expected[5] = {NAN, INFINITY, 0.0f, 0.0f, 1.0f};
  const int64_t five[] = {5};
  tsr_tensor in = {.data = x}, out = {.data = y};
  tsr_tensor_desc_init(&in.desc, tsr_dtype_f32, tsr_layout_plain, 1, five);
  out.desc = in.desc;
  tsr_op_run(op, 1, &in, 1, &out, NULL);
  tsr_check_close("relu of NaN and infinities", y, expected, 5, 0.0, 0.0);
  tsr_op_destroy(op);
  printf("eltwise kernel in use: isa %s\n", tsr_isa_name(tsr_cpu_isa_in_use()));
  return tsr_test_finish();
}
