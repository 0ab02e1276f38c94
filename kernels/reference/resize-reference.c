#include "kernels/reference/resize-reference.h"

#include <math.h>
#include <stdbool.h>

void tsr_reference_pad_plane_f32(const struct tsr_resize_geometry* g, const float* x, float* y,
                                 size_t n, size_t c) {
  for (size_t p0 = 0; p0 < g->out[0]; p0++)
    for (size_t p1 = 0; p1 < g->out[1]; p1++)
      for (size_t p2 = 0; p2 < g->out[2]; p2++) {
        const int64_t q0 = (int64_t)p0 - g->pad[0], q1 = (int64_t)p1 - g->pad[1], q2 = (int64_t)p2 - g->pad[2];
        const bool inside = q0 >= 0 && q0 < (int64_t)g->in[0] && q1 >= 0 && q1 < (int64_t)g->in[1] && q2 >= 0 &&
                            q2 < (int64_t)g->in[2];
        y[n * g->y_n + c * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]] =
            inside ? x[n * g->x_n + c * g->x_c + (size_t)q0 * g->x_s[0] + (size_t)q1 * g->x_s[1] + (size_t)q2 * g->x_s[2]]
                   : g->value;
      }
}

struct tsr_resize_taps tsr_reference_resize_taps(const struct tsr_resize_geometry* g, size_t in, size_t out,
                                                  size_t o) {
  struct tsr_resize_taps t = {{0, 0}, 0.0};
  if (g->kind == tsr_resampling_nearest) {
    size_t i = (size_t)floor(((double)o + 0.5) * (double)in / (double)out);
    t.index[0] = t.index[1] = i < in ? i : in - 1;
    return t;
  }
  double s = g->align_corners ? (out > 1 ? (double)o * (double)(in - 1) / (double)(out - 1) : 0.0)
                              : ((double)o + 0.5) * (double)in / (double)out - 0.5;
  if (s < 0.0) s = 0.0;
  size_t i = (size_t)floor(s);
  if (i > in - 1) i = in - 1;
  t.index[0] = i;
  t.index[1] = i + 1 < in ? i + 1 : in - 1;
  t.weight = s - (double)i;
  if (t.index[1] == i) t.weight = 0.0;
  return t;
}

void tsr_reference_upsample_plane_f32(const struct tsr_resize_geometry* g, const float* x,
                                      float* y, size_t n, size_t c) {
  const float* plane = x + n * g->x_n + c * g->x_c;
  for (size_t p0 = 0; p0 < g->out[0]; p0++) {
    const struct tsr_resize_taps t0 = tsr_reference_resize_taps(g, g->in[0], g->out[0], p0);
    for (size_t p1 = 0; p1 < g->out[1]; p1++) {
      const struct tsr_resize_taps t1 = tsr_reference_resize_taps(g, g->in[1], g->out[1], p1);
      for (size_t p2 = 0; p2 < g->out[2]; p2++) {
        const struct tsr_resize_taps t2 = tsr_reference_resize_taps(g, g->in[2], g->out[2], p2);
        double sum = 0.0;
        for (int a = 0; a < 2; a++)
          for (int b = 0; b < 2; b++)
            for (int d = 0; d < 2; d++) {
              const double weight = (a ? t0.weight : 1.0 - t0.weight) * (b ? t1.weight : 1.0 - t1.weight) *
                                    (d ? t2.weight : 1.0 - t2.weight);
              if (weight == 0.0) continue; /* also keeps an unused neighbour's inf or NaN out */
              sum += weight * plane[t0.index[a] * g->x_s[0] + t1.index[b] * g->x_s[1] + t2.index[d] * g->x_s[2]];
            }
        y[n * g->y_n + c * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]] = (float)sum;
      }
    }
  }
}
