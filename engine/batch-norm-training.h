/* Batch norm in training mode, forward and backward, on per-channel passes over x (and dy): the
 * statistics or sums of each channel in double (f32-colstats, f32-dnorm), then every element
 * y or dx = A dy + B (x - c) + K in double, rounded once (f32-dnorm's dx form). See
 * batch-norm-training.c. */
#ifndef TSR_ENGINE_BATCH_NORM_TRAINING_H
#define TSR_ENGINE_BATCH_NORM_TRAINING_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/f32-colstats/f32-colstats.h"
#include "kernels/f32-dnorm/f32-dnorm.h"
#include "tessera.h"

struct tsr_batch_norm_training {
  size_t n, c, s;     /* samples, channels, spatial positions */
  bool channels_last; /* [n][s][c] (nhwc, or any layout with s == 1), else plain [n][c][s] */
  const float* x;
  const float* dy;              /* backward only */
  const float *mean, *variance; /* backward: the batch's statistics (given) */
  const float* gamma;           /* c values, or NULL for 1 */
  const float* beta;            /* forward: c values, or NULL for 0 */
  double epsilon;
  float* out;                   /* y (forward) or dx (backward) */
  float *dgamma, *dbeta;        /* backward, may be NULL */
  tsr_f32_colstats_ukernel_fn colstats; /* forward: the statistics, in double */
  tsr_f32_dnorm_ukernel_fn sums;        /* backward: the sums */
  tsr_f32_dnorm_dx_ukernel_fn dx_kernel;
};

/// Forward: each channel's mean and biased variance over n and s (in double, about the channel's
/// first element, into batch_mean / batch_variance, c values each), and y = (x - mean) rstd gamma
/// + beta, rstd = 1 / sqrt(variance + epsilon), each in double and rounded once. Returns
/// success, or out_of_memory naming `where` with nothing written.
tsr_status tsr_batch_norm_forward_execute(const struct tsr_batch_norm_training* p, double* batch_mean,
                                          double* batch_variance, tsr_threadpool* pool, const char* where);

/// Backward: with xhat = (x - mean) rstd, dbeta = sum dy, dgamma = sum dy xhat, dx = gamma rstd
/// (dy - dbeta / M - xhat dgamma / M), M = n s, every channel's sums and dx in double. Returns
/// success, or out_of_memory naming `where` with nothing written.
tsr_status tsr_batch_norm_backward_execute(const struct tsr_batch_norm_training* p, tsr_threadpool* pool,
                                           const char* where);

#endif
