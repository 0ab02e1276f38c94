/* Portable depthwise row kernel: every channel and pixel one at a time (CB = 1, as the scalar
 * f32-dwconv kernel packs). */
#include "kernels/f32-dwrow/f32-dwrow.h"

void tsr_f32_dwrow_minmax_ukernel_c1__scalar(size_t pixels, size_t channels, size_t nrows, size_t kw,
                                             const float* const* rows, size_t pixel_step, size_t tap_step,
                                             size_t skip_left, size_t skip_right, const float* w, float* y,
                                             size_t y_step, const struct tsr_f32_conv_params* params) {
  size_t lo, hi;
  tsr_f32_dwrow_read_range(pixels, kw, pixel_step, tap_step, skip_left, skip_right, &lo, &hi);
  tsr_f32_dwrow_lanes(0, pixels, 0, channels, 1, nrows, kw, rows, pixel_step, tap_step, lo, hi, w, y, y_step,
                      params);
}
