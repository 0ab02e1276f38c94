/* Backward passes against central finite differences of a forward pass written here in double
 * precision (h = 1e-6 relative; tolerance 1e-4 relative + 1e-6 absolute): activations (every
 * kind, away from kinks), softmax and log-softmax (every axis), layer norm (dx, dgamma, dbeta)
 * and training batch norm (dx, dgamma, dbeta). The dense layer's gradients are checked exactly
 * (integer inputs) against their defining sums (the layer is linear in x and W, so those are
 * what central differences would give). Plus the argument checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/activation-reference.h"
#include "kernels/reference/norm-reference.h"
#include "tests/harness/harness.h"

#define TSR_FD_RTOL 1e-4
#define TSR_FD_ATOL 1e-6

static bool tsr_close_fd(double got, double numeric) {
  return fabs(got - numeric) <= TSR_FD_ATOL + TSR_FD_RTOL * fabs(numeric);
}

/* ---- activations ---- */
static void tsr_test_activations(tsr_rng* rng) {
  const tsr_activation acts[] = {
      {tsr_activation_relu, 0, 0}, {tsr_activation_clamp, -1, 2}, {tsr_activation_leaky_relu, 0.1f, 0},
      {tsr_activation_elu, 0.7f, 0}, {tsr_activation_selu, 0, 0}, {tsr_activation_gelu_erf, 0, 0},
      {tsr_activation_gelu_tanh, 0, 0}, {tsr_activation_sigmoid, 0, 0}, {tsr_activation_hard_sigmoid, 0.2f, 0.5f},
      {tsr_activation_tanh, 0, 0}, {tsr_activation_softplus, 2, 0}, {tsr_activation_softsign, 0, 0},
      {tsr_activation_silu, 1, 0}, {tsr_activation_hard_swish, 0, 0}, {tsr_activation_mish, 0, 0},
      {tsr_activation_exp, 0, 0}, {tsr_activation_log, 0, 0}, {tsr_activation_abs, 0, 0},
      {tsr_activation_square, 0, 0}, {tsr_activation_sqrt, 0, 0}, {tsr_activation_none, 0, 0}};
  const float kinks[] = {0.0f, -1.0f, 2.0f, -3.0f, 3.0f, -2.5f, 2.5f};
  const size_t n = 1000;
  const int64_t dims[] = {(int64_t)n};
  float x[1000], dy[1000], dx[1000];
  tsr_tensor tx = {.data = x}, tdy = {.data = dy}, tdx = {.data = dx};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 1, dims);
  tdy.desc = tdx.desc = tx.desc;
  for (size_t a = 0; a < sizeof(acts) / sizeof(acts[0]); a++) {
    for (size_t i = 0; i < n; i++) {
      float v;
      bool near_kink;
      do {
        v = tsr_rng_uniform(rng, -6.0f, 6.0f);
        if (acts[a].kind == tsr_activation_log || acts[a].kind == tsr_activation_sqrt) v = fabsf(v) + 0.05f;
        near_kink = false;
        for (size_t k = 0; k < sizeof(kinks) / sizeof(kinks[0]); k++) near_kink = near_kink || fabsf(v - kinks[k]) < 1e-3f;
      } while (near_kink);
      x[i] = v;
    }
    tsr_fill_uniform(rng, dy, n, -1, 1);
    tsr_fill_nan(dx, n);
    tsr_op* op = NULL;
    tsr_eltwise_backward_create(&acts[a], &op);
    tsr_tensor ins[2] = {tx, tdy};
    tsr_check_status(tsr_op_run(op, 2, ins, 1, &tdx, NULL), tsr_status_success, tsr_op_describe(op));
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
      const double h = 1e-6 * fmax(1.0, fabs((double)x[i]));
      const double numeric = (tsr_reference_activation_f64(&acts[a], x[i] + h) - tsr_reference_activation_f64(&acts[a], x[i] - h)) / (2 * h);
      bad += !tsr_close_fd(dx[i], dy[i] * numeric);
    }
    tsr_check(bad == 0, tsr_op_describe(op), "%zu of %zu gradients differ from finite differences", bad, n);
    tsr_op_destroy(op);
  }
}

