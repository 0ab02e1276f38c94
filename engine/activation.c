/* Activations as users pass them: validation, kernel choice, names, threaded application. */
#include "engine/activation.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/error.h"
#include "threadpool/threadpool.h"

static const char* const tsr_activation_names[] = {
    "identity", "relu", "clamp", "leaky_relu", "elu", "selu", "gelu_erf", "gelu_tanh",
    "sigmoid", "hard_sigmoid", "tanh", "softplus", "softsign", "silu", "hard_swish", "mish",
    "exp", "log", "abs", "square", "sqrt"};
#define TSR_NUM_ACTIVATIONS (sizeof(tsr_activation_names) / sizeof(tsr_activation_names[0]))

tsr_status tsr_activation_check(const tsr_activation* a, const char* where) {
  if (a == NULL) return tsr_error(tsr_status_invalid_parameter, "%s is NULL", where);
  if ((unsigned)a->kind >= TSR_NUM_ACTIVATIONS)
    return tsr_error(tsr_status_invalid_parameter, "%s: kind %d is not a tsr_activation_kind",
                     where, (int)a->kind);
  const char* name = tsr_activation_names[a->kind];
  switch (a->kind) {
    case tsr_activation_clamp:
      if (isnan(a->alpha) || isnan(a->beta))
        return tsr_error(tsr_status_invalid_parameter, "%s: clamp bounds must not be NaN", where);
      if (a->alpha > a->beta)
        return tsr_error(tsr_status_invalid_parameter,
                         "%s: clamp lower bound alpha=%g is above upper bound beta=%g", where,
                         (double)a->alpha, (double)a->beta);
      return tsr_status_success;
    case tsr_activation_leaky_relu:
    case tsr_activation_elu:
    case tsr_activation_silu:
      if (!isfinite(a->alpha))
        return tsr_error(tsr_status_invalid_parameter, "%s: %s needs a finite alpha, got %g",
                         where, name, (double)a->alpha);
      return tsr_status_success;
    case tsr_activation_hard_sigmoid:
      if (!isfinite(a->alpha) || !isfinite(a->beta))
        return tsr_error(tsr_status_invalid_parameter,
                         "%s: hard_sigmoid needs finite alpha and beta, got %g and %g", where,
                         (double)a->alpha, (double)a->beta);
      return tsr_status_success;
    case tsr_activation_softplus:
      if (!(a->alpha > 0.0f) || !isfinite(a->alpha))
        return tsr_error(tsr_status_invalid_parameter,
                         "%s: softplus needs alpha > 0 (1 for the usual softplus), got %g", where,
                         (double)a->alpha);
      return tsr_status_success;
    default:
      return tsr_status_success;
  }
}

int tsr_activation_kind_from_name(const char* name) {
  static const struct { const char* alias; tsr_activation_kind kind; } aliases[] = {
      {"clip", tsr_activation_clamp}, {"logistic", tsr_activation_sigmoid},
      {"soft_relu", tsr_activation_softplus}, {"swish", tsr_activation_silu},
      {"hardswish", tsr_activation_hard_swish}, {"hardsigmoid", tsr_activation_hard_sigmoid},
      {"linear", tsr_activation_none}};
  for (size_t k = 0; k < TSR_NUM_ACTIVATIONS; k++)
    if (strcmp(name, tsr_activation_names[k]) == 0) return (int)k;
  for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
    if (strcmp(name, aliases[i].alias) == 0) return (int)aliases[i].kind;
  return -1;
}

bool tsr_activation_is_clamp(const tsr_activation* a) {
  return a->kind == tsr_activation_none || a->kind == tsr_activation_relu ||
         a->kind == tsr_activation_clamp;
}

struct tsr_f32_minmax_params tsr_activation_minmax(const tsr_activation* activation) {
  struct tsr_f32_minmax_params params = {-INFINITY, INFINITY};
  if (activation->kind == tsr_activation_relu) params.min = 0.0f;
  if (activation->kind == tsr_activation_clamp) {
    params.min = activation->alpha;
    params.max = activation->beta;
  }
  return params;
}

