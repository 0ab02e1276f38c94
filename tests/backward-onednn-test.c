/* Backward passes against oneDNN's backward primitives on the same data: eltwise (every kind
 * oneDNN has), softmax and log-softmax, layer norm and batch norm (dx, dgamma, dbeta), the
 * inner product's backward data and weights (dense dx, dW, db), convolution backward data and
 * weights (plain and grouped), and average pooling backward. Tolerance 1e-5 absolute + 1e-4
 * relative: oneDNN approximates its transcendentals and sums in float. Skipped without oneDNN. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"

#define TSR_ATOL 1e-5
#define TSR_RTOL 1e-4

static tsr_tensor tsr_make(float* data, int32_t ndims, const int64_t* dims) {
  tsr_tensor t = {.data = data};
  tsr_tensor_desc_init(&t.desc, tsr_dtype_f32, tsr_layout_plain, ndims, dims);
  return t;
}

static void tsr_compare(const char* what, tsr_onednn_call* call, int created, const float* ours, const float* theirs, size_t n) {
  if (!tsr_check(created == 0, what, "oneDNN primitive could not be created")) return;
  tsr_onednn_call_execute(call);
  char label[200];
  snprintf(label, sizeof(label), "%s vs oneDNN %s", what, call->implementation);
  tsr_check_close(label, ours, theirs, n, TSR_ATOL, TSR_RTOL);
  tsr_onednn_call_destroy(call);
}

static void tsr_test_eltwise(tsr_rng* rng) {
  const tsr_activation acts[] = {{tsr_activation_relu, 0, 0}, {tsr_activation_leaky_relu, 0.2f, 0}, {tsr_activation_elu, 0.5f, 0},
                                 {tsr_activation_gelu_erf, 0, 0}, {tsr_activation_gelu_tanh, 0, 0}, {tsr_activation_sigmoid, 0, 0},
                                 {tsr_activation_tanh, 0, 0}, {tsr_activation_softplus, 1, 0}, {tsr_activation_silu, 1, 0},
                                 {tsr_activation_hard_swish, 0, 0}, {tsr_activation_mish, 0, 0}, {tsr_activation_exp, 0, 0},
                                 {tsr_activation_log, 0, 0}, {tsr_activation_abs, 0, 0}, {tsr_activation_square, 0, 0},
                                 {tsr_activation_sqrt, 0, 0}, {tsr_activation_clamp, -1, 2}};
  enum { n = 999 };
  float x[n], dy[n], dx[n], theirs[n];
  const int64_t dims[] = {n};
  tsr_tensor tx = tsr_make(x, 1, dims), tdy = tsr_make(dy, 1, dims), tdx = tsr_make(dx, 1, dims), tt = tsr_make(theirs, 1, dims);
  for (size_t a = 0; a < sizeof(acts) / sizeof(acts[0]); a++) {
    tsr_fill_uniform(rng, x, n, -4, 4);
    for (int i = 0; i < n; i++) { /* away from kinks, in each function's domain */
      if (fabsf(x[i]) < 1e-3f || fabsf(fabsf(x[i]) - 3.0f) < 1e-3f || fabsf(x[i] + 1) < 1e-3f || fabsf(x[i] - 2) < 1e-3f) x[i] += 0.01f;
      if (acts[a].kind == tsr_activation_log || acts[a].kind == tsr_activation_sqrt) x[i] = fabsf(x[i]) + 0.1f;
    }
    tsr_fill_uniform(rng, dy, n, -1, 1);
    tsr_op* op = NULL;
    tsr_eltwise_backward_create(&acts[a], &op);
    tsr_tensor ins[2] = {tx, tdy};
    tsr_op_run(op, 2, ins, 1, &tdx, NULL);
    dnnl_alg_kind_t alg;
    float alpha, beta;
    tsr_onednn_eltwise_alg(&acts[a], &alg, &alpha, &beta);
    dnnl_memory_desc_t md;
    tsr_onednn_md(&tx.desc, &md);
    dnnl_eltwise_desc_t forward, backward;
    dnnl_eltwise_forward_desc_init(&forward, dnnl_forward_training, alg, &md, alpha, beta);
    dnnl_eltwise_backward_desc_init(&backward, alg, &md, &md, alpha, beta);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_DIFF_SRC, &tt}};
    const int created = tsr_onednn_call_create_backward(&call, &backward, &forward, 3, args);
    tsr_compare(tsr_op_describe(op), &call, created, dx, theirs, n);
    tsr_op_destroy(op);
  }
}