/* ---- softmax ---- */
static double tsr_softmax_loss(const double* x, const float* dy, size_t rows, size_t n, bool logarithmic) {
  double loss = 0.0;
  for (size_t r = 0; r < rows; r++) {
    double max = -INFINITY, sum = 0.0;
    for (size_t i = 0; i < n; i++) max = fmax(max, x[r * n + i]);
    for (size_t i = 0; i < n; i++) sum += exp(x[r * n + i] - max);
    for (size_t i = 0; i < n; i++) {
      const double s = x[r * n + i] - max - log(sum);
      loss += dy[r * n + i] * (logarithmic ? s : exp(s));
    }
  }
  return loss;
}

static void tsr_test_softmax(tsr_rng* rng) {
  const size_t rows = 5, n = 9;
  float x[45], y[45], dy[45], dx[45];
  double xd[45];
  const int64_t dims[] = {5, 9};
  for (int lg = 0; lg < 2; lg++) {
    tsr_fill_uniform(rng, x, 45, -3, 3);
    tsr_fill_uniform(rng, dy, 45, -1, 1);
    tsr_tensor tx = {.data = x}, ty = {.data = y}, tdy = {.data = dy}, tdx = {.data = dx};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    ty.desc = tdy.desc = tdx.desc = tx.desc;
    tsr_op *fwd = NULL, *bwd = NULL;
    tsr_softmax_create(-1, lg, &fwd);
    tsr_softmax_backward_create(-1, lg, &bwd);
    tsr_op_run(fwd, 1, &tx, 1, &ty, NULL);
    tsr_tensor ins[2] = {ty, tdy};
    tsr_check_status(tsr_op_run(bwd, 2, ins, 1, &tdx, NULL), tsr_status_success, tsr_op_describe(bwd));
    for (size_t i = 0; i < 45; i++) xd[i] = x[i];
    size_t bad = 0;
    for (size_t i = 0; i < 45; i++) {
      const double h = 1e-6, saved = xd[i];
      xd[i] = saved + h;
      const double up = tsr_softmax_loss(xd, dy, rows, n, lg);
      xd[i] = saved - h;
      const double down = tsr_softmax_loss(xd, dy, rows, n, lg);
      xd[i] = saved;
      bad += !tsr_close_fd(dx[i], (up - down) / (2 * h));
    }
    tsr_check(bad == 0, tsr_op_describe(bwd), "%zu of 45 gradients differ from finite differences", bad);
    tsr_op_destroy(fwd);
    tsr_op_destroy(bwd);
  }
}

