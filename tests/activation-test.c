/* Every activation against its definition in double precision (kernels/reference), over the
 * whole float range: about two million inputs spread evenly over the bit patterns of both signs
 * (tiny, subnormal, huge), plus special values. The error, in ulps of the correctly rounded
 * result (2^-149 below the normal range), must stay within the bound tessera.h states for the
 * kind; the largest error seen is printed. NaN must give NaN; infinities the stated limits.
 * Then through the eltwise op (threads, layouts), against oneDNN's eltwise where it has the
 * function, and the parameter checks. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/activation.h"
#include "kernels/reference/activation-reference.h"
#include "tests/harness/float-range.h"
#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

struct tsr_case {
  tsr_activation activation;
  double max_ulps; /* the bound tessera.h states for the portable path */
};

static const struct tsr_case tsr_cases[] = {
    {{tsr_activation_none, 0, 0}, 0},
    {{tsr_activation_relu, 0, 0}, 0},
    {{tsr_activation_clamp, -1.5f, 2.5f}, 0},
    {{tsr_activation_leaky_relu, 0.01f, 0}, 1},
    {{tsr_activation_elu, 1.0f, 0}, 1},
    {{tsr_activation_elu, 0.3f, 0}, 1},
    {{tsr_activation_selu, 0, 0}, 1},
    {{tsr_activation_gelu_erf, 0, 0}, 1},
    {{tsr_activation_gelu_tanh, 0, 0}, 1},
    {{tsr_activation_sigmoid, 0, 0}, 1},
    {{tsr_activation_hard_sigmoid, 1.0f / 6.0f, 0.5f}, 1},
    {{tsr_activation_hard_sigmoid, 0.2f, 0.5f}, 1},
    {{tsr_activation_tanh, 0, 0}, 1},
    {{tsr_activation_softplus, 1.0f, 0}, 1},
    {{tsr_activation_softplus, 2.5f, 0}, 1},
    {{tsr_activation_softsign, 0, 0}, 1},
    {{tsr_activation_silu, 1.0f, 0}, 1},
    {{tsr_activation_silu, -0.5f, 0}, 1},
    {{tsr_activation_hard_swish, 0, 0}, 1},
    {{tsr_activation_mish, 0, 0}, 1},
    {{tsr_activation_exp, 0, 0}, 1},
    {{tsr_activation_log, 0, 0}, 1},
    {{tsr_activation_abs, 0, 0}, 0},
    {{tsr_activation_square, 0, 0}, 1},
    {{tsr_activation_sqrt, 0, 0}, 1},
};
#define TSR_NUM_CASES (sizeof(tsr_cases) / sizeof(tsr_cases[0]))

int main(void) {
  static float x[TSR_FLOAT_RANGE_MAX_INPUTS], y[TSR_FLOAT_RANGE_MAX_INPUTS];
  const size_t n = tsr_float_range_inputs(x);
  printf("%zu inputs per activation\n", n);
  for (size_t c = 0; c < TSR_NUM_CASES; c++) {
    const struct tsr_case* tc = &tsr_cases[c];
    struct tsr_activation_impl impl;
    tsr_activation_impl_init(&impl, &tc->activation);
    tsr_activation_impl_run_serial(&impl, n, x, y);
    /* a vectorized kernel is held to the looser bound it states */
    const double bound = impl.vector != NULL ? impl.vector->max_ulps : tc->max_ulps;
    double worst = 0.0;
    size_t worst_at = 0, over = 0;
    for (size_t i = 0; i < n; i++) {
      const double e = tsr_ulp_error(y[i], tsr_reference_activation_f64(&tc->activation, (double)x[i]));
      if (e > worst) worst = e, worst_at = i;
      over += e > bound;
    }
    char name[64], what[128];
    tsr_activation_describe(&tc->activation, name, sizeof(name));
    snprintf(what, sizeof(what), "%s within %g ulp", name, bound);
    tsr_check(over == 0, what, "%zu inputs over the bound; worst %.3g ulp at x=%.9g: got %.9g, exact %.17g",
              over, worst, (double)x[worst_at], (double)y[worst_at],
              tsr_reference_activation_f64(&tc->activation, (double)x[worst_at]));
    printf("%-24s max error %.3g ulp (bound %g)  [%s]\n", name, worst, bound, impl.kernel_name);
  }

  /* Limits at infinity, by hand. */
  const struct { tsr_activation_kind kind; float alpha, x, y; } limits[] = {
      {tsr_activation_sigmoid, 0, -INFINITY, 0.0f}, {tsr_activation_sigmoid, 0, INFINITY, 1.0f},
      {tsr_activation_gelu_erf, 0, -INFINITY, 0.0f}, {tsr_activation_gelu_tanh, 0, -INFINITY, 0.0f},
      {tsr_activation_silu, 1, -INFINITY, 0.0f}, {tsr_activation_mish, 0, -INFINITY, 0.0f},
      {tsr_activation_hard_swish, 0, -INFINITY, 0.0f}, {tsr_activation_softsign, 0, INFINITY, 1.0f},
      {tsr_activation_softsign, 0, -INFINITY, -1.0f}, {tsr_activation_elu, 2, -INFINITY, -2.0f},
      {tsr_activation_tanh, 0, -INFINITY, -1.0f}, {tsr_activation_softplus, 1, -INFINITY, 0.0f},
      {tsr_activation_softplus, 1, INFINITY, INFINITY}, {tsr_activation_exp, 0, -INFINITY, 0.0f}};
  for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
    const tsr_activation a = {limits[i].kind, limits[i].alpha, 0};
    struct tsr_activation_impl impl;
    tsr_activation_impl_init(&impl, &a);
    float v = limits[i].x, r;
    tsr_activation_impl_run_serial(&impl, 1, &v, &r);
    char name[64];
    tsr_activation_describe(&a, name, sizeof(name));
    tsr_check(r == limits[i].y, name, "at %g gave %g, the limit is %g", (double)v, (double)r, (double)limits[i].y);
  }

  /* Through the op, threaded, and against oneDNN on a moderate range. */
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(3, &pool);
  tsr_rng rng = tsr_rng_seeded(21);
  const int64_t dims[] = {3, 17, 33, 31};
  tsr_tensor tx = {0}, ty = {0};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, dims);
  ty.desc = tx.desc;
  const size_t count = tsr_tensor_desc_elements(&tx.desc);
  float* input = tsr_guarded_alloc(count * sizeof(float));
  float* output = tsr_guarded_alloc(count * sizeof(float));
  float* expected = tsr_guarded_alloc(count * sizeof(float));
  tx.data = input;
  ty.data = output;
  for (size_t c = 0; c < TSR_NUM_CASES; c++) {
    const struct tsr_case* tc = &tsr_cases[c];
    tsr_fill_uniform(&rng, input, count, -8.0f, 8.0f);
    if (tc->activation.kind == tsr_activation_log || tc->activation.kind == tsr_activation_sqrt)
      for (size_t i = 0; i < count; i++) input[i] = fabsf(input[i]) + 1e-3f;
    tsr_op* op = NULL;
    if (!tsr_check_status(tsr_eltwise_create(&tc->activation, &op), tsr_status_success, "eltwise_create")) continue;
    tsr_fill_nan(output, count);
    tsr_op_run(op, 1, &tx, 1, &ty, pool);
    struct tsr_activation_impl impl;
    tsr_activation_impl_init(&impl, &tc->activation);
    tsr_activation_impl_run_serial(&impl, count, input, expected);
    tsr_check_close(tsr_op_describe(op), output, expected, count, 0.0, 0.0); /* same code, any thread count */
#ifdef TSR_HAVE_ONEDNN
    dnnl_alg_kind_t alg;
    float alpha, beta;
    if (tsr_onednn_eltwise_alg(&tc->activation, &alg, &alpha, &beta) == 0) {
      dnnl_memory_desc_t md;
      tsr_onednn_md(&tx.desc, &md);
      dnnl_eltwise_desc_t desc;
      dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &md, alpha, beta);
      tsr_onednn_call call;
      const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DST, &(tsr_tensor){tx.desc, expected}}};
      if (tsr_onednn_call_create(&call, &desc, NULL, 2, args) == 0) {
        tsr_onednn_call_execute(&call);
        char what[200];
        snprintf(what, sizeof(what), "%s vs oneDNN %s", tsr_op_describe(op), call.implementation);
        /* oneDNN approximates its transcendentals (its log, for one, is off by up to 1.5e-6 near
         * 1): agreement is checked to 5e-6 absolute plus 1e-5 relative. */
        tsr_check_close(what, output, expected, count, 5e-6, 1e-5);
        tsr_onednn_call_destroy(&call);
      }
    }
