/* Parameters the microkernels take, prepared once at op creation. */
#ifndef TSR_KERNELS_MICROPARAMS_H
#define TSR_KERNELS_MICROPARAMS_H

struct tsr_f32_minmax_params {
  float min; /* lower bound; -INFINITY for none */
  float max; /* upper bound; +INFINITY for none */
};

/* The clamp on one element, NaN staying NaN as in the vector kernels (their single elements). */
static inline float tsr_f32_clamp(float v, const struct tsr_f32_minmax_params* params) {
  return v < params->min ? params->min : (v > params->max ? params->max : v);
}

/* A convolution kernel's store: y = clamp(acc + sum_scale * y_old, min, max). With sum_scale 0
 * the old output is not read (it may hold NaN). */
struct tsr_f32_conv_params {
  float min;       /* -INFINITY for none */
  float max;       /* +INFINITY for none */
  float sum_scale; /* 0: overwrite */
  /* nonzero: the kernels that have streaming stores (f32-igemm on x86) store around the caches,
   * for an output larger than the last-level cache; the caller aligns C and fences after */
  int stream;
};

/* Parameters of the activations that have them (see tsr_activation in tessera.h). */
struct tsr_f32_activation_params {
  float alpha;
  float beta;
};

#endif
