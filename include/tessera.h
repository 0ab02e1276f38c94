/* tessera: neural-network layers on CPUs.
 *
 * This header is the whole public contract: if it is not in this file, it is not API.
 *
 * Conventions
 * - Every call that can fail returns a tsr_status. On failure, tsr_last_error_message() on the
 *   same thread names the argument that was wrong and why, and every output of the call
 *   (tensors, handles, structs) is left exactly as it was.
 * - Objects are created by tsr_<object>_create*() and released by tsr_<object>_destroy();
 *   destroying NULL does nothing.
 * - Tensor dims are always given in logical order (N, C, spatial...) whatever the memory layout,
 *   as in oneDNN: the layout only decides where each element lives.
 *
 * Thread safety
 * - tsr_op objects are immutable after creation: tsr_op_run() may be called on one op from
 *   several application threads at once, each with its own tensors. Weights are packed once, at
 *   creation, and a run never re-packs them, whatever batch size it is given.
 * - A tsr_threadpool may be shared by several application threads: concurrent runs on one pool
 *   are serialized (each waits for the pool), and a run started from inside a pool task runs on
 *   the calling thread instead of deadlocking.
 * - tsr_op_destroy() and tsr_threadpool_destroy() must not race with any other use of the
 *   object they destroy.
 * - Everything else (version, status strings, CPU queries, tensor descriptor helpers, tsr_sgemm)
 *   is thread-safe.
 *
 * Memory
 * - Every thread that runs matrix-multiply work (the calling thread and pool workers) keeps a
 *   packing buffer of up to about 2 MiB for its lifetime, so steady-state runs allocate nothing;
 *   it is freed when the thread exits.
 */
#ifndef TESSERA_H
#define TESSERA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TSR_BUILDING_SHARED)
#define TSR_API __attribute__((visibility("default")))
#else
#define TSR_API
#endif

/* ---------------------------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------------------------- */

#define TESSERA_VERSION_MAJOR 0
#define TESSERA_VERSION_MINOR 1
#define TESSERA_VERSION_PATCH 0
#define TESSERA_VERSION_STRING "0.1.0"
/* One number that compares in release order: major * 10000 + minor * 100 + patch. */
#define TESSERA_VERSION \
  (TESSERA_VERSION_MAJOR * 10000 + TESSERA_VERSION_MINOR * 100 + TESSERA_VERSION_PATCH)

/// The version of the library actually linked, as TESSERA_VERSION computes it. Compare it with
/// the TESSERA_VERSION a program was compiled against to catch a mismatched shared library.
TSR_API uint32_t tsr_version(void);
/// The linked library's version as "major.minor.patch".
TSR_API const char* tsr_version_string(void);

/* ---------------------------------------------------------------------------------------------
 * Status and error messages
 * ------------------------------------------------------------------------------------------- */

typedef enum tsr_status {
  tsr_status_success = 0,
  /// An argument is NULL, out of range, inconsistent with another, or its size overflows.
  tsr_status_invalid_parameter = 1,
  /// The arguments are valid but this combination is not implemented.
  tsr_status_unsupported_parameter = 2,
  /// The CPU lacks an instruction set the request needs.
  tsr_status_unsupported_hardware = 3,
  /// A memory allocation failed.
  tsr_status_out_of_memory = 4,
  /// The object is not in a state that allows the call (e.g. a handle of the wrong kind).
  tsr_status_invalid_state = 5,
  /// A system call failed (e.g. a thread could not be started).
  tsr_status_system_error = 6,
} tsr_status;

/// A constant, human-readable name of a status ("invalid parameter"); "unknown status" for a
/// value outside the enum. Never NULL.
TSR_API const char* tsr_status_string(tsr_status status);

/// The detail message of the last call that failed on this thread, e.g.
/// "tsr_tensor_desc_init: dims[2] is 0; every dimension must be at least 1". Valid until the
/// next failing call on this thread; "" if none failed yet. Never NULL.
TSR_API const char* tsr_last_error_message(void);

/* ---------------------------------------------------------------------------------------------
 * CPU instruction sets
 * ------------------------------------------------------------------------------------------- */

typedef enum tsr_isa {
  tsr_isa_scalar = 0,  ///< portable C, no SIMD intrinsics
  tsr_isa_avx2 = 1,    ///< x86-64 AVX2 + FMA3
  tsr_isa_avx512 = 2,  ///< x86-64 AVX-512 F + BW + DQ + VL
  tsr_isa_neon = 3,    ///< AArch64 Advanced SIMD
} tsr_isa;

/// The best instruction set this CPU and OS support (detected once, thread-safely).
TSR_API tsr_isa tsr_cpu_detected_isa(void);
/// The instruction set kernels are chosen for: the detected one, capped by the environment
/// variable TESSERA_MAX_ISA=scalar|avx2|avx512|neon (read once, at the first query). Ops pick
/// their kernels when they are created, so the cap must be set before the first op is created.
TSR_API tsr_isa tsr_cpu_isa_in_use(void);
/// NULL if TESSERA_MAX_ISA is unset or valid; otherwise a message saying why it was ignored.
TSR_API const char* tsr_cpu_isa_cap_warning(void);
/// "scalar", "avx2", "avx512", "neon"; "unknown" otherwise.
TSR_API const char* tsr_isa_name(tsr_isa isa);
/// The number of logical CPUs online (at least 1).
TSR_API uint32_t tsr_cpu_count(void);

/* ---------------------------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------------------------- */

#define TSR_MAX_DIMS 8

typedef enum tsr_dtype {
  tsr_dtype_undefined = 0,
  tsr_dtype_f32 = 1,  ///< IEEE 754 binary32
  tsr_dtype_s32 = 2,  ///< 32-bit signed integer (indices, labels)
  tsr_dtype_u8 = 3,   ///< unsigned byte (boolean masks: nonzero is true)
} tsr_dtype;

/// Where each element of a tensor lives. Dims are always listed in logical order (N, C,
/// spatial...); the layout maps them to memory.
typedef enum tsr_layout {
  tsr_layout_undefined = 0,
  /// Row-major in logical order: the last dim is contiguous. For 3/4/5-D activations this is
  /// NCW / NCHW / NCDHW.
  tsr_layout_plain = 1,
  tsr_layout_nchw = tsr_layout_plain,
  /// Channels last: N, spatial..., C, with C contiguous (NWC / NHWC / NDHWC). 3 to 5 dims.
  tsr_layout_nhwc = 2,
  /// Channel-blocked, as oneDNN's nChw4c / nChw8c / nChw16c (and nCw.c, nCdhw.c): channels are
  /// split into blocks of 4 / 8 / 16, the block is innermost, and the channel count is padded up
  /// to a whole block (padding elements are zero). 3 to 5 dims. The SIMD width decides the
  /// block: 4 on NEON, 8 on AVX2, 16 on AVX-512. tsr_identity_create reorders into and out of
  /// them; convolution (one group), pooling, batch norm and the elementwise binary ops run on
  /// them directly, so a chain of those layers stays blocked between one reorder in and one out
  /// (or none in: a convolution takes a plain or nhwc image into a blocked y, tsr_conv_create).
  tsr_layout_nchw4c = 3,
  tsr_layout_nchw8c = 4,
  tsr_layout_nchw16c = 5,
  /// Any strides, given explicitly by tsr_tensor_desc_init_strided().
  tsr_layout_strided = 6,
} tsr_layout;

typedef struct tsr_tensor_desc {
  tsr_dtype dtype;
  tsr_layout layout;
  int32_t ndims;                   ///< 1 to TSR_MAX_DIMS
  int64_t dims[TSR_MAX_DIMS];      ///< logical order; each at least 1
  /// Element strides per logical dim. For plain, nhwc and strided layouts they locate every
  /// element; for blocked layouts they are 0 (the layout alone defines the arrangement).
  int64_t strides[TSR_MAX_DIMS];
} tsr_tensor_desc;

/// A tensor: its description and its data (not owned).
typedef struct tsr_tensor {
  tsr_tensor_desc desc;
  void* data;
} tsr_tensor;

/// Fills *desc for a dense tensor of the given layout (any except tsr_layout_strided).
/// Returns tsr_status_invalid_parameter (desc untouched) if desc or dims is NULL, ndims is
/// outside 1..TSR_MAX_DIMS or outside 3..5 for nhwc/blocked layouts, a dim is below 1, the dtype
/// or layout is unknown, or the element count or byte size overflows.
TSR_API tsr_status tsr_tensor_desc_init(tsr_tensor_desc* desc, tsr_dtype dtype, tsr_layout layout,
                                        int32_t ndims, const int64_t* dims);

/// Fills *desc with explicit element strides (layout tsr_layout_strided). Strides may be 0 (a
/// broadcast dim) but not negative. Same errors as tsr_tensor_desc_init(), plus a NULL or
/// negative stride, or an addressed span that overflows.
TSR_API tsr_status tsr_tensor_desc_init_strided(tsr_tensor_desc* desc, tsr_dtype dtype,
                                                int32_t ndims, const int64_t* dims,
                                                const int64_t* strides);

/// The number of logical elements (the product of dims). 0 for an invalid desc.
TSR_API size_t tsr_tensor_desc_elements(const tsr_tensor_desc* desc);
/// The number of bytes the data spans, blocked padding included. 0 for an invalid desc.
TSR_API size_t tsr_tensor_desc_bytes(const tsr_tensor_desc* desc);
/// Bytes per element of a dtype; 0 for an unknown dtype.
TSR_API size_t tsr_dtype_size(tsr_dtype dtype);
/// "plain", "nhwc", "nchw8c", ...; "unknown" otherwise.
TSR_API const char* tsr_layout_name(tsr_layout layout);

/* ---------------------------------------------------------------------------------------------
 * Thread pool
 * ------------------------------------------------------------------------------------------- */

typedef struct tsr_threadpool tsr_threadpool;

/// Creates a pool of `threads` threads (0 = one per online CPU), the calling thread included:
/// a pool of N starts N-1 workers, and the thread that runs an op works too. Workers are
/// persistent; between runs they spin for the pool's spin count, then sleep. A run never waits
/// for a worker that is still waking up: once every piece of work is taken it waits only for
/// the workers that took some, and a worker that wakes later leaves the finished run alone.
/// The backend (native pool or OpenMP) is chosen when the library is built;
/// tsr_threadpool_backend_name() says which.
/// Errors: invalid_parameter (pool NULL, threads above 1024), out_of_memory, system_error.
TSR_API tsr_status tsr_threadpool_create(uint32_t threads, tsr_threadpool** pool);

/// How the embedding application runs a function on one of its threads. It must eventually
/// call task(task_arg) exactly once, on any thread (the caller included, even synchronously).
typedef void (*tsr_executor_schedule_fn)(void* executor_context, void (*task)(void* task_arg),
                                         void* task_arg);

/// Creates a pool that starts no threads of its own: each parallel run schedules up to
/// threads-1 helper tasks through `schedule` and works on the calling thread as well. Helpers
/// that start late, or never, cost nothing but idle time: the caller finishes the work itself
/// and never waits for a helper that has not started, so a busy executor cannot deadlock it.
/// `executor_context` must outlive the pool and any helper task still queued.
/// Errors: invalid_parameter (pool or schedule NULL, threads 0 or above 1024), out_of_memory.
TSR_API tsr_status tsr_threadpool_create_with_executor(uint32_t threads,
                                                       tsr_executor_schedule_fn schedule,
                                                       void* executor_context,
                                                       tsr_threadpool** pool);

