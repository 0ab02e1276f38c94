#include "tests/harness/onednn.h"

#include <omp.h>
#include <pthread.h>
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
    return -1;
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
static int tsr_onednn_any_conv_call(tsr_onednn_call* call, const tsr_conv_params* p, int transposed,
                                    const tsr_tensor* x, const float* weights, const float* bias,
                                    const tsr_tensor* y) {
  const int spatial = p->spatial_ndims;
  if (p->activation.kind != tsr_activation_none && p->activation.kind != tsr_activation_relu) return -1;
  size_t taps = 1;
  for (int d = 0; d < spatial; d++) taps *= (size_t)p->kernel[d];
  const int64_t g = p->groups, ocg = p->out_channels / g, icg = p->in_channels / g;
  int64_t wd[6], ws[6];
  int32_t wnd = 0;
  if (g > 1) wd[wnd] = g, ws[wnd++] = ocg * icg * (int64_t)taps;
  wd[wnd] = ocg, ws[wnd++] = transposed ? (int64_t)taps : icg * (int64_t)taps;
  wd[wnd] = icg, ws[wnd++] = transposed ? ocg * (int64_t)taps : (int64_t)taps;
  int64_t inner = 1;
  for (int d = spatial - 1; d >= 0; d--) wd[wnd + d] = p->kernel[d], ws[wnd + d] = inner, inner *= p->kernel[d];
  wnd += spatial;
  tsr_tensor tw = {.data = (void*)weights}, tb = {.data = (void*)bias};
  tsr_tensor_desc_init_strided(&tw.desc, tsr_dtype_f32, wnd, wd, ws);
  tsr_tensor_desc_init(&tb.desc, tsr_dtype_f32, tsr_layout_plain, 1, &p->out_channels);
  dnnl_memory_desc_t src, wei, bia, dst;
  if (tsr_onednn_md(&x->desc, &src) || tsr_onednn_md(&tw.desc, &wei) || tsr_onednn_md(&tb.desc, &bia) ||
      tsr_onednn_md(&y->desc, &dst))
    return -1;
  dnnl_dims_t strides, dilates, pad_l, pad_r;
  for (int d = 0; d < spatial; d++) {
    /* the convolution's relation big = (small - 1) stride + span - pad_l - pad_r, where the big
     * side is x for a convolution and y for a transposed one */
    const int64_t span = p->dilation[d] * (p->kernel[d] - 1) + 1;
    const int64_t big = (transposed ? y : x)->desc.dims[2 + d], small = (transposed ? x : y)->desc.dims[2 + d];
    int64_t begin = p->padding_begin[d];
    if (p->padding_mode == tsr_padding_valid) begin = 0;
    if (p->padding_mode == tsr_padding_same) {
      const int64_t total = transposed ? span - p->stride[d] : (small - 1) * p->stride[d] + span - big;
      begin = total > 0 ? total / 2 : 0;
    }
    strides[d] = p->stride[d];
    dilates[d] = p->dilation[d] - 1;
    pad_l[d] = begin;
    pad_r[d] = (small - 1) * p->stride[d] + span - big - begin; /* negative for output padding */
  }
  dnnl_convolution_desc_t conv;
  dnnl_deconvolution_desc_t deconv;
  const dnnl_status_t made =
      transposed ? dnnl_dilated_deconvolution_forward_desc_init(&deconv, dnnl_forward_inference,
                                                                dnnl_deconvolution_direct, &src, &wei,
                                                                bias ? &bia : NULL, &dst, strides, dilates, pad_l, pad_r)
                 : dnnl_dilated_convolution_forward_desc_init(&conv, dnnl_forward_inference, dnnl_convolution_direct,
                                                              &src, &wei, bias ? &bia : NULL, &dst, strides, dilates,
                                                              pad_l, pad_r);
  if (made != dnnl_success) return -1;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  if (p->sum_scale != 0.0f || p->activation.kind == tsr_activation_relu) {
    dnnl_primitive_attr_create(&attr);
    dnnl_post_ops_create(&post_ops);
    if (p->sum_scale != 0.0f) dnnl_post_ops_append_sum(post_ops, p->sum_scale);
    if (p->activation.kind == tsr_activation_relu)
      dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
    dnnl_primitive_attr_set_post_ops(attr, post_ops);
  }
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, &tw}, {DNNL_ARG_DST, y}, {DNNL_ARG_BIAS, &tb}};
  const int status = tsr_onednn_call_create(call, transposed ? (const_dnnl_op_desc_t)&deconv : (const_dnnl_op_desc_t)&conv,
                                            attr, bias ? 4 : 3, args);
  if (post_ops) dnnl_post_ops_destroy(post_ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
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

void tsr_onednn_set_threads(int threads) { omp_set_num_threads(threads); }
