#include "kernels/reference/pool-reference.h"

#include <math.h>
#include <stdbool.h>

void tsr_reference_pool_plane_f32(const struct tsr_pool_geometry* g, const float* x, float* y,
                                  size_t n, size_t c) {
  const float* plane = x + n * g->x_n + c * g->x_c;
  for (size_t p0 = 0; p0 < g->out[0]; p0++)
    for (size_t p1 = 0; p1 < g->out[1]; p1++)
      for (size_t p2 = 0; p2 < g->out[2]; p2++) {
        const size_t p[3] = {p0, p1, p2};
        int64_t start[3], end[3];
        const int64_t divisor = tsr_pool_window(g, p, start, end);
        double sum = 0.0, best = -INFINITY;
        bool saw_nan = false;
        for (int64_t i0 = start[0]; i0 < end[0]; i0++)
          for (int64_t i1 = start[1]; i1 < end[1]; i1++)
            for (int64_t i2 = start[2]; i2 < end[2]; i2++) {
              const float v = plane[(size_t)i0 * g->x_s[0] + (size_t)i1 * g->x_s[1] + (size_t)i2 * g->x_s[2]];
              sum += v;
              if (isnan(v)) saw_nan = true;
              if (v > best) best = v;
            }
        float result;
        if (g->kind == tsr_pooling_max) result = saw_nan ? NAN : (float)best;
        else result = (float)(sum / (double)divisor);
        y[n * g->y_n + c * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]] = result;
      }
}

void tsr_reference_pool_backward_plane_f32(const struct tsr_pool_geometry* g, const float* x,
                                           const float* dy, float* dx, size_t n, size_t c) {
  const float* plane = x + n * g->x_n + c * g->x_c;
  float* grad = dx + n * g->x_n + c * g->x_c;
  for (size_t q0 = 0; q0 < g->in[0]; q0++)
    for (size_t q1 = 0; q1 < g->in[1]; q1++)
      for (size_t q2 = 0; q2 < g->in[2]; q2++) grad[q0 * g->x_s[0] + q1 * g->x_s[1] + q2 * g->x_s[2]] = 0.0f;
  for (size_t p0 = 0; p0 < g->out[0]; p0++)
    for (size_t p1 = 0; p1 < g->out[1]; p1++)
      for (size_t p2 = 0; p2 < g->out[2]; p2++) {
        const size_t p[3] = {p0, p1, p2};
        int64_t start[3], end[3];
        const int64_t divisor = tsr_pool_window(g, p, start, end);
        const float gradient = dy[n * g->y_n + c * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]];
        size_t best_at = SIZE_MAX;
        float best = -INFINITY;
        for (int64_t i0 = start[0]; i0 < end[0]; i0++)
          for (int64_t i1 = start[1]; i1 < end[1]; i1++)
            for (int64_t i2 = start[2]; i2 < end[2]; i2++) {
              const size_t at = (size_t)i0 * g->x_s[0] + (size_t)i1 * g->x_s[1] + (size_t)i2 * g->x_s[2];
              if (g->kind != tsr_pooling_max) grad[at] += (float)((double)gradient / (double)divisor);
              else if (best_at == SIZE_MAX || plane[at] > best || (isnan(plane[at]) && !isnan(best))) {
                best_at = at;
                best = plane[at];
              }
            }
        if (g->kind == tsr_pooling_max && best_at != SIZE_MAX) grad[best_at] += gradient;
      }
}