/// Sets how many pause iterations an idle worker (and a caller waiting for workers) spins
/// before it sleeps on a futex. 0 = sleep at once. The default, 1000, is about 24 microseconds
/// on AMD Zen 3 (a pause takes about 24 ns there) and up to about 40 on recent Intel cores.
/// Servers that share cores with other work may want 0; latency-bound callers more. Safe to
/// call at any time, from any thread. Ignored by the OpenMP backend, whose waiting is set by
/// OMP_WAIT_POLICY. Errors: invalid_parameter (pool NULL).
TSR_API tsr_status tsr_threadpool_set_spin(tsr_threadpool* pool, uint32_t spin_iterations);

/// The number of threads that work on a run (the caller included); 1 for a NULL pool.
TSR_API uint32_t tsr_threadpool_threads(const tsr_threadpool* pool);
/// "native", "openmp" or "executor"; "none" for a NULL pool.
TSR_API const char* tsr_threadpool_backend_name(const tsr_threadpool* pool);

/// Stops and joins the workers. NULL does nothing.
TSR_API void tsr_threadpool_destroy(tsr_threadpool* pool);

/* ---------------------------------------------------------------------------------------------
 * Activations (elementwise functions, also fused into the ops that accept them)
 * ------------------------------------------------------------------------------------------- */

typedef enum tsr_activation_kind {
  tsr_activation_none = 0,          ///< y = x
  tsr_activation_relu = 1,          ///< y = max(x, 0)
  tsr_activation_clamp = 2,         ///< y = min(max(x, alpha), beta); ReLU6: alpha 0, beta 6
  tsr_activation_leaky_relu = 3,    ///< y = x > 0 ? x : alpha * x
  tsr_activation_elu = 4,           ///< y = x > 0 ? x : alpha * (exp(x) - 1)
  /// y = 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1)); alpha and beta
  /// are ignored (SELU's constants are fixed)
  tsr_activation_selu = 5,
  tsr_activation_gelu_erf = 6,      ///< y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))
  /// y = 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), PyTorch's approximate='tanh'
  tsr_activation_gelu_tanh = 7,
  tsr_activation_sigmoid = 8,       ///< y = 1 / (1 + exp(-x))
  /// y = min(max(alpha x + beta, 0), 1); PyTorch's Hardsigmoid is alpha 1/6, beta 1/2;
  /// Keras' hard_sigmoid alpha 0.2, beta 0.5
  tsr_activation_hard_sigmoid = 9,
  tsr_activation_tanh = 10,         ///< y = tanh(x)
  tsr_activation_softplus = 11,     ///< y = log(1 + exp(alpha x)) / alpha, alpha > 0 (1 usual)
  tsr_activation_softsign = 12,     ///< y = x / (1 + |x|)
  tsr_activation_silu = 13,         ///< y = x * sigmoid(alpha x): swish; alpha 1 is SiLU
  tsr_activation_hard_swish = 14,   ///< y = x * min(max(x + 3, 0), 6) / 6
  tsr_activation_mish = 15,         ///< y = x * tanh(log(1 + exp(x)))
  tsr_activation_exp = 16,          ///< y = exp(x)
  tsr_activation_log = 17,          ///< y = log(x) (NaN below 0, -inf at 0)
  tsr_activation_abs = 18,          ///< y = |x|
  tsr_activation_square = 19,       ///< y = x * x
  tsr_activation_sqrt = 20,         ///< y = sqrt(x) (NaN below 0)
} tsr_activation_kind;

/// An activation and its parameters (alpha and beta as each kind says; unused ones ignored).
///
/// Accuracy, against the function evaluated in double precision, over the whole float range
/// including tiny, huge, negative, subnormal and special inputs (for outputs below 2^-126 in
/// magnitude an ulp is 2^-149): the vectorized kernels that run on AVX2, AVX-512 and NEON are
/// within 2 ulp for exp and log, 3 for sigmoid and tanh, 4 for silu and gelu_tanh, 7 for gelu_erf;
/// every other kind, and every kind under TESSERA_MAX_ISA=scalar, is within 1 ulp (none, relu,
/// clamp and abs exactly): the portable path evaluates the composite functions in double
/// precision and rounds once. tests/kernels/f32-vunary-test.c and tests/activation-test.c hold
/// every kernel to its bound (silu with |alpha| below 1e-18 excepted: x sigmoid(alpha x) below
/// 2^-126 may then be flushed to 0).
/// NaN inputs give NaN; infinities give the function's limit (e.g. sigmoid(-inf) = 0,
/// gelu(-inf) = 0, softsign(inf) = 1).
typedef struct tsr_activation {
  tsr_activation_kind kind;
  float alpha;
  float beta;
} tsr_activation;

/* ---------------------------------------------------------------------------------------------
 * Ops
 * ------------------------------------------------------------------------------------------- */

typedef struct tsr_op tsr_op;

typedef enum tsr_op_kind {
  tsr_op_kind_eltwise = 1,
  tsr_op_kind_dense = 2,
  tsr_op_kind_softmax = 3,
  tsr_op_kind_layer_norm = 4,
  tsr_op_kind_batch_norm = 5,
  tsr_op_kind_batch_norm_training = 6,
  tsr_op_kind_group_norm = 7,
  tsr_op_kind_dropout = 8,
  tsr_op_kind_embedding = 9,
  tsr_op_kind_softmax_cross_entropy = 10,
  tsr_op_kind_eltwise_backward = 11,
  tsr_op_kind_softmax_backward = 12,
  tsr_op_kind_dense_backward = 13,
  tsr_op_kind_layer_norm_backward = 14,
  tsr_op_kind_batch_norm_backward = 15,
  tsr_op_kind_prelu = 16,
  tsr_op_kind_prelu_backward = 17,
  tsr_op_kind_conv = 18,
  tsr_op_kind_pool = 19,
  tsr_op_kind_conv_backward = 20,
  tsr_op_kind_pool_backward = 21,
  tsr_op_kind_deconv = 22,
  tsr_op_kind_separable_conv = 23,
  tsr_op_kind_pad = 24,
  tsr_op_kind_upsample = 25,
  tsr_op_kind_reshape = 26,
  tsr_op_kind_flatten = 27,
  tsr_op_kind_permute = 28,
  tsr_op_kind_identity = 29,
  tsr_op_kind_rnn = 30,
  tsr_op_kind_rnn_cell = 31,
  tsr_op_kind_attention = 32,
  tsr_op_kind_sdpa = 33,
  tsr_op_kind_multihead_attention = 34,
  tsr_op_kind_transformer_encoder_layer = 35,
  tsr_op_kind_transformer_decoder_layer = 36,
  tsr_op_kind_transformer = 37,
  tsr_op_kind_binary = 38,
} tsr_op_kind;

/// Runs `op` on `inputs` and writes `outputs`; the order and meaning of the tensors is given by
/// each op's create function. Shapes are taken from the tensors at each run, so one op serves
/// any batch size. `pool` may be NULL (run on the calling thread). Ops with optional trailing
/// inputs (initial states, masks) take fewer inputs to leave them out.
/// Safe to call concurrently on the same op with different outputs.
/// With TESSERA_VERBOSE=1 in the environment (read at the first run), each run that passes the
/// argument checks prints one line to stderr, as ONEDNN_VERBOSE does:
/// "tessera_verbose,exec,<tsr_op_describe: op, chosen kernel, ISA>,src:<dims>:<layout>,
/// dst:<dims>:<layout>,<status>,<milliseconds> ms" (composite ops print their inner ops too).
/// Errors: invalid_parameter (op NULL or not an op, wrong tensor counts, NULL data, shapes or
/// dtypes that do not fit the op), unsupported_parameter (a layout or stride the op does not
/// handle), out_of_memory. On failure no output element is written.
TSR_API tsr_status tsr_op_run(const tsr_op* op, size_t num_inputs, const tsr_tensor* inputs,
                              size_t num_outputs, const tsr_tensor* outputs,
                              tsr_threadpool* pool);

/// The kind of op; 0 for NULL or a pointer that is not an op.
TSR_API tsr_op_kind tsr_op_get_kind(const tsr_op* op);

/// What the op is and which implementation it chose at creation, e.g.
/// "eltwise:clamp[0,6] impl=tsr_f32_vclamp_ukernel__avx2_u16 isa=avx2". Valid while the op
/// lives; "(null)" for NULL.
TSR_API const char* tsr_op_describe(const tsr_op* op);

/// Releases the op and its packed data. NULL does nothing.
TSR_API void tsr_op_destroy(tsr_op* op);

/// Elementwise activation: one input, one output, same dims, dtype f32, and the same dense
/// layout (plain, nhwc or blocked; not strided; blocked channel padding stays zero). The output
/// may be the input itself (in place).
/// Errors: invalid_parameter (op or activation NULL, unknown kind, clamp bounds NaN or
/// alpha > beta, a non-finite alpha or beta where the kind uses it, softplus alpha <= 0),
/// out_of_memory.
TSR_API tsr_status tsr_eltwise_create(const tsr_activation* activation, tsr_op** op);

typedef enum tsr_binary_kind {
  tsr_binary_add = 1,  ///< y = a + b
  tsr_binary_sub = 2,  ///< y = a - b
  tsr_binary_mul = 3,  ///< y = a * b
  tsr_binary_div = 4,  ///< y = a / b (IEEE: x / 0 is +-inf, 0 / 0 NaN)
  tsr_binary_max = 5,  ///< y = max(a, b), NaN if either is NaN (unlike fmaxf); either zero for +-0
  tsr_binary_min = 6,  ///< y = min(a, b), NaN if either is NaN; either zero for +-0
} tsr_binary_kind;

/// Elementwise binary op with NumPy broadcasting: y = activation(a op b), activation NULL (or
/// kind none) for none; fused, it runs on each slice of y while that slice is in cache.
/// Run with inputs[0] = a, inputs[1] = b, outputs[0] = y, all f32. Dims are aligned from the last
/// one; y has as many dims as the larger input, and each of y's dims is the larger of a's and
/// b's there, where each input's dim is either y's or 1 (a missing leading dim counts as 1): a
/// bias [C] added to [N, C], a per-channel scale [1, C, 1, 1] or [N, C, 1, 1] (squeeze-excite)
/// on [N, C, H, W], a per-pixel [N, 1, H, W] map, or one value. Dims are logical, so with y in
/// nhwc a plain [1, C, 1, 1] input is the per-channel case of that layout.
/// Layouts: y plain or nhwc, each input plain, nhwc or strided (any layout mix works; when the
/// innermost contiguous run of y is strided in an input, that input is gathered in chunks: the
/// slower path); or y blocked (nchw4c/8c/16c) with each input either of y's dims and layout or a
/// single element, padding kept at zero.
/// Each element is one IEEE operation in f32, so results are exact to the last bit, the same on
/// every ISA, thread count and layout (max/min aside from the sign of a zero result and which
/// NaN). y may be inputs[0] or inputs[1] itself when that input has y's dims and layout; other
/// overlaps are not allowed.
/// Errors: invalid_parameter (op NULL, unknown kind, a bad activation as tsr_eltwise_create),
/// out_of_memory. At run: invalid_parameter (dims that do not broadcast to y's, non-f32),
/// unsupported_parameter (a strided y, blocked layouts other than as above).
TSR_API tsr_status tsr_binary_create(tsr_binary_kind kind, const tsr_activation* activation,
                                     tsr_op** op);

/* ---------------------------------------------------------------------------------------------
 * Spatial layers
 * ------------------------------------------------------------------------------------------- */

typedef enum tsr_padding_mode {
  tsr_padding_explicit = 0, ///< padding_begin / padding_end as given (asymmetric allowed)
  /// output = ceil(input / stride); the padding needed is split as TensorFlow / Keras do, the
  /// extra element at the end
  tsr_padding_same = 1,
  tsr_padding_valid = 2,    ///< no padding
} tsr_padding_mode;

