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
  const dnnl_data_type_t type = desc->dtype == tsr_dtype_s32 ? dnnl_s32 : dnnl_f32;
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

void tsr_onednn_set_threads(int threads) { omp_set_num_threads(threads); }
