/* Reference normalization: one routine that every normalization is built from. A "set" is the
 * elements one mean and variance are taken over: outer x inner elements at
 * o * outer_stride + i * inner_stride (a layer-norm row: 1 x L; a batch-norm channel: N x
 * spatial; a group-norm group: channels x spatial). The affine parameters of element (o, i) are
 * at o * affine_outer_stride + i * affine_inner_stride. Statistics in double. */
#ifndef TSR_KERNELS_REFERENCE_NORM_H
#define TSR_KERNELS_REFERENCE_NORM_H

#include <stddef.h>

struct tsr_norm_set {
  size_t outer, outer_stride, inner, inner_stride;
  const float* gamma; /* NULL: 1 */
  const float* beta;  /* NULL: 0 */
  size_t affine_outer_stride, affine_inner_stride;
  double epsilon;
  const double* mean;     /* given statistics (inference), or NULL to compute them */
  const double* variance;
};

/// y = (x - mean) / sqrt(var + epsilon) * gamma + beta over the set; writes the mean and the
/// biased variance used to *mean_out / *variance_out when not NULL.
void tsr_reference_normalize_set(const struct tsr_norm_set* set, const float* x, float* y,
                                 double* mean_out, double* variance_out);

/// Backward of tsr_reference_normalize_set with respect to x, given dy (same offsets as x):
///   xhat = (x - mean) / sqrt(var + epsilon), g = dy * gamma,
///   dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + epsilon)
/// with the set's statistics (given, or computed from x). When dgamma / dbeta are not NULL,
/// adds sum(dy * xhat) and sum(dy) into them at each element's affine index.
void tsr_reference_normalize_set_backward(const struct tsr_norm_set* set, const float* x,
                                          const float* dy, float* dx, double* dgamma,
                                          double* dbeta);

#endif