/* ---- dense ---- */
static void tsr_test_dense(tsr_rng* rng) {
  enum { rows = 7, in = 13, out = 5 };
  float x[rows * in], dy[rows * out], w_out_in[out * in], w_given[out * in], dx[rows * in], dw[out * in], db[out];
  for (int layout = 0; layout < 2; layout++) {
    tsr_fill_integers(rng, x, rows * in, -3, 3);
    tsr_fill_integers(rng, dy, rows * out, -3, 3);
    tsr_fill_integers(rng, w_out_in, out * in, -3, 3);
    for (int o = 0; o < out; o++)
      for (int i = 0; i < in; i++) w_given[layout == 0 ? o * in + i : i * out + o] = w_out_in[o * in + i];
    tsr_op* op = NULL;
    tsr_check_status(tsr_dense_backward_create(in, out, w_given, (tsr_dense_weights_layout)layout, &op), tsr_status_success, "dense_backward_create");
    const int64_t xd[] = {rows, in}, yd[] = {rows, out}, wd[] = {layout == 0 ? out : in, layout == 0 ? in : out}, bd[] = {out};
    tsr_tensor ins[2] = {{.data = x}, {.data = dy}}, outs[3] = {{.data = dx}, {.data = dw}, {.data = db}};
    tsr_tensor_desc_init(&ins[0].desc, tsr_dtype_f32, tsr_layout_plain, 2, xd);
    tsr_tensor_desc_init(&ins[1].desc, tsr_dtype_f32, tsr_layout_plain, 2, yd);
    outs[0].desc = ins[0].desc;
    tsr_tensor_desc_init(&outs[1].desc, tsr_dtype_f32, tsr_layout_plain, 2, wd);
    tsr_tensor_desc_init(&outs[2].desc, tsr_dtype_f32, tsr_layout_plain, 1, bd);
    tsr_fill_nan(dx, rows * in);
    tsr_fill_nan(dw, out * in);
    tsr_fill_nan(db, out);
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(2, &pool);
    tsr_check_status(tsr_op_run(op, 2, ins, 3, outs, pool), tsr_status_success, tsr_op_describe(op));
    tsr_threadpool_destroy(pool);
    float edx[rows * in], edw[out * in], edb[out];
    for (int r = 0; r < rows; r++)
      for (int i = 0; i < in; i++) {
        double s = 0;
        for (int o = 0; o < out; o++) s += dy[r * out + o] * w_out_in[o * in + i];
        edx[r * in + i] = (float)s;
      }
    for (int o = 0; o < out; o++) {
      double sb = 0;
      for (int r = 0; r < rows; r++) sb += dy[r * out + o];
      edb[o] = (float)sb;
      for (int i = 0; i < in; i++) {
        double s = 0;
        for (int r = 0; r < rows; r++) s += dy[r * out + o] * x[r * in + i];
        edw[layout == 0 ? o * in + i : i * out + o] = (float)s;
      }
    }
    tsr_check_close("dense backward dx", dx, edx, rows * in, 0, 0);
    tsr_check_close(layout == 0 ? "dense backward dW [out][in]" : "dense backward dW [in][out]", dw, edw, out * in, 0, 0);
    tsr_check_close("dense backward db", db, edb, out, 0, 0);
    tsr_op_destroy(op);
  }
}

/* ---- normalizations: loss = sum(dy * norm(x)) over sets of the given geometry ---- */
struct tsr_geometry {
  size_t sets, per_set;       /* layer norm: rows x features; batch norm: channels x (N x S) */
  size_t (*at)(size_t set, size_t i, const struct tsr_geometry* g);
  size_t (*affine)(size_t set, size_t i, const struct tsr_geometry* g);
  size_t n, c, s;
};

static size_t tsr_ln_at(size_t set, size_t i, const struct tsr_geometry* g) { return set * g->per_set + i; }
static size_t tsr_ln_affine(size_t set, size_t i, const struct tsr_geometry* g) { (void)set, (void)g; return i; }
static size_t tsr_bn_at(size_t c, size_t i, const struct tsr_geometry* g) { return (i / g->s) * g->c * g->s + c * g->s + i % g->s; }
static size_t tsr_bn_affine(size_t c, size_t i, const struct tsr_geometry* g) { (void)i, (void)g; return c; }

static double tsr_norm_loss(const double* x, const float* dy, const double* gamma, const double* beta,
                            const struct tsr_geometry* g, double eps) {
  double loss = 0.0;
  for (size_t set = 0; set < g->sets; set++) {
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < g->per_set; i++) mean += x[g->at(set, i, g)];
    mean /= (double)g->per_set;
    for (size_t i = 0; i < g->per_set; i++) var += (x[g->at(set, i, g)] - mean) * (x[g->at(set, i, g)] - mean);
    var /= (double)g->per_set;
    for (size_t i = 0; i < g->per_set; i++) {
      const size_t at = g->at(set, i, g), af = g->affine(set, i, g);
      loss += dy[at] * ((x[at] - mean) / sqrt(var + eps) * gamma[af] + beta[af]);
    }
  }
  return loss;
}

