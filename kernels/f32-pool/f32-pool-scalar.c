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

void tsr_f32_maxpool_row_ukernel__scalar_x1(size_t pixels, size_t rows, const float* const* x, size_t kw,
                                            size_t stride, float* y, const struct tsr_f32_pool_params* params) {
  for (size_t j = 0; j < pixels; j++) y[j] = tsr_f32_pool_row_pixel(rows, x, stride * j, kw, params->divisor, true);
}

void tsr_f32_avgpool_row_ukernel__scalar_x1(size_t pixels, size_t rows, const float* const* x, size_t kw,
                                            size_t stride, float* y, const struct tsr_f32_pool_params* params) {
  for (size_t j = 0; j < pixels; j++) y[j] = tsr_f32_pool_row_pixel(rows, x, stride * j, kw, params->divisor, false);
}
