/* Reference softmax and log-softmax over a contiguous row, in double precision. */
#ifndef TSR_KERNELS_REFERENCE_SOFTMAX_H
#define TSR_KERNELS_REFERENCE_SOFTMAX_H

#include <stdbool.h>
#include <stddef.h>

/// y[i * stride] = softmax (or log-softmax) of x[0], x[stride], ... x[(n-1) * stride]; n >= 1.
/// The max is subtracted first; sums and exponentials are in double, rounded once to float.
void tsr_reference_softmax_f32(bool logarithmic, size_t n, const float* x, size_t x_stride,
                               float* y, size_t y_stride);

#endif