static void tsr_check_norm_gradients(const char* what, const float* x, const float* dy, const float* gamma,
                                     const struct tsr_geometry* g, size_t affine_count, double eps,
                                     const float* dx, const float* dgamma, const float* dbeta) {
  const size_t total = g->sets * g->per_set;
  double xd[512], gd[64], bd[64];
  for (size_t i = 0; i < total; i++) xd[i] = x[i];
  for (size_t i = 0; i < affine_count; i++) gd[i] = gamma[i], bd[i] = 0.0;
  size_t bad = 0;
  double* params[3] = {xd, gd, bd};
  const float* got[3] = {dx, dgamma, dbeta};
  const size_t counts[3] = {total, affine_count, affine_count};
  for (int p = 0; p < 3; p++)
    for (size_t i = 0; i < counts[p]; i++) {
      const double h = 1e-6, saved = params[p][i];
      params[p][i] = saved + h;
      const double up = tsr_norm_loss(xd, dy, gd, bd, g, eps);
      params[p][i] = saved - h;
      const double down = tsr_norm_loss(xd, dy, gd, bd, g, eps);
      params[p][i] = saved;
      bad += !tsr_close_fd(got[p][i], (up - down) / (2 * h));
    }
  tsr_check(bad == 0, what, "%zu of %zu gradients differ from finite differences", bad, total + 2 * affine_count);
}

static void tsr_test_norms(tsr_rng* rng) {
  /* layer norm: 6 rows of 16 */
  {
    float x[96], dy[96], dx[96], gamma[16], dgamma[16], dbeta[16];
    tsr_fill_uniform(rng, x, 96, -3, 3);
    tsr_fill_uniform(rng, dy, 96, -1, 1);
    tsr_fill_uniform(rng, gamma, 16, 0.5f, 2);
    const int64_t dims[] = {6, 16}, sixteen[] = {16};
    tsr_tensor ins[2] = {{.data = x}, {.data = dy}}, outs[3] = {{.data = dx}, {.data = dgamma}, {.data = dbeta}};
    tsr_tensor_desc_init(&ins[0].desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    ins[1].desc = outs[0].desc = ins[0].desc;
    tsr_tensor_desc_init(&outs[1].desc, tsr_dtype_f32, tsr_layout_plain, 1, sixteen);
    outs[2].desc = outs[1].desc;
    tsr_op* op = NULL;
    tsr_check_status(tsr_layer_norm_backward_create(1, sixteen, gamma, 1e-5f, &op), tsr_status_success, "ln backward create");
    tsr_check_status(tsr_op_run(op, 2, ins, 3, outs, NULL), tsr_status_success, tsr_op_describe(op));
    const struct tsr_geometry g = {6, 16, tsr_ln_at, tsr_ln_affine, 0, 0, 0};
    tsr_check_norm_gradients(tsr_op_describe(op), x, dy, gamma, &g, 16, 1e-5, dx, dgamma, dbeta);
    tsr_op_destroy(op);
  }
  /* batch norm (training): N 3, C 4, S 5 (plain NCHW with H 5) */
  {
    float x[60], dy[60], y[60], dx[60], gamma[4], dgamma[4], dbeta[4], rm[4] = {0}, rv[4] = {0}, bm[4], bv[4];
    tsr_fill_uniform(rng, x, 60, -3, 3);
    tsr_fill_uniform(rng, dy, 60, -1, 1);
    tsr_fill_uniform(rng, gamma, 4, 0.5f, 2);
    const int64_t dims[] = {3, 4, 5}, four[] = {4};
    tsr_tensor tx = {.data = x}, v = {0};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 3, dims);
    tsr_tensor_desc_init(&v.desc, tsr_dtype_f32, tsr_layout_plain, 1, four);
    tsr_op *fwd = NULL, *bwd = NULL;
    tsr_batch_norm_training_create(4, gamma, NULL, 1e-5f, 0.1f, tsr_momentum_pytorch, &fwd);
    tsr_tensor fins[3] = {tx, v, v}, fouts[5] = {{tx.desc, y}, v, v, v, v};
    fins[1].data = rm, fins[2].data = rv, fouts[1].data = rm, fouts[2].data = rv, fouts[3].data = bm, fouts[4].data = bv;
    tsr_op_run(fwd, 3, fins, 5, fouts, NULL);
    tsr_check_status(tsr_batch_norm_backward_create(4, gamma, 1e-5f, &bwd), tsr_status_success, "bn backward create");
    tsr_tensor ins[4] = {tx, {tx.desc, dy}, v, v}, outs[3] = {{tx.desc, dx}, v, v};
    ins[2].data = bm, ins[3].data = bv, outs[1].data = dgamma, outs[2].data = dbeta;
    tsr_check_status(tsr_op_run(bwd, 4, ins, 3, outs, NULL), tsr_status_success, tsr_op_describe(bwd));
    const struct tsr_geometry g = {4, 15, tsr_bn_at, tsr_bn_affine, 3, 4, 5};
    tsr_check_norm_gradients(tsr_op_describe(bwd), x, dy, gamma, &g, 4, 1e-5, dx, dgamma, dbeta);
    tsr_op_destroy(fwd);
    tsr_op_destroy(bwd);
  }
}

