// The cost of an empty parallel call: every thread takes one empty item, so what is measured is
// waking the workers, handing out items and waiting for them. tessera's pool (whichever backend
// it was built with) against a plain OpenMP parallel loop doing the same.
#include <omp.h>

#include "benchmarks/bench-util.h"
#include "threadpool/threadpool.h"

namespace {

void empty_task(void*, size_t, size_t) {}

void tessera_empty(benchmark::State& state) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_threadpool* pool = tsr_bench::pool(threads);
  for (auto _ : state) tsr_parallelize_1d(pool, empty_task, nullptr, threads);
  state.SetLabel(tsr_threadpool_backend_name(pool));
}

// The same with spinning off: every call pays the futex wake-up and sleep, the cost a server
// that sets tsr_threadpool_set_spin(pool, 0) accepts to keep idle cores free.
void tessera_empty_no_spin(benchmark::State& state) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_threadpool* pool = nullptr;
  tsr_threadpool_create(threads, &pool);
  tsr_threadpool_set_spin(pool, 0);
  for (auto _ : state) tsr_parallelize_1d(pool, empty_task, nullptr, threads);
  tsr_threadpool_destroy(pool);
}

void openmp_empty(benchmark::State& state) {
  const int threads = int(state.range(0));
  for (auto _ : state) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int i = 0; i < threads; i++) benchmark::ClobberMemory();
  }
}

}  // namespace

BENCHMARK(tessera_empty)->Name("tessera/empty_parallel_call")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(tessera_empty_no_spin)->Name("tessera/empty_parallel_call_spin0")->ArgName("threads")->Arg(2)->UseRealTime();
BENCHMARK(openmp_empty)->Name("openmp/empty_parallel_call")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
