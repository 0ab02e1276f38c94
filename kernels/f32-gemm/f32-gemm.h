/* The f32 GEMM microkernel family and its per-ISA blocking.
 *
 * Contract of a kernel with tile MR x NR:
 * - a: the packed A panel, kc groups of MR floats (row r of step k at a[k * MR + r]); kc >= 1.
 * - b, ldb: the B panel, kc rows of NR floats, ldb floats apart: a packed panel (ldb = NR), or
 *   a plain B read in place (ldb = its row stride). No alignment required.
 * - c: a full MR x NR tile with row stride ldc; read (when init is NULL) and written whole. The
 *   GEMM driver passes a scratch tile for edge tiles, so kernels never see partial tiles.
 * - init: NULL to start from the values in C (accumulate), or NR floats (a bias row, or zeros)
 *   that every row starts from (overwrite: C is not read, so it may hold NaN).
 * - clamp: NULL, or bounds applied before the store (min(max(x, lo), hi), NaN stays NaN).
 */
#ifndef TSR_KERNELS_F32_GEMM_H
#define TSR_KERNELS_F32_GEMM_H

#include <stddef.h>

#include "engine/cpu.h"
#include "kernels/microparams.h"
#include "kernels/ukernel-list.h"

typedef void (*tsr_f32_gemm_ukernel_fn)(size_t kc, const float* a, const float* b, size_t ldb,
                                        float* c, size_t ldc, const float* init,
                                        const struct tsr_f32_minmax_params* clamp);

#define TSR_GEMM_UKERNEL(isa, ukernel, mr, nr)                                       \
  void ukernel(size_t kc, const float* restrict a, const float* restrict b, size_t ldb, \
               float* restrict c, size_t ldc, const float* restrict init,            \
               const struct tsr_f32_minmax_params* clamp);
#include "kernels/f32-gemm/f32-gemm.inc"
#undef TSR_GEMM_UKERNEL

/// The kernels and blocking the GEMM driver uses on this machine.
struct tsr_gemm_config {
  tsr_isa isa;
  size_t mr, nr;  /* the main kernel's tile */
  size_t mc;      /* rows of A packed per block (a multiple of mr): the block stays in L2 */
  size_t kc;      /* depth of a block: a B panel (kc x nr) stays in L1 across the block's rows */
  tsr_f32_gemm_ukernel_fn main;  /* mr x nr */
  tsr_f32_gemm_ukernel_fn row;   /* 1 x nr, for single-row problems */
  const char* main_name;
  const char* row_name;
};

/// The configuration for the best ISA allowed (TESSERA_MAX_ISA), chosen once.
const struct tsr_gemm_config* tsr_gemm_config_get(void);

/// Every kernel of the family (for testers), best ISA first.
struct tsr_gemm_ukernel_entry {
  tsr_isa isa;
  tsr_f32_gemm_ukernel_fn function;
  const char* name;
  size_t mr, nr;
};
extern const struct tsr_gemm_ukernel_entry tsr_f32_gemm_ukernels[];
extern const size_t tsr_f32_gemm_ukernel_count;

#endif