/* Whether got is want up to one f32 rounding the other way (2^-23 of want) plus `slack`: the
 * backward sweeps' tolerance, both sides' terms in double rounded once. */
static bool tsr_within_one_rounding(double got, double want, double slack) {
  return fabs(got - want) <= ldexp(fabs(want), -23) + slack;
}

/* How many of got[0, n) are not want's to one rounding (tsr_within_one_rounding). */
static size_t tsr_count_beyond_one_rounding(const float* got, const float* want, size_t n, double slack) {
  size_t wrong = 0;
  for (size_t i = 0; i < n; i++) wrong += !tsr_within_one_rounding(got[i], want[i], slack);
  return wrong;
}

/* A parameter gradient's values against the reference's sums (in double), or, where the caller
 * did not ask for it (`given` false), still NaN as pre-filled. */
static size_t tsr_count_wrong_parameters(const float* got, const double* want, size_t n, bool given, double slack) {
  size_t wrong = 0;
  for (size_t i = 0; i < n; i++)
    wrong += given ? !tsr_within_one_rounding(got[i], (float)want[i], slack) : !isnan(got[i]);
  return wrong;
}

/* Batch norm backward and the training forward (engine/batch-norm-training.c on the f32-dnorm
 * and f32-colstats kernels) against the reference routines, tsr_reference_normalize_set_backward
 * and tsr_reference_normalize_set (y and the batch's mean and variance), a channel at a time:
 * NCHW and NHWC,
 * batch 1 and 3, channels 1 to 67 (below, at and past the vector chunks), planes of 1, 49, 72
 * (one 64-lane row and a rest of 8) and 169 positions, with and without gamma, dgamma and dbeta,
 * on 1, 2 and 3 threads, x far from zero in some cases (mean 100). Outputs pre-filled with NaN.
 * Both evaluate every term in double and round once, in other orders of addition: tolerance
 * 2^-23 of the value (a rounding that falls the other way) plus 1e-12. */
