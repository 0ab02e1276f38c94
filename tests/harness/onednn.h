/* Running a oneDNN primitive on tessera-described plain or NHWC data, so that a test or a
 * benchmark compares against oneDNN in a few lines:
 *
 *   dnnl_eltwise_desc_t d;
 *   dnnl_memory_desc_t md;
 *   tsr_onednn_md(&x.desc, &md);
 *   dnnl_eltwise_forward_desc_init(&d, dnnl_forward_inference, dnnl_eltwise_relu, &md, 0, 0);
 *   tsr_onednn_call call;
 *   tsr_onednn_args args = {{DNNL_ARG_SRC, &x}, {DNNL_ARG_DST, &y}};
 *   if (tsr_onednn_call_create(&call, &d, NULL, 2, args) == 0) {
 *     tsr_onednn_call_execute(&call);  // as often as wanted
 *     tsr_onednn_call_destroy(&call);
 *   }
 */
#ifndef TSR_TESTS_ONEDNN_H
#define TSR_TESTS_ONEDNN_H

#include <oneapi/dnnl/dnnl.h>

#include "tessera.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TSR_ONEDNN_MAX_ARGS 16

typedef struct tsr_onednn_arg {
  int arg;                 /* DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, ... */
  const tsr_tensor* tensor;
} tsr_onednn_arg;
typedef tsr_onednn_arg tsr_onednn_args[];

typedef struct tsr_onednn_call {
  dnnl_primitive_t primitive;
  dnnl_stream_t stream;
  int num_args;
  dnnl_exec_arg_t args[TSR_ONEDNN_MAX_ARGS];
  char implementation[64]; /* oneDNN's implementation name, e.g. "jit:avx2" */
  dnnl_memory_desc_t workspace; /* what the primitive keeps between forward and backward (size 0: none) */
} tsr_onednn_call;

/// The process-wide CPU engine, created at first use.
dnnl_engine_t tsr_onednn_engine(void);

/// Describes a plain, NHWC, strided or blocked f32/s32 tensor to oneDNN (blocked: f32 only,
/// through tsr_onednn_md_blocked); returns 0, or -1 if oneDNN cannot describe it.
int tsr_onednn_md(const tsr_tensor_desc* desc, dnnl_memory_desc_t* md);
/// The blocked layouts (nchw4c/8c/16c as oneDNN's nCw / nChw / nCdhw 4c/8c/16c tags); -1 for
/// any other layout.
int tsr_onednn_md_blocked(const tsr_tensor_desc* desc, dnnl_memory_desc_t* md);

/// Creates the primitive for `op_desc` (and `attr`, may be NULL) and binds each argument to its
/// tensor's data (no copy). Returns 0, or -1 with a message on stderr.
int tsr_onednn_call_create(tsr_onednn_call* call, const_dnnl_op_desc_t op_desc,
                           const_dnnl_primitive_attr_t attr, int num_args,
                           const tsr_onednn_arg* args);
/// The same for a backward primitive, which oneDNN creates from its forward counterpart's
/// primitive descriptor: `forward_desc` describes that forward operation.
int tsr_onednn_call_create_backward(tsr_onednn_call* call, const_dnnl_op_desc_t op_desc,
                                    const_dnnl_op_desc_t forward_desc, int num_args,
                                    const tsr_onednn_arg* args);

/// Adds the primitive's workspace (DNNL_ARG_WORKSPACE; max pooling's) to its arguments: a
/// buffer oneDNN allocates, or with `shared` set, the buffer `shared` holds (its forward call's,
/// which must outlive this call). Returns 0 (also when the primitive has no workspace), or -1.
int tsr_onednn_call_add_workspace(tsr_onednn_call* call, const tsr_onednn_call* shared);

/// Runs the primitive and waits for it. Returns 0, or -1 with a message on stderr.
int tsr_onednn_call_execute(const tsr_onednn_call* call);
void tsr_onednn_call_destroy(tsr_onednn_call* call);

