/* `tessera info [--threads=N]`: what this machine is to tessera. */
#include <stdio.h>
#include <string.h>

#include "engine/cpu.h"
#include "tessera.h"
#include "tools/problem-parse.h"

int tsr_tool_info(int argc, char** argv) {
  int64_t threads = tsr_cpu_count();
  for (int a = 0; a < argc; a++) {
    if (strncmp(argv[a], "--threads=", 10) != 0 || tsr_parse_int(argv[a] + 10, 1, 1024, &threads) != 0) {
      fprintf(stderr, "tessera info: argument %d: '%s' is not --threads=N (1 to 1024)\n", a + 1, argv[a]);
      return 2;
    }
  }
  tsr_threadpool* pool = NULL;
  if (tsr_threadpool_create((uint32_t)threads, &pool) != tsr_status_success) {
    fprintf(stderr, "tessera info: %s\n", tsr_last_error_message());
    return 2;
  }
  printf("tessera %s\n", tsr_version_string());
  printf("isa detected:     %s\n", tsr_isa_name(tsr_cpu_detected_isa()));
  printf("isa in use:       %s\n", tsr_isa_name(tsr_cpu_isa_in_use()));
  if (tsr_cpu_isa_cap_warning() != NULL) printf("warning:          %s\n", tsr_cpu_isa_cap_warning());
  printf("cpus online:      %u\n", tsr_cpu_count());
  printf("threads:          %u (%s pool)\n", tsr_threadpool_threads(pool), tsr_threadpool_backend_name(pool));
  /* the figure every op compares its tensors against to choose streaming stores and prefetch */
  printf("last-level cache: %.1f MiB (TESSERA_LLC_BYTES sets it); tensors past half of it stream\n",
         (double)tsr_cpu_llc_bytes() / (1024.0 * 1024.0));
  tsr_machine_peak peak;
  if (tsr_measure_machine_peak(pool, &peak) != tsr_status_success) {
    fprintf(stderr, "tessera info: %s\n", tsr_last_error_message());
    tsr_threadpool_destroy(pool);
    return 1;
  }
  printf("f32 FMA peak:     %.1f GFLOP/s per core, %.1f GFLOP/s on %u threads (%s loop)\n",
         peak.fma_gflops_per_core, peak.fma_gflops, peak.threads, tsr_isa_name(peak.isa));
  printf("stream bandwidth: %.1f GB/s on 1 thread, %.1f GB/s on %u threads (read + write)\n",
         peak.stream_gbps_per_core, peak.stream_gbps, peak.threads);
  tsr_threadpool_destroy(pool);
  return 0;
}