static void tsr_test_batch_norm_backward_sweep(tsr_rng* rng) {
  const int64_t channel_counts[] = {1, 5, 16, 17, 67}, sides[][2] = {{1, 1}, {7, 7}, {9, 8}, {13, 13}};
  size_t cases = 0, wrong = 0;
  for (uint32_t threads = 1; threads <= 3; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    for (int nhwc = 0; nhwc <= 1; nhwc++)
      for (int64_t batch = 1; batch <= 3; batch += 2)
        for (size_t ci = 0; ci < sizeof(channel_counts) / sizeof(channel_counts[0]); ci++)
          for (size_t si = 0; si < sizeof(sides) / sizeof(sides[0]); si++) {
            const int64_t C = channel_counts[ci], dims[] = {batch, C, sides[si][0], sides[si][1]};
            const size_t S = (size_t)(sides[si][0] * sides[si][1]), n = (size_t)(batch * C) * S;
            const bool with_gamma = cases % 2 == 0, with_parameters = cases % 3 != 0;
            const float offset = cases % 4 == 1 ? 100.0f : 0.0f;
            float *x = malloc(n * sizeof(float)), *dy = malloc(n * sizeof(float)), *dx = malloc(n * sizeof(float));
            float *expected = malloc(n * sizeof(float)), mean[67], variance[67], gamma[67], dgamma[67], dbeta[67];
            tsr_fill_uniform(rng, x, n, offset - 3.0f, offset + 3.0f);
            tsr_fill_uniform(rng, dy, n, -1.0f, 1.0f);
            tsr_fill_uniform(rng, gamma, (size_t)C, 0.5f, 2.0f);
            const size_t sc = nhwc ? 1 : S, ss = nhwc ? (size_t)C : 1, sn = (size_t)C * S;
            double expected_dgamma[67], expected_dbeta[67];
            for (size_t c = 0; c < (size_t)C; c++) {
              double sum = 0.0, squares = 0.0;
              for (size_t b = 0; b < (size_t)batch; b++)
                for (size_t i = 0; i < S; i++) sum += x[b * sn + c * sc + i * ss];
              const double m = sum / (double)((size_t)batch * S);
              for (size_t b = 0; b < (size_t)batch; b++)
                for (size_t i = 0; i < S; i++) squares += pow(x[b * sn + c * sc + i * ss] - m, 2);
              mean[c] = (float)m, variance[c] = (float)(squares / (double)((size_t)batch * S));
              const double given_mean = mean[c], given_variance = variance[c];
              const struct tsr_norm_set set = {.outer = (size_t)batch, .outer_stride = sn, .inner = S,
                                               .inner_stride = ss, .gamma = with_gamma ? gamma + c : NULL,
                                               .epsilon = 1e-5f, .mean = &given_mean, .variance = &given_variance};
              expected_dgamma[c] = expected_dbeta[c] = 0.0;
              tsr_reference_normalize_set_backward(&set, x + c * sc, dy + c * sc, expected + c * sc,
                                                   &expected_dgamma[c], &expected_dbeta[c]);
            }
            tsr_fill_nan(dx, n), tsr_fill_nan(dgamma, 67), tsr_fill_nan(dbeta, 67);
            tsr_tensor ins[4] = {{.data = x}, {.data = dy}, {.data = mean}, {.data = variance}};
            tsr_tensor outs[3] = {{.data = dx}, {.data = dgamma}, {.data = dbeta}};
            tsr_tensor_desc_init(&ins[0].desc, tsr_dtype_f32, nhwc ? tsr_layout_nhwc : tsr_layout_plain, 4, dims);
            ins[1].desc = outs[0].desc = ins[0].desc;
            tsr_tensor_desc_init(&ins[2].desc, tsr_dtype_f32, tsr_layout_plain, 1, &C);
            ins[3].desc = outs[1].desc = outs[2].desc = ins[2].desc;
            tsr_op* op = NULL;
            tsr_batch_norm_backward_create(C, with_gamma ? gamma : NULL, 1e-5f, &op);
            tsr_check_status(tsr_op_run(op, 4, ins, with_parameters ? 3 : 1, outs, pool), tsr_status_success,
                             tsr_op_describe(op));
            wrong += tsr_count_beyond_one_rounding(dx, expected, n, 1e-12);
            wrong += tsr_count_wrong_parameters(dgamma, expected_dgamma, (size_t)C, with_parameters, 1e-12);
            wrong += tsr_count_wrong_parameters(dbeta, expected_dbeta, (size_t)C, with_parameters, 1e-12);
            tsr_op_destroy(op);
            /* the training forward on the same x (a variance needs two values a channel): y and
             * the batch's statistics against the reference routine's (its own two-pass
             * statistics in double) */
            if ((size_t)batch * S < 2) {
              free(x), free(dy), free(dx), free(expected);
              cases++;
              continue;
            }
            float beta[67], zeros[67] = {0}, running[2][67], batch_statistics[2][67];
            double reference_statistics[2][67];
            tsr_fill_uniform(rng, beta, (size_t)C, -1.0f, 1.0f);
            for (size_t c = 0; c < (size_t)C; c++) {
              const struct tsr_norm_set set = {.outer = (size_t)batch, .outer_stride = sn, .inner = S,
                                               .inner_stride = ss, .gamma = with_gamma ? gamma + c : NULL,
                                               .beta = beta + c, .epsilon = 1e-5f};
              tsr_reference_normalize_set(&set, x + c * sc, expected + c * sc, &reference_statistics[0][c],
                                          &reference_statistics[1][c]);
            }
            tsr_fill_nan(dx, n), tsr_fill_nan(batch_statistics[0], 2 * 67);
            tsr_tensor forward_outs[5] = {outs[0], ins[2], ins[3], ins[2], ins[2]};
            forward_outs[1].data = running[0], forward_outs[2].data = running[1];
            forward_outs[3].data = batch_statistics[0], forward_outs[4].data = batch_statistics[1];
            tsr_tensor forward_ins[3] = {ins[0], ins[2], ins[2]};
            forward_ins[1].data = forward_ins[2].data = zeros;
            tsr_batch_norm_training_create(C, with_gamma ? gamma : NULL, beta, 1e-5f, 0.1f, tsr_momentum_pytorch, &op);
            tsr_check_status(tsr_op_run(op, 3, forward_ins, 5, forward_outs, pool), tsr_status_success,
                             tsr_op_describe(op));
            wrong += tsr_count_beyond_one_rounding(dx, expected, n, 1e-12);
            for (size_t k = 0; k < 2; k++)
              wrong += tsr_count_wrong_parameters(batch_statistics[k], reference_statistics[k], (size_t)C, true, 1e-12);
            tsr_op_destroy(op);
            free(x), free(dy), free(dx), free(expected);
            cases++;
          }
    tsr_threadpool_destroy(pool);
  }
  tsr_check(wrong == 0, "batch norm training and backward sweep vs the reference", "%zu of the values beyond 2^-23 + 1e-12 (%zu cases)",
            wrong, cases);
  printf("batch norm training and backward sweep: %zu cases\n", cases);
}

