/* Reference activations: the plain definitions, one element at a time, that every fast
 * activation kernel is checked against. */
#ifndef TSR_KERNELS_REFERENCE_ACTIVATION_H
#define TSR_KERNELS_REFERENCE_ACTIVATION_H

#include <stddef.h>

#include "tessera.h"

/// The activation of one value, as tessera.h defines it (NaN in gives NaN out).
float tsr_reference_activation(const tsr_activation* activation, float x);

/// y[i] = activation(x[i]) for i < n; y may equal x.
void tsr_reference_activation_f32(const tsr_activation* activation, size_t n, const float* x,
                                  float* y);

#endif
