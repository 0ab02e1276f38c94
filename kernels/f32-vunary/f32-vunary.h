/* Elementwise activations of f32 tensors, one routine per activation kind (ReLU and clamp are the
 * f32-vclamp family). The portable routines (f32-vunary-scalar.c) are written for accuracy
 * first: cancellation-free forms (erfc for GELU's left tail, expm1 for ELU, exp(-|x|) for
 * sigmoid and softplus) in double precision and explicit limits at infinity, so they are within
 * 1 ulp over the whole float range. The vectorized kernels of the hot kinds (f32-vunary.inc:
 * exp, log, sigmoid, SiLU, tanh, both GELUs; one body, f32-vunary-body.h, over each ISA's vector
 * primitives) work in float with the same cancellation-free forms, within the few ulps the
 * list states.
 *
 * Contract: n >= 1; x and y either do not overlap or are the same pointer. */
#ifndef TSR_KERNELS_F32_VUNARY_H
#define TSR_KERNELS_F32_VUNARY_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"
#include "kernels/ukernel-list.h"
#include "tessera.h"

typedef void (*tsr_f32_vunary_fn)(size_t n, const float* x, float* y,
                                  const struct tsr_f32_activation_params* params);

/// The routine for `kind`, and its name; NULL for none/relu/clamp (use f32-vclamp) or an
/// unknown kind.
tsr_f32_vunary_fn tsr_f32_vunary_scalar(tsr_activation_kind kind, const char** name);

/// A vectorized kernel: its activation kind, its entry (isa, function, name, lanes) and the error
/// bound it is held to, in ulps.
struct tsr_f32_vunary_entry {
  tsr_activation_kind kind;
  struct tsr_ukernel_entry entry;
  double max_ulps;
};

/// The vectorized kernels, best ISA first within each kind (f32-vunary.inc).
extern const struct tsr_f32_vunary_entry tsr_f32_vunary_ukernels[];
extern const size_t tsr_f32_vunary_ukernel_count;

#define TSR_VUNARY_UKERNEL(isa, kind, ukernel, lanes, ulps)                 \
  void ukernel(size_t n, const float* x, float* y, const struct tsr_f32_activation_params* params);
#include "kernels/f32-vunary/f32-vunary.inc"
#undef TSR_VUNARY_UKERNEL

#endif