/* Layer norm backward (engine/layer-norm-backward.c on the f32-dlnorm kernels) against the
 * reference routine a row at a time: rows 1, 3, 7 and 300 (one task and several), lengths 1 to 200
 * (below, at and past the vector widths), with and without gamma, with dx alone, dx and dgamma, or
 * all three, on 1, 2 and 3 threads, rows far from zero in some cases (mean 100). Outputs pre-filled
 * with NaN. Both evaluate every term in double and round once, in other orders (and the mean and
 * variance by another formula): tolerance 2^-23 of the value plus 1e-11. */
static void tsr_test_layer_norm_backward_sweep(tsr_rng* rng) {
  const int64_t lengths[] = {1, 5, 16, 17, 67, 200}, row_counts[] = {1, 3, 7, 300};
  size_t cases = 0, wrong = 0;
  for (uint32_t threads = 1; threads <= 3; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    for (size_t li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++)
      for (size_t ri = 0; ri < sizeof(row_counts) / sizeof(row_counts[0]); ri++) {
        const int64_t L = lengths[li], R = row_counts[ri], dims[] = {R, L};
        const size_t n = (size_t)(R * L), outputs = 1 + cases % 3;
        const bool with_gamma = cases % 2 == 0;
        const float offset = cases % 4 == 1 ? 100.0f : 0.0f;
        float *x = malloc(n * sizeof(float)), *dy = malloc(n * sizeof(float)), *dx = malloc(n * sizeof(float));
        float *expected = malloc(n * sizeof(float)), gamma[200], dgamma[200], dbeta[200];
        double expected_dgamma[200] = {0}, expected_dbeta[200] = {0};
        tsr_fill_uniform(rng, x, n, offset - 3.0f, offset + 3.0f);
        tsr_fill_uniform(rng, dy, n, -1.0f, 1.0f);
        tsr_fill_uniform(rng, gamma, (size_t)L, 0.5f, 2.0f);
        const struct tsr_norm_set set = {.outer = 1, .inner = (size_t)L, .inner_stride = 1,
                                         .gamma = with_gamma ? gamma : NULL, .affine_inner_stride = 1,
                                         .epsilon = 1e-5f};
        for (size_t r = 0; r < (size_t)R; r++)
          tsr_reference_normalize_set_backward(&set, x + r * L, dy + r * L, expected + r * L, expected_dgamma,
                                               expected_dbeta);
        tsr_fill_nan(dx, n), tsr_fill_nan(dgamma, 200), tsr_fill_nan(dbeta, 200);
        tsr_tensor ins[2] = {{.data = x}, {.data = dy}}, outs[3] = {{.data = dx}, {.data = dgamma}, {.data = dbeta}};
        tsr_tensor_desc_init(&ins[0].desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
        ins[1].desc = outs[0].desc = ins[0].desc;
        tsr_tensor_desc_init(&outs[1].desc, tsr_dtype_f32, tsr_layout_plain, 1, &L);
        outs[2].desc = outs[1].desc;
        tsr_op* op = NULL;
        tsr_layer_norm_backward_create(1, &L, with_gamma ? gamma : NULL, 1e-5f, &op);
        tsr_check_status(tsr_op_run(op, 2, ins, outputs, outs, pool), tsr_status_success, tsr_op_describe(op));
        wrong += tsr_count_beyond_one_rounding(dx, expected, n, 1e-11);
        wrong += tsr_count_wrong_parameters(dgamma, expected_dgamma, (size_t)L, outputs > 1, 1e-11);
        wrong += tsr_count_wrong_parameters(dbeta, expected_dbeta, (size_t)L, outputs > 2, 1e-11);
        tsr_op_destroy(op);
        free(x), free(dy), free(dx), free(expected);
        cases++;
      }
    tsr_threadpool_destroy(pool);
  }
  tsr_check(wrong == 0, "layer norm backward sweep vs the reference", "%zu of the values beyond 2^-23 + 1e-11 (%zu cases)",
            wrong, cases);
  printf("layer norm backward sweep: %zu cases\n", cases);
}

static void tsr_test_errors(void) {
  tsr_op* op = (tsr_op*)0x1;
  const tsr_activation bad = {tsr_activation_softplus, 0, 0};
  float w[4] = {0};
  tsr_check_status(tsr_eltwise_backward_create(&bad, &op), tsr_status_invalid_parameter, "eltwise backward softplus 0");
  tsr_check_status(tsr_softmax_backward_create(9, 0, &op), tsr_status_invalid_parameter, "softmax backward axis 9");
  tsr_check_status(tsr_dense_backward_create(0, 2, w, 0, &op), tsr_status_invalid_parameter, "dense backward in 0");
  tsr_check_status(tsr_dense_backward_create(2, 2, NULL, 0, &op), tsr_status_invalid_parameter, "dense backward weights NULL");
  tsr_check_status(tsr_layer_norm_backward_create(1, NULL, NULL, 0, &op), tsr_status_invalid_parameter, "ln backward shape NULL");
  tsr_check_status(tsr_layer_norm_backward_create(1, (const int64_t[]){4}, NULL, 0, NULL), tsr_status_invalid_parameter, "ln backward op NULL");
  tsr_check_status(tsr_batch_norm_backward_create(0, NULL, 0, &op), tsr_status_invalid_parameter, "bn backward channels 0");
  tsr_check_status(tsr_batch_norm_backward_create(2, NULL, -1, &op), tsr_status_invalid_parameter, "bn backward epsilon -1");
  tsr_check(op == (tsr_op*)0x1, "backward create failures", "op written");
  /* a dy of the wrong shape is refused without writing dx */
  tsr_dense_backward_create(2, 2, w, 0, &op);
  float x[4] = {0}, dy[6] = {0}, dx[4], dw[4];
  tsr_fill_nan(dx, 4);
  const int64_t xd[] = {2, 2}, wrong[] = {3, 2};
  tsr_tensor ins[2] = {{.data = x}, {.data = dy}}, outs[2] = {{.data = dx}, {.data = dw}};
  tsr_tensor_desc_init(&ins[0].desc, tsr_dtype_f32, tsr_layout_plain, 2, xd);
  tsr_tensor_desc_init(&ins[1].desc, tsr_dtype_f32, tsr_layout_plain, 2, wrong);
  outs[0].desc = outs[1].desc = ins[0].desc;
  tsr_check_status(tsr_op_run(op, 2, ins, 2, outs, NULL), tsr_status_invalid_parameter, "dense backward dy rows");
  tsr_check(isnan(dx[0]), "dense backward failure", "dx written");
  tsr_op_destroy(op);
}

int main(void) {
  tsr_rng rng = tsr_rng_seeded(77);
  tsr_test_errors();
  tsr_test_activations(&rng);
  tsr_test_softmax(&rng);
  tsr_test_dense(&rng);
  tsr_test_norms(&rng);
  tsr_test_batch_norm_backward_sweep(&rng);
  tsr_test_layer_norm_backward_sweep(&rng);
  return tsr_test_finish();
}
