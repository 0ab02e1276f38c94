/* The f32 indirect-GEMM microkernel family: convolution as a GEMM whose A rows are found
 * through an indirection buffer of input-pixel pointers, so no im2col copy is ever made.
 *
 * Contract of a kernel with tile MR x NR:
 * - mr (1..MR) output rows (pixels) and nc (1..NR) output columns (channels) are stored; the
 *   kernel computes all MR rows, so every one of the MR pointers per tap must be readable (the
 *   driver repeats the last pixel's pointers to fill a short tile).
 * - kc >= 1: channels per tap (floats read from each A row); ks >= 1: taps.
 * - a: ks groups of MR pointers, tap-major (row r of tap t is a[t * MR + r]). A pointer equal to
 *   `zero` is read as is (kc zeros: padding); any other is first moved by a_offset bytes (the
 *   buffer can be built once per input shape and reused for every input, batch item and group).
 * - w: the packed panel: NR bias values, then for each tap and each channel NR weights (columns
 *   past the layer's last output channel hold zeros).
 * - c: row r, column j at c[r * ldc + j]; y = clamp(acc + sum_scale * y_old) with
 *   struct tsr_f32_conv_params (sum_scale 0: C is not read).
 * - params->stream nonzero: c is 64-byte aligned and ldc a multiple of 16; the x86 kernels then
 *   store a full tile's vectors (AVX-512: every whole vector, edge tiles too) with non-temporal
 *   stores, which the caller orders with tsr_store_fence before C is read elsewhere. Other
 *   kernels ignore it.
 */
#ifndef TSR_KERNELS_F32_IGEMM_H
#define TSR_KERNELS_F32_IGEMM_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"

typedef void (*tsr_f32_igemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, size_t ks,
                                         const float* const* a, const float* w, float* c,
                                         size_t ldc, size_t a_offset, const float* zero,
                                         const struct tsr_f32_conv_params* params);

#define TSR_IGEMM_UKERNEL(isa, ukernel, tile_m, tile_n)                                            \
  void ukernel(size_t mr, size_t nc, size_t kc, size_t ks, const float* const* restrict a, \
               const float* restrict w, float* restrict c, size_t ldc, size_t a_offset,     \
               const float* zero, const struct tsr_f32_conv_params* params);
#include "kernels/f32-igemm/f32-igemm.inc"
#undef TSR_IGEMM_UKERNEL

/// Every kernel of the family, best ISA first.
struct tsr_igemm_ukernel_entry {
  tsr_isa isa;
  tsr_f32_igemm_ukernel_fn function;
  const char* name;
  size_t mr, nr;
};
extern const struct tsr_igemm_ukernel_entry tsr_f32_igemm_ukernels[];
extern const size_t tsr_f32_igemm_ukernel_count;

/// The first kernel the CPU and TESSERA_MAX_ISA allow, or a narrower SIMD one allowed after it
/// where the first would compute at least twice the padded columns for `columns` output
/// channels (16 channels on AVX-512's 32-wide tile run on the AVX2 16-wide one).
const struct tsr_igemm_ukernel_entry* tsr_f32_igemm_pick(size_t columns);

/// The edge-tile store every variant shares: rows < mr and columns < nc of a local tile (row
/// stride ldt) go to C through the same epilogue as a full tile.
static inline void tsr_f32_igemm_store_edge(size_t mr, size_t nc, const float* tile, size_t ldt,
                                            float* c, size_t ldc,
                                            const struct tsr_f32_conv_params* params) {
  for (size_t r = 0; r < mr; r++)
    for (size_t j = 0; j < nc; j++) {
      float v = tile[r * ldt + j];
      if (params->sum_scale != 0.0f) v += params->sum_scale * c[r * ldc + j];
      v = v < params->min ? params->min : v; /* compares: NaN stays NaN */
      v = v > params->max ? params->max : v;
      c[r * ldc + j] = v;
    }
}

#endif
