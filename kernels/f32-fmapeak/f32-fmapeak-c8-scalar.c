#include "kernels/f32-fmapeak/f32-fmapeak.h"

/* acc = acc * a + b with a < 1 converges to b / (1 - a): values stay normal, never denormal. */
float tsr_f32_fmapeak__scalar_c8(size_t iterations) {
  const float va = 0.999f;
  const float vb = 0.001f;
  float vacc0 = 0.0f;
  float vacc1 = 1.0f;
  float vacc2 = 2.0f;
  float vacc3 = 3.0f;
  float vacc4 = 4.0f;
  float vacc5 = 5.0f;
  float vacc6 = 6.0f;
  float vacc7 = 7.0f;
  for (size_t i = 0; i < iterations; i++) {
    vacc0 = vacc0 * va + vb;
    vacc1 = vacc1 * va + vb;
    vacc2 = vacc2 * va + vb;
    vacc3 = vacc3 * va + vb;
    vacc4 = vacc4 * va + vb;
    vacc5 = vacc5 * va + vb;
    vacc6 = vacc6 * va + vb;
    vacc7 = vacc7 * va + vb;
  }
  vacc0 = vacc0 + vacc1;
  vacc2 = vacc2 + vacc3;
  vacc4 = vacc4 + vacc5;
  vacc6 = vacc6 + vacc7;
  vacc0 = vacc0 + vacc2;
  vacc4 = vacc4 + vacc6;
  vacc0 = vacc0 + vacc4;
  return vacc0;
}
