/* The fused (flash-style) attention kernel set: the pieces the engine's attention core strings
 * together over tiles of queries x keys so that the Lq x Lkv score matrix is never stored.
 * Each ISA has one set (one file); scores are in the log2 domain (the engine folds log2(e) into
 * the query scale and the masks), so every exponential is an exp2.
 *
 * The tile path keeps a score tile transposed, S[key][query], queries across the SIMD lanes:
 * the online softmax is then lane-wise (no horizontal reductions), and the same GEMM tile
 * computes both products:
 *   scores  S  = K . Q^T    (A = key rows read in place, B = the task's packed scaled Q^T)
 *   update  O  = alpha O + P . V  (A = S read down its columns, B = V rows read in place)
 * The row path (a few queries per kv head: decode) uses dot products of up to 4 queries against
 * each key row, a row softmax, and the GEMM tile for O = alpha O + P V with the queries as rows,
 * so the K/V cache is streamed once, at full vector width, with no lane waste.
 *
 * Contracts (no alignment is required anywhere):
 * - gemm: for r < MR, n < NR: C[r][n] = (c_scale ? c_scale[r] * C[r][n] : 0) + sum over k < kc
 *   of A[r][k] * B[k][n], where A[r][k] = a[r * a_row_stride + k * a_k_stride] and B[k][n] =
 *   b[k * ldb + n] for n < nc (B columns at or past nc are neither read nor used: they act as
 *   0). Rows at or past mr are neither read nor written (1 <= mr <= MR, 1 <= nc <= NR,
 *   kc >= 1); C is written for all NR columns of rows below mr (ldc >= NR).
 * - softmax: the online softmax step over a tile s (rows >= 1 keys x lanes queries, lanes a
 *   multiple of NR, row stride lds), per lane l: m = max(max[l], max over rows of s[.][l]);
 *   u = m, or 0 when m is -inf (every key masked so far); alpha[l] = exp2(max[l] - u);
 *   s = exp2(s - u) in place; sum[l] = sum[l] * alpha[l] + column sum of s; max[l] = m.
 * - rowexp: the same for one contiguous row of n >= 1 scores and a single max; returns the
 *   row's sum (the caller rescales its running sum with exp2(old max - u)).
 * - dot: s[r * lds + j] = sum over c < d of k[j * ldk + c] * q[r * ldq + c], for j < n and
 *   r < rows (n, d >= 1; 1 <= rows <= 4): up to 4 queries share each key row loaded.
 * - concat: the additive score tile, s[r * lds + l] = weight * sum over c < d of
 *   tanh(qt[c * ldq + l] + k_scale * k[r * ldk + c]) for r < rows, l < lanes (lanes a
 *   multiple of NR, rows and d >= 1).
 * Accuracy: exp2 of the vector variants has relative error below 4e-7 for results above
 * 2^-126, gives 0 below that and for -inf; tanh has absolute error below 5e-7 over all floats
 * (+-1 for large magnitudes). The scalar set uses libm. */
#ifndef TSR_KERNELS_F32_FLASH_H
#define TSR_KERNELS_F32_FLASH_H

#include <stddef.h>

#include "engine/cpu.h"

typedef void (*tsr_f32_flash_gemm_fn)(size_t mr, size_t nc, size_t kc, const float* a, size_t a_row_stride,
                                      size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,
                                      const float* c_scale);
typedef void (*tsr_f32_flash_softmax_fn)(size_t rows, size_t lanes, float* s, size_t lds, float* max,
                                         float* sum, float* alpha);
typedef float (*tsr_f32_flash_rowexp_fn)(size_t n, float* s, float* max);
typedef void (*tsr_f32_flash_dot_fn)(size_t n, size_t d, const float* k, size_t ldk, size_t rows, const float* q,
                                     size_t ldq, float* s, size_t lds);
typedef void (*tsr_f32_flash_concat_fn)(size_t rows, size_t lanes, size_t d, const float* k, size_t ldk,
                                        float k_scale, const float* qt, size_t ldq, float weight, float* s,
                                        size_t lds);

/// One ISA's kernel set and its GEMM tile.
struct tsr_flash_ukernels {
  tsr_isa isa;
  const char* name; /* "flash:<suffix>", as op descriptions show it */
  size_t mr, nr;
  tsr_f32_flash_gemm_fn gemm;
  tsr_f32_flash_softmax_fn softmax;
  tsr_f32_flash_rowexp_fn rowexp;
  tsr_f32_flash_dot_fn dot;
  tsr_f32_flash_concat_fn concat;
};

#define TSR_FLASH_UKERNELS(isa, suffix, mr, nr)                                                                \
  void tsr_f32_flash_gemm__##suffix(size_t mr_, size_t nc, size_t kc, const float* a, size_t a_row_stride,     \
                                    size_t a_k_stride, const float* b, size_t ldb, float* c, size_t ldc,       \
                                    const float* c_scale);                                                     \
  void tsr_f32_flash_softmax__##suffix(size_t rows, size_t lanes, float* s, size_t lds, float* max,           \
                                       float* sum, float* alpha);                                              \
  float tsr_f32_flash_rowexp__##suffix(size_t n, float* s, float* max);                                       \
  void tsr_f32_flash_dot__##suffix(size_t n, size_t d, const float* k, size_t ldk, size_t rows, const float* q, \
                                   size_t ldq, float* s, size_t lds);                                         \
  void tsr_f32_flash_concat__##suffix(size_t rows, size_t lanes, size_t d, const float* k, size_t ldk,        \
                                      float k_scale, const float* qt, size_t ldq, float weight, float* s,     \
                                      size_t lds);
#include "kernels/f32-flash/f32-flash.inc"
#undef TSR_FLASH_UKERNELS

/// Every set this build has, best ISA first, scalar last (for testers).
extern const struct tsr_flash_ukernels tsr_f32_flash_ukernels[];
extern const size_t tsr_f32_flash_ukernel_count;

/// The set for the best ISA allowed (TESSERA_MAX_ISA).
const struct tsr_flash_ukernels* tsr_flash_ukernels_get(void);

#endif
