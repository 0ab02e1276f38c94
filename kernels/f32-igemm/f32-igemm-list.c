/* The f32 indirect-GEMM kernels, from the family's .inc list. */
#include "kernels/f32-igemm/f32-igemm.h"

const struct tsr_igemm_ukernel_entry tsr_f32_igemm_ukernels[] = {
#define TSR_IGEMM_UKERNEL(isa, ukernel, mr, nr) {tsr_isa_##isa, ukernel, #ukernel, mr, nr},
#include "kernels/f32-igemm/f32-igemm.inc"
#undef TSR_IGEMM_UKERNEL
};

const size_t tsr_f32_igemm_ukernel_count =
    sizeof(tsr_f32_igemm_ukernels) / sizeof(tsr_f32_igemm_ukernels[0]);

static size_t tsr_padded_columns(size_t columns, size_t nr) { return (columns + nr - 1) / nr * nr; }

const struct tsr_igemm_ukernel_entry* tsr_f32_igemm_pick(size_t columns) {
  const struct tsr_igemm_ukernel_entry* best = &tsr_f32_igemm_ukernels[tsr_f32_igemm_ukernel_count - 1];
  size_t i = 0;
  for (; i < tsr_f32_igemm_ukernel_count; i++)
    if (tsr_isa_allowed(tsr_f32_igemm_ukernels[i].isa)) {
      best = &tsr_f32_igemm_ukernels[i];
      break;
    }
  /* A narrower SIMD tile when the best one would compute at least twice the columns: even where
   * the narrower vectors have half the throughput it is no slower, and where they have the same
   * (AMD Zen 4 runs AVX-512 as two 256-bit halves) it is up to twice as fast. */
  for (i++; i < tsr_f32_igemm_ukernel_count; i++) {
    const struct tsr_igemm_ukernel_entry* e = &tsr_f32_igemm_ukernels[i];
    if (e->isa != tsr_isa_scalar && tsr_isa_allowed(e->isa) &&
        tsr_padded_columns(columns, best->nr) >= 2 * tsr_padded_columns(columns, e->nr))
      best = e;
  }
  return best;
}