void tsr_activation_describe(const tsr_activation* a, char* text, size_t size) {
  const char* name = (unsigned)a->kind < TSR_NUM_ACTIVATIONS ? tsr_activation_names[a->kind] : "unknown";
  switch (a->kind) {
    case tsr_activation_clamp:
    case tsr_activation_hard_sigmoid:
      snprintf(text, size, "%s[%g,%g]", name, (double)a->alpha, (double)a->beta);
      return;
    case tsr_activation_leaky_relu:
    case tsr_activation_elu:
    case tsr_activation_softplus:
    case tsr_activation_silu:
      snprintf(text, size, "%s[%g]", name, (double)a->alpha);
      return;
    default:
      snprintf(text, size, "%s", name);
  }
}

void tsr_activation_impl_init(struct tsr_activation_impl* impl, const tsr_activation* activation) {
  *impl = (struct tsr_activation_impl){.activation = *activation};
  impl->params = (struct tsr_f32_activation_params){activation->alpha, activation->beta};
  if (tsr_activation_is_clamp(activation)) {
    const struct tsr_ukernel_entry* kernel =
        tsr_ukernel_pick(tsr_f32_vclamp_ukernels, tsr_f32_vclamp_ukernel_count);
    impl->clamp = (tsr_f32_vclamp_ukernel_fn)kernel->function;
    impl->clamp_streaming = (tsr_f32_vclamp_ukernel_fn)tsr_ukernel_pick(tsr_f32_vclamp_nt_ukernels,
                                                                        tsr_f32_vclamp_nt_ukernel_count)->function;
    impl->minmax = tsr_activation_minmax(activation);
    impl->kernel_name = kernel->name;
    impl->isa = kernel->isa;
  } else {
    impl->unary = tsr_f32_vunary_scalar(activation->kind, &impl->kernel_name);
    impl->isa = tsr_isa_scalar;
    for (size_t i = 0; i < tsr_f32_vunary_ukernel_count; i++) {
      const struct tsr_f32_vunary_entry* e = &tsr_f32_vunary_ukernels[i];
      if (e->kind == activation->kind && tsr_ukernel_pick(&e->entry, 1) != NULL) {
        impl->unary = (tsr_f32_vunary_fn)e->entry.function;
        impl->kernel_name = e->entry.name;
        impl->isa = e->entry.isa;
        impl->vector = e;
        break;
      }
    }
  }
}

/* Tasks (tsr_parallel_tile): at least 16 KiB of input each, and a multiple of 64 elements, so
 * tasks never share a cache line of output. */
#define TSR_ACTIVATION_MIN_TILE 4096

struct tsr_activation_call {
  const struct tsr_activation_impl* impl;
  const float* x;
  float* y;
  bool streaming; /* a clamp through impl->clamp_streaming */
};

void tsr_activation_impl_run_serial(const struct tsr_activation_impl* impl, size_t n,
                                    const float* x, float* y) {
  if (impl->clamp != NULL) impl->clamp(n, x, y, &impl->minmax);
  else impl->unary(n, x, y, &impl->params);
}

static void tsr_activation_task(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_activation_call* call = context;
  if (call->streaming) call->impl->clamp_streaming(count, call->x + start, call->y + start, &call->impl->minmax);
  else tsr_activation_impl_run_serial(call->impl, count, call->x + start, call->y + start);
}

void tsr_activation_impl_apply(const struct tsr_activation_impl* impl, size_t n, const float* x,
                               float* y, tsr_threadpool* pool) {
  const size_t tile = (tsr_parallel_tile(pool, n, 1, TSR_ACTIVATION_MIN_TILE) + 63) / 64 * 64;
  /* ReLU / clamp streams its stores when x and y work from memory (tsr_cpu_from_memory: past half
   * the LLC), y then not staying in the cache for the next layer anyway. Same process, streaming
   * off and on (before: only y past the whole LLC), 1 thread, Zen 4: 4x64x112x112 (13 MB each)
   * 0.78 -> 0.50 ms, 8x64x112x112 1.81 -> 1.27; `tessera bench eltwise`, the new rule, 4x64x112x112,
   * three runs: 0.48-0.52 ms against oneDNN's 0.53-0.90 in the same runs. */
  const size_t touched = (x == y ? 1 : 2) * n * sizeof(float);
  struct tsr_activation_call call = {impl, x, y, impl->clamp != NULL && tsr_cpu_from_memory(touched)};
  tsr_parallelize_1d_tile_1d(pool, tsr_activation_task, &call, n, tile);
}
