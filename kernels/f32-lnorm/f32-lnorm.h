/* The f32 layer-norm kernel family: y = (x - mean) / sqrt(var + epsilon) * gamma + beta over each
 * of `rows` contiguous rows of n elements (x and y rows x_stride and y_stride floats apart). The
 * vector variants take the statistics of a block of rows (tsr_f32_lnorm_block_rows: up to 8 rows
 * that fit 128 KiB, so they stay in L2; one row when n <= TSR_F32_LNORM_SPAN) and then normalize
 * the block a span of TSR_F32_LNORM_SPAN columns at a time, every row of the block in turn, so the
 * span's gamma and beta (8 KiB) stay in L1 for all of them: for long rows, x, gamma and beta
 * (48 KiB a row at n = 4096) were read from L2 for each row and that, not memory, bounded the
 * kernel (1 thread, Zen 4, 2048x4096 24-27 -> 29-32 GB/s, oneDNN 13-15 in the same runs; 64x4096
 * in cache 38-40 -> 50-53, oneDNN 29; spans of 512 or 2048 and blocks of 4 or 16 rows measured the
 * same). For each row the vector variants
 * take the statistics in f32 arithmetic, in one pass where they can: the sums of d = x - origin
 * and d^2, origin the mean of the row's first 4 vectors, each accumulator lane adding 4 vectors
 * before the block is folded and carried on in double (f32 statistics convert nothing in the
 * loop; in double they ran at 2-3 cycles a vector and made the kernel compute-bound in cache).
 * Where that origin lies more than half a deviation from the mean, the sums are taken again from
 * the mean found (the row is in L1 by then); rows too short for the blocks, and rows whose
 * squares leave f32's range (d^2 under 2^-100 on average, or an overflow), take the statistics in
 * double (f32-rowstats). The mean is
 * kept as a float pair and the normalization runs in f32.
 *
 * The bound, for the f32 statistics: the mean within 3.4 x 2^-23 sigma and the variance within
 * 7.8 x 2^-23 of itself (5 roundings per lane and block, d's own rounding, the origin within half
 * a deviation), so each output is within 2^-23 (7 |(x - mean) rstd gamma| + 4 |gamma| +
 * 3 |beta|) of the exact value (tests/kernels/f32-lnorm-test.c prints the largest error). The
 * double statistics give 3 x 2^-23 (|(x - mean) rstd gamma| + |beta|); the scalar variant is the
 * double two-pass reference, rounded once.
 *
 * Contract: n >= 1, strides >= n; gamma and beta are n values each (the op supplies ones and
 * zeros when the user gave none); x and y either do not overlap or are the same pointer with the
 * same stride (in place: every pass reads an element of x before the last one writes it); no
 * alignment required; nothing outside each row's n elements is read or written. With `stream`
 * the x86 variants write y's whole aligned vectors with non-temporal stores (for rows from
 * memory; the caller fences, tsr_store_fence, before another thread reads y); the NEON and
 * scalar variants store as usual. */
#ifndef TSR_KERNELS_F32_LNORM_H
#define TSR_KERNELS_F32_LNORM_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/f32-rowstats/f32-rowstats.h"
#include "kernels/ukernel-list.h"

/// A row's statistics: the mean as a float pair (high + low, from the sums of d = x - origin and
/// d^2 over the row) and 1 / sqrt(var + epsilon). Each variant exports the statistics it
/// normalizes with as <ukernel>_statistics (group norm takes a group's with it).
struct tsr_f32_lnorm_statistics {
  float mean_high, mean_low, inverse;
};

typedef struct tsr_f32_lnorm_statistics (*tsr_f32_lnorm_statistics_fn)(size_t n, const float* x, double epsilon);

typedef void (*tsr_f32_lnorm_ukernel_fn)(size_t rows, size_t n, const float* x, size_t x_stride, const float* gamma,
                                         const float* beta, double epsilon, bool stream, float* y, size_t y_stride);

#define TSR_UKERNEL(isa, ukernel, tile)                                                                           \
  void ukernel(size_t rows, size_t n, const float* x, size_t x_stride, const float* gamma, const float* beta, \
               double epsilon, bool stream, float* y, size_t y_stride);                   \
  struct tsr_f32_lnorm_statistics ukernel##_statistics(size_t n, const float* x, double epsilon);
#include "kernels/f32-lnorm/f32-lnorm.inc"
#undef TSR_UKERNEL

extern const struct tsr_ukernel_entry tsr_f32_lnorm_ukernels[];
extern const size_t tsr_f32_lnorm_ukernel_count;
/// The variants' statistics functions (tsr_f32_lnorm_statistics_fn), in the same order.
extern const struct tsr_ukernel_entry tsr_f32_lnorm_statistics_ukernels[];

