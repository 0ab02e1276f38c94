/* oneDNN's convolution in its own layouts, the benchmarks' peer (see onednn.h). */
#include <stdio.h>
#include <string.h>

#include "tests/harness/onednn.h"

static int tsr_conv_fail(tsr_onednn_conv* c, const char* what, dnnl_status_t status) {
  fprintf(stderr, "oneDNN: %s failed (status %d)\n", what, (int)status);
  tsr_onednn_conv_destroy(c);
  return -1;
}

static dnnl_status_t tsr_reorder(dnnl_primitive_t* r, dnnl_memory_t from, dnnl_memory_t to) {
  const dnnl_memory_desc_t *from_md, *to_md;
  dnnl_memory_get_memory_desc(from, &from_md);
  dnnl_memory_get_memory_desc(to, &to_md);
  dnnl_primitive_desc_t pd;
  const dnnl_engine_t engine = tsr_onednn_engine();
  dnnl_status_t status = dnnl_reorder_primitive_desc_create(&pd, from_md, engine, to_md, engine, NULL);
  if (status != dnnl_success) return status;
  status = dnnl_primitive_create(r, pd);
  dnnl_primitive_desc_destroy(pd);
  return status;
}

static void tsr_reorder_run(dnnl_primitive_t r, dnnl_stream_t stream, dnnl_memory_t from, dnnl_memory_t to) {
  dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  dnnl_primitive_execute(r, stream, 2, args);
}

int tsr_onednn_conv_create(tsr_onednn_conv* c, const tsr_conv_params* p, const tsr_tensor* x, const float* weights,
                           const float* bias, const tsr_tensor* y, int reorders) {
  memset(c, 0, sizeof(*c));
  c->reorders = reorders, c->sum = p->sum_scale != 0.0f;
  struct tsr_onednn_conv_desc d;
  const dnnl_engine_t engine = tsr_onednn_engine();
  if (tsr_onednn_conv_describe(&d, p, 0, x, weights, bias, y, 1) != 0 || engine == NULL) {
    tsr_onednn_conv_desc_release(&d);
    return -1;
  }
  dnnl_primitive_desc_t pd;
  dnnl_status_t status = dnnl_primitive_desc_create(&pd, d.op, d.attr, engine, NULL);
  tsr_onednn_conv_desc_release(&d);
  if (status == dnnl_unimplemented && p->algorithm == tsr_conv_algorithm_winograd) {
    /* oneDNN has no Winograd for this machine or shape: its direct convolution instead */
    tsr_conv_params direct = *p;
    direct.algorithm = tsr_conv_algorithm_direct;
    return tsr_onednn_conv_create(c, &direct, x, weights, bias, y, reorders);
  }
  if (status != dnnl_success) return tsr_conv_fail(c, "dnnl_primitive_desc_create", status);
  const char* impl = NULL;
  dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
  snprintf(c->implementation, sizeof(c->implementation), "%s", impl ? impl : "?");
  const dnnl_query_t queries[3] = {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md};
  const int roles[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
  tsr_onednn_call* call = &c->conv;
  status = dnnl_primitive_create(&call->primitive, pd);
  for (int i = 0; i < 3 && status == dnnl_success; i++) {
    call->args[i].arg = roles[i];
    status = dnnl_memory_create(&call->args[i].memory, dnnl_primitive_desc_query_md(pd, queries[i], 0), engine,
                                DNNL_MEMORY_ALLOCATE);
    if (status == dnnl_success) call->num_args = i + 1;
  }
  dnnl_primitive_desc_destroy(pd);
  if (status == dnnl_success && bias != NULL) {
    call->args[3].arg = DNNL_ARG_BIAS;
    status = dnnl_memory_create(&call->args[3].memory, &d.bia, engine, (void*)bias);
    if (status == dnnl_success) call->num_args = 4;
  }
  if (status == dnnl_success) status = dnnl_stream_create(&call->stream, engine, dnnl_stream_default_flags);
  if (status != dnnl_success) return tsr_conv_fail(c, "creating the convolution", status);
  /* the weights and x once, in the chosen layouts; y too when the sum reads it */
  dnnl_memory_t user_w = NULL;
  status = dnnl_memory_create(&user_w, &d.wei, engine, (void*)weights);
  if (status == dnnl_success) status = dnnl_memory_create(&c->user_x, &d.src, engine, x->data);
  if (status == dnnl_success) status = dnnl_memory_create(&c->user_y, &d.dst, engine, y->data);
  dnnl_primitive_t w_in = NULL;
  if (status == dnnl_success) status = tsr_reorder(&w_in, user_w, call->args[1].memory);
  if (status == dnnl_success) status = tsr_reorder(&c->x_in, c->user_x, call->args[0].memory);
  if (status == dnnl_success) status = tsr_reorder(&c->y_in, c->user_y, call->args[2].memory);
  if (status == dnnl_success) status = tsr_reorder(&c->y_out, call->args[2].memory, c->user_y);
  if (status == dnnl_success) {
    tsr_reorder_run(w_in, call->stream, user_w, call->args[1].memory);
    tsr_reorder_run(c->x_in, call->stream, c->user_x, call->args[0].memory);
    if (c->sum) tsr_reorder_run(c->y_in, call->stream, c->user_y, call->args[2].memory);
    dnnl_stream_wait(call->stream);
  }
  if (w_in != NULL) dnnl_primitive_destroy(w_in);
  if (user_w != NULL) dnnl_memory_destroy(user_w);
  return status == dnnl_success ? 0 : tsr_conv_fail(c, "creating the reorders", status);
}

void tsr_onednn_conv_execute(void* context) {
  tsr_onednn_conv* c = context;
  const tsr_onednn_call* call = &c->conv;
  if (c->reorders) {
    tsr_reorder_run(c->x_in, call->stream, c->user_x, call->args[0].memory);
    if (c->sum) tsr_reorder_run(c->y_in, call->stream, c->user_y, call->args[2].memory);
  }
  dnnl_primitive_execute(call->primitive, call->stream, call->num_args, call->args);
  if (c->reorders) tsr_reorder_run(c->y_out, call->stream, call->args[2].memory, c->user_y);
  dnnl_stream_wait(call->stream);
}

void tsr_onednn_conv_destroy(tsr_onednn_conv* c) {
  const dnnl_primitive_t reorders[3] = {c->x_in, c->y_in, c->y_out};
  for (int i = 0; i < 3; i++)
    if (reorders[i] != NULL) dnnl_primitive_destroy(reorders[i]);
  if (c->user_x != NULL) dnnl_memory_destroy(c->user_x);
  if (c->user_y != NULL) dnnl_memory_destroy(c->user_y);
  tsr_onednn_call_destroy(&c->conv);
  memset(c, 0, sizeof(*c));
}
