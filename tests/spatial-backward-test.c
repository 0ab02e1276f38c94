/* Convolution and pooling backward passes against central finite differences of forward passes
 * written here in double precision: loss = sum(dy * forward(x, w)); dx, dW and db of 2-D
 * convolutions with groups, stride, dilation and asymmetric padding; dx of max (distinct inputs,
 * so the maximum is unique) and both averages, ceil mode included. 1 and 2 threads. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"

#define TSR_RTOL 1e-4
#define TSR_ATOL 1e-5

struct tsr_case { int64_t n, ic, oc, g, h, w, kh, kw, s, d, pt, pl, pb, pr; };

/* The convolution in double: x [n][ic][h][w], w [oc][ic/g][kh][kw], y [n][oc][oh][ow]. */
static double tsr_conv_loss(const struct tsr_case* c, const double* x, const double* w, const double* b,
                            const float* dy, int64_t oh, int64_t ow) {
  double loss = 0.0;
  const int64_t gi = c->ic / c->g, go = c->oc / c->g;
  for (int64_t n = 0; n < c->n; n++)
    for (int64_t o = 0; o < c->oc; o++)
      for (int64_t p = 0; p < oh; p++)
        for (int64_t q = 0; q < ow; q++) {
          double sum = b[o];
          for (int64_t i = 0; i < gi; i++)
            for (int64_t u = 0; u < c->kh; u++)
              for (int64_t v = 0; v < c->kw; v++) {
                const int64_t r = p * c->s + u * c->d - c->pt, t = q * c->s + v * c->d - c->pl;
                if (r < 0 || r >= c->h || t < 0 || t >= c->w) continue;
                sum += x[((n * c->ic + (o / go) * gi + i) * c->h + r) * c->w + t] * w[((o * gi + i) * c->kh + u) * c->kw + v];
              }
          loss += dy[((n * c->oc + o) * oh + p) * ow + q] * sum;
        }
  return loss;
}

static void tsr_test_conv(tsr_threadpool* pool, tsr_rng* rng) {
  const struct tsr_case cases[] = {{2, 3, 4, 1, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1}, {1, 4, 6, 2, 7, 5, 3, 2, 2, 1, 0, 1, 2, 0},
                                   {2, 3, 3, 3, 6, 6, 2, 3, 1, 2, 1, 0, 0, 2}, {1, 2, 5, 1, 8, 3, 1, 1, 2, 1, 0, 0, 0, 0}};
  static float x[1024], w[512], dy[1024], dx[1024], dw[512], db[16];
  static double xd[1024], wd[512], bd[16];
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    const struct tsr_case* c = &cases[k];
    tsr_conv_params p;
    memset(&p, 0, sizeof(p));
    p.spatial_ndims = 2, p.in_channels = c->ic, p.out_channels = c->oc, p.groups = c->g;
    p.kernel[0] = c->kh, p.kernel[1] = c->kw, p.stride[0] = p.stride[1] = c->s, p.dilation[0] = p.dilation[1] = c->d;
    p.padding_begin[0] = c->pt, p.padding_begin[1] = c->pl, p.padding_end[0] = c->pb, p.padding_end[1] = c->pr;
    const int64_t in_dims[] = {c->n, c->ic, c->h, c->w};
    int64_t out_dims[4];
    tsr_conv_output_shape(&p, 4, in_dims, out_dims);
    const size_t xn = (size_t)(c->n * c->ic * c->h * c->w), wn = (size_t)(c->oc * (c->ic / c->g) * c->kh * c->kw);
    const size_t yn = (size_t)(out_dims[0] * out_dims[1] * out_dims[2] * out_dims[3]);
    tsr_fill_uniform(rng, x, xn, -2, 2);
    tsr_fill_uniform(rng, w, wn, -1, 1);
    tsr_fill_uniform(rng, dy, yn, -1, 1);
    tsr_op* op = NULL;
    tsr_check_status(tsr_conv_backward_create(&p, w, &op), tsr_status_success, "conv_backward_create");
    tsr_tensor ins[2] = {{.data = x}, {.data = dy}}, outs[3] = {{.data = dx}, {.data = dw}, {.data = db}};
    tsr_tensor_desc_init(&ins[0].desc, tsr_dtype_f32, tsr_layout_plain, 4, in_dims);
    tsr_tensor_desc_init(&ins[1].desc, tsr_dtype_f32, tsr_layout_plain, 4, out_dims);
    outs[0].desc = ins[0].desc;
    tsr_tensor_desc_init(&outs[1].desc, tsr_dtype_f32, tsr_layout_plain, 1, (const int64_t[]){(int64_t)wn});
    tsr_tensor_desc_init(&outs[2].desc, tsr_dtype_f32, tsr_layout_plain, 1, &c->oc);
    tsr_check_status(tsr_op_run(op, 2, ins, 3, outs, pool), tsr_status_success, tsr_op_describe(op));
    for (size_t i = 0; i < xn; i++) xd[i] = x[i];
    for (size_t i = 0; i < wn; i++) wd[i] = w[i];
    for (int64_t i = 0; i < c->oc; i++) bd[i] = 0.0;
    double* params[3] = {xd, wd, bd};
    const float* got[3] = {dx, dw, db};
    const size_t counts[3] = {xn, wn, (size_t)c->oc};
    size_t bad = 0;
    for (int which = 0; which < 3; which++)
      for (size_t i = 0; i < counts[which]; i++) {
        const double h = 1e-4, saved = params[which][i];
        params[which][i] = saved + h;
        const double up = tsr_conv_loss(c, xd, wd, bd, dy, out_dims[2], out_dims[3]);
        params[which][i] = saved - h;
        const double down = tsr_conv_loss(c, xd, wd, bd, dy, out_dims[2], out_dims[3]);
        params[which][i] = saved;
        const double numeric = (up - down) / (2 * h);
        bad += fabs(got[which][i] - numeric) > TSR_ATOL + TSR_RTOL * fabs(numeric);
      }
    char what[160];
    snprintf(what, sizeof(what), "%s case %zu threads %u", tsr_op_describe(op), k, tsr_threadpool_threads(pool));
    tsr_check(bad == 0, what, "%zu of %zu gradients differ from finite differences", bad, xn + wn + (size_t)c->oc);
    tsr_op_destroy(op);
  }
}

