/* Reference activations, written from their definitions with no attempt at speed. */
#include "kernels/reference/activation-reference.h"

#include <math.h>

float tsr_reference_activation(const tsr_activation* activation, float x) {
  if (isnan(x)) return x;
  switch (activation->kind) {
    case tsr_activation_none: return x;
    case tsr_activation_relu: return x > 0.0f ? x : 0.0f;
    case tsr_activation_clamp:
      if (x < activation->alpha) return activation->alpha;
      if (x > activation->beta) return activation->beta;
      return x;
  }
  return NAN;
}

void tsr_reference_activation_f32(const tsr_activation* activation, size_t n, const float* x,
                                  float* y) {
  for (size_t i = 0; i < n; i++) y[i] = tsr_reference_activation(activation, x[i]);
}
