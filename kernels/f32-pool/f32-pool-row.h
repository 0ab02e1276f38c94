/* Pooling along output rows of a plain (NCHW) plane, vectorized across each row's output
 * pixels: pixel j (of `pixels`) of output row k (of `out_rows`) pools columns
 * k x_row_step + stride j + t, t < kw, of each of the `rows` input rows (pointers: the first
 * output row's window rows within the input, padding rows left out; the next output rows' are
 * the same moved by x_row_step floats each), into y[k y_row_step + j]. A call is a run of output
 * rows with the same window shape, each the part whose windows lie inside the input along w.
 * Max pooling takes the largest value (NaN if any is NaN); average pooling divides the sum by
 * params->divisor (one for the whole call: the windows are the same shape). Stride 2 loads two
 * vectors and splits them into even and odd columns (tsr_v_load_deinterleaved), so no gather
 * is needed.
 *
 * Contract: out_rows, pixels, rows, kw >= 1; stride 1 or 2 (the scalar variant takes any);
 * nothing outside rows[r][k x_row_step + [0, stride * (pixels - 1) + kw)) or
 * y[k y_row_step + [0, pixels)), k < out_rows, is read or written. Fewer pixels than a vector go
 * one at a time. params->stream and params->from_memory are ignored. */
#ifndef TSR_KERNELS_F32_POOL_ROW_H
#define TSR_KERNELS_F32_POOL_ROW_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/f32-pool/f32-pool.h"

typedef void (*tsr_f32_pool_row_ukernel_fn)(size_t out_rows, size_t pixels, size_t rows, const float* const* x,
                                            size_t x_row_step, size_t kw, size_t stride, float* y, size_t y_row_step,
                                            const struct tsr_f32_pool_params* params);

#define TSR_POOL_ROW_UKERNEL(isa, maxpool, avgpool, lanes, max_stride)                                      \
  void maxpool(size_t out_rows, size_t pixels, size_t rows, const float* const* x, size_t x_row_step, size_t kw, \
               size_t stride, float* y, size_t y_row_step, const struct tsr_f32_pool_params* params);          \
  void avgpool(size_t out_rows, size_t pixels, size_t rows, const float* const* x, size_t x_row_step, size_t kw, \
               size_t stride, float* y, size_t y_row_step, const struct tsr_f32_pool_params* params);
#include "kernels/f32-pool/f32-pool-row.inc"
#undef TSR_POOL_ROW_UKERNEL

/// A variant: its ISA, the max and average kernels and their names, output pixels per vector,
/// and the largest stride it takes.
struct tsr_f32_pool_row_entry {
  tsr_isa isa;
  tsr_f32_pool_row_ukernel_fn maxpool, avgpool;
  const char *maxpool_name, *avgpool_name;
  size_t lanes, max_stride;
};

extern const struct tsr_f32_pool_row_entry tsr_f32_pool_row_ukernels[];
extern const size_t tsr_f32_pool_row_ukernel_count;

#endif
