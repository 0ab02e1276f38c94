/* Reference activations: each function's definition evaluated in double precision, the ground
 * truth every activation kernel (and the error bounds in tessera.h) is checked against. */
#ifndef TSR_KERNELS_REFERENCE_ACTIVATION_H
#define TSR_KERNELS_REFERENCE_ACTIVATION_H

#include <stddef.h>

#include "tessera.h"

/// The activation of x in double precision, infinities mapped to the function's limits.
double tsr_reference_activation_f64(const tsr_activation* activation, double x);

/// The derivative of the activation at x in double precision (at a kink, the one-sided value
/// PyTorch uses: ReLU'(0) = 0, clamp' = 0 at either bound, |x|'(0) = 0).
double tsr_reference_activation_derivative_f64(const tsr_activation* activation, double x);

/// The same, rounded to float.
float tsr_reference_activation(const tsr_activation* activation, float x);

/// y[i] = activation(x[i]) for i < n, rounded to float; y may equal x.
void tsr_reference_activation_f32(const tsr_activation* activation, size_t n, const float* x,
                                  float* y);

#endif
