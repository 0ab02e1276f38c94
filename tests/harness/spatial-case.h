/* Random convolution-like cases for the spatial sweeps, and their benchdnn-style names, which a
 * failing check prints so the case can be rerun with `tessera bench`. */
#ifndef TSR_TESTS_SPATIAL_CASE_H
#define TSR_TESTS_SPATIAL_CASE_H

#include <stddef.h>

#include "tests/harness/harness.h"
#include "tessera.h"

/// Convolution parameters with all-1 kernel, stride and dilation and explicit zero padding.
tsr_conv_params tsr_conv_params_of(int32_t spatial, int64_t ic, int64_t oc, int64_t groups);

/// A random case: 1-D to 3-D, batch 1-4, channels among 1, 2, 3, 5, 7, 8 (plain, grouped by 2
/// or depthwise with a depth multiplier of 1-3), kernels 1-7 (1-3 in 3-D) per dim, strides and
/// dilations 1-3, padding 0-2 per side, every padding mode, input extents 1-12 (1-6 in 3-D);
/// in_dims gets [N, C, spatial...].
tsr_conv_params tsr_random_conv_params(tsr_rng* rng, int64_t* in_dims);

/// "g2mb1ic4oc6iw9kw3sw2dw0pw1-2 nhwc same" (dilation counted from 0 as benchdnn does), then
/// `extra`; returns `text`.
const char* tsr_conv_case_name(char* text, size_t size, const char* op, const tsr_conv_params* p,
                               const int64_t* in_dims, tsr_layout layout, const char* extra);

/// Element (n, c, s) of an [N, C, S] tensor (S the flattened spatial index) in nChw<block>c.
size_t tsr_blocked_offset(size_t n, size_t c, size_t s, size_t channels, size_t spatial, size_t block);

/// Writes plain [N, C, S] `x` into `xb` in nChw<block>c, its padding lanes set to `padding`.
void tsr_plain_to_blocked(const float* x, size_t batch, size_t channels, size_t spatial, size_t block,
                          float padding, float* xb);

/// Checks blocked `yb` against plain `y` element by element (as tsr_check_close: within atol +
/// rtol |y|, NaN only against NaN) and that its padding lanes are 0, recording one check named
/// `what`; returns whether it passed.
bool tsr_check_blocked(const char* what, const float* yb, const float* y, size_t batch, size_t channels,
                       size_t spatial, size_t block, double atol, double rtol);

#endif
