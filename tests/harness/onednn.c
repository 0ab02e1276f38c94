#include "tests/harness/onednn.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static dnnl_engine_t tsr_engine = NULL;
static pthread_once_t tsr_engine_once = PTHREAD_ONCE_INIT;

static void tsr_engine_create(void) {
  if (dnnl_engine_create(&tsr_engine, dnnl_cpu, 0) != dnnl_success) tsr_engine = NULL;
}

dnnl_engine_t tsr_onednn_engine(void) {
  pthread_once(&tsr_engine_once, tsr_engine_create);
  return tsr_engine;
}

int tsr_onednn_md(const tsr_tensor_desc* desc, dnnl_memory_desc_t* md) {
  if (desc->layout != tsr_layout_plain && desc->layout != tsr_layout_nhwc &&
      desc->layout != tsr_layout_strided)
    return tsr_onednn_md_blocked(desc, md);
  dnnl_dims_t dims, strides;
  for (int d = 0; d < desc->ndims; d++) {
    dims[d] = desc->dims[d];
    strides[d] = desc->strides[d];
  }
  const dnnl_data_type_t type = desc->dtype == tsr_dtype_s32 ? dnnl_s32
                               : desc->dtype == tsr_dtype_u8 ? dnnl_u8 : dnnl_f32;
  return dnnl_memory_desc_init_by_strides(md, desc->ndims, dims, type, strides) == dnnl_success
             ? 0
             : -1;
}

int tsr_onednn_md_blocked(const tsr_tensor_desc* desc, dnnl_memory_desc_t* md) {
  static const dnnl_format_tag_t tags[3][3] = {{dnnl_nCw4c, dnnl_nCw8c, dnnl_nCw16c},
                                               {dnnl_nChw4c, dnnl_nChw8c, dnnl_nChw16c},
                                               {dnnl_nCdhw4c, dnnl_nCdhw8c, dnnl_nCdhw16c}};
  const int block = desc->layout == tsr_layout_nchw4c ? 0 : desc->layout == tsr_layout_nchw8c ? 1
                  : desc->layout == tsr_layout_nchw16c ? 2 : -1;
  if (block < 0 || desc->ndims < 3 || desc->ndims > 5 || desc->dtype != tsr_dtype_f32) return -1;
  dnnl_dims_t dims;
  for (int d = 0; d < desc->ndims; d++) dims[d] = desc->dims[d];
  return dnnl_memory_desc_init_by_tag(md, desc->ndims, dims, dnnl_f32, tags[desc->ndims - 3][block]) == dnnl_success
             ? 0
             : -1;
}

static int tsr_fail(const char* what, dnnl_status_t status) {
  fprintf(stderr, "oneDNN: %s failed (status %d)\n", what, (int)status);
  return -1;
}

