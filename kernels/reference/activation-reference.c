/* Reference activations, written from their definitions in double precision. Only the limits at
 * +-infinity are spelled out, where a formula would give inf * 0 or inf / inf. */
#include "kernels/reference/activation-reference.h"

#include <math.h>

static const double tsr_selu_scale = 1.0507009873554804934193349852946;
static const double tsr_selu_alpha = 1.6732632423543772848170429916717;

static double tsr_sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }
static double tsr_softplus(double x) { return fmax(x, 0.0) + log1p(exp(-fabs(x))); }

double tsr_reference_activation_f64(const tsr_activation* a, double x) {
  if (isnan(x)) return x;
  const double alpha = a->alpha, beta = a->beta;
  switch (a->kind) {
    case tsr_activation_none: return x;
    case tsr_activation_relu: return x > 0 ? x : 0.0;
    case tsr_activation_clamp: return x < alpha ? alpha : x > beta ? beta : x;
    case tsr_activation_leaky_relu: return x > 0 ? x : alpha * x;
    case tsr_activation_elu: return x > 0 ? x : alpha * expm1(x);
    case tsr_activation_selu: return tsr_selu_scale * (x > 0 ? x : tsr_selu_alpha * expm1(x));
    case tsr_activation_gelu_erf:
      if (isinf(x)) return x > 0 ? x : 0.0;
      return 0.5 * x * erfc(-x / sqrt(2.0));
    case tsr_activation_gelu_tanh: {
      if (isinf(x)) return x > 0 ? x : 0.0;
      /* 0.5 x (1 + tanh(u)) written as x * sigmoid(2u): in double, 1 + tanh(u) is 0 below
       * u = -19 while the true value is still far above float's smallest. */
      const double u = sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x);
      return x * tsr_sigmoid(2.0 * u);
    }
    case tsr_activation_sigmoid: return tsr_sigmoid(x);
    case tsr_activation_hard_sigmoid: {
      const double v = alpha * x + beta;
      return v < 0 ? 0.0 : v > 1 ? 1.0 : v;
    }
    case tsr_activation_tanh: return tanh(x);
    case tsr_activation_softplus:
      if (isinf(x)) return x > 0 ? x : 0.0;
      return tsr_softplus(alpha * x) / alpha;
    case tsr_activation_softsign: return isinf(x) ? copysign(1.0, x) : x / (1.0 + fabs(x));
    case tsr_activation_silu:
      if (isinf(x)) return (x > 0) == (alpha > 0) || alpha == 0 ? (alpha == 0 ? 0.5 * x : x) : 0.0;
      return x * tsr_sigmoid(alpha * x);
    case tsr_activation_hard_swish: {
      if (isinf(x)) return x > 0 ? x : 0.0;
      const double v = x + 3.0;
      return x * (v < 0 ? 0.0 : v > 6 ? 6.0 : v) / 6.0;
    }
    case tsr_activation_mish:
      if (isinf(x)) return x > 0 ? x : 0.0;
      return x * tanh(tsr_softplus(x));
    case tsr_activation_exp: return exp(x);
    case tsr_activation_log: return log(x);
    case tsr_activation_abs: return fabs(x);
    case tsr_activation_square: return x * x;
    case tsr_activation_sqrt: return sqrt(x);
  }
  return NAN;
}

double tsr_reference_activation_derivative_f64(const tsr_activation* a, double x) {
  if (isnan(x)) return x;
  const double alpha = a->alpha, beta = a->beta;
  switch (a->kind) {
    case tsr_activation_none: return 1.0;
    case tsr_activation_relu: return x > 0 ? 1.0 : 0.0;
    case tsr_activation_clamp: return x > alpha && x < beta ? 1.0 : 0.0;
    case tsr_activation_leaky_relu: return x > 0 ? 1.0 : alpha;
    case tsr_activation_elu: return x > 0 ? 1.0 : alpha * exp(x);
    case tsr_activation_selu: return tsr_selu_scale * (x > 0 ? 1.0 : tsr_selu_alpha * exp(x));
    case tsr_activation_gelu_erf:
      if (isinf(x)) return x > 0 ? 1.0 : 0.0;
      return 0.5 * erfc(-x / sqrt(2.0)) + x * exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
    case tsr_activation_gelu_tanh: {
      if (isinf(x)) return x > 0 ? 1.0 : 0.0;
      const double c = sqrt(2.0 / M_PI), u = c * (x + 0.044715 * x * x * x), t = tanh(u);
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * x * x);
    }
    case tsr_activation_sigmoid: {
      const double s = tsr_sigmoid(x);
      return s * (1.0 - s);
    }
    case tsr_activation_hard_sigmoid: {
      const double v = alpha * x + beta;
      return v > 0 && v < 1 ? alpha : 0.0;
    }
    case tsr_activation_tanh: {
      const double t = tanh(x);
      return 1.0 - t * t;
    }
    case tsr_activation_softplus: return tsr_sigmoid(alpha * x);
    case tsr_activation_softsign: {
      const double d = 1.0 + fabs(x);
      return 1.0 / (d * d);
    }
    case tsr_activation_silu: {
      if (isinf(x)) return (x > 0) == (alpha > 0) ? 1.0 : 0.0;
      const double s = tsr_sigmoid(alpha * x);
      return s + alpha * x * s * (1.0 - s);
    }
    case tsr_activation_hard_swish: return x < -3 ? 0.0 : x > 3 ? 1.0 : (2.0 * x + 3.0) / 6.0;
    case tsr_activation_mish: {
      if (isinf(x)) return x > 0 ? 1.0 : 0.0;
      const double t = tanh(tsr_softplus(x));
      return t + x * (1.0 - t * t) * tsr_sigmoid(x);
    }
    case tsr_activation_exp: return exp(x);
    case tsr_activation_log: return 1.0 / x;
    case tsr_activation_abs: return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    case tsr_activation_square: return 2.0 * x;
    case tsr_activation_sqrt: return 0.5 / sqrt(x);
  }
  return NAN;
}

float tsr_reference_activation(const tsr_activation* activation, float x) {
  return (float)tsr_reference_activation_f64(activation, (double)x);
}

void tsr_reference_activation_f32(const tsr_activation* activation, size_t n, const float* x,
                                  float* y) {
  for (size_t i = 0; i < n; i++) y[i] = tsr_reference_activation(activation, x[i]);
}
