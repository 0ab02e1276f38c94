/* tsr_measure_machine_peak: plausible figures (positive, all threads at least about one thread's
 * worth, below a physical ceiling) and its argument check. */
#include <stdio.h>

#include "tests/harness/harness.h"

int main(void) {
  tsr_check_status(tsr_measure_machine_peak(NULL, NULL), tsr_status_invalid_parameter, "peak NULL");
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
  tsr_machine_peak peak = {0};
  if (tsr_check_status(tsr_measure_machine_peak(pool, &peak), tsr_status_success, "measure")) {
    printf("isa %s: FMA %.1f GFLOP/s per core, %.1f on %u threads; stream %.1f GB/s per core, "
           "%.1f on %u threads\n", tsr_isa_name(peak.isa), peak.fma_gflops_per_core,
           peak.fma_gflops, peak.threads, peak.stream_gbps_per_core, peak.stream_gbps, peak.threads);
    tsr_check(peak.threads == 2 && peak.isa == tsr_cpu_isa_in_use(), "peak fields", "threads %u isa %s", peak.threads, tsr_isa_name(peak.isa));
    tsr_check(peak.fma_gflops_per_core > 0.01 && peak.fma_gflops_per_core < 1e4, "fma per core",
              "%g", peak.fma_gflops_per_core);
    tsr_check(peak.fma_gflops > 0.01 && peak.stream_gbps > 0.01 && peak.stream_gbps_per_core > 0.01,
              "all positive", "a figure is not positive");
  }
  tsr_threadpool_destroy(pool);
  return tsr_test_finish();
}
