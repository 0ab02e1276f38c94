/* Pooling of output pixels over every channel, for channel-contiguous layouts (NHWC, and each
 * channel block of the blocked layouts): the first pixel's window comes as `taps` row pointers,
 * each to `channels` contiguous floats; pixel j (of `pixels`) reads the same rows moved by
 * j * row_step floats and writes y + j * y_step (the interior of an output row, whose windows
 * are one shape shifted by the stride: one call serves all of them, which matters when the
 * channels are few, as in a blocked layout's 8). Max pooling takes the largest value (NaN if any is NaN);
 * average pooling sums and divides by params->divisor. A window too large for one call is split:
 * `previous` (NULL for none; may equal y) holds the earlier part's result to continue from (its
 * maximum, or its sum, given with divisor 1).
 *
 * Contract: channels >= 1, taps >= 1; nothing outside the rows' and y's `channels` floats is read
 * or written. previous, when not NULL, steps with y (y_step). */
#ifndef TSR_KERNELS_F32_POOL_H
#define TSR_KERNELS_F32_POOL_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

struct tsr_f32_pool_params {
  float divisor; /* averages: the window's count (1 for a part of a split window); max: unused */
  /* nonzero: each pixel's whole vectors of results go out with streaming stores (around the
   * caches; y + j * y_step aligned to the variant's vector, the caller fences); not for a
   * window's earlier parts, which the next call reads back */
  int stream;
  /* nonzero: x comes from memory (tsr_cpu_from_memory). Pixels of four to seven vectors of
   * channels then go one at a time, all their vectors together, so each pixel's lines are read
   * in order (ResNet's 3x3/2 max pool in NHWC, 64 channels on AVX-512, 103 MB: 9.5 -> 7.9 ms,
   * oneDNN 9.5-9.7 in the same runs);
   * in the cache groups of four pixels a vector at a time do better (batch 1: 0.070 against
   * 0.078-0.080). */
  int from_memory;
};

typedef void (*tsr_f32_pool_ukernel_fn)(size_t pixels, size_t channels, size_t taps, const float* const* rows,
                                        size_t row_step, const float* previous, float* y, size_t y_step,
                                        const struct tsr_f32_pool_params* params);

#define TSR_POOL_UKERNEL(isa, maxpool, avgpool, lanes)                                                          \
  void maxpool(size_t pixels, size_t channels, size_t taps, const float* const* rows, size_t row_step,          \
               const float* previous, float* y, size_t y_step, const struct tsr_f32_pool_params* params);     \
  void avgpool(size_t pixels, size_t channels, size_t taps, const float* const* rows, size_t row_step,          \
               const float* previous, float* y, size_t y_step, const struct tsr_f32_pool_params* params);
#include "kernels/f32-pool/f32-pool.inc"
#undef TSR_POOL_UKERNEL

/// A variant: its ISA, the max and average kernels and their names, and channels per vector.
struct tsr_f32_pool_entry {
  tsr_isa isa;
  tsr_f32_pool_ukernel_fn maxpool, avgpool;
  const char *maxpool_name, *avgpool_name;
  size_t lanes;
};

extern const struct tsr_f32_pool_entry tsr_f32_pool_ukernels[];
extern const size_t tsr_f32_pool_ukernel_count;

#endif