static int tsr_onednn_call_create_hinted(tsr_onednn_call* call, const_dnnl_op_desc_t op_desc,
                                         const_dnnl_primitive_attr_t attr,
                                         const_dnnl_op_desc_t forward_desc, int num_args,
                                         const tsr_onednn_arg* args) {
  memset(call, 0, sizeof(*call));
  if (num_args > TSR_ONEDNN_MAX_ARGS) return tsr_fail("too many arguments", dnnl_invalid_arguments);
  dnnl_engine_t engine = tsr_onednn_engine();
  if (engine == NULL) return tsr_fail("dnnl_engine_create", dnnl_runtime_error);
  dnnl_primitive_desc_t hint = NULL, pd;
  dnnl_status_t status;
  if (forward_desc != NULL &&
      (status = dnnl_primitive_desc_create(&hint, forward_desc, NULL, engine, NULL)) != dnnl_success)
    return tsr_fail("dnnl_primitive_desc_create (forward hint)", status);
  status = dnnl_primitive_desc_create(&pd, op_desc, attr, engine, hint);
  if (hint != NULL) dnnl_primitive_desc_destroy(hint);
  if (status != dnnl_success) return tsr_fail("dnnl_primitive_desc_create", status);
  const char* impl = NULL;
  dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
  snprintf(call->implementation, sizeof(call->implementation), "%s", impl ? impl : "?");
  const dnnl_memory_desc_t* workspace = dnnl_primitive_desc_query_md(pd, dnnl_query_workspace_md, 0);
  if (workspace != NULL) call->workspace = *workspace;
  status = dnnl_primitive_create(&call->primitive, pd);
  dnnl_primitive_desc_destroy(pd);
  if (status != dnnl_success) return tsr_fail("dnnl_primitive_create", status);
  status = dnnl_stream_create(&call->stream, engine, dnnl_stream_default_flags);
  if (status != dnnl_success) {
    tsr_onednn_call_destroy(call);
    return tsr_fail("dnnl_stream_create", status);
  }
  for (int i = 0; i < num_args; i++) {
    dnnl_memory_desc_t md;
    if (tsr_onednn_md(&args[i].tensor->desc, &md) != 0) {
      tsr_onednn_call_destroy(call);
      return tsr_fail("describing an argument", dnnl_unimplemented);
    }
    call->args[i].arg = args[i].arg;
    status = dnnl_memory_create(&call->args[i].memory, &md, engine, args[i].tensor->data);
    if (status != dnnl_success) {
      tsr_onednn_call_destroy(call);
      return tsr_fail("dnnl_memory_create", status);
    }
    call->num_args = i + 1;
  }
  return 0;
}

int tsr_onednn_call_create(tsr_onednn_call* call, const_dnnl_op_desc_t op_desc,
                           const_dnnl_primitive_attr_t attr, int num_args,
                           const tsr_onednn_arg* args) {
  return tsr_onednn_call_create_hinted(call, op_desc, attr, NULL, num_args, args);
}

int tsr_onednn_call_create_backward(tsr_onednn_call* call, const_dnnl_op_desc_t op_desc,
                                    const_dnnl_op_desc_t forward_desc, int num_args,
                                    const tsr_onednn_arg* args) {
  return tsr_onednn_call_create_hinted(call, op_desc, NULL, forward_desc, num_args, args);
}

int tsr_onednn_call_add_workspace(tsr_onednn_call* call, const tsr_onednn_call* shared) {
  if (dnnl_memory_desc_get_size(&call->workspace) == 0) return 0;
  if (call->num_args >= TSR_ONEDNN_MAX_ARGS) return tsr_fail("too many arguments", dnnl_invalid_arguments);
  void* handle = DNNL_MEMORY_ALLOCATE;
  for (int i = 0; shared != NULL && i < shared->num_args; i++)
    if (shared->args[i].arg == DNNL_ARG_WORKSPACE) dnnl_memory_get_data_handle(shared->args[i].memory, &handle);
  if (shared != NULL && handle == DNNL_MEMORY_ALLOCATE) return tsr_fail("the shared workspace", dnnl_invalid_arguments);
  dnnl_exec_arg_t* arg = &call->args[call->num_args];
  const dnnl_status_t status = dnnl_memory_create(&arg->memory, &call->workspace, tsr_onednn_engine(), handle);
  if (status != dnnl_success) return tsr_fail("dnnl_memory_create (workspace)", status);
  arg->arg = DNNL_ARG_WORKSPACE;
  call->num_args++;
  return 0;
}

int tsr_onednn_call_execute(const tsr_onednn_call* call) {
  dnnl_status_t status =
      dnnl_primitive_execute(call->primitive, call->stream, call->num_args, call->args);
  if (status != dnnl_success) return tsr_fail("dnnl_primitive_execute", status);
  status = dnnl_stream_wait(call->stream);
  return status == dnnl_success ? 0 : tsr_fail("dnnl_stream_wait", status);
}

void tsr_onednn_call_destroy(tsr_onednn_call* call) {
  for (int i = 0; i < call->num_args; i++) dnnl_memory_destroy(call->args[i].memory);
  if (call->stream) dnnl_stream_destroy(call->stream);
  if (call->primitive) dnnl_primitive_destroy(call->primitive);
  memset(call, 0, sizeof(*call));
}

