#include "tests/harness/float-range.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

double tsr_ulp_error(float y, double exact) {
  const float rounded = (float)exact;
  if (isnan(exact) || isnan(y)) return isnan(exact) && isnan(y) ? 0.0 : INFINITY;
  if (isinf(rounded) || isinf(y)) return rounded == y ? 0.0 : INFINITY;
  const float magnitude = fabsf(rounded);
  const double ulp = magnitude < FLT_MIN ? ldexp(1.0, -149) : (double)(nextafterf(magnitude, INFINITY) - magnitude);
  return fabs((double)y - exact) / ulp;
}

size_t tsr_float_range_inputs(float* x) {
  size_t n = 0;
  const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, FLT_MIN, -FLT_MIN, FLT_TRUE_MIN,
                            -FLT_TRUE_MIN, FLT_MAX, -FLT_MAX, 1.0f, -1.0f, 0.5f, -3.0f, 3.0f, -6.0f,
                            6.0f, 88.7f, -88.7f, 89.0f, -104.0f, 1e-20f, -1e-20f, 20.0f, -20.0f};
  for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) x[n++] = specials[i];
  for (uint32_t bits = 0; bits < 0x7F800000u; bits += 2311) { /* every 2311th positive pattern */
    float v;
    memcpy(&v, &bits, sizeof(v));
    x[n++] = v;
    x[n++] = -v;
  }
  for (int i = -20000; i <= 20000; i++) x[n++] = (float)i * 0.001f; /* dense near zero */
  return n;
}