#define TSR_F32_LNORM_SPAN 1024          /* columns normalized a row at a time: gamma and beta's 8 KiB */
#define TSR_F32_LNORM_MAX_BLOCK_ROWS 8   /* rows whose statistics are taken before normalizing them */
#define TSR_F32_LNORM_BLOCK_FLOATS 32768 /* 128 KiB of x a block at most, to stay in L2 */

/// How many rows of n the vector variants take the statistics of before normalizing them span by
/// span (engine/norm.c forms a fused residual's sums in the same blocks).
static inline size_t tsr_f32_lnorm_block_rows(size_t n) {
  if (n <= TSR_F32_LNORM_SPAN) return 1;
  const size_t rows = TSR_F32_LNORM_BLOCK_FLOATS / n;
  return rows < 1 ? 1 : rows > TSR_F32_LNORM_MAX_BLOCK_ROWS ? TSR_F32_LNORM_MAX_BLOCK_ROWS : rows;
}

/// The statistics from a mean and 1 / sqrt(var + epsilon) in double.
static inline struct tsr_f32_lnorm_statistics tsr_f32_lnorm_statistics_of(double mean, double inverse) {
  struct tsr_f32_lnorm_statistics s;
  s.mean_high = (float)mean;
  s.mean_low = (float)(mean - (double)s.mean_high);
  s.inverse = (float)inverse;
  return s;
}

/// The statistics from the sums of d = x - origin and d^2 over n elements (f32-rowstats' moments).
static inline struct tsr_f32_lnorm_statistics tsr_f32_lnorm_statistics(size_t n, double origin, const double sums[2],
                                                                       double epsilon) {
  double shifted_mean, inverse;
  tsr_f32_rowstats_moments(n, sums, epsilon, &shifted_mean, &inverse);
  return tsr_f32_lnorm_statistics_of(origin + shifted_mean, inverse);
}

/// A vector variant's f32 sums of d = x - origin and d^2 over the row (blocks in f32, carried in
/// double), and the mean of its first 4 vectors (the origin).
typedef void (*tsr_f32_lnorm_sums_fn)(size_t n, const float* x, float origin, double sums[2]);
typedef float (*tsr_f32_lnorm_origin_fn)(const float* x);

/// Whether f32 sums can give the statistics: finite, and squares clear of f32's subnormal range
/// (a mean square of 2^-100 leaves 2^26 above the smallest normal d^2).
static inline bool tsr_f32_lnorm_sums_usable(size_t n, const double sums[2]) {
  return __builtin_isfinite(sums[0]) && __builtin_isfinite(sums[1]) && sums[1] >= (double)n * 0x1p-100;
}

/// Whether the origin lies within half a deviation of the mean, E[d]^2 <= var / 4 (as 5 S^2 <= n Q,
/// no division on the way to the normalization), so the cancellation in var = E[d^2] - E[d]^2
/// costs little of f32's precision.
static inline bool tsr_f32_lnorm_origin_near(size_t n, const double sums[2]) {
  return 5.0 * sums[0] * sums[0] <= (double)n * sums[1];
}

/// The statistics a vector variant normalizes with: f32 sums from the first vectors' mean, again
/// from the mean found if that origin was far, in double (f32-rowstats) for rows shorter than
/// `min_n` or whose sums f32 cannot hold.
static inline struct tsr_f32_lnorm_statistics tsr_f32_lnorm_take_statistics(size_t n, const float* x, double epsilon,
                                                                            size_t min_n, tsr_f32_lnorm_origin_fn first,
                                                                            tsr_f32_lnorm_sums_fn f32_sums,
                                                                            tsr_f32_rowstats_ukernel_fn double_sums) {
  double sums[2];
  if (n >= min_n) {
    float origin = first(x);
    f32_sums(n, x, origin, sums);
    if (tsr_f32_lnorm_sums_usable(n, sums) && !tsr_f32_lnorm_origin_near(n, sums)) {
      origin = (float)((double)origin + sums[0] / (double)n);
      f32_sums(n, x, origin, sums);
    }
    if (tsr_f32_lnorm_sums_usable(n, sums) && tsr_f32_lnorm_origin_near(n, sums))
      return tsr_f32_lnorm_statistics(n, origin, sums, epsilon);
  }
  double_sums(n, x, x[0], sums);
  return tsr_f32_lnorm_statistics(n, x[0], sums, epsilon);
}

/// The normalization of elements [start, n) one at a time, as the vector loops do it.
static inline void tsr_f32_lnorm_normalize_tail(size_t start, size_t n, const float* x, const float* gamma,
                                                const float* beta, struct tsr_f32_lnorm_statistics s, float* y) {
  for (size_t i = start; i < n; i++)
    y[i] = __builtin_fmaf(((x[i] - s.mean_high) - s.mean_low) * s.inverse, gamma[i], beta[i]);
}

#endif