int tsr_onednn_eltwise_alg(const tsr_activation* a, dnnl_alg_kind_t* alg, float* alpha,
                           float* beta) {
  *alpha = 0.0f;
  *beta = 0.0f;
  switch (a->kind) {
    case tsr_activation_relu: *alg = dnnl_eltwise_relu; return 0;
    case tsr_activation_leaky_relu: *alg = dnnl_eltwise_relu; *alpha = a->alpha; return 0;
    case tsr_activation_clamp: *alg = dnnl_eltwise_clip; *alpha = a->alpha; *beta = a->beta; return 0;
    case tsr_activation_elu: *alg = dnnl_eltwise_elu; *alpha = a->alpha; return 0;
    case tsr_activation_gelu_erf: *alg = dnnl_eltwise_gelu_erf; return 0;
    case tsr_activation_gelu_tanh: *alg = dnnl_eltwise_gelu_tanh; return 0;
    case tsr_activation_sigmoid: *alg = dnnl_eltwise_logistic; return 0;
    case tsr_activation_tanh: *alg = dnnl_eltwise_tanh; return 0;
    case tsr_activation_softplus:
      if (a->alpha != 1.0f) return -1;
      *alg = dnnl_eltwise_soft_relu;
      return 0;
    case tsr_activation_silu: *alg = dnnl_eltwise_swish; *alpha = a->alpha; return 0;
    case tsr_activation_hard_swish: *alg = dnnl_eltwise_hardswish; return 0;
    case tsr_activation_mish: *alg = dnnl_eltwise_mish; return 0;
    case tsr_activation_exp: *alg = dnnl_eltwise_exp; return 0;
    case tsr_activation_log: *alg = dnnl_eltwise_log; return 0;
    case tsr_activation_abs: *alg = dnnl_eltwise_abs; return 0;
    case tsr_activation_square: *alg = dnnl_eltwise_square; return 0;
    case tsr_activation_sqrt: *alg = dnnl_eltwise_sqrt; return 0;
    default: return -1;
  }
}

/* Convolution and transposed convolution differ in the descriptor, the weights' order (the
 * transposed one's are [in][out / g][k], viewed through strides as oneDNN's [g][out / g][in / g][k])
 * and which side's extent the padding relation starts from. */