/// oneDNN's eltwise algorithm and parameters for a tessera activation; returns 0, or -1 when
/// oneDNN 2.6 has no such function (selu, hard_sigmoid, softsign, softplus with alpha != 1).
int tsr_onednn_eltwise_alg(const tsr_activation* activation, dnnl_alg_kind_t* alg, float* alpha,
                           float* beta);

/// oneDNN's convolution for a tessera one on the same tensors: x and y as the op takes them,
/// weights as tsr_conv_create takes them ([oc][ic / groups][kernel...], viewed as oneDNN's
/// grouped [g][oc / g][ic / g][kernel...] when grouped), bias NULL or [oc]. The padding comes
/// from x's and y's shapes; dilation is converted (oneDNN counts from 0); sum_scale and ReLU
/// become post-ops (other activations: returns -1). Returns 0, or -1.
int tsr_onednn_conv_call(tsr_onednn_call* call, const tsr_conv_params* params, const tsr_tensor* x,
                         const float* weights, const float* bias, const tsr_tensor* y);

/// The oneDNN descriptor of a tessera convolution (transposed: deconvolution) on x and y: the
/// memory descriptors of the tensors as they are (src, wei (weights viewed through strides),
/// bia, dst), the op descriptor (with any_layout: src, weights and dst left for oneDNN to
/// choose) and the attributes for the sum and ReLU post-ops. Returns 0, or -1 when oneDNN cannot
/// express it; release either way.
struct tsr_onednn_conv_desc {
  dnnl_convolution_desc_t conv;
  dnnl_deconvolution_desc_t deconv;
  const_dnnl_op_desc_t op;
  dnnl_primitive_attr_t attr;
  dnnl_post_ops_t post_ops;
  dnnl_memory_desc_t src, wei, bia, dst;
  tsr_tensor weights, bias;
};
int tsr_onednn_conv_describe(struct tsr_onednn_conv_desc* d, const tsr_conv_params* params, int transposed,
                             const tsr_tensor* x, const float* weights, const float* bias, const tsr_tensor* y,
                             int any_layout);
void tsr_onednn_conv_desc_release(struct tsr_onednn_conv_desc* d);

/// oneDNN's convolution backward on the same tensors as tessera's conv backward op: calls[0]
/// backward data (dy -> dx with `weights`), calls[1] backward weights (x, dy -> dw and, when db is
/// not NULL, db), in tessera's weight layout (as tsr_onednn_conv_call). Returns 0, or -1 (nothing
/// to destroy).
int tsr_onednn_conv_backward_calls(tsr_onednn_call calls[2], const tsr_conv_params* p, const tsr_tensor* x,
                                   const float* weights, const tsr_tensor* dy, const tsr_tensor* dx, float* dw,
                                   float* db);

/// oneDNN's convolution in the layouts it chooses (blocked), as a benchmark peer: creation
/// reorders the weights and x into them once (and y, for the sum post-op). Executing runs the
/// convolution alone, or with `reorders` the whole trip from x's layout and back to y's (x
/// reordered in, the convolution, the result reordered out into y), what a caller whose
/// tensors are plain pays. params->algorithm winograd asks oneDNN for its Winograd convolution,
/// falling back to its direct one where it has none (`implementation` names what it chose).
/// Returns 0, or -1 with a message on stderr.
typedef struct tsr_onednn_conv {
  tsr_onednn_call conv;            /* the primitive bound to the blocked memories */
  dnnl_primitive_t x_in, y_in, y_out; /* reorders: x to src, y to dst (sum), dst to y */
  dnnl_memory_t user_x, user_y;
  int reorders, sum;
  char implementation[64];
} tsr_onednn_conv;
int tsr_onednn_conv_create(tsr_onednn_conv* c, const tsr_conv_params* params, const tsr_tensor* x,
                           const float* weights, const float* bias, const tsr_tensor* y, int reorders);