static void tsr_test_softmax(tsr_rng* rng) {
  float x[6 * 11], y[66], dy[66], dx[66], theirs[66];
  const int64_t dims[] = {6, 11};
  tsr_tensor tx = tsr_make(x, 2, dims), ty = tsr_make(y, 2, dims), tdy = tsr_make(dy, 2, dims), tdx = tsr_make(dx, 2, dims), tt = tsr_make(theirs, 2, dims);
  for (int lg = 0; lg < 2; lg++)
    for (int axis = 0; axis < 2; axis++) {
      tsr_fill_uniform(rng, x, 66, -3, 3);
      tsr_fill_uniform(rng, dy, 66, -1, 1);
      tsr_op *fwd = NULL, *bwd = NULL;
      tsr_softmax_create(axis, lg, &fwd);
      tsr_softmax_backward_create(axis, lg, &bwd);
      tsr_op_run(fwd, 1, &tx, 1, &ty, NULL);
      tsr_tensor ins[2] = {ty, tdy};
      tsr_op_run(bwd, 2, ins, 1, &tdx, NULL);
      dnnl_memory_desc_t md;
      tsr_onednn_md(&tx.desc, &md);
      tsr_onednn_call call;
      const tsr_onednn_arg args[] = {{DNNL_ARG_DST, &ty}, {DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_DIFF_SRC, &tt}};
      int created;
      if (lg) {
        dnnl_logsoftmax_desc_t forward, backward;
        dnnl_logsoftmax_forward_desc_init(&forward, dnnl_forward_training, &md, axis);
        dnnl_logsoftmax_backward_desc_init(&backward, &md, &md, axis);
        created = tsr_onednn_call_create_backward(&call, &backward, &forward, 3, args);
      } else {
        dnnl_softmax_desc_t forward, backward;
        dnnl_softmax_forward_desc_init(&forward, dnnl_forward_training, &md, axis);
        dnnl_softmax_backward_desc_init(&backward, &md, &md, axis);
        created = tsr_onednn_call_create_backward(&call, &backward, &forward, 3, args);
      }
      tsr_compare(tsr_op_describe(bwd), &call, created, dx, theirs, 66);
      tsr_op_destroy(fwd);
      tsr_op_destroy(bwd);
    }
}

