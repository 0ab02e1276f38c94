/* Batch norm backward in training mode on the f32-dnorm kernels: per channel the sums of dy and
 * dy (x - mean) in double, then dx = A dy + B (x - mean) + K in double, rounded once. See
 * batch-norm-backward.c. */
#ifndef TSR_ENGINE_BATCH_NORM_BACKWARD_H
#define TSR_ENGINE_BATCH_NORM_BACKWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/f32-dnorm/f32-dnorm.h"
#include "tessera.h"

struct tsr_batch_norm_backward {
  size_t n, c, s;     /* samples, channels, spatial positions */
  bool channels_last; /* [n][s][c] (nhwc, or any layout with s == 1), else plain [n][c][s] */
  const float *x, *dy, *mean, *variance;
  const float* gamma; /* c values, or NULL for 1 */
  double epsilon;
  float *dx, *dgamma, *dbeta; /* dgamma and dbeta may be NULL */
  tsr_f32_dnorm_ukernel_fn sums;
  tsr_f32_dnorm_dx_ukernel_fn dx_kernel;
};

/// Runs p over the pool: with xhat = (x - mean) rstd, rstd = 1 / sqrt(variance + epsilon),
/// dbeta = sum dy, dgamma = sum dy xhat, dx = gamma rstd (dy - dbeta / M - xhat dgamma / M), M =
/// n s, every channel's sums and dx in double. Returns success, or out_of_memory naming `where`
/// with nothing written.
tsr_status tsr_batch_norm_backward_execute(const struct tsr_batch_norm_backward* p, tsr_threadpool* pool,
                                           const char* where);

#endif
