/* 1x1 convolution (stride 1, no padding, one group) on NCHW with the GEMM engine and no copy
 * of the tensors (see conv-fast.h): each batch item is Y_n = W X_n with X_n read in place as the
 * B matrix. The bias is per row there, which the GEMM's store does not take, so the bias (plus
 * the scaled old values) is written into Y first and the GEMM accumulates onto it. */
#include <math.h>

#include "engine/conv-fast.h"
#include "engine/gemm.h"
#include "threadpool/threadpool.h"

struct tsr_conv_bias_call {
  const struct tsr_conv_fast* f;
  const struct tsr_conv_geometry* g;
  float* y;
};

static void tsr_conv_bias_rows(void* context, size_t thread, size_t n, size_t o) {
  (void)thread;
  const struct tsr_conv_bias_call* c = context;
  const size_t pixels = c->g->out[0] * c->g->out[1] * c->g->out[2];
  const float b = c->f->bias[o], s = c->f->params.sum_scale;
  float* row = c->y + n * c->g->y_n + o * c->g->y_c;
  if (s == 0.0f)
    for (size_t p = 0; p < pixels; p++) row[p] = b;
  else
    for (size_t p = 0; p < pixels; p++) row[p] = b + s * row[p];
}

tsr_status tsr_conv_gemm_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, const float* x,
                             float* y, tsr_threadpool* pool, const char* where) {
  const size_t pixels = g->out[0] * g->out[1] * g->out[2];
  const bool clamped = f->params.min != -INFINITY || f->params.max != INFINITY;
  const struct tsr_f32_minmax_params clamp = {f->params.min, f->params.max};
  struct tsr_gemm_args args = {.alpha = 1.0f, .beta = f->params.sum_scale, .clamp = clamped ? &clamp : NULL};
  if (f->bias != NULL) {
    struct tsr_conv_bias_call call = {.f = f, .g = g, .y = y};
    tsr_parallelize_2d(pool, tsr_conv_bias_rows, &call, g->n, g->oc);
    args.beta = 1.0f;
  }
  args.batch = g->n, args.m = g->oc, args.n = pixels, args.k = g->ic;
  args.a = f->weights, args.lda = g->ic, args.stride_a = 0;
  args.b = x, args.ldb = g->x_c, args.stride_b = g->x_n;
  args.c = y, args.ldc = g->y_c, args.stride_c = g->y_n;
  return tsr_gemm_execute(&args, pool, where);
}
