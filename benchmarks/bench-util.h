// Shared by the Google Benchmark suites. Benchmarks are named "<impl>/<problem>/threads:<n>"
// where impl is "tessera" or a peer ("onednn", "openmp"); the reporter in bench-main.cc pairs
// each peer with tessera on the same problem and prints the ratio (peer time / tessera time:
// above 1 means tessera is faster).
#ifndef TSR_BENCHMARKS_BENCH_UTIL_H
#define TSR_BENCHMARKS_BENCH_UTIL_H

#include <benchmark/benchmark.h>

#include "tessera.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

namespace tsr_bench {

// The machine's measured peak for `threads` threads (1 or all the pool's), measured once.
const tsr_machine_peak& peak(uint32_t threads);

// A pool of `threads` threads, created once per count and kept for the whole run.
tsr_threadpool* pool(uint32_t threads);

// Adds GB/s and % of the streaming peak for a memory-bound benchmark moving `bytes` per run.
void report_bandwidth(benchmark::State& state, double bytes, uint32_t threads);
// Adds GFLOP/s and % of the FMA peak for a compute-bound benchmark doing `flops` per run.
void report_flops(benchmark::State& state, double flops, uint32_t threads);

// The tessera side of a memory-bound benchmark: runs `op` on the tensors, labels the run with
// the op's description, destroys the op, reports GB/s.
void time_tessera_bandwidth(benchmark::State& state, tsr_op* op, size_t num_inputs, const tsr_tensor* inputs,
                            size_t num_outputs, const tsr_tensor* outputs, double bytes, uint32_t threads);

#ifdef TSR_HAVE_ONEDNN
// The oneDNN side of a memory-bound benchmark: `created` is what tsr_onednn_call_create
// returned for `call` (non-zero: the run is skipped with a message naming `what`); times the
// call, labels the run with oneDNN's implementation, destroys the call, reports GB/s.
void time_onednn_bandwidth(benchmark::State& state, int created, tsr_onednn_call* call, const char* what,
                           double bytes, uint32_t threads);
#endif

}  // namespace tsr_bench

#endif
