/* Portable pooling: one channel at a time (f32-pool-channel.h). */
#include "kernels/f32-pool/f32-pool-channel.h"
#include "kernels/f32-pool/f32-pool.h"

void tsr_f32_maxpool_ukernel__scalar_c1(size_t channels, size_t taps, const float* const* rows, const float* previous,
                                        float* y, const struct tsr_f32_pool_params* params) {
  tsr_f32_pool_channels(0, channels, taps, rows, previous, y, params->divisor, true);
}

void tsr_f32_avgpool_ukernel__scalar_c1(size_t channels, size_t taps, const float* const* rows, const float* previous,
                                        float* y, const struct tsr_f32_pool_params* params) {
  tsr_f32_pool_channels(0, channels, taps, rows, previous, y, params->divisor, false);
}
