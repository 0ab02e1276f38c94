#include "kernels/reference/softmax-reference.h"

#include <math.h>

void tsr_reference_softmax_f32(bool logarithmic, size_t n, const float* x, size_t x_stride,
                               float* y, size_t y_stride) {
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const double v = x[i * x_stride];
    if (isnan(v) || v > max) max = v;
    if (isnan(v)) break;
  }
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp((double)x[i * x_stride] - max);
  const double log_sum = log(sum);
  for (size_t i = 0; i < n; i++) {
    const double shifted = (double)x[i * x_stride] - max;
    y[i * y_stride] = (float)(logarithmic ? shifted - log_sum : exp(shifted) / sum);
  }
}
