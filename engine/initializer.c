/* Weight initializers from the counter-based generator: element i depends on (seed, i) only.
 * Normal values use the Box-Muller transform on the uniforms of indices 2i and 2i + 1 of a
 * stream derived from the seed. */
#include <math.h>
#include <stdbool.h>

#include "engine/error.h"
#include "engine/random.h"

static float tsr_normal(uint64_t seed, uint64_t i) {
  /* u1 in (0, 1] so the log is finite */
  const double u1 = 1.0 - (double)tsr_random_uniform(seed ^ 0x6E6F726D616CULL, 2 * i);
  const double u2 = (double)tsr_random_uniform(seed ^ 0x6E6F726D616CULL, 2 * i + 1);
  return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

tsr_status tsr_initialize(tsr_initializer kind, float a, float b, int64_t fan_in, int64_t fan_out,
                          uint64_t seed, float* data, int64_t count) {
  static const char where[] = "tsr_initialize";
  if (data == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: data is NULL", where);
  if (count < 1)
    return tsr_error(tsr_status_invalid_parameter, "%s: count is %lld; must be at least 1", where, (long long)count);
  if (!isfinite(a) || !isfinite(b))
    return tsr_error(tsr_status_invalid_parameter, "%s: a and b must be finite (got %g, %g)", where, (double)a, (double)b);
  const bool uses_fans = kind >= tsr_init_xavier_uniform && kind <= tsr_init_he_normal;
  if (uses_fans && (fan_in < 1 || ((kind == tsr_init_xavier_uniform || kind == tsr_init_xavier_normal) && fan_out < 1)))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: fan_in (%lld) and fan_out (%lld) must be at least 1 for this initializer",
                     where, (long long)fan_in, (long long)fan_out);
  double low = 0.0, high = 0.0, mean = 0.0, std = 0.0;
  bool normal = false;
  const double gain = a == 0.0f ? 1.0 : (double)a;
  switch (kind) {
    case tsr_init_zeros:
    case tsr_init_ones:
      break;
    case tsr_init_uniform:
      if (!(b > a)) return tsr_error(tsr_status_invalid_parameter, "%s: uniform needs b > a (got [%g, %g))", where, (double)a, (double)b);
      low = a;
      high = b;
      break;
    case tsr_init_normal:
      if (b < 0.0f) return tsr_error(tsr_status_invalid_parameter, "%s: normal needs b (std) >= 0, got %g", where, (double)b);
      normal = true;
      mean = a;
      std = b;
      break;
    case tsr_init_xavier_uniform:
      high = gain * sqrt(6.0 / (double)(fan_in + fan_out));
      low = -high;
      break;
    case tsr_init_xavier_normal:
      normal = true;
      std = gain * sqrt(2.0 / (double)(fan_in + fan_out));
      break;
    case tsr_init_he_uniform:
      high = sqrt(6.0 / ((1.0 + (double)a * a) * (double)fan_in));
      low = -high;
      break;
    case tsr_init_he_normal:
      normal = true;
      std = sqrt(2.0 / ((1.0 + (double)a * a) * (double)fan_in));
      break;
    default:
      return tsr_error(tsr_status_invalid_parameter, "%s: kind %d is not a tsr_initializer", where, (int)kind);
  }
  for (int64_t i = 0; i < count; i++) {
    if (kind == tsr_init_zeros || kind == tsr_init_ones) data[i] = kind == tsr_init_ones ? 1.0f : 0.0f;
    else if (normal) data[i] = (float)(mean + std * (double)tsr_normal(seed, (uint64_t)i));
    else {
      const float v = (float)(low + (high - low) * (double)tsr_random_uniform(seed, (uint64_t)i));
      data[i] = v < (float)high ? v : (float)low; /* rounding must not reach the open end */
    }
  }
  return tsr_status_success;
}

tsr_status tsr_dense_fans(int64_t in_features, int64_t out_features, int64_t* fan_in, int64_t* fan_out) {
  if (fan_in == NULL || fan_out == NULL)
    return tsr_error(tsr_status_invalid_parameter, "tsr_dense_fans: fan_in or fan_out is NULL");
  if (in_features < 1 || out_features < 1)
    return tsr_error(tsr_status_invalid_parameter, "tsr_dense_fans: features must be at least 1");
  *fan_in = in_features;
  *fan_out = out_features;
  return tsr_status_success;
}

tsr_status tsr_conv_fans(int64_t out_channels, int64_t in_channels_per_group, int32_t spatial_ndims,
                         const int64_t* kernel, int64_t* fan_in, int64_t* fan_out) {
  static const char where[] = "tsr_conv_fans";
  if (fan_in == NULL || fan_out == NULL || kernel == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: kernel, fan_in or fan_out is NULL", where);
  if (out_channels < 1 || in_channels_per_group < 1 || spatial_ndims < 1 || spatial_ndims > 3)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: channels must be at least 1 and spatial_ndims 1 to 3", where);
  int64_t volume = 1;
  for (int32_t d = 0; d < spatial_ndims; d++) {
    if (kernel[d] < 1 || __builtin_mul_overflow(volume, kernel[d], &volume))
      return tsr_error(tsr_status_invalid_parameter, "%s: kernel[%d] is %lld or the volume overflows",
                       where, (int)d, (long long)kernel[d]);
  }
  int64_t in, out;
  if (__builtin_mul_overflow(in_channels_per_group, volume, &in) || __builtin_mul_overflow(out_channels, volume, &out))
    return tsr_error(tsr_status_invalid_parameter, "%s: the fans overflow", where);
  *fan_in = in;
  *fan_out = out;
  return tsr_status_success;
}
