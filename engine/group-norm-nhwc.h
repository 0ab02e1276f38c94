/* Group and instance norm on channels-last (NHWC) tensors without reordering them: a group's
 * elements are strided there (its channels of every pixel), so the statistics are taken per
 * channel down the pixels (f32-colstats: in f32 blocks, in double where those are not to be
 * trusted) and combined per group, and the
 * normalization runs over whole pixels with per-channel scale and shift (f32-vaffine's
 * channelwise form). */
#ifndef TSR_ENGINE_GROUP_NORM_NHWC_H
#define TSR_ENGINE_GROUP_NORM_NHWC_H

#include <stdbool.h>

#include "kernels/f32-colstats/f32-colstats.h"
#include "kernels/f32-vaffine/f32-vaffine.h"
#include "tessera.h"

struct tsr_group_norm_nhwc {
  size_t batch, pixels, channels, groups;
  const float* gamma; /* channels values, or NULL for 1 */
  const float* beta;  /* channels values, or NULL for 0 */
  double epsilon;
  tsr_f32_colstats_ukernel_fn colstats;         /* in double */
  tsr_f32_colstats_ukernel_fn colstats_blocked; /* the same variant's blocked form */
  const struct tsr_f32_vaffine_entry* affine;
  bool from_memory; /* x and y past half the LLC (tsr_cpu_from_memory): prefetch x for the statistics */
};

/// Normalizes dense NHWC x [batch, pixels, channels] into y (y may be x), each (sample, group)
/// by its own mean and variance: y = fma(x - x0, s, beta - (mean - x0) s), s = rstd gamma rounded
/// to f32, x0 the origin of the group's first channel (the mean of up to 32 of its pixels). `affine` may be a streaming variant (it fences itself).
/// Returns out_of_memory (nothing written) if its per-run sums cannot be allocated.
tsr_status tsr_group_norm_nhwc_run(const struct tsr_group_norm_nhwc* p, const float* x, float* y,
                                   tsr_threadpool* pool);

#endif
