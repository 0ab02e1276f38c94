/* The portable depthwise kernel: one channel at a time (weights packed in blocks of 1). */
#include "kernels/f32-dwconv/f32-dwconv.h"

void tsr_f32_dwconv_minmax_ukernel_c1__scalar(size_t channels, size_t ks, const float* const* restrict a,
                                              const float* restrict w, float* restrict c, size_t a_offset,
                                              const float* zero, const struct tsr_f32_conv_params* params) {
  tsr_f32_dwconv_tail(channels, 1, ks, a, w, c, a_offset, 0, zero, params);
}
