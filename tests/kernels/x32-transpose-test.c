/* Every transposition kernel against the definition, exactly: every size from 1 to 19 rows and
 * columns (below, at and past the 8 x 8 block, twice), strides wider than the block, NaN and
 * sentinels in the destination's gaps, buffers ending at a guard page. */
#include <stdio.h>

#include "kernels/x32-transpose/x32-transpose.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void tsr_test_transpose(tsr_isa isa, tsr_x32_transpose_ukernel_fn ukernel, const char* name) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(3);
  size_t cases = 0;
  for (size_t rows = 1; rows <= 19; rows++)
    for (size_t cols = 1; cols <= 19; cols++) {
      const size_t lds = cols + rows % 3, ldd = rows + cols % 5;
      float* src = tsr_guarded_alloc(((rows - 1) * lds + cols) * sizeof(float));
      float* dst = tsr_guarded_alloc(((cols - 1) * ldd + rows) * sizeof(float));
      tsr_fill_integers(&rng, src, (rows - 1) * lds + cols, -1000, 1000);
      for (size_t k = 0; k < (cols - 1) * ldd + rows; k++) dst[k] = 4321.0f;
      ukernel(rows, cols, src, lds, dst, ldd);
      size_t bad = 0;
      for (size_t j = 0; j < cols; j++)
        for (size_t i = 0; i < ldd && j * ldd + i < (cols - 1) * ldd + rows; i++)
          bad += dst[j * ldd + i] != (i < rows ? src[i * lds + j] : 4321.0f);
      char what[128];
      snprintf(what, sizeof(what), "[%s%s] %s %zux%zu", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, rows, cols);
      tsr_check(bad == 0, what, "%zu elements wrong or written outside", bad);
      tsr_guarded_free(src);
      tsr_guarded_free(dst);
      cases++;
    }
  printf("[%s%s] %s: %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, cases);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, ukernel, tile) tsr_test_transpose(isa, ukernel, #ukernel);
#include "kernels/x32-transpose/x32-transpose.inc"
  return tsr_test_finish();
}
