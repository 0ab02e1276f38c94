/* Activations as ops use them: checking a user's tsr_activation, choosing its kernel once, and
 * applying it to a buffer over the thread pool. Shared by the eltwise op and every op with a
 * fused activation. */
#ifndef TSR_ENGINE_ACTIVATION_H
#define TSR_ENGINE_ACTIVATION_H

#include <stdbool.h>

#include "kernels/f32-vclamp/f32-vclamp.h"
#include "kernels/f32-vunary/f32-vunary.h"
#include "tessera.h"

/// Checks kind and parameters; `where` names the call and argument for the message.
tsr_status tsr_activation_check(const tsr_activation* activation, const char* where);

/// True for the kinds a clamp implements (none, relu, clamp): GEMM epilogues fuse these.
bool tsr_activation_is_clamp(const tsr_activation* activation);

/// The clamp bounds that implement a none / relu / clamp activation.
struct tsr_f32_minmax_params tsr_activation_minmax(const tsr_activation* activation);

/// The kind named `name` (tessera's names, "relu", "gelu_erf", ..., and oneDNN's aliases
/// "clip", "logistic", "soft_relu", "swish", "hardswish"); -1 if none.
int tsr_activation_kind_from_name(const char* name);

/// "relu", "clamp[0,6]", "gelu_erf", ... for op descriptions.
void tsr_activation_describe(const tsr_activation* activation, char* text, size_t size);

/// A checked activation with its kernel chosen.
struct tsr_activation_impl {
  tsr_activation activation;
  tsr_f32_vclamp_ukernel_fn clamp;      /* for none / relu / clamp */
  tsr_f32_vclamp_ukernel_fn clamp_streaming; /* the same with streaming stores, for outputs past the LLC */
  struct tsr_f32_minmax_params minmax;
  tsr_f32_vunary_fn unary;              /* for the others */
  const struct tsr_f32_vunary_entry* vector; /* the vectorized kernel's entry, or NULL */
  struct tsr_f32_activation_params params;
  const char* kernel_name;
  tsr_isa isa;
};

void tsr_activation_impl_init(struct tsr_activation_impl* impl, const tsr_activation* activation);

/// y[i] = activation(x[i]) for i < n on the calling thread (y may equal x).
void tsr_activation_impl_run_serial(const struct tsr_activation_impl* impl, size_t n,
                                    const float* x, float* y);

/// y[i] = activation(x[i]) for i < n over the pool (y may equal x). A clamp-type activation whose
/// output is larger than the last-level cache is stored with streaming stores (it could not stay
/// in cache for the next op anyway, and the stores then skip reading y first).
void tsr_activation_impl_apply(const struct tsr_activation_impl* impl, size_t n, const float* x,
                               float* y, tsr_threadpool* pool);

#endif