int tsr_onednn_conv_describe(struct tsr_onednn_conv_desc* d, const tsr_conv_params* p, int transposed,
                             const tsr_tensor* x, const float* weights, const float* bias, const tsr_tensor* y,
                             int any_layout) {
  memset(d, 0, sizeof(*d));
  const int spatial = p->spatial_ndims;
  if (p->activation.kind != tsr_activation_none && p->activation.kind != tsr_activation_relu) return -1;
  size_t taps = 1;
  for (int k = 0; k < spatial; k++) taps *= (size_t)p->kernel[k];
  const int64_t g = p->groups, ocg = p->out_channels / g, icg = p->in_channels / g;
  int64_t wd[6], ws[6];
  int32_t wnd = 0;
  if (g > 1) wd[wnd] = g, ws[wnd++] = ocg * icg * (int64_t)taps;
  wd[wnd] = ocg, ws[wnd++] = transposed ? (int64_t)taps : icg * (int64_t)taps;
  wd[wnd] = icg, ws[wnd++] = transposed ? ocg * (int64_t)taps : (int64_t)taps;
  int64_t inner = 1;
  for (int k = spatial - 1; k >= 0; k--) wd[wnd + k] = p->kernel[k], ws[wnd + k] = inner, inner *= p->kernel[k];
  wnd += spatial;
  d->weights.data = (void*)weights, d->bias.data = (void*)bias;
  tsr_tensor_desc_init_strided(&d->weights.desc, tsr_dtype_f32, wnd, wd, ws);
  tsr_tensor_desc_init(&d->bias.desc, tsr_dtype_f32, tsr_layout_plain, 1, &p->out_channels);
  if (tsr_onednn_md(&x->desc, &d->src) || tsr_onednn_md(&d->weights.desc, &d->wei) ||
      tsr_onednn_md(&d->bias.desc, &d->bia) || tsr_onednn_md(&y->desc, &d->dst))
    return -1;
  dnnl_memory_desc_t src = d->src, wei = d->wei, dst = d->dst;
  if (any_layout) {
    dnnl_memory_desc_init_by_tag(&src, src.ndims, src.dims, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&wei, wei.ndims, wei.dims, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&dst, dst.ndims, dst.dims, dnnl_f32, dnnl_format_tag_any);
  }
  dnnl_dims_t strides, dilates, pad_l, pad_r;
  for (int k = 0; k < spatial; k++) {
    /* the convolution's relation big = (small - 1) stride + span - pad_l - pad_r, where the big
     * side is x for a convolution and y for a transposed one */
    const int64_t span = p->dilation[k] * (p->kernel[k] - 1) + 1;
    const int64_t big = (transposed ? y : x)->desc.dims[2 + k], small = (transposed ? x : y)->desc.dims[2 + k];
    int64_t begin = p->padding_begin[k];
    if (p->padding_mode == tsr_padding_valid) begin = 0;
    if (p->padding_mode == tsr_padding_same) {
      const int64_t total = transposed ? span - p->stride[k] : (small - 1) * p->stride[k] + span - big;
      begin = total > 0 ? total / 2 : 0;
    }
    strides[k] = p->stride[k];
    dilates[k] = p->dilation[k] - 1;
    pad_l[k] = begin;
    pad_r[k] = (small - 1) * p->stride[k] + span - big - begin; /* negative for output padding */
  }
  const dnnl_status_t made =
      transposed ? dnnl_dilated_deconvolution_forward_desc_init(&d->deconv, dnnl_forward_inference,
                                                                dnnl_deconvolution_direct, &src, &wei,
                                                                bias ? &d->bia : NULL, &dst, strides, dilates, pad_l, pad_r)
                 : dnnl_dilated_convolution_forward_desc_init(&d->conv, dnnl_forward_inference,
                                                              p->algorithm == tsr_conv_algorithm_winograd
                                                                  ? dnnl_convolution_winograd
                                                                  : dnnl_convolution_direct,
                                                              &src, &wei, bias ? &d->bia : NULL, &dst, strides, dilates,
                                                              pad_l, pad_r);
  if (made != dnnl_success) return -1;
  d->op = transposed ? (const_dnnl_op_desc_t)&d->deconv : (const_dnnl_op_desc_t)&d->conv;
  if (p->sum_scale != 0.0f || p->activation.kind == tsr_activation_relu) {
    dnnl_primitive_attr_create(&d->attr);
    dnnl_post_ops_create(&d->post_ops);
    if (p->sum_scale != 0.0f) dnnl_post_ops_append_sum(d->post_ops, p->sum_scale);
    if (p->activation.kind == tsr_activation_relu)
      dnnl_post_ops_append_eltwise(d->post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
    dnnl_primitive_attr_set_post_ops(d->attr, d->post_ops);
  }
  return 0;
}

void tsr_onednn_conv_desc_release(struct tsr_onednn_conv_desc* d) {
  if (d->post_ops) dnnl_post_ops_destroy(d->post_ops);
  if (d->attr) dnnl_primitive_attr_destroy(d->attr);
  d->post_ops = NULL, d->attr = NULL;
}

static int tsr_onednn_any_conv_call(tsr_onednn_call* call, const tsr_conv_params* p, int transposed,
                                    const tsr_tensor* x, const float* weights, const float* bias,
                                    const tsr_tensor* y) {
  struct tsr_onednn_conv_desc d;
  if (tsr_onednn_conv_describe(&d, p, transposed, x, weights, bias, y, 0) != 0) {
    tsr_onednn_conv_desc_release(&d);
    return -1;
  }
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, &d.weights}, {DNNL_ARG_DST, y},
                                 {DNNL_ARG_BIAS, &d.bias}};
  const int status = tsr_onednn_call_create(call, d.op, d.attr, bias ? 4 : 3, args);
  tsr_onednn_conv_desc_release(&d);
  return status;
}

