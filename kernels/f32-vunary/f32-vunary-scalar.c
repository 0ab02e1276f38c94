#include <math.h>

#include "kernels/f32-vunary/f32-vunary.h"

/* Loops are written out per kind (a switch inside the loop would stop the compiler from
 * vectorizing the simple ones). */
#define TSR_VUNARY(name, expression)                                                         \
  static void tsr_f32_v##name##__scalar(size_t n, const float* x, float* y,                  \
                                        const struct tsr_f32_activation_params* params) {    \
    const float alpha = params->alpha, beta = params->beta;                                  \
    (void)alpha, (void)beta;                                                                 \
    for (size_t i = 0; i < n; i++) {                                                         \
      const float v = x[i];                                                                  \
      y[i] = (expression);                                                                   \
    }                                                                                        \
  }

/* The composite functions are evaluated in double precision and rounded once: in float their
 * cancellations (GELU's left tail, where the rounding of x / sqrt(2) is amplified by erfc;
 * alpha x + beta near 0) and subnormal intermediates (x * exp(x) below -87) cost up to
 * hundreds of ulps, which the bounds in tessera.h do not allow. Infinities map to limits. */
static inline double tsr_sigmoid(double v) {
  const double e = exp(-fabs(v)); /* never overflows */
  return v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

/* log(1 + exp(t)) without overflow or cancellation. */
static inline double tsr_softplus(double t) { return fmax(t, 0.0) + log1p(exp(-fabs(t))); }

static inline float tsr_gelu_erf(float v) {
  if (isinf(v)) return v > 0.0f ? v : 0.0f;
  return (float)(0.5 * (double)v * erfc(-(double)v * 0.70710678118654752440));
}

/* 0.5 x (1 + tanh(u)) = x * sigmoid(2u): no cancellation on the left. */
static inline float tsr_gelu_tanh(float v) {
  if (isinf(v)) return v > 0.0f ? v : 0.0f;
  const double x = v, u = 0.79788456080286535588 * (x + 0.044715 * x * x * x);
  return (float)(x * tsr_sigmoid(2.0 * u));
}

static inline float tsr_silu(float v, float alpha) {
  if (isinf(v)) return alpha == 0.0f ? 0.5f * v : ((v > 0.0f) == (alpha > 0.0f) ? v : 0.0f);
  return (float)((double)v * tsr_sigmoid((double)alpha * (double)v));
}

static inline float tsr_mish(float v) {
  if (isinf(v)) return v > 0.0f ? v : 0.0f;
  return (float)((double)v * tanh(tsr_softplus((double)v)));
}

static inline float tsr_softplus_scaled(float v, float alpha) {
  if (isinf(v)) return v > 0.0f ? v : 0.0f;
  return (float)(tsr_softplus((double)alpha * (double)v) / (double)alpha);
}

static inline float tsr_hard_swish(float v) {
  if (isinf(v)) return v > 0.0f ? v : 0.0f;
  double t = (double)v + 3.0; /* compares keep NaN */
  t = t < 0.0 ? 0.0 : t;
  t = t > 6.0 ? 6.0 : t;
  return (float)((double)v * t / 6.0);
}

static inline float tsr_hard_sigmoid(float v, float alpha, float beta) {
  float t = fmaf(alpha, v, beta); /* one rounding: alpha x + beta cancels near 0 */
  t = t < 0.0f ? 0.0f : t;
  return t > 1.0f ? 1.0f : t;
}

TSR_VUNARY(leaky_relu, v > 0.0f ? v : alpha * v)
TSR_VUNARY(elu, v > 0.0f ? v : (float)((double)alpha * expm1((double)v)))
TSR_VUNARY(selu, (float)(1.0507009873554804934 * (v > 0.0f ? (double)v : 1.6732632423543772848 * expm1((double)v))))
TSR_VUNARY(gelu_erf, tsr_gelu_erf(v))
TSR_VUNARY(gelu_tanh, tsr_gelu_tanh(v))
TSR_VUNARY(sigmoid, (float)tsr_sigmoid((double)v))
TSR_VUNARY(hard_sigmoid, tsr_hard_sigmoid(v, alpha, beta))
TSR_VUNARY(tanh, (float)tanh((double)v))
TSR_VUNARY(softplus, tsr_softplus_scaled(v, alpha))
TSR_VUNARY(softsign, isinf(v) ? copysignf(1.0f, v) : (float)((double)v / (1.0 + fabs((double)v))))
TSR_VUNARY(silu, tsr_silu(v, alpha))
TSR_VUNARY(hard_swish, tsr_hard_swish(v))
TSR_VUNARY(mish, tsr_mish(v))
TSR_VUNARY(exp, expf(v))
TSR_VUNARY(log, logf(v))
TSR_VUNARY(abs, fabsf(v))
TSR_VUNARY(square, v * v)
TSR_VUNARY(sqrt, sqrtf(v))

tsr_f32_vunary_fn tsr_f32_vunary_scalar(tsr_activation_kind kind, const char** name) {
#define TSR_CASE(k) \
  case tsr_activation_##k: *name = "tsr_f32_v" #k "__scalar"; return tsr_f32_v##k##__scalar;
  switch (kind) {
    TSR_CASE(leaky_relu) TSR_CASE(elu) TSR_CASE(selu) TSR_CASE(gelu_erf) TSR_CASE(gelu_tanh)
    TSR_CASE(sigmoid) TSR_CASE(hard_sigmoid) TSR_CASE(tanh) TSR_CASE(softplus) TSR_CASE(softsign)
    TSR_CASE(silu) TSR_CASE(hard_swish) TSR_CASE(mish) TSR_CASE(exp) TSR_CASE(log) TSR_CASE(abs)
    TSR_CASE(square) TSR_CASE(sqrt)
    case tsr_activation_none:
    case tsr_activation_relu:
    case tsr_activation_clamp:
      break;
  }
#undef TSR_CASE
  *name = NULL;
  return NULL;
}