/// Which convolution algorithms tsr_conv_create may choose (oneDNN's algorithm kinds).
typedef enum tsr_conv_algorithm {
  /// the fastest by the library's measured rules: may pick Winograd for 2-D 3x3 stride-1 layers,
  /// whose results differ from a direct convolution's by rounding (see tsr_conv_create)
  tsr_conv_algorithm_auto = 0,
  /// direct algorithms only (GEMM, indirect GEMM, depthwise): never Winograd, so results are
  /// exact wherever tsr_conv_create says a direct sum is
  tsr_conv_algorithm_direct = 1,
  /// Winograd F(4x4, 3x3): 2-D, 3x3 kernel, stride 1, dilation 1, one group; any padding
  tsr_conv_algorithm_winograd = 2,
} tsr_conv_algorithm;

/// A convolution's geometry. Spatial arrays are outermost first: [w] for 1-D, [h, w] for 2-D,
/// [d, h, w] for 3-D; entries past spatial_ndims are ignored.
typedef struct tsr_conv_params {
  int32_t spatial_ndims;        ///< 1, 2 or 3
  int64_t in_channels, out_channels;
  int64_t groups;               ///< divides both channel counts; depthwise is groups = in_channels
  int64_t kernel[3];            ///< at least 1
  int64_t stride[3];            ///< at least 1
  int64_t dilation[3];          ///< at least 1 (1 = dense, PyTorch's convention; oneDNN counts from 0)
  tsr_padding_mode padding_mode;
  int64_t padding_begin[3];     ///< explicit mode: at least 0
  int64_t padding_end[3];
  tsr_activation activation;    ///< fused into the output (kind 0: none)
  /// y = activation(conv(x) + bias + sum_scale * y): 0 overwrites y (it is not read); 1 adds
  /// what y holds before the activation, as residual blocks need (relu(conv + residual)).
  float sum_scale;
  /// tsr_conv_create only (transposed convolution and the backward pass ignore it, but it must
  /// still be a tsr_conv_algorithm value); zero-initialized params get auto
  tsr_conv_algorithm algorithm;
} tsr_conv_params;

/// The output dims for input dims [N, C_in, spatial...] (logical order, spatial_ndims + 2 of
/// them): [N, C_out, out...], out = floor((in + pad_begin + pad_end - dilation (kernel - 1) -
/// 1) / stride) + 1. Writes nothing on failure. Errors: invalid_parameter (NULL pointers, bad
/// parameters as tsr_conv_create, input channels differing from in_channels, a kernel larger
/// than the padded input, an output size below 1, sizes that overflow).
TSR_API tsr_status tsr_conv_output_shape(const tsr_conv_params* params, int32_t ndims,
                                         const int64_t* input_dims, int64_t* output_dims);

/// Convolution (1-D, 2-D or 3-D; grouped and depthwise by `groups`): y[n, o, p] =
/// activation(bias[o] + sum over the group's input channels i and kernel taps k of
/// x[n, i, p * stride + k * dilation - pad_begin] * w[o, i, k] + sum_scale * y[n, o, p]). Weights are
/// [out_channels][in_channels / groups][kernel...] as PyTorch stores them, copied at creation;
/// bias is out_channels floats or NULL. Run with inputs[0] = x [N, C_in, spatial...] and
/// outputs[0] = y [N, C_out, out...] (tsr_conv_output_shape), f32, both plain (NCW / NCHW /
/// NCDHW), both nhwc, or (one group or depthwise) both in one blocked layout (nchw4c/8c/16c;
/// x's padding lanes must be zero, as every op writes them; y's are written zero). A network's
/// first layer may also take a plain or nhwc x into a blocked y (one group, not under
/// TESSERA_CONV=reference), so that a blocked chain starts from the image itself: x is read as
/// one block of all C_in channels (a 3-channel image as 3 values a pixel, never padded to a
/// block), nhwc in place and plain through a reorder to nhwc one batch item at a time. The
/// algorithm is chosen at creation (the op's description names it, and after `blocked=` what
/// blocked tensors run: Winograd layers Winograd, with results equal to the nhwc run's;
/// depthwise ones the depthwise kernel on each channel block; every other the indirect GEMM's
/// kernel over one pointer per tap and channel block, no reorder, its weights padded to whole
/// blocks on the first blocked run that needs it, under a lock, and kept):
/// under tsr_conv_algorithm_auto, 2-D 3x3 stride-1 layers of one group with at least 16 input
/// and output channels run Winograd F(4x4, 3x3) (those with in x out channels >= 512 x 512 keep
/// the indirect GEMM too and use it for runs of fewer than 8 tiles of 4x4 pixels per thread);
/// otherwise, and always under tsr_conv_algorithm_direct, 1x1 stride-1 layers run on the GEMM
/// engine (plain, with at least 512 output pixels: smaller plain images run as nhwc through the
/// reorders) or an indirect GEMM (nhwc), depthwise layers on a depthwise kernel, every other
/// layer on an indirect GEMM (no im2col copy); nhwc is the fast layout, plain tensors are
/// reordered to it and back one batch item at a time (except those 1x1 layers on the GEMM
/// engine). The direct algorithms sum in f32 with FMA, each output's bias, taps and channels in a fixed order that
/// does not depend on the thread count: exact for integer-valued data whose partial sums stay
/// below 2^24, otherwise within the usual f32 dot-product error (about k x 2^-24 relative to the
/// sum of |x w| over k = C_in / groups x taps terms). Winograd also gives results that do not
/// depend on the thread count, but is not exact: its transformed weights are rounded to f32 and
/// its transforms amplify rounding. Its error is held, in the tests, to |y - y_exact| <= 16 (C_in
/// + 2) 2^-24 R with R = 9 max|x| max|w| + max|bias| + |sum_scale| max|y_old| (measured on
/// uniform data: at most about half of that, at every channel count). Set algorithm to
/// tsr_conv_algorithm_direct for exact results. TESSERA_CONV=reference at creation selects
/// the reference loop instead (sums in double, rounded once); TESSERA_CONV=igemm the indirect
/// GEMM for every layer, TESSERA_CONV=winograd Winograd for every layer that can take it (unless
/// algorithm is direct). The op keeps the indirection
/// buffers it builds for the input shapes it meets (up to 8, under a lock; runs stay safe to
/// make concurrently).
/// Errors: invalid_parameter (op, params or weights NULL; spatial_ndims outside 1..3; channels,
/// groups, kernel, stride or dilation below 1; groups not dividing the channels; negative
/// padding; an unknown padding mode or algorithm; a bad activation; sizes that overflow; at run,
/// tensors that do not match the op's shape), unsupported_parameter (algorithm winograd on a
/// layer it cannot run; other layouts or mixed ones but the first layer's; blocked tensors on a
/// grouped layer that is not depthwise with multiplier 1, or under TESSERA_CONV=reference; a
/// first layer's on any grouped layer), out_of_memory (also at
/// run: Winograd's buffers, taken before y is written; the blocked path's panels, indirection
/// buffer and scratch; the first layer's reorder of a plain x).
TSR_API tsr_status tsr_conv_create(const tsr_conv_params* params, const float* weights,
                                   const float* bias, tsr_op** op);

/// Transposed convolution's output dims for [N, C_in, spatial...]: [N, C_out, out...] with, per
/// spatial dim (span = dilation (kernel - 1) + 1, op = output_padding or 0):
///   explicit: out = (in - 1) stride - pad_begin - pad_end + span + op (PyTorch's ConvTranspose);
///   valid:    out = (in - 1) stride + span + op;
///   same:     out = in x stride + op (Keras / TensorFlow: the gradient of a same convolution of
///             that size, whose padding it uses: begin = max(span - stride, 0) / 2).
/// `output_padding` (NULL: zeros) adds positions at the end, each below max(stride, dilation)
/// as PyTorch requires. Errors: invalid_parameter (NULL pointers, bad parameters as
/// tsr_deconv_create, input channels differing from in_channels, an output size below 1,
/// sizes that overflow).
TSR_API tsr_status tsr_deconv_output_shape(const tsr_conv_params* params, const int64_t* output_padding,
                                           int32_t ndims, const int64_t* input_dims, int64_t* output_dims);

/// Transposed convolution ("deconvolution"), 1-D to 3-D, grouped: the data gradient of the
/// convolution with the same parameters that maps y's shape to x's, so each input element
/// scatters x[n, i, p] * w[i, o, k] to y[n, o, p * stride + k * dilation - pad_begin]; then
/// y = activation(that + bias[o] + sum_scale * y) as tsr_conv_create. params->in_channels and
/// out_channels are the transposed convolution's own (x's and y's). Weights are
/// [in_channels][out_channels / groups][kernel...], PyTorch's ConvTranspose layout, copied at
/// creation; bias is out_channels floats or NULL. Run with inputs[0] = x [N, C_in, spatial...],
/// outputs[0] = y (tsr_deconv_output_shape), f32, both plain or both nhwc. Runs on the GEMM
/// engine (weights packed at creation) and adds each tap's products into y (col2im), summing in
/// f32 in a fixed order that does not depend on the thread count: exact for integer-valued data
/// whose partial sums stay below 2^24, otherwise within the usual f32 error (about k x 2^-24
/// relative to the sum of |x w| over the k = C_in / groups x taps terms of an output).
/// TESSERA_CONV=reference at creation selects the reference loop (sums in double, rounded once).
/// Errors: as tsr_conv_create, plus output_padding out of range.
TSR_API tsr_status tsr_deconv_create(const tsr_conv_params* params, const int64_t* output_padding,
                                     const float* weights, const float* bias, tsr_op** op);

/* Depthwise convolution is tsr_conv_create with groups = in_channels and out_channels =
 * in_channels x depth multiplier: output channel c x multiplier + j reads input channel c only,
 * with weights [in_channels x multiplier][1][kernel...] (Keras' DepthwiseConv and PyTorch's
 * Conv with groups = in_channels order them the same way). */

/// A separable convolution: a depthwise convolution, then a pointwise (1x1) one.
typedef struct tsr_separable_conv_params {
  /// The depthwise part: groups must equal in_channels, out_channels = in_channels x depth
  /// multiplier. Its activation is applied between the two parts (MobileNet v1 puts a ReLU
  /// there; Keras' SeparableConv puts none); its sum_scale must be 0.
  tsr_conv_params depthwise;
  int64_t out_channels;         ///< of the pointwise part
  tsr_activation activation;    ///< fused into the output, as tsr_conv_params'
  float sum_scale;              ///< as tsr_conv_params': y = activation(... + sum_scale * y)
} tsr_separable_conv_params;

/// Output dims: the depthwise part's (tsr_conv_output_shape) with out_channels channels.
/// Errors: as tsr_conv_output_shape, plus the checks of tsr_separable_conv_create.
TSR_API tsr_status tsr_separable_conv_output_shape(const tsr_separable_conv_params* params, int32_t ndims,
                                                   const int64_t* input_dims, int64_t* output_dims);

/// Separable convolution as one op (Keras' SeparableConv1D/2D, MobileNet's block), 1-D to
/// 3-D: y = activation(pointwise(act_dw(depthwise(x) + depthwise_bias)) + bias + sum_scale y).
/// depthwise_weights: [in_channels x multiplier][1][kernel...]; depthwise_bias: NULL or
/// in_channels x multiplier values; pointwise_weights: [out_channels][in_channels x
/// multiplier]; bias: NULL or out_channels values; all copied at creation. Run with inputs[0] =
/// x and outputs[0] = y (tsr_separable_conv_output_shape), f32, both plain or both nhwc. The
/// intermediate is rounded to f32, as two separate layers would. Errors: invalid_parameter (as
/// tsr_conv_create for each part; depthwise.groups differing from depthwise.in_channels, a
/// depthwise sum_scale other than 0, out_channels below 1, NULL weights), out_of_memory (also
/// at run: the intermediate is allocated per run).
TSR_API tsr_status tsr_separable_conv_create(const tsr_separable_conv_params* params,
                                             const float* depthwise_weights, const float* depthwise_bias,
                                             const float* pointwise_weights, const float* bias,
                                             tsr_op** op);

