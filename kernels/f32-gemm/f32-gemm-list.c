/* The f32 GEMM kernels, from the family's .inc list, and the blocking chosen for each ISA. */
#include <pthread.h>

#include "kernels/f32-gemm/f32-gemm.h"

const struct tsr_gemm_ukernel_entry tsr_f32_gemm_ukernels[] = {
#define TSR_GEMM_UKERNEL(isa, ukernel, mr, nr) {tsr_isa_##isa, ukernel, #ukernel, mr, nr},
#include "kernels/f32-gemm/f32-gemm.inc"
#undef TSR_GEMM_UKERNEL
};

const size_t tsr_f32_gemm_ukernel_count =
    sizeof(tsr_f32_gemm_ukernels) / sizeof(tsr_f32_gemm_ukernels[0]);

/* Blocking per ISA. kc: a B panel of kc x nr floats stays in L1 (24 KiB at 384 x 16) while the
 * rows of the A block stream past it; mc: an A block of mc x kc floats stays in L2 (about
 * 216 KiB of a 512 KiB-2 MiB L2). AVX2's pair was measured on Zen 3 among mc 72-240 and kc
 * 256-512 (docs/PERFORMANCE.md); the others follow the same cache budget. */
static size_t tsr_gemm_kc(tsr_isa isa) { return isa == tsr_isa_avx512 ? 256 : 384; }
static size_t tsr_gemm_mc(tsr_isa isa) {
  switch (isa) {
    case tsr_isa_avx512: return 140;
    case tsr_isa_avx2: return 144;
    case tsr_isa_neon: return 128;
    case tsr_isa_scalar: return 64;
  }
  return 64;
}

static struct tsr_gemm_config tsr_gemm_config_chosen;
static pthread_once_t tsr_gemm_config_once = PTHREAD_ONCE_INIT;

static void tsr_gemm_config_init(void) {
  for (size_t i = 0; i < tsr_f32_gemm_ukernel_count; i++) {
    const struct tsr_gemm_ukernel_entry* e = &tsr_f32_gemm_ukernels[i];
    if (!tsr_isa_allowed(e->isa)) continue;
    struct tsr_gemm_config* c = &tsr_gemm_config_chosen;
    if (e->mr > 1 && c->main == NULL) {
      c->isa = e->isa;
      c->mr = e->mr;
      c->nr = e->nr;
      c->mc = tsr_gemm_mc(e->isa);
      c->kc = tsr_gemm_kc(e->isa);
      c->main = e->function;
      c->main_name = e->name;
    } else if (e->mr == 1 && c->main != NULL && e->isa == c->isa && e->nr == c->nr) {
      c->row = e->function;
      c->row_name = e->name;
      return;
    }
  }
}

const struct tsr_gemm_config* tsr_gemm_config_get(void) {
  pthread_once(&tsr_gemm_config_once, tsr_gemm_config_init);
  return &tsr_gemm_config_chosen;
}
