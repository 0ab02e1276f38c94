/* Elementwise activations of f32 tensors, one routine per activation kind (ReLU and clamp are the
 * f32-vclamp family). Each is written for accuracy first: cancellation-free forms (erfc for
 * GELU's left tail, expm1 for ELU, exp(-|x|) for sigmoid and softplus) and explicit limits at
 * infinity, so the error bounds stated in tessera.h hold over the whole float range. SIMD
 * variants of the hot ones replace these where the bandwidth-kernels work adds them.
 *
 * Contract: n >= 1; x and y either do not overlap or are the same pointer. */
#ifndef TSR_KERNELS_F32_VUNARY_H
#define TSR_KERNELS_F32_VUNARY_H

#include <stddef.h>

#include "kernels/microparams.h"
#include "tessera.h"

typedef void (*tsr_f32_vunary_fn)(size_t n, const float* x, float* y,
                                  const struct tsr_f32_activation_params* params);

/// The routine for `kind`, and its name; NULL for none/relu/clamp (use f32-vclamp) or an
/// unknown kind.
tsr_f32_vunary_fn tsr_f32_vunary_scalar(tsr_activation_kind kind, const char** name);

#endif