int tsr_onednn_conv_call(tsr_onednn_call* call, const tsr_conv_params* p, const tsr_tensor* x,
                         const float* weights, const float* bias, const tsr_tensor* y) {
  return tsr_onednn_any_conv_call(call, p, 0, x, weights, bias, y);
}

int tsr_onednn_deconv_call(tsr_onednn_call* call, const tsr_conv_params* p, const tsr_tensor* x,
                           const float* weights, const float* bias, const tsr_tensor* y) {
  return tsr_onednn_any_conv_call(call, p, 1, x, weights, bias, y);
}

int tsr_onednn_conv_backward_calls(tsr_onednn_call calls[2], const tsr_conv_params* p, const tsr_tensor* x,
                                   const float* weights, const tsr_tensor* dy, const tsr_tensor* dx, float* dw,
                                   float* db) {
  struct tsr_onednn_conv_desc forward, gradient;
  memset(&gradient, 0, sizeof(gradient));
  int status = -1;
  if (tsr_onednn_conv_describe(&forward, p, 0, x, weights, db, dy, 0) == 0 &&
      tsr_onednn_conv_describe(&gradient, p, 0, x, dw, db, dy, 0) == 0) {
    dnnl_convolution_desc_t data, wgrad;
    const dnnl_convolution_desc_t* f = &forward.conv;
    forward.conv.prop_kind = dnnl_forward_training; /* the backward primitives' hint */
    if (dnnl_dilated_convolution_backward_data_desc_init(&data, dnnl_convolution_direct, &forward.src, &forward.wei,
                                                         &forward.dst, f->strides, f->dilates, f->padding[0],
                                                         f->padding[1]) == dnnl_success &&
        dnnl_dilated_convolution_backward_weights_desc_init(&wgrad, dnnl_convolution_direct, &forward.src,
                                                            &forward.wei, db ? &forward.bia : NULL, &forward.dst,
                                                            f->strides, f->dilates, f->padding[0],
                                                            f->padding[1]) == dnnl_success) {
      const tsr_onednn_arg data_args[] = {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, &forward.weights},
                                          {DNNL_ARG_DIFF_SRC, dx}};
      const tsr_onednn_arg weight_args[] = {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy},
                                            {DNNL_ARG_DIFF_WEIGHTS, &gradient.weights},
                                            {DNNL_ARG_DIFF_BIAS, &gradient.bias}};
      status = tsr_onednn_call_create_backward(&calls[0], (const_dnnl_op_desc_t)&data, forward.op, 3, data_args);
      if (status == 0) {
        status = tsr_onednn_call_create_backward(&calls[1], (const_dnnl_op_desc_t)&wgrad, forward.op, db ? 4 : 3,
                                                 weight_args);
        if (status != 0) tsr_onednn_call_destroy(&calls[0]);
      }
    }
  }
  tsr_onednn_conv_desc_release(&forward);
  tsr_onednn_conv_desc_release(&gradient);
  return status;
}

void tsr_onednn_set_threads(int threads) { omp_set_num_threads(threads); }

/* oneDNN's gate g of ours: GRU is u, r, o there (ours r, z, n); the others agree. */
static size_t tsr_onednn_gate(tsr_rnn_cell_kind cell, size_t g) {
  if (cell == tsr_rnn_cell_gru || cell == tsr_rnn_cell_gru_linear_before_reset) return g == 0 ? 1 : g == 1 ? 0 : 2;
  return g;
}