typedef enum tsr_pooling_kind {
  tsr_pooling_max = 0,                   ///< the largest element (padding never wins)
  /// mean over the window, padding elements (inside the declared padding) counted as zeros
  tsr_pooling_avg_include_padding = 1,
  tsr_pooling_avg_exclude_padding = 2,   ///< mean over the window's input elements only
} tsr_pooling_kind;

/// A pooling's geometry; spatial arrays as in tsr_conv_params. `global` pools each channel's
/// whole spatial extent to one value (kernel, stride and padding are then ignored).
typedef struct tsr_pool_params {
  int32_t spatial_ndims;        ///< 1, 2 or 3
  tsr_pooling_kind kind;
  int global;
  int64_t kernel[3];
  int64_t stride[3];
  tsr_padding_mode padding_mode;
  int64_t padding_begin[3], padding_end[3];
  /// out = ceil(...) instead of floor(...), PyTorch's rule: a last window must start inside
  /// the input or the left padding. Averages never count positions past the declared padding.
  int ceil_mode;
} tsr_pool_params;

/// Output dims for [N, C, spatial...]: out = floor_or_ceil((in + pad_begin + pad_end -
/// kernel) / stride) + 1. Errors: invalid_parameter (NULL pointers, bad parameters, a kernel
/// larger than the padded input, padding larger than half the kernel as PyTorch requires).
TSR_API tsr_status tsr_pool_output_shape(const tsr_pool_params* params, int32_t ndims,
                                         const int64_t* input_dims, int64_t* output_dims);

/// Max or average pooling, 1-D to 3-D (or global). Run with inputs[0] = x [N, C, spatial...]
/// and outputs[0] = y (tsr_pool_output_shape), f32, both plain, both nhwc or both in one blocked
/// layout (nchw4c/8c/16c, run directly; the padding channels stay zero). nhwc and blocked are the
/// fast layouts; plain runs straight from its planes, a call along each output row, when x and
/// y exceed half the last-level cache and the stride along w is 1 or 2, otherwise through
/// reorders to nhwc, a band of rows of a slice of channels at a time in each worker's kept
/// scratch (or a batch item at a time in the calling thread's). Averages are summed in f32 (in
/// window order, rows after rows; 3x3 windows of one vector of channels (blocked layouts) each
/// column's rows first, then the columns; nhwc channel vectors past the kernels'
/// groups of eight, in four partial sums over every fourth tap) and divided with correct rounding
/// (exact for integer data whose sums stay below 2^24); TESSERA_POOL=reference at creation sums in
/// double and rounds once. Max pooling gives NaN where a window holds a NaN. Errors: invalid_parameter (op or params NULL,
/// spatial_ndims outside 1..3, kernel or stride below 1, negative padding, an unknown kind or
/// padding mode; at run, tensors that do not fit), unsupported_parameter (other layouts),
/// out_of_memory (at run: the plain layout's reorder buffers).
TSR_API tsr_status tsr_pool_create(const tsr_pool_params* params, tsr_op** op);

/// Zero or constant padding of the spatial dims (Keras' ZeroPadding1D-3D, PyTorch's
/// ConstantPad1d-3d); spatial arrays as in tsr_conv_params.
typedef struct tsr_pad_params {
  int32_t spatial_ndims;                   ///< 1, 2 or 3
  int64_t padding_begin[3], padding_end[3]; ///< per side, at least 0
  float value;                             ///< what the added elements hold (0: zero padding)
} tsr_pad_params;

/// Output dims for [N, C, spatial...]: each spatial extent + padding_begin + padding_end.
/// Errors: invalid_parameter (NULL pointers, bad parameters as tsr_pad_create, ndims not
/// spatial_ndims + 2, an input extent below 1, sizes that overflow).
TSR_API tsr_status tsr_pad_output_shape(const tsr_pad_params* params, int32_t ndims,
                                        const int64_t* input_dims, int64_t* output_dims);

/// Pads x [N, C, spatial...] into y (tsr_pad_output_shape): the input sits at padding_begin,
/// every other element is `value` (copied exactly, NaN and infinities included). f32, both plain
/// or both nhwc. Errors: invalid_parameter (op or params NULL, spatial_ndims outside 1..3,
/// negative padding or more than 2^40; at run, tensors that do not fit), unsupported_parameter
/// (other layouts).
TSR_API tsr_status tsr_pad_create(const tsr_pad_params* params, tsr_op** op);

typedef enum tsr_resampling_kind {
  tsr_resampling_nearest = 0, ///< the input element whose cell holds the output's centre
  tsr_resampling_linear = 1,  ///< linear in each spatial dim: bilinear in 2-D, trilinear in 3-D
} tsr_resampling_kind;

/// Upsampling (Keras' UpSampling1D-3D, PyTorch's Upsample / interpolate, oneDNN's resampling):
/// per spatial dim, either an integer scale (out = in x scale) or an output size (any size, so
/// downsampling too). Spatial arrays as in tsr_conv_params.
typedef struct tsr_upsample_params {
  int32_t spatial_ndims;       ///< 1, 2 or 3
  tsr_resampling_kind kind;
  /// Linear only: map the corner elements' centres onto each other (PyTorch's
  /// align_corners=True: s = o (in - 1) / (out - 1)) rather than the corners of the cells
  /// (half-pixel centres: s = (o + 0.5) in / out - 0.5, PyTorch's default, TensorFlow 2's and
  /// oneDNN's). Nearest must leave it 0.
  int align_corners;
  int64_t scale[3];            ///< at least 1, or 0 to use size
  int64_t size[3];             ///< the output extent where scale is 0 (at least 1)
} tsr_upsample_params;

/// Output dims for [N, C, spatial...]. Errors: invalid_parameter (NULL pointers, bad
/// parameters as tsr_upsample_create, ndims not spatial_ndims + 2, sizes that overflow).
TSR_API tsr_status tsr_upsample_output_shape(const tsr_upsample_params* params, int32_t ndims,
                                             const int64_t* input_dims, int64_t* output_dims);

/// Resamples x [N, C, spatial...] into y (tsr_upsample_output_shape). Nearest copies input
/// min(floor((o + 0.5) in / out), in - 1), which for integer scales is floor(o / scale), as
/// PyTorch's "nearest" (for other ratios PyTorch's "nearest" floors o x in / out instead; this is
/// its "nearest-exact"). Linear weights the two neighbours of the mapped coordinate (clamped to
/// the input) per dim: rows are interpolated along w, then along h (and d), in f32 with FMA,
/// within 2^-21 (3-D: 2^-20) of the largest magnitude among the output's neighbours of the exact
/// interpolation; a neighbour with weight 0 never enters (an inf there does not make NaN).
/// TESSERA_RESIZE=reference at creation selects the reference loops instead (for pad too),
/// which sum in double and round once. f32, both plain or both nhwc.
/// Errors: invalid_parameter (op or params NULL, spatial_ndims outside 1..3, an unknown kind,
/// align_corners with nearest, a scale below 0, a size below 1 where scale is 0; at run,
/// tensors that do not fit), unsupported_parameter (other layouts).
TSR_API tsr_status tsr_upsample_create(const tsr_upsample_params* params, tsr_op** op);

/* Shape ops. Each copies x into y (inputs[0], outputs[0], f32, any of plain, nhwc or strided
 * layouts, which may differ: identity is also a reorder between them; identity alone also
 * takes the blocked layouts, see tsr_identity_create).
 * Elements are taken in the row-major order of the logical dims, whatever the layout: flatten
 * of an nhwc [N, C, H, W] tensor gives [N, C x H x W] in C, H, W order (PyTorch's order; Keras'
 * channels-last Flatten order is a permute to [N, H, W, C] first). y must not overlap x, except
 * that reshape, flatten and identity may write plain x onto itself (nothing moves). With
 * plain tensors a reshape needs no op at all: describe the same data with the new dims. */

/// The dims of reshape(x) to `shape` (ndims entries): each entry at least 1, or 0 to keep the
/// input's dim at that index (ONNX), or -1 (at most one) for what the element count leaves.
/// Writes *output_ndims = ndims and output_dims. Errors: invalid_parameter (NULL pointers,
/// ndims or input_ndims outside 1..TSR_MAX_DIMS, an entry below -1, more than one -1, a 0 past
/// the input's rank, an element count that differs or does not divide, an input dim below 1).
TSR_API tsr_status tsr_reshape_output_shape(int32_t ndims, const int64_t* shape, int32_t input_ndims,
                                            const int64_t* input_dims, int32_t* output_ndims,
                                            int64_t* output_dims);
/// Reshape to `shape` (as tsr_reshape_output_shape), copied at creation. Errors as that call
/// (the shape alone at creation; the element count at each run).
TSR_API tsr_status tsr_reshape_create(int32_t ndims, const int64_t* shape, tsr_op** op);

/// The dims of flatten(x): axes start_axis..end_axis (inclusive; negative counts from the end)
/// merged into one (PyTorch's flatten; Keras' Flatten is start 1, end -1). Errors:
/// invalid_parameter (NULL pointers, input_ndims outside 1..TSR_MAX_DIMS, axes outside the
/// input's rank or start after end, an input dim below 1).
TSR_API tsr_status tsr_flatten_output_shape(int32_t start_axis, int32_t end_axis, int32_t input_ndims,
                                            const int64_t* input_dims, int32_t* output_ndims,
                                            int64_t* output_dims);
/// Flatten (as tsr_flatten_output_shape). Errors: invalid_parameter (axes outside
/// -TSR_MAX_DIMS..TSR_MAX_DIMS-1 at creation; as tsr_flatten_output_shape at each run).
TSR_API tsr_status tsr_flatten_create(int32_t start_axis, int32_t end_axis, tsr_op** op);

/// The dims of permute(x): output_dims[i] = input_dims[perm[i]] (PyTorch's permute, NumPy's
/// transpose). NCHW to NHWC is perm {0, 2, 3, 1}; NHWC back to NCHW is {0, 3, 1, 2}. Errors:
/// invalid_parameter (NULL pointers, ndims differing from input_ndims or outside
/// 1..TSR_MAX_DIMS, perm not a permutation of 0..ndims-1).
TSR_API tsr_status tsr_permute_output_shape(int32_t ndims, const int32_t* perm, int32_t input_ndims,
                                            const int64_t* input_dims, int64_t* output_dims);
/// Permute the axes by `perm` (copied at creation). Errors as tsr_permute_output_shape.
TSR_API tsr_status tsr_permute_create(int32_t ndims, const int32_t* perm, tsr_op** op);

/// Identity: y = x with the same dims; a layout conversion when the layouts differ (plain to
/// nhwc and back, to or from strided views, and the reorders between plain or nhwc and the
/// blocked layouts nchw4c/8c/16c, or between two blocked ones: y's padding lanes are written
/// zero; not between blocked and strided). Errors: invalid_parameter (op NULL).
TSR_API tsr_status tsr_identity_create(tsr_op** op);

