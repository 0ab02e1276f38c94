/* Layer norm backward on the f32-dlnorm kernels: per row its moments with the sums of dy gamma and
 * dy gamma (x - mean), then dx, every term in double and dx rounded once; dgamma and dbeta summed
 * per task in double. See layer-norm-backward.c. */
#ifndef TSR_ENGINE_LAYER_NORM_BACKWARD_H
#define TSR_ENGINE_LAYER_NORM_BACKWARD_H

#include <stddef.h>

#include "kernels/f32-dlnorm/f32-dlnorm.h"
#include "tessera.h"

struct tsr_layer_norm_backward {
  size_t rows, length;
  const float *x, *dy;
  const float* gamma; /* length values (ones for a layer without gamma) */
  double epsilon;
  float *dx, *dgamma, *dbeta; /* dgamma and dbeta may be NULL */
  tsr_f32_dlnorm_ukernel_fn sums;
  tsr_f32_dlnorm_dx_ukernel_fn dx_kernel;
};

/// Runs p over the pool: per row, mean and rstd = 1 / sqrt(var + epsilon) of x (in double, about
/// the row's first element), xhat = (x - mean) rstd, g = dy gamma, dx = rstd (g - mean(g) - xhat
/// mean(g xhat)); dgamma = the sum over rows of dy xhat, dbeta of dy. Returns success, or
/// out_of_memory naming `where` with nothing written.
tsr_status tsr_layer_norm_backward_execute(const struct tsr_layer_norm_backward* p, tsr_threadpool* pool,
                                           const char* where);

#endif