static void tsr_test_norms(tsr_rng* rng) {
  /* layer norm [5, 32] */
  {
    float x[160], dy[160], dx[160], gamma[32], beta[32], dg[32], db[32], mean[5], var[5], t_dx[160], t_dg[32], t_db[32];
    tsr_fill_uniform(rng, x, 160, -3, 3);
    tsr_fill_uniform(rng, dy, 160, -1, 1);
    tsr_fill_uniform(rng, gamma, 32, 0.5f, 2);
    tsr_fill_uniform(rng, beta, 32, -1, 1);
    const int64_t dims[] = {5, 32}, cd[] = {32}, sd[] = {5};
    tsr_tensor tx = tsr_make(x, 2, dims), tdy = tsr_make(dy, 2, dims), tdx = tsr_make(dx, 2, dims), tg = tsr_make(gamma, 1, cd),
               tb = tsr_make(beta, 1, cd), tdg = tsr_make(dg, 1, cd), tdb = tsr_make(db, 1, cd), tm = tsr_make(mean, 1, sd),
               tv = tsr_make(var, 1, sd), ttdx = tsr_make(t_dx, 2, dims), ttdg = tsr_make(t_dg, 1, cd), ttdb = tsr_make(t_db, 1, cd);
    for (int i = 0; i < 5; i++) { /* oneDNN takes the statistics: the biased moments of each row */
      double m = 0, v = 0;
      for (int j = 0; j < 32; j++) m += x[i * 32 + j];
      m /= 32;
      for (int j = 0; j < 32; j++) v += (x[i * 32 + j] - m) * (x[i * 32 + j] - m);
      mean[i] = (float)m, var[i] = (float)(v / 32);
    }
    tsr_op* op = NULL;
    tsr_layer_norm_backward_create(1, cd, gamma, 1e-5f, &op);
    tsr_tensor ins[2] = {tx, tdy}, outs[3] = {tdx, tdg, tdb};
    tsr_op_run(op, 2, ins, 3, outs, NULL);
    dnnl_memory_desc_t md, stat;
    tsr_onednn_md(&tx.desc, &md);
    tsr_onednn_md(&tm.desc, &stat);
    dnnl_layer_normalization_desc_t forward, backward;
    const unsigned flags = dnnl_use_scale | dnnl_use_shift;
    dnnl_layer_normalization_forward_desc_init(&forward, dnnl_forward_training, &md, &stat, 1e-5f, flags);
    dnnl_layer_normalization_backward_desc_init(&backward, dnnl_backward, &md, &md, &stat, 1e-5f, flags);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_MEAN, &tm}, {DNNL_ARG_VARIANCE, &tv},
                                   {DNNL_ARG_SCALE, &tg}, {DNNL_ARG_SHIFT, &tb}, {DNNL_ARG_DIFF_SRC, &ttdx},
                                   {DNNL_ARG_DIFF_SCALE, &ttdg}, {DNNL_ARG_DIFF_SHIFT, &ttdb}};
    const int created = tsr_onednn_call_create_backward(&call, &backward, &forward, 9, args);
    if (tsr_check(created == 0, "oneDNN layer norm backward", "not created")) {
      tsr_onednn_call_execute(&call);
      tsr_check_close("layer norm dx vs oneDNN", dx, t_dx, 160, TSR_ATOL, TSR_RTOL);
      tsr_check_close("layer norm dgamma vs oneDNN", dg, t_dg, 32, TSR_ATOL, TSR_RTOL);
      tsr_check_close("layer norm dbeta vs oneDNN", db, t_db, 32, TSR_ATOL, TSR_RTOL);
      tsr_onednn_call_destroy(&call);
    }
    tsr_op_destroy(op);
  }
  /* batch norm [4, 6, 3, 3] */
  {
    enum { n = 216 };
    float x[n], y[n], dy[n], dx[n], gamma[6], beta[6], rm[6] = {0}, rv[6] = {0}, bm[6], bv[6], dg[6], db[6], t_dx[n], t_dg[6], t_db[6];
    tsr_fill_uniform(rng, x, n, -3, 3);
    tsr_fill_uniform(rng, dy, n, -1, 1);
    tsr_fill_uniform(rng, gamma, 6, 0.5f, 2);
    tsr_fill_uniform(rng, beta, 6, -1, 1);
    const int64_t dims[] = {4, 6, 3, 3}, cd[] = {6};
    tsr_tensor tx = tsr_make(x, 4, dims), tdy = tsr_make(dy, 4, dims), tdx = tsr_make(dx, 4, dims), v = tsr_make(NULL, 1, cd);
    tsr_op *fwd = NULL, *bwd = NULL;
    tsr_batch_norm_training_create(6, gamma, beta, 1e-5f, 0.1f, tsr_momentum_pytorch, &fwd);
    tsr_tensor fins[3] = {tx, v, v}, fouts[5] = {tsr_make(y, 4, dims), v, v, v, v};
    fins[1].data = rm, fins[2].data = rv, fouts[1].data = rm, fouts[2].data = rv, fouts[3].data = bm, fouts[4].data = bv;
    tsr_op_run(fwd, 3, fins, 5, fouts, NULL);
    tsr_batch_norm_backward_create(6, gamma, 1e-5f, &bwd);
    tsr_tensor ins[4] = {tx, tdy, tsr_make(bm, 1, cd), tsr_make(bv, 1, cd)}, outs[3] = {tdx, tsr_make(dg, 1, cd), tsr_make(db, 1, cd)};
    tsr_op_run(bwd, 4, ins, 3, outs, NULL);
    dnnl_memory_desc_t md;
    tsr_onednn_md(&tx.desc, &md);
    dnnl_batch_normalization_desc_t forward, backward;
    const unsigned flags = dnnl_use_scale | dnnl_use_shift;
    dnnl_batch_normalization_forward_desc_init(&forward, dnnl_forward_training, &md, 1e-5f, flags);
    dnnl_batch_normalization_backward_desc_init(&backward, dnnl_backward, &md, &md, 1e-5f, flags);
    tsr_tensor tm = tsr_make(bm, 1, cd), tvar = tsr_make(bv, 1, cd), tg = tsr_make(gamma, 1, cd), tb = tsr_make(beta, 1, cd);
    tsr_tensor ttdx = tsr_make(t_dx, 4, dims), ttdg = tsr_make(t_dg, 1, cd), ttdb = tsr_make(t_db, 1, cd);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_MEAN, &tm}, {DNNL_ARG_VARIANCE, &tvar},
                                   {DNNL_ARG_SCALE, &tg}, {DNNL_ARG_SHIFT, &tb}, {DNNL_ARG_DIFF_SRC, &ttdx},
                                   {DNNL_ARG_DIFF_SCALE, &ttdg}, {DNNL_ARG_DIFF_SHIFT, &ttdb}};
    const int created = tsr_onednn_call_create_backward(&call, &backward, &forward, 9, args);
    if (tsr_check(created == 0, "oneDNN batch norm backward", "not created")) {
      tsr_onednn_call_execute(&call);
      tsr_check_close("batch norm dx vs oneDNN", dx, t_dx, n, TSR_ATOL, TSR_RTOL);
      tsr_check_close("batch norm dgamma vs oneDNN", dg, t_dg, 6, TSR_ATOL, TSR_RTOL);
      tsr_check_close("batch norm dbeta vs oneDNN", db, t_db, 6, TSR_ATOL, TSR_RTOL);
      tsr_onednn_call_destroy(&call);
    }
    tsr_op_destroy(fwd);
    tsr_op_destroy(bwd);
  }
}