/// Convolution backward (of the convolution itself: a fused activation's or sum's gradient is
/// not included; params' activation and sum_scale are ignored): dx, dW (in the weights'
/// [out][in / groups][kernel...] layout) and db. Weights as tsr_conv_create takes them.
/// Run with inputs [0] x, [1] dy (shaped like the forward output); outputs [0] dx (like x),
/// [1] dW, and optionally [2] db [out_channels]. dx is computed as tsr_deconv_create's output
/// (GEMM and col2im in f32), dW as a GEMM over im2col rows of x (each weight's sum over samples
/// and positions in f32: exact for integer data whose sums stay below 2^24, else within
/// N x positions x 2^-24 of the sum of |dy x| products, the usual f32 bound) and db
/// in double; under TESSERA_CONV=reference at creation, and for tensors other than dense plain
/// or nhwc, all three by the reference loops in double. Errors: as tsr_conv_create.
TSR_API tsr_status tsr_conv_backward_create(const tsr_conv_params* params, const float* weights,
                                            tsr_op** op);

/// Pooling backward: dx from dy. Max pooling routes each output's gradient to the first
/// largest element of its window (the forward's choice, found again in x: no workspace), its
/// first NaN if it holds one; averages spread dy / divisor (the forward's divisor) over the
/// window. Run with inputs [0] x, [1] dy (shaped like the forward output); outputs [0] dx (like
/// x), in the same layout: plain, nhwc or one blocked layout (nchw4c/8c/16c). dx is the
/// reference loop's to the bit (each element's terms added in f32 in the same order), on vector
/// kernels under any thread count. Errors: as tsr_pool_create, and out_of_memory (a task's
/// scratch; dx untouched).
TSR_API tsr_status tsr_pool_backward_create(const tsr_pool_params* params, tsr_op** op);

/// Softmax along one axis: y = exp(x - max) / sum(exp(x - max)), the max and sum taken over
/// `axis` (negative counts from the end: -1 is the last axis). With `logarithmic` set, log-softmax:
/// y = (x - max) - log(sum(exp(x - max))). Run with inputs[0] = x and outputs[0] = y: f32, the
/// same dims and the same plain, nhwc or strided layout (y may be x itself); the axis is checked
/// against x's rank at each run. Rows along a contiguous axis (stride 1) run on SIMD kernels:
/// a vector exp and the sum in double, within 4 ulp of the exact result for softmax (outputs
/// below 2^-126 may be flushed to 0) and within 2 ulp of max(|x - max|, log(sum)) for log-softmax.
/// Rows along a strided axis are reduced in double and rounded once: within 1 ulp (plus 2^-149
/// for subnormal outputs). NaN anywhere in a row makes the row NaN; +inf gives NaN (inf - inf),
/// as IEEE 754 and PyTorch do.
/// Errors: invalid_parameter (op NULL, axis outside -TSR_MAX_DIMS..TSR_MAX_DIMS-1; at run, axis
/// outside the tensor's rank or mismatched tensors), unsupported_parameter (blocked layouts).
TSR_API tsr_status tsr_softmax_create(int32_t axis, int logarithmic, tsr_op** op);

/* Normalizations. Each takes an optional per-feature scale (gamma) and shift (beta), copied at
 * creation (NULL means 1 and 0), and epsilon >= 0, added to the variance. Statistics are
 * accumulated in double precision (layer norm's vector kernels and group norm: f32 blocks
 * carried in double, with the bound their comments state); the variance used to normalize is the
 * biased (population) one.
 * Outputs may alias inputs. */

/// Layer norm over the last `normalized_ndims` axes, whose extents are `normalized_shape`
/// (as PyTorch's LayerNorm): y = (x - mean) / sqrt(var + epsilon) * gamma + beta, mean and var
/// over those axes, gamma and beta of product(normalized_shape) elements. Fused residual: with
/// an optional inputs[1] (like x) the op normalizes x + inputs[1] instead, as a transformer's
/// residual-and-norm step does, each row summed while in cache; an optional outputs[1] (like x)
/// then receives x + inputs[1] (the residual stream a pre-norm block carries on). On AVX2, AVX-512
/// and NEON the statistics are taken in f32 arithmetic (blocks summed in f32 from an origin near
/// the mean, carried in double; in double for rows shorter than 4 vectors or whose squares leave
/// f32's range) and the normalization runs in f32: each output is within 2^-23 * (7 |(x - mean) /
/// sqrt(var + epsilon) * gamma| + 4 |gamma| + 3 |beta|) of the exact value (in double and
/// rounded once under TESSERA_MAX_ISA=scalar). Run with inputs[0] = x
/// and outputs[0] = y: f32, plain layout, same dims, the last axes matching normalized_shape.
/// Errors: invalid_parameter (op or normalized_shape NULL, normalized_ndims outside
/// 1..TSR_MAX_DIMS, an extent below 1, a size overflow, epsilon negative or NaN; at run,
/// mismatched dims), unsupported_parameter (a layout other than plain), out_of_memory.
TSR_API tsr_status tsr_layer_norm_create(int32_t normalized_ndims, const int64_t* normalized_shape,
                                         const float* gamma, const float* beta, float epsilon,
                                         tsr_op** op);

/// Batch norm for inference with given statistics: y = (x - mean[c]) / sqrt(var[c] + epsilon) *
/// gamma[c] + beta[c], c the channel (dim 1). mean and variance are required, `channels` floats
/// each. Run as y = fma(x - mean[c], s[c], beta[c]) in f32 with s[c] = gamma[c] / sqrt(var[c] +
/// epsilon) computed in double and rounded once at creation: within 2 ulp of the larger of
/// |(x - mean) s| and |beta|. Run with inputs[0] = x, outputs[0] = y: f32, dims [N, C, ...] (2 to 5 dims), plain or
/// nhwc, the same for both. Errors: invalid_parameter (op, mean or variance NULL, channels below
/// 1, a negative or NaN variance or epsilon; at run, C differing from channels or mismatched
/// tensors), unsupported_parameter (blocked or strided layouts), out_of_memory.
TSR_API tsr_status tsr_batch_norm_create(int64_t channels, const float* mean, const float* variance,
                                         const float* gamma, const float* beta, float epsilon,
                                         tsr_op** op);

/// Folds an inference batch norm into the convolution or dense layer before it, so one op does
/// both: with s[o] = gamma[o] / sqrt(variance[o] + epsilon) (gamma NULL: 1), every weight of
/// output channel o is multiplied by s[o] and bias[o] becomes (bias[o] - mean[o]) s[o] + beta[o]
/// (beta NULL: 0). weights holds out_channels rows of weights_per_channel floats: for
/// tsr_conv_create's [O, I/groups, k...] weights, (I/groups) x the kernel's extents; for
/// tsr_dense_create's out x in weights, in_features. weights and bias (out_channels floats; pass
/// zeros for a layer without bias) are updated in place, in double, each value rounded once.
/// Thread safety: touches only its arguments.
/// Errors: invalid_parameter (weights, bias, mean or variance NULL; out_channels or
/// weights_per_channel below 1 or their product overflowing; a negative or NaN variance or
/// epsilon); nothing is written on failure.
TSR_API tsr_status tsr_batch_norm_fold(int64_t out_channels, int64_t weights_per_channel,
                                       float* weights, float* bias, const float* mean,
                                       const float* variance, const float* gamma,
                                       const float* beta, float epsilon);

/// How a training batch norm updates its running statistics, with m = momentum in [0, 1]:
typedef enum tsr_momentum_convention {
  /// running = (1 - m) * running + m * batch (PyTorch; its default m is 0.1)
  tsr_momentum_pytorch = 0,
  /// running = m * running + (1 - m) * batch (Keras; its default m is 0.99)
  tsr_momentum_keras = 1,
} tsr_momentum_convention;

/// Batch norm for training: normalizes with the batch's own per-channel mean and biased variance
/// (over N and the spatial dims), and updates running statistics, which are tensors of the run
/// (the op itself stays immutable). The running variance is updated with the unbiased batch
/// variance (count / (count - 1) times the biased one; count = N x spatial), as PyTorch does.
/// Run with
///   inputs:  [0] x (f32, [N, C, ...], plain or nhwc), [1] running_mean [C], [2] running_var [C]
///   outputs: [0] y (like x), [1] new running_mean [C], [2] new running_var [C],
///            [3] batch mean [C], [4] batch biased variance [C] (for a backward pass)
/// The new running statistics may alias the old ones (update in place). The batch's statistics
/// are taken in double (f32-colstats, about each channel's first element) and y = (x - mean) rstd
/// gamma + beta in double, rounded once (f32-dnorm).
/// Errors: invalid_parameter (op NULL, channels below 1, momentum outside [0, 1], an unknown
/// convention, epsilon negative or NaN; at run, mismatched tensors, count below 2),
/// unsupported_parameter (blocked or strided layouts), out_of_memory.
TSR_API tsr_status tsr_batch_norm_training_create(int64_t channels, const float* gamma,
                                                  const float* beta, float epsilon, float momentum,
                                                  tsr_momentum_convention convention, tsr_op** op);

/// Group norm: channels split into `groups` consecutive groups; y = (x - mean) / sqrt(var +
/// epsilon) * gamma[c] + beta[c], mean and var over each sample's group (its channels and all
/// spatial positions). Instance norm is groups == channels. Run with inputs[0] = x, outputs[0] =
/// y: f32, [N, C, ...] (2 to 5 dims), plain or nhwc, the same for both (plain is the faster:
/// nhwc takes its statistics per channel down the pixels and combines them per group, in a
/// per-run allocation). Plain: the statistics as layer norm's vector kernels take them (f32 blocks
/// carried in double, the mean as a float pair m_hi + m_lo), then y = fma(x - m_hi, s, beta[c] -
/// m_lo s) in f32, s = rstd gamma[c]: within 2^-23 (7 |(x - mean) s| + 4 |gamma[c]| + 3 |beta[c]|).
/// nhwc: per-channel sums of x - o_c (o_c the mean of 32 of the channel's pixels) in f32 blocks
/// of 16 pixels carried in double, moved to the group in double; a pass where a sum is not finite,
/// an o_c lies more than a deviation from its channel's mean or a group's var + epsilon is under
/// 2^-100 is taken again in double. Then y = fma(x - x0, s, beta[c] - (mean - x0) s), x0 the
/// o_c of the group's first channel: within 2^-23 (11 |(x - mean) s| + 4 |gamma[c]| +
/// 3 |beta[c]| + 3 |(mean - x0) s|) (3 * 2^-23 (|(x - mean) s| + |beta[c]| + |(mean - x0) s|)
/// with TESSERA_MAX_ISA=scalar, whose sums are all in double).
/// Errors: invalid_parameter (op NULL, channels or groups below 1, groups not dividing channels,
/// epsilon negative or NaN; at run, mismatched tensors), unsupported_parameter (blocked or
/// strided layouts), out_of_memory.
TSR_API tsr_status tsr_group_norm_create(int64_t channels, int64_t groups, const float* gamma,
                                         const float* beta, float epsilon, tsr_op** op);

/// Instance norm: group norm with one group per channel.
TSR_API tsr_status tsr_instance_norm_create(int64_t channels, const float* gamma,
                                            const float* beta, float epsilon, tsr_op** op);

/* Regularization, lookup and loss. */

/// Which elements dropout zeroes together.
typedef enum tsr_dropout_mode {
  tsr_dropout_elementwise = 0, ///< each element on its own (Dropout)
  tsr_dropout_spatial = 1,     ///< whole channels of a sample, x [N, C, ...] (Dropout2d/3d)
  tsr_dropout_sample = 2,      ///< whole samples (stochastic depth / drop path), x [N, ...]
} tsr_dropout_mode;