#endif
    tsr_op_destroy(op);
  }
  tsr_guarded_free(input);
  tsr_guarded_free(output);
  tsr_guarded_free(expected);
  tsr_threadpool_destroy(pool);

  /* Blocked layout: channel padding stays zero even for sigmoid (which maps 0 to 0.5). */
  {
    const int64_t bd[] = {2, 5, 3, 3};
    tsr_tensor bx = {0}, by = {0};
    tsr_tensor_desc_init(&bx.desc, tsr_dtype_f32, tsr_layout_nchw8c, 4, bd);
    by.desc = bx.desc;
    const size_t bn = tsr_tensor_desc_bytes(&bx.desc) / sizeof(float);
    float* b_in = tsr_guarded_alloc(bn * sizeof(float));
    float* b_out = tsr_guarded_alloc(bn * sizeof(float));
    memset(b_in, 0, bn * sizeof(float));
    bx.data = b_in;
    by.data = b_out;
    const tsr_activation sigmoid = {tsr_activation_sigmoid, 0, 0};
    tsr_op* op = NULL;
    tsr_eltwise_create(&sigmoid, &op);
    tsr_op_run(op, 1, &bx, 1, &by, NULL);
    size_t bad = 0;
    for (size_t i = 0; i < bn; i++) bad += (i % 8 < 5) ? b_out[i] != 0.5f : b_out[i] != 0.0f;
    tsr_check(bad == 0, "nchw8c sigmoid padding", "%zu elements wrong (padding must stay 0)", bad);
    tsr_op_destroy(op);
    tsr_guarded_free(b_in);
    tsr_guarded_free(b_out);
  }

  /* Parameter checks name the problem. */
  const struct { tsr_activation a; const char* fragment; } bad[] = {
      {{tsr_activation_softplus, 0.0f, 0}, "alpha > 0"}, {{tsr_activation_softplus, -1.0f, 0}, "alpha > 0"},
      {{tsr_activation_leaky_relu, INFINITY, 0}, "finite alpha"}, {{tsr_activation_elu, NAN, 0}, "finite alpha"},
      {{tsr_activation_hard_sigmoid, 0.2f, NAN}, "finite alpha and beta"}, {{(tsr_activation_kind)21, 0, 0}, "kind 21"},
      {{tsr_activation_silu, -INFINITY, 0}, "finite alpha"}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    tsr_op* op = (tsr_op*)0x1;
    tsr_check_status(tsr_eltwise_create(&bad[i].a, &op), tsr_status_invalid_parameter, bad[i].fragment);
    tsr_check(strstr(tsr_last_error_message(), bad[i].fragment) != NULL && op == (tsr_op*)0x1, bad[i].fragment,
              "message '%s'", tsr_last_error_message());
  }
  return tsr_test_finish();
}
