/* Parameters the microkernels take, prepared once at op creation. */
#ifndef TSR_KERNELS_MICROPARAMS_H
#define TSR_KERNELS_MICROPARAMS_H

struct tsr_f32_minmax_params {
  float min; /* lower bound; -INFINITY for none */
  float max; /* upper bound; +INFINITY for none */
};

/* Parameters of the activations that have them (see tsr_activation in tessera.h). */
struct tsr_f32_activation_params {
  float alpha;
  float beta;
};

#endif