void tsr_onednn_conv_execute(void* c);
void tsr_onednn_conv_destroy(tsr_onednn_conv* c);

/// oneDNN's deconvolution for a tessera transposed convolution (tsr_deconv_create's params and
/// weights [in][out / groups][kernel...]); the end padding, negative for output padding, follows
/// from x's and y's shapes. Returns 0, or -1.
int tsr_onednn_deconv_call(tsr_onednn_call* call, const tsr_conv_params* params, const tsr_tensor* x,
                           const float* weights, const float* bias, const tsr_tensor* y);

/// Sets the thread count oneDNN's OpenMP runtime uses for later primitives.
void tsr_onednn_set_threads(int threads);

/// oneDNN's forward-inference RNN primitive bound to a tessera layer's tensors, with the weights
/// converted once (plain ldigo / ldgo: oneDNN packs them itself at each execution, as any
/// caller passing plain weights gets).
typedef struct tsr_onednn_rnn {
  tsr_onednn_call call;
  float *weights_layer, *weights_iter, *bias;
} tsr_onednn_rnn;

/// Creates it for the arguments of tsr_onednn_rnn_run; execute rnn->call as often as wanted.
/// Returns 0, or -1 with a message (and nothing to destroy).
int tsr_onednn_rnn_create(tsr_onednn_rnn* rnn, const tsr_rnn_params* params, const tsr_rnn_weights* weights,
                          size_t batch, size_t time, const float* x, const float* h0, const float* c0, float* y,
                          float* h_n, float* c_n);
void tsr_onednn_rnn_destroy(tsr_onednn_rnn* rnn);

/// Runs oneDNN's forward-inference RNN (vanilla_rnn, lstm, gru or lbr_gru) for a tessera layer
/// with PyTorch-layout weights (converted here to ldigo, gates reordered, biases summed), h0
/// and c0 given, x and y as tsr_rnn_create's run takes them; fills y (all steps), h_n and c_n
/// (LSTM). oneDNN runs each direction of a deep bidirectional stack separately, so only 1-layer
/// bidirectional or unidirectional stacks with input_size = hidden_size match tessera. Returns
/// 0, or -1 with a message.
int tsr_onednn_rnn_run(const tsr_rnn_params* params, const tsr_rnn_weights* weights, size_t batch,
                       size_t time, const float* x, const float* h0, const float* c0, float* y,
                       float* h_n, float* c_n);

/// Scaled dot-product attention composed from oneDNN primitives, as a oneDNN 2.x user writes
/// it: a matmul for Q K^T (the scale as output scale, the causal or key-padding mask as an
/// additive binary post-op), softmax in place over the stored scores, a matmul for P V. Queries
/// of the heads sharing a kv head are stacked as rows ([B, Hkv, group Lq, .]), so GQA needs no
/// copies. Tensors are plain [B, H, L, d]; key_mask, when not NULL, is [B, Lk] (nonzero keeps).
typedef struct tsr_onednn_sdpa {
  tsr_onednn_call scores, softmax, output;
  float* score_buffer; /* B x H x Lq x Lk */
  float* mask;         /* additive, or NULL */
} tsr_onednn_sdpa;

/// Returns 0, or -1 with a message (and nothing to destroy).
int tsr_onednn_sdpa_create(tsr_onednn_sdpa* sdpa, size_t batch, size_t heads, size_t kv_heads, size_t q_len,
                           size_t kv_len, size_t head_dim, size_t v_dim, float scale, tsr_causal_mode causal,
                           const uint8_t* key_mask, const float* q, const float* k, const float* v, float* o);
/// Runs the three primitives; returns 0, or -1 with a message.
int tsr_onednn_sdpa_execute(const tsr_onednn_sdpa* sdpa);
void tsr_onednn_sdpa_destroy(tsr_onednn_sdpa* sdpa);

#ifdef __cplusplus
}
#endif

#endif