/// Inverted dropout: in training, each unit (element, channel or sample) is kept with
/// probability 1 - rate and scaled by 1 / (1 - rate), else zeroed; in inference (training 0)
/// y = x. The keep decision of unit u is a function of (seed, u) alone, from the counter-based
/// Philox4x32-10 generator, so a result depends only on the seed, never on the thread count.
/// Masks differ between seeds: create one op per seed (creation allocates nothing else).
/// Run with inputs[0] = x; outputs[0] = y (f32, same dims and layout; may be x), and optionally
/// outputs[1] = mask (f32, like x: the factor each element was multiplied by, 0 or
/// 1 / (1 - rate), for a backward pass). Plain layout, or nhwc for the spatial mode.
/// Errors: invalid_parameter (op NULL, rate outside [0, 1), unknown mode; at run, mismatched
/// tensors, fewer than 2 dims for the spatial and sample modes), unsupported_parameter.
TSR_API tsr_status tsr_dropout_create(float rate, tsr_dropout_mode mode, int training,
                                      uint64_t seed, tsr_op** op);

/// Embedding lookup: y[..., :] = weights[index[...], :], weights num_embeddings x dim (copied
/// at creation). Indices equal to padding_index (0 <= padding_index < num_embeddings; -1 for
/// none) give a row of zeros, whatever the table holds there. Run with inputs[0] = indices (s32,
/// plain, any dims) and outputs[0] = y (f32, plain, the indices' dims plus a last dim of dim).
/// Every index is checked before anything is written: one outside [0, num_embeddings) returns
/// invalid_parameter naming its position and value, and y is untouched.
/// Errors: invalid_parameter (op or weights NULL, sizes below 1 or overflowing, padding_index
/// out of range), out_of_memory.
TSR_API tsr_status tsr_embedding_create(int64_t num_embeddings, int64_t dim, const float* weights,
                                        int64_t padding_index, tsr_op** op);

/// Softmax cross-entropy with integer labels, mean over the samples:
///   loss = mean over n of (log(sum_c exp(logits[n, c])) - logits[n, label[n]])
///   grad[n, c] = (softmax(logits[n])[c] - (c == label[n])) / N
/// Run with inputs[0] = logits (f32, plain, [..., C]: every leading index is a sample),
/// inputs[1] = labels (s32, plain, the logits' leading dims); outputs[0] = loss (f32, 1
/// element), and optionally outputs[1] = grad (f32, like logits). Sums are in double.
/// A label outside [0, C) returns invalid_parameter naming its position, writing nothing.
TSR_API tsr_status tsr_softmax_cross_entropy_create(tsr_op** op);

/* Weight initializers. Values come from the same counter-based generator as dropout: element i
 * depends only on (seed, i). fan_in and fan_out follow the usual conventions (see
 * tsr_dense_fans and tsr_conv_fans). */
typedef enum tsr_initializer {
  tsr_init_zeros = 0,
  tsr_init_ones = 1,
  tsr_init_uniform = 2,        ///< uniform in [a, b)
  tsr_init_normal = 3,         ///< normal, mean a, standard deviation b
  /// Xavier/Glorot uniform: [-l, l), l = gain * sqrt(6 / (fan_in + fan_out)), gain = a (0: 1)
  tsr_init_xavier_uniform = 4,
  /// Xavier/Glorot normal: std = gain * sqrt(2 / (fan_in + fan_out)), gain = a (0: 1)
  tsr_init_xavier_normal = 5,
  /// He/Kaiming uniform (PyTorch): [-l, l), l = sqrt(6 / ((1 + a^2) fan_in)), a the negative slope
  /// of the following leaky ReLU (0 for ReLU)
  tsr_init_he_uniform = 6,
  /// He/Kaiming normal (PyTorch): std = sqrt(2 / ((1 + a^2) fan_in)); not truncated
  tsr_init_he_normal = 7,
} tsr_initializer;

/// Fills data[0..count) as `kind` says. Errors: invalid_parameter (data NULL, count below 1,
/// an unknown kind, b <= a for uniform, b < 0 for normal, a non-finite a or b, fan_in or fan_out
/// below 1 for the kinds that use them).
TSR_API tsr_status tsr_initialize(tsr_initializer kind, float a, float b, int64_t fan_in,
                                  int64_t fan_out, uint64_t seed, float* data, int64_t count);

/// Fans of a dense layer's weights: fan_in = in_features, fan_out = out_features.
TSR_API tsr_status tsr_dense_fans(int64_t in_features, int64_t out_features, int64_t* fan_in,
                                  int64_t* fan_out);

/// Fans of a convolution's weights [out_channels, in_channels / groups, kernel...]:
/// fan_in = in_channels / groups x kernel volume, fan_out = out_channels x kernel volume.
TSR_API tsr_status tsr_conv_fans(int64_t out_channels, int64_t in_channels_per_group,
                                 int32_t spatial_ndims, const int64_t* kernel, int64_t* fan_in,
                                 int64_t* fan_out);

/// PReLU: y = x > 0 ? x : slope[c] * x, c the channel (dim 1) of x [N, C, ...]; with
/// channels == 1 one slope serves every element of any x (PyTorch's PReLU with
/// num_parameters 1). The slopes are copied at creation. Run with inputs[0] = x, outputs[0] =
/// y: f32, the same dims, plain or nhwc (y may be x). Errors: invalid_parameter (op or slopes
/// NULL, channels below 1; at run, C differing from channels or mismatched tensors),
/// unsupported_parameter (other layouts).
TSR_API tsr_status tsr_prelu_create(int64_t channels, const float* slopes, tsr_op** op);

/// PReLU backward: dx = dy * (x > 0 ? 1 : slope[c]), dslope[c] = the sum of dy * x over the
/// elements of channel c where x <= 0. Run with inputs [0] x, [1] dy; outputs [0] dx, and
/// optionally [1] dslope [channels]. Errors: as tsr_prelu_create.
TSR_API tsr_status tsr_prelu_backward_create(int64_t channels, const float* slopes, tsr_op** op);

/// Dense (fully connected) layer: y = activation(x W^T + bias) over the last axis of x.
/// - weights: out_features x in_features floats in the given layout, copied and packed for the
///   GEMM engine at creation (the caller's array may be freed afterwards);
/// - bias: out_features floats, or NULL;
/// - activation: NULL for none, or any tsr_activation (relu and clamp are fused into the GEMM's
///   store; the others run as a pass over the output).
/// Run with inputs[0] = x, f32, plain layout, dims [..., in_features] (any leading dims, each
/// row one sample) and outputs[0] = y, f32, plain, dims [..., out_features] with the same
/// leading dims. Batch 1 uses a single-row kernel that streams the packed weights once.
/// Errors: invalid_parameter (op or weights NULL, features below 1, sizes that overflow, an
/// unknown layout, a bad activation), out_of_memory.
typedef enum tsr_dense_weights_layout {
  tsr_dense_weights_out_in = 0, ///< [out_features][in_features], as PyTorch's Linear.weight
  tsr_dense_weights_in_out = 1, ///< [in_features][out_features], as Keras' Dense kernel
} tsr_dense_weights_layout;

TSR_API tsr_status tsr_dense_create(int64_t in_features, int64_t out_features,
                                    const float* weights, tsr_dense_weights_layout layout,
                                    const float* bias, const tsr_activation* activation,
                                    tsr_op** op);

/* Backward passes. Each op computes gradients from the forward pass' inputs (or outputs, as
 * said) and the gradient of the loss with respect to the forward outputs (dy). Tensors follow
 * the forward op's conventions; outputs may not alias inputs unless said. Derivatives are
 * evaluated in double precision and rounded once. */

/// Activation backward: dx = dy * f'(x). Run with inputs [0] x, [1] dy; outputs [0] dx (all
/// f32, same dims and dense layout; dx may be dy). At a kink the derivative is PyTorch's:
/// ReLU'(0) = 0, clamp' = 0 at its bounds, |x|'(0) = 0. Errors: as tsr_eltwise_create.
TSR_API tsr_status tsr_eltwise_backward_create(const tsr_activation* activation, tsr_op** op);

/// Softmax / log-softmax backward along `axis`, from the forward output y:
///   softmax:     dx = y * (dy - sum(dy * y))
///   log-softmax: dx = dy - exp(y) * sum(dy)
/// sums over the axis. Run with inputs [0] y, [1] dy; outputs [0] dx (f32, same dims, plain,
/// nhwc or strided, the same strides). Errors: as tsr_softmax_create.
TSR_API tsr_status tsr_softmax_backward_create(int32_t axis, int logarithmic, tsr_op** op);

/// Dense backward, for y = x W^T + b: dx = dy W, dW = dy^T x (in the weights' layout),
/// db = the sum of dy's rows. `weights` as tsr_dense_create takes them, copied and packed at
/// creation. Run with inputs [0] x [..., in], [1] dy [..., out]; outputs [0] dx (like x),
/// [1] dW (out x in, or in x out for tsr_dense_weights_in_out), and optionally [2] db [out].
/// All f32, plain. Errors: as tsr_dense_create.
TSR_API tsr_status tsr_dense_backward_create(int64_t in_features, int64_t out_features,
                                             const float* weights,
                                             tsr_dense_weights_layout layout, tsr_op** op);

/// Layer norm backward (same arguments as tsr_layer_norm_create; statistics are recomputed
/// from x). Run with inputs [0] x, [1] dy; outputs [0] dx, and optionally [1] dgamma and
/// [2] dbeta (product(normalized_shape) values each). Vectorized (f32-dlnorm) with every term
/// in double and each result rounded once; the order of the double additions differs from the
/// reference loop's, so a result may differ from it by one rounding.
TSR_API tsr_status tsr_layer_norm_backward_create(int32_t normalized_ndims,
                                                  const int64_t* normalized_shape,
                                                  const float* gamma, float epsilon, tsr_op** op);

/// Batch norm backward for training mode (normalized with the batch's statistics). Run with
/// inputs [0] x, [1] dy, [2] batch mean [C], [3] batch biased variance [C] (outputs [3] and [4]
/// of the training forward); outputs [0] dx, and optionally [1] dgamma [C], [2] dbeta [C].
/// Vectorized (f32-dnorm) with every term still in double and each result rounded once; the
/// sums' order of addition differs from the reference loop's, so a result may differ from it
/// by one rounding. Errors: as tsr_batch_norm_training_create.
TSR_API tsr_status tsr_batch_norm_backward_create(int64_t channels, const float* gamma,
                                                  float epsilon, tsr_op** op);

/* ---------------------------------------------------------------------------------------------
 * Recurrent layers
 *
 * Weights follow PyTorch's nn.RNN / nn.LSTM / nn.GRU, so its state_dict loads as is: per layer
 * and direction W_ih [gates x hidden][input], W_hh [gates x hidden][hidden], b_ih and b_hh
 * [gates x hidden], the gate blocks stacked in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n).
 * Keras stores kernels transposed ([input][gates x hidden]) and orders LSTM gates the same way
 * (i, f, c, o) but GRU gates z, r, h: transpose, and for GRU swap the first two blocks.
 * Gates are computed in float through the GEMM engine (each gate a sum of the input and hidden
 * products and both biases); sigmoid is 1 / (1 + exp(-x)).
 * ------------------------------------------------------------------------------------------- */

typedef enum tsr_rnn_cell_kind {
  tsr_rnn_cell_tanh = 1,   ///< h' = tanh(W_ih x + b_ih + W_hh h + b_hh); one gate
  tsr_rnn_cell_relu = 2,   ///< h' = relu(W_ih x + b_ih + W_hh h + b_hh); one gate
  /// Four gates: i, f, o = sigmoid(.), g = tanh(.), each W_i* x + b_i* + W_h* h + b_h*;
  /// c' = f c + i g, h' = o tanh(c')
  tsr_rnn_cell_lstm = 3,
  /// Three gates r, z, n with the reset applied before the hidden matmul: r, z = sigmoid(W_i* x +
  /// b_i* + W_h* h + b_h*), n = tanh(W_in x + b_in + W_hn (r h) + b_hn), h' = (1 - z) n + z h.
  /// Keras' GRU with reset_after=False, ONNX's linear_before_reset=0, oneDNN's vanilla GRU.
  tsr_rnn_cell_gru = 4,
  /// The same with the reset applied after ("linear before reset"): n = tanh(W_in x + b_in +
  /// r (W_hn h + b_hn)). PyTorch's GRU, Keras' reset_after=True, oneDNN's lbr_gru.
  tsr_rnn_cell_gru_linear_before_reset = 5,
} tsr_rnn_cell_kind;