static void tsr_test_inner_product(tsr_rng* rng) {
  enum { rows = 9, in = 20, out = 7 };
  float x[rows * in], dy[rows * out], w[out * in], dx[rows * in], dw[out * in], db[out], t_dx[rows * in], t_dw[out * in], t_db[out];
  tsr_fill_uniform(rng, x, rows * in, -2, 2);
  tsr_fill_uniform(rng, dy, rows * out, -1, 1);
  tsr_fill_uniform(rng, w, out * in, -1, 1);
  const int64_t xd[] = {rows, in}, yd[] = {rows, out}, wd[] = {out, in}, bd[] = {out};
  tsr_tensor tx = tsr_make(x, 2, xd), tdy = tsr_make(dy, 2, yd), tw = tsr_make(w, 2, wd);
  tsr_op* op = NULL;
  tsr_dense_backward_create(in, out, w, tsr_dense_weights_out_in, &op);
  tsr_tensor ins[2] = {tx, tdy}, outs[3] = {tsr_make(dx, 2, xd), tsr_make(dw, 2, wd), tsr_make(db, 1, bd)};
  tsr_op_run(op, 2, ins, 3, outs, NULL);
  dnnl_memory_desc_t src, weights, bias, dst;
  tsr_onednn_md(&tx.desc, &src);
  tsr_onednn_md(&tw.desc, &weights);
  tsr_tensor tb = tsr_make(db, 1, bd);
  tsr_onednn_md(&tb.desc, &bias);
  tsr_onednn_md(&tdy.desc, &dst);
  dnnl_inner_product_desc_t forward, data, wgrad;
  dnnl_inner_product_forward_desc_init(&forward, dnnl_forward_training, &src, &weights, &bias, &dst);
  dnnl_inner_product_backward_data_desc_init(&data, &src, &weights, &dst);
  dnnl_inner_product_backward_weights_desc_init(&wgrad, &src, &weights, &bias, &dst);
  tsr_tensor ttdx = tsr_make(t_dx, 2, xd), ttdw = tsr_make(t_dw, 2, wd), ttdb = tsr_make(t_db, 1, bd);
  tsr_onednn_call call;
  const tsr_onednn_arg data_args[] = {{DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_WEIGHTS, &tw}, {DNNL_ARG_DIFF_SRC, &ttdx}};
  tsr_compare("dense backward dx (inner product backward data)", &call,
              tsr_onednn_call_create_backward(&call, &data, &forward, 3, data_args), dx, t_dx, rows * in);
  const tsr_onednn_arg weight_args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_DIFF_WEIGHTS, &ttdw}, {DNNL_ARG_DIFF_BIAS, &ttdb}};
  if (tsr_check(tsr_onednn_call_create_backward(&call, &wgrad, &forward, 4, weight_args) == 0, "inner product backward weights", "not created")) {
    tsr_onednn_call_execute(&call);
    tsr_check_close("dense backward dW vs oneDNN", dw, t_dw, out * in, TSR_ATOL, TSR_RTOL);
    tsr_check_close("dense backward db vs oneDNN", db, t_db, out, TSR_ATOL, TSR_RTOL);
    tsr_onednn_call_destroy(&call);
  }
  tsr_op_destroy(op);
}