static void tsr_test_pool(tsr_threadpool* pool, tsr_rng* rng) {
  float x[2 * 3 * 7 * 6], dy[256], dx[2 * 3 * 7 * 6], y_up[256], y_down[256];
  const int64_t in_dims[] = {2, 3, 7, 6};
  const size_t xn = 2 * 3 * 7 * 6;
  for (int kind = 0; kind < 3; kind++)
    for (int ceil = 0; ceil < 2; ceil++) {
      tsr_pool_params p;
      memset(&p, 0, sizeof(p));
      p.spatial_ndims = 2, p.kind = (tsr_pooling_kind)kind, p.ceil_mode = ceil;
      p.kernel[0] = 3, p.kernel[1] = 2, p.stride[0] = 2, p.stride[1] = 2, p.padding_begin[0] = 1, p.padding_end[1] = 1;
      int64_t out_dims[4];
      tsr_pool_output_shape(&p, 4, in_dims, out_dims);
      const size_t yn = (size_t)(out_dims[0] * out_dims[1] * out_dims[2] * out_dims[3]);
      for (size_t i = 0; i < xn; i++) x[i] = (float)((i * 37) % xn) * 0.25f - 10.0f; /* distinct: a unique max */
      tsr_fill_uniform(rng, dy, yn, -1, 1);
      tsr_op *fwd = NULL, *bwd = NULL;
      tsr_pool_create(&p, &fwd);
      tsr_pool_backward_create(&p, &bwd);
      tsr_tensor tx = {.data = x}, ty = {0}, tdy = {.data = dy}, tdx = {.data = dx};
      tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, in_dims);
      tsr_tensor_desc_init(&ty.desc, tsr_dtype_f32, tsr_layout_plain, 4, out_dims);
      tdy.desc = ty.desc;
      tdx.desc = tx.desc;
      tsr_tensor ins[2] = {tx, tdy};
      tsr_check_status(tsr_op_run(bwd, 2, ins, 1, &tdx, pool), tsr_status_success, tsr_op_describe(bwd));
      size_t bad = 0;
      for (size_t i = 0; i < xn; i++) { /* the forward is piecewise linear */
        /* averages are linear (any step is exact); for max the step stays below the inputs'
         * spacing of 0.25, so the maximum of a window never changes */
        const float h = kind == tsr_pooling_max ? 0.05f : 0.5f, saved = x[i];
        x[i] = saved + h;
        ty.data = y_up;
        tsr_op_run(fwd, 1, &tx, 1, &ty, NULL);
        x[i] = saved - h;
        ty.data = y_down;
        tsr_op_run(fwd, 1, &tx, 1, &ty, NULL);
        x[i] = saved;
        double numeric = 0.0;
        for (size_t j = 0; j < yn; j++) numeric += dy[j] * ((double)y_up[j] - (double)y_down[j]) / (2.0 * h);
        bad += fabs(dx[i] - numeric) > 1e-3 + 1e-3 * fabs(numeric);
      }
      char what[160];
      snprintf(what, sizeof(what), "%s threads %u", tsr_op_describe(bwd), tsr_threadpool_threads(pool));
      tsr_check(bad == 0, what, "%zu of %zu gradients differ from finite differences", bad, xn);
      tsr_op_destroy(fwd);
      tsr_op_destroy(bwd);
    }
}

int main(void) {
  tsr_rng rng = tsr_rng_seeded(4242);
  for (uint32_t threads = 1; threads <= 2; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    tsr_test_conv(pool, &rng);
    tsr_test_pool(pool, &rng);
    tsr_threadpool_destroy(pool);
  }
  tsr_op* op = (tsr_op*)0x1;
  tsr_check_status(tsr_conv_backward_create(NULL, NULL, &op), tsr_status_invalid_parameter, "conv backward params NULL");
  tsr_check_status(tsr_pool_backward_create(NULL, &op), tsr_status_invalid_parameter, "pool backward params NULL");
  tsr_check(op == (tsr_op*)0x1, "backward create failures", "op written");
  return tsr_test_finish();
}
