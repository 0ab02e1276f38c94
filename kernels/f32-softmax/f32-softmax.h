/* The f32 softmax row kernel family: softmax or log-softmax of one contiguous row of n elements.
 * Three passes: the max; exp(x - max) (stored for softmax) with the sum accumulated in double
 * (the vector variants add each iteration's two exp vectors in f32 first, one rounding of 2^-24
 * relative to a positive pair, and widen that: one widening a pair instead of two, 7-9% of a
 * row's time on Zen 4 with AVX-512, from 0.96-1.02 to 1.03-1.11 of oneDNN's time in the same runs,
 * see docs/PERFORMANCE.md); then y = exp(x - max) / sum, or y = (x - max) - log(sum).
 *
 * exp is range-reduced (x = k ln2 + r, |r| <= ln2 / 2, ln2 in two parts) and evaluated by a
 * degree-7 polynomial: relative error below 2.4e-7 for results above 2^-126; results below that
 * are within 2^-126 (AVX2 gives 0 from x - max < -87.3365 on, NEON from -87.68 on) or within
 * 2^-149 (AVX-512, whose vscalefps rounds them into the subnormals; 0 from -104 on).
 * So softmax outputs are within 4 ulp (4.8e-7 relative) of the exact result, plus 2^-126
 * absolute; log-softmax outputs within 2 ulp of max(|x - max|, log(sum)). NaN anywhere in a row
 * makes the row NaN; +inf gives NaN (inf - inf), as the reference does. The vector variants take
 * several vectors' exps step by step together (see the AVX2 variant for why).
 *
 * Contract: n >= 1; x and y either do not overlap or are the same pointer (in place); no
 * alignment required; nothing outside the n elements is read or written. */
#ifndef TSR_KERNELS_F32_SOFTMAX_H
#define TSR_KERNELS_F32_SOFTMAX_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_softmax_ukernel_fn)(size_t n, const float* x, float* y, bool logarithmic);

#define TSR_UKERNEL(isa, ukernel, tile) void ukernel(size_t n, const float* x, float* y, bool logarithmic);
#include "kernels/f32-softmax/f32-softmax.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_softmax_ukernels[];
extern const size_t tsr_f32_softmax_ukernel_count;

#endif