typedef enum tsr_rnn_direction {
  tsr_rnn_forward = 0,               ///< t = 0 .. T-1
  tsr_rnn_reverse = 1,               ///< t = T-1 .. 0 (outputs stay at their time positions)
  tsr_rnn_bidirectional_concat = 2,  ///< both; outputs [forward | reverse], 2 x hidden wide
  tsr_rnn_bidirectional_sum = 3,     ///< both; outputs forward + reverse, hidden wide
} tsr_rnn_direction;

/// One layer's (or cell's) weights for one direction: w_ih and w_hh required, biases NULL for
/// zeros. Read at creation only (packed for the GEMM engine).
typedef struct tsr_rnn_weights {
  const float* w_ih;  ///< [gates x hidden][input of this layer]
  const float* w_hh;  ///< [gates x hidden][hidden]
  const float* b_ih;  ///< [gates x hidden] or NULL
  const float* b_hh;  ///< [gates x hidden] or NULL
} tsr_rnn_weights;

/// The number of gates of a cell kind (1, 4 or 3); 0 for an unknown kind.
TSR_API int32_t tsr_rnn_cell_gates(tsr_rnn_cell_kind cell);

/// One step of a recurrent cell (PyTorch's RNNCell, LSTMCell, GRUCell; Keras' SimpleRNNCell,
/// LSTMCell, GRUCell). Run with inputs [0] x [batch, input_size], [1] h [batch, hidden_size],
/// and for LSTM [2] c [batch, hidden_size]; outputs [0] h' and for LSTM [1] c' (same dims as
/// h). All f32, plain. Outputs may alias the state inputs. Errors: invalid_parameter (op or
/// weights or a weight matrix NULL, an unknown cell kind, sizes below 1 or overflowing; at run,
/// dims that do not match), unsupported_parameter (dtype or layout), out_of_memory.
TSR_API tsr_status tsr_rnn_cell_create(tsr_rnn_cell_kind cell, int64_t input_size,
                                       int64_t hidden_size, const tsr_rnn_weights* weights,
                                       tsr_op** op);

typedef struct tsr_rnn_params {
  tsr_rnn_cell_kind cell;
  int64_t input_size;        ///< features of x
  int64_t hidden_size;
  int64_t num_layers;        ///< stacked layers, at least 1
  tsr_rnn_direction direction;
  /// x and y are [batch, time, features] when 1 (Keras; PyTorch's batch_first=True), time-major
  /// [time, batch, features] when 0 (PyTorch's default)
  int batch_first;
  /// 1: y holds every step's output; 0: only the last (the final hidden state of each
  /// direction of the top layer: after t = T-1 forward, after t = 0 in reverse), as Keras'
  /// return_sequences=False
  int return_sequences;
} tsr_rnn_params;

/// A recurrent layer, stacked num_layers deep, uni- or bidirectional (PyTorch's nn.RNN with
/// nonlinearity tanh/relu, nn.LSTM, nn.GRU; Keras' SimpleRNN/LSTM/GRU and Bidirectional).
/// Layer l > 0 takes the previous layer's outputs: 2 x hidden_size features for
/// bidirectional_concat (as PyTorch), hidden_size otherwise. `weights` holds num_layers x
/// directions entries (directions = 2 when bidirectional), layer-major, forward before reverse.
///
/// Run with inputs:
///   [0] x: [batch, time, input_size] (or [time, batch, input_size] when not batch_first);
///   [1] optional h0: [num_layers x directions, batch, hidden_size] (PyTorch's order); zeros
///       when left out;
///   [2] optional c0 (LSTM only, after h0): the same dims; zeros when left out;
/// and outputs:
///   [0] y: [batch, time, F] (or [time, batch, F]) with return_sequences, else [batch, F];
///       F = 2 x hidden_size for bidirectional_concat, hidden_size otherwise;
///   [1] optional h_n: the final hidden states, dims as h0;
///   [2] optional c_n (LSTM only): the final cell states.
/// All f32, plain. time >= 1. Each run allocates its workspace (the input projections of every
/// step, one layer's outputs). Errors: invalid_parameter (op, params, weights or a weight
/// matrix NULL; an unknown cell or direction; sizes below 1 or overflowing; at run, dims that do
/// not match, c0 for a non-LSTM cell), unsupported_parameter, out_of_memory.
TSR_API tsr_status tsr_rnn_create(const tsr_rnn_params* params, const tsr_rnn_weights* weights,
                                  tsr_op** op);

/* ---------------------------------------------------------------------------------------------
 * Attention
 *
 * Masks: a u8 tensor is boolean (nonzero: the query may attend to that key; as PyTorch's
 * scaled_dot_product_attention and Keras, the opposite of nn.MultiheadAttention's bool masks);
 * an f32 tensor is added to the scores (-inf excludes). A mask has at most 4 dims and
 * broadcasts to [batch, heads, q_len, kv_len] as numpy does (right-aligned; dims of 1 repeat), so
 * [kv_len] or [batch, 1, 1, kv_len] is a key padding mask and [q_len, kv_len] one for every
 * head. A query row whose keys are all masked out gives zeros (output and probabilities), never
 * NaN.
 *
 * How it runs: every attention that asks for neither the probabilities nor talking-heads mixing
 * runs fused (flash-style): one pass over tiles of keys with an online softmax, in float with a
 * vector exp2 (relative error below 4e-7), so the extra memory is a few tiles per thread and
 * does not grow with q_len x kv_len; causal tiles past the diagonal are skipped, and decode
 * (up to 4 queries per head) splits long key sequences across threads (the split depends on
 * the problem, never on the thread count, so results do not either). Asking for the
 * probabilities (or mixing heads) runs the unfused path, which stores the scores of 64 queries
 * at a time and multiplies on the GEMM engine, with the softmax denominator summed in double.
 * The environment variable TESSERA_ATTENTION=unfused (read at each run) sends every problem to
 * the unfused path, for comparisons.
 * ------------------------------------------------------------------------------------------- */

typedef enum tsr_causal_mode {
  tsr_causal_none = 0,
  tsr_causal_top_left = 1,      ///< query i sees keys j <= i (PyTorch's is_causal)
  /// query i sees keys j <= i + kv_len - q_len: the last query sees every key, as when new
  /// queries are appended to a cached sequence (PyTorch's causal_lower_right)
  tsr_causal_bottom_right = 2,
} tsr_causal_mode;

/// Dropout on the attention probabilities: in training, each probability is kept with
/// probability 1 - rate and scaled by 1 / (1 - rate). The decision for element (b, h, i, j)
/// is tsr_random_uniform-style Philox of (seed, its flat index), so it never depends on the
/// thread count. Ignored when training is 0.
typedef struct tsr_attention_dropout {
  float rate;        ///< in [0, 1)
  int training;
  uint64_t seed;
} tsr_attention_dropout;

typedef struct tsr_sdpa_params {
  float scale;                  ///< multiplies Q K^T; 0 means 1 / sqrt(head_dim)
  tsr_causal_mode causal;
  tsr_attention_dropout dropout;
} tsr_sdpa_params;

/// Scaled dot-product attention, the core of every attention layer (PyTorch's
/// F.scaled_dot_product_attention): O = dropout(softmax(scale Q K^T + mask)) V per (batch,
/// head), with grouped-query attention when K and V have fewer heads: head h reads K/V head
/// h / (heads / kv_heads) (kv_heads 1 is multi-query attention). Run with inputs:
///   [0] Q [batch, heads, q_len, head_dim], [1] K [batch, kv_heads, kv_len, head_dim],
///   [2] V [batch, kv_heads, kv_len, v_dim], [3] optional mask (see above);
/// outputs [0] O [batch, heads, q_len, v_dim], [1] optional probabilities [batch, heads, q_len,
/// kv_len] (after dropout, as applied). f32 (mask u8 or f32), plain or strided with the last dim
/// contiguous (so [B, L, H, d] projections can be viewed as [B, H, L, d] without a copy).
/// Errors: invalid_parameter (op or params NULL, a negative or non-finite scale, an unknown
/// causal mode, a dropout rate outside [0, 1); at run, mismatched dims, kv_heads not dividing
/// heads, a mask that does not broadcast), unsupported_parameter (dtype, layout, a last dim
/// that is not contiguous), out_of_memory.
TSR_API tsr_status tsr_sdpa_create(const tsr_sdpa_params* params, tsr_op** op);

typedef enum tsr_attention_score {
  tsr_attention_score_dot = 0,     ///< scores = scale q . k
  /// additive: scores = concat_score_weight sum over D of tanh(scale (q + k)) (Keras' "concat";
  /// Bahdanau-style)
  tsr_attention_score_concat = 1,
} tsr_attention_score;

typedef struct tsr_attention_params {
  tsr_attention_score score_mode;
  /// Keras' use_scale: when nonzero, `scale` is the learned scalar (dot: multiplies the
  /// scores; concat: multiplies q + k inside tanh); when 0 the scale is 1
  int use_scale;
  float scale;
  float concat_score_weight;    ///< concat mode's learned scalar (Keras initializes it to 1)
  int causal;                   ///< Keras' use_causal_mask: query i sees values j <= i
  tsr_attention_dropout dropout;
} tsr_attention_params;

/// Keras-style attention (keras.layers.Attention): scores between query [B, Tq, D] and key
/// [B, Tv, D] (key defaults to value), softmax over Tv, then the weighted sum of value
/// [B, Tv, Dv]. Run with inputs [0] query, [1] value, [2] optional key (pass value to leave it
/// the same while giving masks), [3] optional query_mask (u8 [B, Tq]: zero rows of the output
/// where 0, as Keras), [4] optional value_mask (u8 [B, Tv]: values where 0 are ignored);
/// outputs [0] [B, Tq, Dv], [1] optional scores [B, Tq, Tv] (the attention distribution, as
/// return_attention_scores). All f32 plain. Errors: invalid_parameter (NULL, an unknown
/// score mode, a non-finite scale or weight, a bad dropout rate; at run, mismatched dims,
/// masks that are not u8 [B, T]), unsupported_parameter, out_of_memory.
TSR_API tsr_status tsr_attention_create(const tsr_attention_params* params, tsr_op** op);

/// Multi-head attention (PyTorch's nn.MultiheadAttention with batch_first=True, Keras'
/// MultiHeadAttention), with optional grouped-query heads and talking heads.
typedef struct tsr_mha_params {
  int64_t embed_dim;            ///< E: query features and output features
  int64_t num_heads;            ///< H; divides embed_dim (head_dim = E / H)
  int64_t num_kv_heads;         ///< 0 for num_heads; else divides num_heads (GQA; 1: MQA)
  int64_t kdim, vdim;           ///< key and value features; 0 for embed_dim
  float scale;                  ///< 0 for 1 / sqrt(head_dim)
  tsr_causal_mode causal;
  tsr_attention_dropout dropout;
  /// Talking-heads attention (Shazeer et al. 2020): the scores of all heads are mixed by
  /// weights.mix_logits before the softmax and the probabilities by weights.mix_weights
  /// after it: s'[h] = sum_g mix[h][g] s[g]. Needs num_kv_heads = num_heads.
  int talking_heads;
} tsr_mha_params;

