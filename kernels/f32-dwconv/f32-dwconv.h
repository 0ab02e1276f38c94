/* The f32 depthwise-convolution microkernel family: one output pixel, every channel, each
 * channel convolved with its own filter (groups = channels, depth multiplier 1).
 *
 * Contract of a kernel with channel block CB:
 * - a: ks >= 1 pointers, one per tap: the input pixel's channel row, or `zero` (padding, read
 *   as is: at least `channels` zeros); any other pointer is first moved by a_offset bytes, so the
 *   indirection buffer is built once per input shape.
 * - w: packed by blocks of CB channels: CB bias values, then for each tap CB weights; the last
 *   block is padded with zeros to CB.
 * - c: `channels` outputs, y = clamp(acc + sum_scale * y_old) with struct tsr_f32_conv_params
 *   (sum_scale 0: C is not read). Nothing past channels is read or written.
 */
#ifndef TSR_KERNELS_F32_DWCONV_H
#define TSR_KERNELS_F32_DWCONV_H

#include <stddef.h>
#include <stdint.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_dwconv_ukernel_fn)(size_t channels, size_t ks, const float* const* a,
                                          const float* w, float* c, size_t a_offset,
                                          const float* zero, const struct tsr_f32_conv_params* params);

#define TSR_DWCONV_UKERNEL(isa, ukernel, tile)                                                \
  void ukernel(size_t channels, size_t ks, const float* const* restrict a, const float* restrict w, \
               float* restrict c, size_t a_offset, const float* zero,                            \
               const struct tsr_f32_conv_params* params);
#include "kernels/f32-dwconv/f32-dwconv.inc"
#undef TSR_DWCONV_UKERNEL

/// The family's list (tile = CB), best ISA first.
extern const struct tsr_ukernel_entry tsr_f32_dwconv_ukernels[];
extern const size_t tsr_f32_dwconv_ukernel_count;

/// Channels [c0, c0 + n) one at a time, w pointing at the block that holds channel c0 (n <= cb
/// for the SIMD variants' last block; any n for the scalar variant with cb = 1): what every
/// variant does past its last whole block.
static inline void tsr_f32_dwconv_tail(size_t n, size_t cb, size_t ks, const float* const* a,
                                       const float* w, float* c, size_t a_offset, size_t c0,
                                       const float* zero, const struct tsr_f32_conv_params* params) {
  for (size_t j = 0; j < n; j++) {
    const float* block = w + (j / cb) * cb * (ks + 1);
    const size_t lane = j % cb;
    float acc = block[lane];
    for (size_t t = 0; t < ks; t++) {
      const float* x = a[t] == zero ? zero : (const float*)((uintptr_t)a[t] + a_offset);
      acc += x[c0 + j] * block[cb * (t + 1) + lane];
    }
    if (params->sum_scale != 0.0f) acc += params->sum_scale * c[j];
    acc = acc < params->min ? params->min : acc; /* compares: NaN stays NaN */
    acc = acc > params->max ? params->max : acc;
    c[j] = acc;
  }
}

#endif
