#include "kernels/reference/conv-reference.h"

#include "kernels/reference/activation-reference.h"

void tsr_reference_conv_plane_f32(const struct tsr_conv_geometry* g, const float* x,
                                  const float* w, const float* bias,
                                  const tsr_activation* activation, float sum_scale, float* y,
                                  size_t n, size_t o) {
  const size_t group_in = g->ic / g->groups, group_out = g->oc / g->groups;
  const size_t first_in = (o / group_out) * group_in;
  const size_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
  const float* wo = w + o * group_in * taps;
  for (size_t p0 = 0; p0 < g->out[0]; p0++)
    for (size_t p1 = 0; p1 < g->out[1]; p1++)
      for (size_t p2 = 0; p2 < g->out[2]; p2++) {
        double sum = bias != NULL ? bias[o] : 0.0;
        for (size_t i = 0; i < group_in; i++)
          for (size_t k0 = 0; k0 < g->kernel[0]; k0++) {
            const int64_t q0 = (int64_t)(p0 * g->stride[0] + k0 * g->dilation[0]) - g->pad[0];
            if (q0 < 0 || q0 >= (int64_t)g->in[0]) continue;
            for (size_t k1 = 0; k1 < g->kernel[1]; k1++) {
              const int64_t q1 = (int64_t)(p1 * g->stride[1] + k1 * g->dilation[1]) - g->pad[1];
              if (q1 < 0 || q1 >= (int64_t)g->in[1]) continue;
              for (size_t k2 = 0; k2 < g->kernel[2]; k2++) {
                const int64_t q2 = (int64_t)(p2 * g->stride[2] + k2 * g->dilation[2]) - g->pad[2];
                if (q2 < 0 || q2 >= (int64_t)g->in[2]) continue;
                const float xv = x[n * g->x_n + (first_in + i) * g->x_c + (size_t)q0 * g->x_s[0] +
                                   (size_t)q1 * g->x_s[1] + (size_t)q2 * g->x_s[2]];
                sum += (double)xv * wo[((i * g->kernel[0] + k0) * g->kernel[1] + k1) * g->kernel[2] + k2];
              }
            }
          }
        float* out = &y[n * g->y_n + o * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]];
        if (sum_scale != 0.0f) sum += (double)sum_scale * (double)*out;
        *out = activation != NULL ? (float)tsr_reference_activation_f64(activation, sum) : (float)sum;
      }
}

void tsr_reference_conv_backward_data_plane_f32(const struct tsr_conv_geometry* g,
                                                const float* dy, const float* w, const float* bias,
                                                const tsr_activation* activation, float sum_scale,
                                                float* dx, size_t n, size_t i) {
  const size_t group_in = g->ic / g->groups, group_out = g->oc / g->groups;
  const size_t group = i / group_in, local_i = i % group_in;
  const size_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
  for (size_t q0 = 0; q0 < g->in[0]; q0++)
    for (size_t q1 = 0; q1 < g->in[1]; q1++)
      for (size_t q2 = 0; q2 < g->in[2]; q2++) {
        double sum = bias != NULL ? bias[i] : 0.0;
        /* the output position p with p * stride + k * dilation - pad == q, if any: each dim's
         * tap is tested at its own loop level, so taps that miss skip the inner loops */
        for (size_t o = group * group_out; o < (group + 1) * group_out; o++)
          for (size_t k0 = 0; k0 < g->kernel[0]; k0++) {
            const int64_t t0 = (int64_t)q0 + g->pad[0] - (int64_t)(k0 * g->dilation[0]);
            if (t0 < 0 || t0 % (int64_t)g->stride[0] || (size_t)t0 / g->stride[0] >= g->out[0]) continue;
            const size_t p0 = (size_t)t0 / g->stride[0];
            for (size_t k1 = 0; k1 < g->kernel[1]; k1++) {
              const int64_t t1 = (int64_t)q1 + g->pad[1] - (int64_t)(k1 * g->dilation[1]);
              if (t1 < 0 || t1 % (int64_t)g->stride[1] || (size_t)t1 / g->stride[1] >= g->out[1]) continue;
              const size_t p1 = (size_t)t1 / g->stride[1];
              for (size_t k2 = 0; k2 < g->kernel[2]; k2++) {
                const int64_t t2 = (int64_t)q2 + g->pad[2] - (int64_t)(k2 * g->dilation[2]);
                if (t2 < 0 || t2 % (int64_t)g->stride[2] || (size_t)t2 / g->stride[2] >= g->out[2]) continue;
                const size_t p2 = (size_t)t2 / g->stride[2];
                const float weight = w[(o * group_in + local_i) * taps + (k0 * g->kernel[1] + k1) * g->kernel[2] + k2];
                sum += (double)weight * dy[n * g->y_n + o * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]];
              }
            }
          }
        float* out = &dx[n * g->x_n + i * g->x_c + q0 * g->x_s[0] + q1 * g->x_s[1] + q2 * g->x_s[2]];
        if (sum_scale != 0.0f) sum += (double)sum_scale * (double)*out;
        *out = activation != NULL ? (float)tsr_reference_activation_f64(activation, sum) : (float)sum;
      }
}

void tsr_reference_conv_backward_weights_f32(const struct tsr_conv_geometry* g, const float* x,
                                             const float* dy, float* dw, float* db, size_t o) {
  const size_t group_in = g->ic / g->groups, group_out = g->oc / g->groups;
  const size_t first_in = (o / group_out) * group_in;
  const size_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
  double bias = 0.0;
  for (size_t n = 0; n < g->n; n++)
    for (size_t p0 = 0; p0 < g->out[0]; p0++)
      for (size_t p1 = 0; p1 < g->out[1]; p1++)
        for (size_t p2 = 0; p2 < g->out[2]; p2++)
          bias += dy[n * g->y_n + o * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]];
  if (db != NULL) db[o] = (float)bias;
  for (size_t i = 0; i < group_in; i++)
    for (size_t k0 = 0; k0 < g->kernel[0]; k0++)
      for (size_t k1 = 0; k1 < g->kernel[1]; k1++)
        for (size_t k2 = 0; k2 < g->kernel[2]; k2++) {
          double sum = 0.0;
          for (size_t n = 0; n < g->n; n++)
            for (size_t p0 = 0; p0 < g->out[0]; p0++) {
              const int64_t q0 = (int64_t)(p0 * g->stride[0] + k0 * g->dilation[0]) - g->pad[0];
              if (q0 < 0 || q0 >= (int64_t)g->in[0]) continue;
              for (size_t p1 = 0; p1 < g->out[1]; p1++) {
                const int64_t q1 = (int64_t)(p1 * g->stride[1] + k1 * g->dilation[1]) - g->pad[1];
                if (q1 < 0 || q1 >= (int64_t)g->in[1]) continue;
                for (size_t p2 = 0; p2 < g->out[2]; p2++) {
                  const int64_t q2 = (int64_t)(p2 * g->stride[2] + k2 * g->dilation[2]) - g->pad[2];
                  if (q2 < 0 || q2 >= (int64_t)g->in[2]) continue;
                  sum += (double)dy[n * g->y_n + o * g->y_c + p0 * g->y_s[0] + p1 * g->y_s[1] + p2 * g->y_s[2]] *
                         x[n * g->x_n + (first_in + i) * g->x_c + (size_t)q0 * g->x_s[0] + (size_t)q1 * g->x_s[1] +
                           (size_t)q2 * g->x_s[2]];
                }
              }
            }
          dw[(o * group_in + i) * taps + (k0 * g->kernel[1] + k1) * g->kernel[2] + k2] = (float)sum;
        }
}