int tsr_onednn_rnn_create(tsr_onednn_rnn* rnn, const tsr_rnn_params* p, const tsr_rnn_weights* weights,
                          size_t batch, size_t time, const float* x, const float* h0, const float* c0, float* y,
                          float* hn, float* cn) {
  memset(rnn, 0, sizeof(*rnn));
  const size_t G = (size_t)tsr_rnn_cell_gates(p->cell), H = (size_t)p->hidden_size, in = (size_t)p->input_size;
  const size_t D = p->direction >= tsr_rnn_bidirectional_concat ? 2 : 1, L = (size_t)p->num_layers;
  const size_t units = L * D, width = H * (p->direction == tsr_rnn_bidirectional_concat ? 2 : 1);
  const int lbr = p->cell == tsr_rnn_cell_gru_linear_before_reset;
  const size_t GB = G + (lbr ? 1 : 0);
  /* ldigo weights, ldgo bias. */
  float* wl = rnn->weights_layer = calloc(L * D * in * G * H, sizeof(float));
  float* wi = rnn->weights_iter = calloc(L * D * H * G * H, sizeof(float));
  float* bias = rnn->bias = calloc(L * D * GB * H, sizeof(float));
  if (wl == NULL || wi == NULL || bias == NULL) {
    tsr_onednn_rnn_destroy(rnn);
    return tsr_fail("rnn weights", dnnl_out_of_memory);
  }
  for (size_t u = 0; u < units; u++) {
    const tsr_rnn_weights* w = &weights[u];
    for (size_t g = 0; g < G; g++) {
      const size_t og = tsr_onednn_gate(p->cell, g);
      for (size_t o = 0; o < H; o++) {
        for (size_t i = 0; i < in; i++) wl[((u * in + i) * G + og) * H + o] = w->w_ih[(g * H + o) * in + i];
        for (size_t i = 0; i < H; i++) wi[((u * H + i) * G + og) * H + o] = w->w_hh[(g * H + o) * H + i];
        const float bi = w->b_ih ? w->b_ih[g * H + o] : 0.0f, bh = w->b_hh ? w->b_hh[g * H + o] : 0.0f;
        if (lbr && g == 2) {
          bias[(u * GB + 2) * H + o] = bi;
          bias[(u * GB + 3) * H + o] = bh;
        } else {
          bias[(u * GB + og) * H + o] = bi + bh;
        }
      }
    }
  }
  const size_t B = batch, T = time;
  /* x and y viewed as [T, N, C] whatever their order. */
  const int64_t xs[] = {p->batch_first ? (int64_t)in : (int64_t)(B * in), p->batch_first ? (int64_t)(T * in) : (int64_t)in, 1};
  const int64_t xd[] = {(int64_t)T, (int64_t)B, (int64_t)in};
  const int64_t ys[] = {p->batch_first ? (int64_t)width : (int64_t)(B * width), p->batch_first ? (int64_t)(T * width) : (int64_t)width, 1};
  const int64_t yd[] = {(int64_t)T, (int64_t)B, (int64_t)width};
  const int64_t sd[] = {(int64_t)L, (int64_t)D, (int64_t)B, (int64_t)H};
  const int64_t wld[] = {(int64_t)L, (int64_t)D, (int64_t)in, (int64_t)G, (int64_t)H};
  const int64_t wid[] = {(int64_t)L, (int64_t)D, (int64_t)H, (int64_t)G, (int64_t)H};
  const int64_t bd[] = {(int64_t)L, (int64_t)D, (int64_t)GB, (int64_t)H};
  tsr_tensor tx = {.data = (float*)x}, ty = {.data = y}, th0 = {.data = (float*)h0}, tc0 = {.data = (float*)c0},
             thn = {.data = hn}, tcn = {.data = cn}, twl = {.data = wl}, twi = {.data = wi}, tb = {.data = bias};
  tsr_tensor_desc_init_strided(&tx.desc, tsr_dtype_f32, 3, xd, xs);
  tsr_tensor_desc_init_strided(&ty.desc, tsr_dtype_f32, 3, yd, ys);
  tsr_tensor_desc_init(&th0.desc, tsr_dtype_f32, tsr_layout_plain, 4, sd);
  tc0.desc = thn.desc = tcn.desc = th0.desc;
  tsr_tensor_desc_init(&twl.desc, tsr_dtype_f32, tsr_layout_plain, 5, wld);
  tsr_tensor_desc_init(&twi.desc, tsr_dtype_f32, tsr_layout_plain, 5, wid);
  tsr_tensor_desc_init(&tb.desc, tsr_dtype_f32, tsr_layout_plain, 4, bd);
  dnnl_memory_desc_t mx, my, ms, mwl, mwi, mb;
  tsr_onednn_md(&tx.desc, &mx), tsr_onednn_md(&ty.desc, &my), tsr_onednn_md(&th0.desc, &ms);
  tsr_onednn_md(&twl.desc, &mwl), tsr_onednn_md(&twi.desc, &mwi), tsr_onednn_md(&tb.desc, &mb);
  static const dnnl_rnn_direction_t directions[] = {dnnl_unidirectional_left2right, dnnl_unidirectional_right2left,
                                                    dnnl_bidirectional_concat, dnnl_bidirectional_sum};
  const dnnl_rnn_direction_t dir = directions[p->direction];
  dnnl_rnn_desc_t desc;
  dnnl_status_t st;
  switch (p->cell) {
    case tsr_rnn_cell_tanh:
    case tsr_rnn_cell_relu:
      st = dnnl_vanilla_rnn_forward_desc_init(&desc, dnnl_forward_inference,
                                              p->cell == tsr_rnn_cell_tanh ? dnnl_eltwise_tanh : dnnl_eltwise_relu,
                                              dir, &mx, &ms, &mwl, &mwi, &mb, &my, &ms, 0, 0.0f, 0.0f);
      break;
    case tsr_rnn_cell_lstm:
      st = dnnl_lstm_forward_desc_init(&desc, dnnl_forward_inference, dir, &mx, &ms, &ms, &mwl, &mwi, &mb,
                                       &my, &ms, &ms, 0);
      break;
    case tsr_rnn_cell_gru:
      st = dnnl_gru_forward_desc_init(&desc, dnnl_forward_inference, dir, &mx, &ms, &mwl, &mwi, &mb, &my, &ms, 0);
      break;
    default:
      st = dnnl_lbr_gru_forward_desc_init(&desc, dnnl_forward_inference, dir, &mx, &ms, &mwl, &mwi, &mb, &my, &ms, 0);
      break;
  }
  int result = -1;
  if (st == dnnl_success) {
    const tsr_onednn_arg args[] = {{DNNL_ARG_SRC_LAYER, &tx}, {DNNL_ARG_SRC_ITER, &th0},
                                   {DNNL_ARG_WEIGHTS_LAYER, &twl}, {DNNL_ARG_WEIGHTS_ITER, &twi},
                                   {DNNL_ARG_BIAS, &tb}, {DNNL_ARG_DST_LAYER, &ty},
                                   {DNNL_ARG_DST_ITER, &thn}, {DNNL_ARG_SRC_ITER_C, &tc0},
                                   {DNNL_ARG_DST_ITER_C, &tcn}};
    result = tsr_onednn_call_create(&rnn->call, &desc, NULL, p->cell == tsr_rnn_cell_lstm ? 9 : 7, args);
  } else {
    tsr_fail("rnn desc init", st);
  }
  if (result != 0) tsr_onednn_rnn_destroy(rnn);
  return result;
}

void tsr_onednn_rnn_destroy(tsr_onednn_rnn* rnn) {
  if (rnn->call.primitive != NULL) tsr_onednn_call_destroy(&rnn->call);
  free(rnn->weights_layer), free(rnn->weights_iter), free(rnn->bias);
  memset(rnn, 0, sizeof(*rnn));
}

int tsr_onednn_rnn_run(const tsr_rnn_params* params, const tsr_rnn_weights* weights, size_t batch, size_t time,
                       const float* x, const float* h0, const float* c0, float* y, float* h_n, float* c_n) {
  tsr_onednn_rnn rnn;
  if (tsr_onednn_rnn_create(&rnn, params, weights, batch, time, x, h0, c0, y, h_n, c_n) != 0) return -1;
  const int result = tsr_onednn_call_execute(&rnn.call);
  tsr_onednn_rnn_destroy(&rnn);
  return result;
}

