/* Reference pooling: direct loops over every window, averages summed in double. */
#ifndef TSR_KERNELS_REFERENCE_POOL_H
#define TSR_KERNELS_REFERENCE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

/// A pooling on concrete tensors, spatial dims padded to 3 (extent 1) outermost first.
struct tsr_pool_geometry {
  tsr_pooling_kind kind;
  size_t in[3], out[3], kernel[3], stride[3];
  int64_t pad[3];      /* at the beginning */
  int64_t padded[3];   /* in + declared begin and end padding: averages count no further */
  size_t x_n, x_c, x_s[3], y_n, y_c, y_s[3];
};

/// The input window of output position p, clipped to the input ([start, end) per dim), and the
/// divisor an average uses (include-padding averages count the window within the declared
/// padding). Shared with the fast paths (engine/pool-fast.c, pool-plain.c), so all apply one rule;
/// inline, as the plain path asks it once an output row (a call cost 20% of a 2x2 average's run).
static inline int64_t tsr_pool_window(const struct tsr_pool_geometry* g, const size_t p[3], int64_t start[3],
                                      int64_t end[3]) {
  int64_t counted = 1, valid = 1;
  for (int d = 0; d < 3; d++) {
    start[d] = (int64_t)(p[d] * g->stride[d]) - g->pad[d];
    end[d] = start[d] + (int64_t)g->kernel[d];
    const int64_t limit = g->padded[d] - g->pad[d];
    counted *= (end[d] < limit ? end[d] : limit) - start[d];
    if (start[d] < 0) start[d] = 0;
    if (end[d] > (int64_t)g->in[d]) end[d] = (int64_t)g->in[d];
    valid *= end[d] - start[d];
  }
  return g->kind == tsr_pooling_avg_include_padding ? counted : valid;
}

/// Pools channel c of sample n: every output position of that plane.
void tsr_reference_pool_plane_f32(const struct tsr_pool_geometry* g, const float* x, float* y,
                                  size_t n, size_t c);

/// Backward of channel c of sample n: zeroes that plane of dx, then adds each output's dy to
/// the first largest input of its window (max) or dy / divisor to every input of it (averages).
/// dy has the geometry's y strides, dx its x strides.
void tsr_reference_pool_backward_plane_f32(const struct tsr_pool_geometry* g, const float* x,
                                           const float* dy, float* dx, size_t n, size_t c);

#endif
