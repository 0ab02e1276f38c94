/* Activations as users pass them: validation, kernel parameters, names. */
#include "engine/activation.h"

#include <math.h>
#include <stdio.h>

#include "engine/error.h"

tsr_status tsr_activation_check(const tsr_activation* activation, const char* where) {
  if (activation == NULL) return tsr_error(tsr_status_invalid_parameter, "%s is NULL", where);
  switch (activation->kind) {
    case tsr_activation_none:
    case tsr_activation_relu:
      return tsr_status_success;
    case tsr_activation_clamp:
      if (isnan(activation->alpha) || isnan(activation->beta))
        return tsr_error(tsr_status_invalid_parameter, "%s: clamp bounds must not be NaN", where);
      if (activation->alpha > activation->beta)
        return tsr_error(tsr_status_invalid_parameter,
                         "%s: clamp lower bound alpha=%g is above upper bound beta=%g", where,
                         (double)activation->alpha, (double)activation->beta);
      return tsr_status_success;
  }
  return tsr_error(tsr_status_invalid_parameter, "%s: kind %d is not a tsr_activation_kind",
                   where, (int)activation->kind);
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

void tsr_activation_describe(const tsr_activation* activation, char* text, size_t size) {
  switch (activation->kind) {
    case tsr_activation_none: snprintf(text, size, "identity"); return;
    case tsr_activation_relu: snprintf(text, size, "relu"); return;
    case tsr_activation_clamp:
      snprintf(text, size, "clamp[%g,%g]", (double)activation->alpha, (double)activation->beta);
      return;
  }
  snprintf(text, size, "unknown");
}
