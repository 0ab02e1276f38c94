// Shared by the Google Benchmark suites. Benchmarks are named "<impl>/<problem>/threads:<n>"
// where impl is "tessera" or a peer ("onednn", "openmp"); the reporter in bench-main.cc pairs
// each peer with tessera on the same problem and prints the ratio (peer time / tessera time:
// above 1 means tessera is faster).
#ifndef TSR_BENCHMARKS_BENCH_UTIL_H
#define TSR_BENCHMARKS_BENCH_UTIL_H

#include <benchmark/benchmark.h>

#include "tessera.h"

namespace tsr_bench {

// The machine's measured peak for `threads` threads (1 or all the pool's), measured once.
const tsr_machine_peak& peak(uint32_t threads);

// A pool of `threads` threads, created once per count and kept for the whole run.
tsr_threadpool* pool(uint32_t threads);

// Adds GB/s and % of the streaming peak for a memory-bound benchmark moving `bytes` per run.
void report_bandwidth(benchmark::State& state, double bytes, uint32_t threads);
// Adds GFLOP/s and % of the FMA peak for a compute-bound benchmark doing `flops` per run.
void report_flops(benchmark::State& state, double flops, uint32_t threads);

}  // namespace tsr_bench

#endif
