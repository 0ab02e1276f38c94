/* Portable pooling: one channel at a time (f32-pool-channel.h). */
#include "kernels/f32-pool/f32-pool-channel.h"
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