/* Convolution backward data and weights, and average pooling backward (max pooling's needs the
 * forward's workspace, so it is checked by finite differences only: spatial-backward-test). */
static void tsr_test_spatial(tsr_rng* rng) {
  for (int grouped = 0; grouped < 2; grouped++) {
    tsr_conv_params p;
    memset(&p, 0, sizeof(p));
    p.spatial_ndims = 2, p.in_channels = 4, p.out_channels = 6, p.groups = grouped ? 2 : 1;
    p.kernel[0] = 3, p.kernel[1] = 2, p.stride[0] = 2, p.stride[1] = 1, p.dilation[0] = 1, p.dilation[1] = 2;
    p.padding_begin[0] = 1, p.padding_end[0] = 1, p.padding_begin[1] = 1, p.padding_end[1] = 0;
    const int64_t xd[] = {2, 4, 9, 7};
    int64_t yd[4];
    tsr_conv_output_shape(&p, 4, xd, yd);
    const int64_t wn = 6 * (4 / p.groups) * 3 * 2, bd[] = {6};
    static float x[504], dy[512], dx[504], dw[144], db[6], t_dx[504], t_dw[144], t_db[6]; /* 144: ungrouped weights */
    tsr_tensor tx = tsr_make(x, 4, xd), tdy = tsr_make(dy, 4, yd);
    const size_t xn = tsr_tensor_desc_elements(&tx.desc), yn = tsr_tensor_desc_elements(&tdy.desc);
    static float w[144];
    tsr_fill_uniform(rng, x, xn, -2, 2);
    tsr_fill_uniform(rng, w, (size_t)wn, -1, 1);
    tsr_fill_uniform(rng, dy, yn, -1, 1);
    tsr_op* op = NULL;
    tsr_conv_backward_create(&p, w, &op);
    tsr_tensor ins[2] = {tx, tdy}, outs[3] = {tsr_make(dx, 4, xd), tsr_make(dw, 1, &wn), tsr_make(db, 1, bd)};
    tsr_op_run(op, 2, ins, 3, outs, NULL);
    /* oneDNN: weights [g][oc/g][ic/g][kh][kw] when grouped, dilation from 0 */
    int64_t wdims[5];
    int32_t wnd = 0;
    if (grouped) wdims[wnd++] = 2;
    wdims[wnd++] = 6 / p.groups, wdims[wnd++] = 4 / p.groups, wdims[wnd++] = 3, wdims[wnd++] = 2;
    tsr_tensor tw = tsr_make(w, wnd, wdims), ttdw = tsr_make(t_dw, wnd, wdims), ttdx = tsr_make(t_dx, 4, xd), ttdb = tsr_make(t_db, 1, bd);
    dnnl_memory_desc_t src, wei, bia, dst;
    tsr_onednn_md(&tx.desc, &src);
    tsr_onednn_md(&tw.desc, &wei);
    tsr_onednn_md(&ttdb.desc, &bia);
    tsr_onednn_md(&tdy.desc, &dst);
    const dnnl_dims_t strides = {2, 1}, dilates = {0, 1}, pad_l = {1, 1};
    dnnl_dims_t pad_r;
    for (int d = 0; d < 2; d++)
      pad_r[d] = (yd[2 + d] - 1) * strides[d] + (dilates[d] + 1) * (p.kernel[d] - 1) + 1 - xd[2 + d] - pad_l[d];
    dnnl_convolution_desc_t forward, data, weights;
    dnnl_dilated_convolution_forward_desc_init(&forward, dnnl_forward_training, dnnl_convolution_direct, &src, &wei, &bia, &dst, strides, dilates, pad_l, pad_r);
    dnnl_dilated_convolution_backward_data_desc_init(&data, dnnl_convolution_direct, &src, &wei, &dst, strides, dilates, pad_l, pad_r);
    dnnl_dilated_convolution_backward_weights_desc_init(&weights, dnnl_convolution_direct, &src, &wei, &bia, &dst, strides, dilates, pad_l, pad_r);
    tsr_onednn_call call;
    const tsr_onednn_arg data_args[] = {{DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_WEIGHTS, &tw}, {DNNL_ARG_DIFF_SRC, &ttdx}};
    tsr_compare(grouped ? "grouped conv backward dx" : "conv backward dx", &call,
                tsr_onednn_call_create_backward(&call, &data, &forward, 3, data_args), dx, t_dx, xn);
    const tsr_onednn_arg weight_args[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_DIFF_WEIGHTS, &ttdw}, {DNNL_ARG_DIFF_BIAS, &ttdb}};
    if (tsr_check(tsr_onednn_call_create_backward(&call, &weights, &forward, 4, weight_args) == 0, "conv backward weights", "not created")) {
      tsr_onednn_call_execute(&call);
      tsr_check_close(grouped ? "grouped conv backward dW vs oneDNN" : "conv backward dW vs oneDNN", dw, t_dw, (size_t)wn, TSR_ATOL, TSR_RTOL);
      tsr_check_close("conv backward db vs oneDNN", db, t_db, 6, TSR_ATOL, TSR_RTOL);
      tsr_onednn_call_destroy(&call);
    }
    tsr_op_destroy(op);
  }
  for (int kind = 1; kind <= 2; kind++) { /* average pooling, counting and excluding padding */
    tsr_pool_params p;
    memset(&p, 0, sizeof(p));
    p.spatial_ndims = 2, p.kind = (tsr_pooling_kind)kind;
    p.kernel[0] = 3, p.kernel[1] = 3, p.stride[0] = 2, p.stride[1] = 2;
    p.padding_begin[0] = p.padding_begin[1] = p.padding_end[0] = p.padding_end[1] = 1;
    const int64_t xd[] = {2, 3, 7, 7};
    int64_t yd[4];
    tsr_pool_output_shape(&p, 4, xd, yd);
    static float x[294], dy[128], dx[294], t_dx[294];
    tsr_tensor tx = tsr_make(x, 4, xd), tdy = tsr_make(dy, 4, yd), tdx = tsr_make(dx, 4, xd), ttdx = tsr_make(t_dx, 4, xd);
    tsr_fill_uniform(rng, x, 294, -2, 2);
    tsr_fill_uniform(rng, dy, tsr_tensor_desc_elements(&tdy.desc), -1, 1);
    tsr_op* op = NULL;
    tsr_pool_backward_create(&p, &op);
    tsr_tensor ins[2] = {tx, tdy};
    tsr_op_run(op, 2, ins, 1, &tdx, NULL);
    dnnl_memory_desc_t src, dst;
    tsr_onednn_md(&tx.desc, &src);
    tsr_onednn_md(&tdy.desc, &dst);
    const dnnl_dims_t strides = {2, 2}, kernel = {3, 3}, dilation = {0, 0}, pad = {1, 1};
    const dnnl_alg_kind_t alg = kind == 1 ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding;
    dnnl_pooling_v2_desc_t forward, backward;
    dnnl_pooling_v2_forward_desc_init(&forward, dnnl_forward_training, alg, &src, &dst, strides, kernel, dilation, pad, pad);
    dnnl_pooling_v2_backward_desc_init(&backward, alg, &src, &dst, strides, kernel, dilation, pad, pad);
    tsr_onednn_call call;
    const tsr_onednn_arg args[] = {{DNNL_ARG_DIFF_DST, &tdy}, {DNNL_ARG_DIFF_SRC, &ttdx}};
    tsr_compare(tsr_op_describe(op), &call, tsr_onednn_call_create_backward(&call, &backward, &forward, 2, args), dx, t_dx, 294);
    tsr_op_destroy(op);
  }
}

int main(void) {
  tsr_rng rng = tsr_rng_seeded(88);
  tsr_test_spatial(&rng);
  tsr_test_eltwise(&rng);
  tsr_test_softmax(&rng);
  tsr_test_norms(&rng);
  tsr_test_inner_product(&rng);
  return tsr_test_finish();
}
#else
int main(void) { tsr_test_skip("built without oneDNN"); }
#endif