/// Weights in nn.Linear's [out][in] layout, copied at creation. Biases NULL for none.
typedef struct tsr_mha_weights {
  const float* w_q;             ///< [E][E]
  const float* w_k;             ///< [kv_heads x head_dim][kdim]
  const float* w_v;             ///< [kv_heads x head_dim][vdim]
  const float* w_o;             ///< [E][E]
  const float *b_q, *b_k, *b_v, *b_o;
  const float* mix_logits;      ///< talking heads: [H][H]
  const float* mix_weights;     ///< talking heads: [H][H]
} tsr_mha_weights;

/// Run with inputs [0] query [B, Lq, E], [1] key [B, Lkv, kdim], [2] value [B, Lkv, vdim]
/// (self-attention: the same tensor three times), [3] optional mask broadcasting to [B, H, Lq,
/// Lkv] (see above); outputs [0] [B, Lq, E], [1] optional per-head probabilities [B, H, Lq,
/// Lkv]. f32 plain. Errors: invalid_parameter (NULL pointers, sizes below 1 or overflowing,
/// heads not dividing embed_dim, kv heads not dividing heads, talking heads with GQA or without
/// mixing weights, bad scale or dropout; at run, mismatched dims or masks), unsupported_parameter,
/// out_of_memory.
TSR_API tsr_status tsr_multihead_attention_create(const tsr_mha_params* params,
                                                  const tsr_mha_weights* weights, tsr_op** op);

/// Linformer self-attention (Wang et al. 2020): keys and values projected along the sequence
/// to proj_len rows before the attention, K' = E K and V' = F V per batch (shared by the heads),
/// so its cost is linear in the sequence. `seq_len` is the longest sequence; a shorter one uses
/// the first columns of E and F. E and F are [proj_len][seq_len]; share_kv uses E for both (F
/// ignored). Masks are not taken (a projected key has no position); causal must be none.
typedef struct tsr_linformer_params {
  tsr_mha_params attention;     ///< kdim = vdim = embed_dim; no talking heads
  int64_t seq_len, proj_len;
  int share_kv;
} tsr_linformer_params;

/// Run with inputs [0] x [B, L, E] (L <= seq_len), outputs [0] [B, L, E], [1] optional
/// probabilities [B, H, L, proj_len]. Errors: as tsr_multihead_attention_create, plus lengths
/// below 1, E or F NULL, a mask-taking option.
TSR_API tsr_status tsr_linformer_attention_create(const tsr_linformer_params* params,
                                                  const tsr_mha_weights* weights,
                                                  const float* e_proj, const float* f_proj,
                                                  tsr_op** op);

/// Performer self-attention with FAVOR+ (Choromanski et al. 2021): softmax(q k^T / sqrt(d))
/// approximated by phi(q) phi(k)^T with positive random features phi(x) = exp(w_r x' - |x'|^2
/// / 2) / sqrt(m), x' = x d^-1/4, and w_r drawn as blocks of d orthogonal Gaussian rows with
/// chi-distributed norms from `seed` at creation. Cost linear in the sequence; causal uses
/// prefix sums. More features, less error (tests/attention-test.c bounds it at 256 features).
typedef struct tsr_performer_params {
  tsr_mha_params attention;     ///< scale 0 (1/sqrt(d) is built in); no mask, dropout, talking heads or GQA
  int64_t num_features;         ///< m, at least 1
  uint64_t seed;
} tsr_performer_params;

/// Run with inputs [0] query [B, Lq, E], [1] key [B, Lkv, kdim], [2] value [B, Lkv, vdim];
/// outputs [0] [B, Lq, E]. Causal needs Lq = Lkv. Errors: as tsr_multihead_attention_create,
/// plus num_features below 1, options it does not take.
TSR_API tsr_status tsr_performer_attention_create(const tsr_performer_params* params,
                                                  const tsr_mha_weights* weights, tsr_op** op);

/* ---------------------------------------------------------------------------------------------
 * Transformer layers (PyTorch's nn.TransformerEncoderLayer / DecoderLayer / Transformer with
 * batch_first=True; the same weights and order of operations)
 * ------------------------------------------------------------------------------------------- */

typedef struct tsr_transformer_params {
  int64_t d_model, num_heads, dim_feedforward;
  tsr_activation_kind activation;   ///< of the feed-forward: relu, gelu_erf or gelu_tanh
  /// 0 (PyTorch's default, post-norm): x = norm(x + sublayer(x)); 1: x = x + sublayer(norm(x))
  int norm_first;
  float layer_norm_eps;             ///< PyTorch's default is 1e-5
  /// One rate for every dropout: the attention probabilities, each sublayer's output and the
  /// feed-forward's hidden layer. Each site draws from its own stream derived from the seed.
  tsr_attention_dropout dropout;
  /// The decoder's self-attention mask mode (tsr_causal_top_left for autoregressive decoding,
  /// instead of a square subsequent mask); the encoder's self-attention uses it too.
  tsr_causal_mode causal;
} tsr_transformer_params;

/// One encoder layer's weights (nn.Linear [out][in] layouts; biases and norm parameters may be
/// NULL for 0 / 1); copied at creation.
typedef struct tsr_transformer_encoder_weights {
  tsr_mha_weights self_attention;   ///< E = d_model, no talking heads
  const float *w1, *b1;             ///< linear1: [dim_feedforward][d_model], [dim_feedforward]
  const float *w2, *b2;             ///< linear2: [d_model][dim_feedforward], [d_model]
  const float *norm1_gamma, *norm1_beta, *norm2_gamma, *norm2_beta;
} tsr_transformer_encoder_weights;

typedef struct tsr_transformer_decoder_weights {
  tsr_mha_weights self_attention, cross_attention;
  const float *w1, *b1, *w2, *b2;
  const float *norm1_gamma, *norm1_beta, *norm2_gamma, *norm2_beta, *norm3_gamma, *norm3_beta;
} tsr_transformer_decoder_weights;

/// Encoder layer: self-attention then feed-forward (linear2(dropout(act(linear1(x))))), each
/// with dropout, a residual and a layer norm placed by norm_first. Run with inputs [0] src
/// [B, L, d_model], [1] optional src_mask (an attention mask as tsr_sdpa_create's, broadcasting
/// to [B, heads, L, L]); outputs [0] [B, L, d_model]. f32 plain. Each run allocates its
/// workspace. Errors: invalid_parameter (NULL pointers, sizes below 1 or overflowing, heads not
/// dividing d_model, an activation other than relu/gelu, a bad epsilon, dropout or causal mode;
/// at run, mismatched dims or mask), unsupported_parameter, out_of_memory.
TSR_API tsr_status tsr_transformer_encoder_layer_create(const tsr_transformer_params* params,
                                                        const tsr_transformer_encoder_weights* weights,
                                                        tsr_op** op);

/// Decoder layer: self-attention (causal by params->causal and/or tgt_mask), cross-attention
/// over the memory, feed-forward; norms as the encoder's. Run with inputs [0] tgt [B, Lt,
/// d_model], [1] memory [B, Ls, d_model], [2] optional tgt_mask (to [B, heads, Lt, Lt]), [3]
/// optional memory_mask (to [B, heads, Lt, Ls]); outputs [0] [B, Lt, d_model]. Errors: as
/// tsr_transformer_encoder_layer_create.
TSR_API tsr_status tsr_transformer_decoder_layer_create(const tsr_transformer_params* params,
                                                        const tsr_transformer_decoder_weights* weights,
                                                        tsr_op** op);

/// A Transformer (nn.Transformer): num_encoder_layers encoder layers then a final layer norm
/// (the memory), and num_decoder_layers decoder layers then a final layer norm. Layer i uses
/// its weights entry and its own dropout streams (seed + i). Final norms' gamma/beta may be NULL.
/// Run with inputs [0] src [B, Ls, d_model], [1] tgt [B, Lt, d_model], [2] optional src_mask,
/// [3] optional tgt_mask, [4] optional memory_mask; outputs [0] [B, Lt, d_model]. Errors: as
/// the layers', plus layer counts below 1.
TSR_API tsr_status tsr_transformer_create(const tsr_transformer_params* params,
                                          int64_t num_encoder_layers,
                                          const tsr_transformer_encoder_weights* encoder_layers,
                                          const float* encoder_norm_gamma, const float* encoder_norm_beta,
                                          int64_t num_decoder_layers,
                                          const tsr_transformer_decoder_weights* decoder_layers,
                                          const float* decoder_norm_gamma, const float* decoder_norm_beta,
                                          tsr_op** op);

/* ---------------------------------------------------------------------------------------------
 * Matrix multiplication
 * ------------------------------------------------------------------------------------------- */

typedef enum tsr_transpose {
  tsr_no_transpose = 0, ///< op(X) = X
  tsr_transpose_op = 1, ///< op(X) = X^T
} tsr_transpose;

/// C = alpha * op(A) op(B) + beta * C on row-major matrices, as BLAS sgemm but row-major:
/// op(A) is m x k (A stored m x k with row stride lda, or k x m if transposed), op(B) is k x n
/// (B stored k x n with row stride ldb, or n x k if transposed), C is m x n with row stride
/// ldc. When beta is 0, C is not read (it may hold NaN). Runs on `pool` (NULL: the caller).
/// Errors: invalid_parameter (a NULL matrix, m, n or k below 1, a leading dimension smaller
/// than its row, a transpose flag other than the two values, sizes that overflow),
/// out_of_memory (packing scratch, a few hundred KiB per thread). C is untouched on failure.
TSR_API tsr_status tsr_sgemm(tsr_transpose trans_a, tsr_transpose trans_b, int64_t m, int64_t n,
                             int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                             int64_t ldb, float beta, float* c, int64_t ldc,
                             tsr_threadpool* pool);

/// `batch` independent GEMMs as tsr_sgemm: item t uses A + t * stride_a, B + t * stride_b and
/// C + t * stride_c (strides in elements). A stride of 0 shares one A (or B) across the batch;
/// the C items must not overlap (stride_c at least m * ldc when batch > 1). The whole batch is
/// split over the pool at once. Errors: those of tsr_sgemm, plus batch below 1, a negative
/// stride, or C items that overlap.
TSR_API tsr_status tsr_sgemm_batched(int64_t batch, tsr_transpose trans_a, tsr_transpose trans_b,
                                     int64_t m, int64_t n, int64_t k, float alpha,
                                     const float* a, int64_t lda, int64_t stride_a,
                                     const float* b, int64_t ldb, int64_t stride_b, float beta,
                                     float* c, int64_t ldc, int64_t stride_c,
                                     tsr_threadpool* pool);

/* ---------------------------------------------------------------------------------------------
 * Measuring the machine
 * ------------------------------------------------------------------------------------------- */

typedef struct tsr_machine_peak {
  uint32_t threads;               ///< threads measured (the pool's)
  tsr_isa isa;                    ///< ISA of the FMA loop (the one in use)
  double fma_gflops_per_core;     ///< f32 FMA peak of one thread, GFLOP/s
  double fma_gflops;              ///< all threads running the loop at once
  double stream_gbps_per_core;    ///< streaming read+write of one thread, GB/s (1e9 bytes)
  double stream_gbps;             ///< all threads at once
} tsr_machine_peak;

/// Measures the f32 FMA peak (a register-only loop of independent FMA chains, best of several
/// short runs) and the streaming bandwidth (a clamp over 2 x 64 MiB, counting bytes read and
/// written) on one thread and on every thread of `pool` (NULL = 1 thread). Takes about 0.5 s.
/// Errors: invalid_parameter (peak NULL), out_of_memory.
TSR_API tsr_status tsr_measure_machine_peak(tsr_threadpool* pool, tsr_machine_peak* peak);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_H */
