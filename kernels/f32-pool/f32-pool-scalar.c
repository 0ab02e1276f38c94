/* Portable pooling: one channel at a time (f32-pool-channel.h); along plain rows one pixel at a
 * time (f32-pool-row-pixel.h), any stride. */
#include "kernels/f32-pool/f32-pool-channel.h"
#include "kernels/f32-pool/f32-pool-row-pixel.h"
#include "kernels/f32-pool/f32-pool-row.h"
#include "kernels/f32-pool/f32-pool.h"

void tsr_f32_maxpool_ukernel__scalar_c1(size_t pixels, size_t channels, size_t taps, const float* const* rows,
                                        size_t row_step, const float* previous, float* y, size_t y_step,
                                        const struct tsr_f32_pool_params* params) {
  for (size_t j = 0; j < pixels; j++)
    tsr_f32_pool_channels(0, channels, taps, rows, j * row_step, previous != NULL ? previous + j * y_step : NULL,
                          y + j * y_step, params->divisor, true);
}

void tsr_f32_avgpool_ukernel__scalar_c1(size_t pixels, size_t channels, size_t taps, const float* const* rows,
                                        size_t row_step, const float* previous, float* y, size_t y_step,
                                        const struct tsr_f32_pool_params* params) {
  for (size_t j = 0; j < pixels; j++)
    tsr_f32_pool_channels(0, channels, taps, rows, j * row_step, previous != NULL ? previous + j * y_step : NULL,
                          y + j * y_step, params->divisor, false);
}

static void tsr_f32_pool_rows_scalar(size_t out_rows, size_t pixels, size_t rows, const float* const* x,
                                     size_t x_row_step, size_t kw, size_t stride, float* y, size_t y_row_step,
                                     float divisor, bool max) {
  for (size_t k = 0; k < out_rows; k++)
    for (size_t j = 0; j < pixels; j++)
      y[k * y_row_step + j] = tsr_f32_pool_row_pixel(rows, x, k * x_row_step + stride * j, kw, divisor, max);
}

void tsr_f32_maxpool_row_ukernel__scalar_x1(size_t out_rows, size_t pixels, size_t rows, const float* const* x,
                                            size_t x_row_step, size_t kw, size_t stride, float* y, size_t y_row_step,
                                            const struct tsr_f32_pool_params* params) {
  tsr_f32_pool_rows_scalar(out_rows, pixels, rows, x, x_row_step, kw, stride, y, y_row_step, params->divisor, true);
}

void tsr_f32_avgpool_row_ukernel__scalar_x1(size_t out_rows, size_t pixels, size_t rows, const float* const* x,
                                            size_t x_row_step, size_t kw, size_t stride, float* y, size_t y_row_step,
                                            const struct tsr_f32_pool_params* params) {
  tsr_f32_pool_rows_scalar(out_rows, pixels, rows, x, x_row_step, kw, stride, y, y_row_step, params->divisor, false);
}
