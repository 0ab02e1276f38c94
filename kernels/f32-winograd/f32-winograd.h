/* The f32 Winograd F(4x4, 3x3) transform microkernels: the input and output transforms that
 * turn a 3x3 stride-1 convolution into 36 independent GEMMs (one per point ξ of the 6x6
 * transformed tile), which run on the f32-igemm kernels. Both transforms are vectorized across
 * channels (NHWC keeps a pixel's channels contiguous).
 *
 * Matrices (Lavin and Gray, interpolation points 0, 1, -1, 2, -2 and infinity):
 *   B^T = [4  0 -5  0 1 0]   G = [ 1/4     0     0]   A^T = [1 1  1 1  1 0]
 *         [0 -4 -4  1 1 0]       [-1/6  -1/6  -1/6]         [0 1 -1 2 -2 0]
 *         [0  4 -4 -1 1 0]       [-1/6   1/6  -1/6]         [0 1  1 4  4 0]
 *         [0 -2 -1  2 1 0]       [1/24  1/12   1/6]         [0 1 -1 8 -8 1]
 *         [0  2 -1 -2 1 0]       [1/24 -1/12   1/6]
 *         [0  4  0 -5 0 1]       [   0     0     1]
 * A 4x4 output tile is Y = A^T [(G g G^T) ⊙ (B^T d B)] A for the 6x6 input tile d and the 3x3
 * filter g; summed over input channels, the ⊙ becomes a GEMM per ξ. B^T and A^T hold small
 * integers, so both transforms are exact for small integer data; G's fractions make the weights
 * inexact, which is why Winograd results differ from a direct convolution's (see tessera.h).
 *
 * Contracts (any channel count >= 1; no alignment required):
 * - input: x holds 36 pointers, the 6x6 input tile row-major, each at `channels` floats (a
 *   pointer to zeros for padding). Writes (B^T d B)[i][j] for every channel at
 *   v + (6 i + j) * v_stride. Reads nothing else.
 * - output: m + (6 i + j) * m_stride holds the tile's 6x6 GEMM results for `channels` output
 *   channels; bias is NULL or `channels` values. y holds 16 pointers, the 4x4 output tile
 *   row-major, NULL for a pixel outside the output (skipped). Each y[r] gets
 *   clamp((A^T m A)[r] + bias + sum_scale * y_old) with struct tsr_f32_conv_params (sum_scale 0:
 *   y is not read).
 */
#ifndef TSR_KERNELS_F32_WINOGRAD_H
#define TSR_KERNELS_F32_WINOGRAD_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"

#define TSR_WINOGRAD_TILE 6   /* transformed tile: 6 x 6 points */
#define TSR_WINOGRAD_OUTPUT 4 /* output tile: 4 x 4 pixels */
#define TSR_WINOGRAD_POINTS (TSR_WINOGRAD_TILE * TSR_WINOGRAD_TILE)

typedef void (*tsr_f32_winograd_input_fn)(size_t channels, const float* const* x, float* v, size_t v_stride);
typedef void (*tsr_f32_winograd_output_fn)(size_t channels, const float* m, size_t m_stride, const float* bias,
                                           float* const* y, const struct tsr_f32_conv_params* params);

#define TSR_WINOGRAD_UKERNELS(isa, suffix, lanes)                                                       \
  void tsr_f32_winograd_input__##suffix(size_t channels, const float* const* x, float* v, size_t v_stride); \
  void tsr_f32_winograd_output__##suffix(size_t channels, const float* m, size_t m_stride, const float* bias, \
                                         float* const* y, const struct tsr_f32_conv_params* params);
#include "kernels/f32-winograd/f32-winograd.inc"
#undef TSR_WINOGRAD_UKERNELS

/// One ISA's pair of transforms.
struct tsr_winograd_ukernels {
  tsr_isa isa;
  const char* name; /* the suffix ("avx2_c8"), as op descriptions show it (impl=winograd:...) */
  size_t lanes;     /* channels per vector */
  tsr_f32_winograd_input_fn input;
  tsr_f32_winograd_output_fn output;
};

/// Every pair, best ISA first.
extern const struct tsr_winograd_ukernels tsr_f32_winograd_ukernels[];
extern const size_t tsr_f32_winograd_ukernel_count;

/// The pair for the best ISA allowed (TESSERA_MAX_ISA).
const struct tsr_winograd_ukernels* tsr_winograd_ukernels_get(void);

#endif
