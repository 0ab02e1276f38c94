// The main of every benchmark executable: runs Google Benchmark with a reporter that, after the
// usual console output, prints a ratio table: for each problem, tessera's median time against
// each peer's ("onednn", "openmp") measured in the same process.
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "benchmarks/bench-util.h"

namespace tsr_bench {

const tsr_machine_peak& peak(uint32_t threads) {
  static std::map<uint32_t, tsr_machine_peak> cache;
  auto it = cache.find(threads);
  if (it == cache.end()) {
    tsr_machine_peak measured{};
    tsr_measure_machine_peak(threads == 1 ? nullptr : pool(threads), &measured);
    it = cache.emplace(threads, measured).first;
  }
  return it->second;
}

tsr_threadpool* pool(uint32_t threads) {
  static std::map<uint32_t, tsr_threadpool*> pools;
  auto it = pools.find(threads);
  if (it == pools.end()) {
    tsr_threadpool* created = nullptr;
    tsr_threadpool_create(threads, &created);
    it = pools.emplace(threads, created).first;
  }
  return it->second;
}

void report_bandwidth(benchmark::State& state, double bytes, uint32_t threads) {
  const double gbps = bytes * double(state.iterations()) * 1e-9;
  state.counters["GB/s"] = benchmark::Counter(gbps, benchmark::Counter::kIsRate);
  state.counters["%peak"] = benchmark::Counter(gbps * 100.0 / peak(threads).stream_gbps,
                                               benchmark::Counter::kIsRate);
}

void time_tessera_bandwidth(benchmark::State& state, tsr_op* op, size_t num_inputs, const tsr_tensor* inputs,
                            size_t num_outputs, const tsr_tensor* outputs, double bytes, uint32_t threads) {
  for (auto _ : state) tsr_op_run(op, num_inputs, inputs, num_outputs, outputs, pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  report_bandwidth(state, bytes, threads);
}

#ifdef TSR_HAVE_ONEDNN
void time_onednn_bandwidth(benchmark::State& state, int created, tsr_onednn_call* call, const char* what,
                           double bytes, uint32_t threads) {
  if (created != 0) {
    state.SkipWithError((std::string("oneDNN ") + what + " could not be created").c_str());
    return;
  }
  for (auto _ : state) tsr_onednn_call_execute(call);
  state.SetLabel(call->implementation);
  tsr_onednn_call_destroy(call);
  report_bandwidth(state, bytes, threads);
}
#endif

void report_flops(benchmark::State& state, double flops, uint32_t threads) {
  const double gflops = flops * double(state.iterations()) * 1e-9;
  state.counters["GFLOP/s"] = benchmark::Counter(gflops, benchmark::Counter::kIsRate);
  state.counters["%peak"] = benchmark::Counter(gflops * 100.0 / peak(threads).fma_gflops,
                                               benchmark::Counter::kIsRate);
}

}  // namespace tsr_bench

namespace {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      // With repetitions keep the median; without, the single run.
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      if (run.run_type == Run::RT_Iteration && run.repetitions > 1) continue;
      const std::string name = run.run_name.str();
      const size_t slash = name.find('/');
      if (slash == std::string::npos) continue;
      times_[name.substr(slash + 1)][name.substr(0, slash)] = run.GetAdjustedRealTime();
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-50s %-8s %12s %12s %8s\n", "problem", "peer", "tessera", "peer", "ratio");
    std::vector<double> ratios;
    for (const auto& [problem, by_impl] : times_) {
      const auto tessera = by_impl.find("tessera");
      if (tessera == by_impl.end()) continue;
      for (const auto& [impl, time] : by_impl) {
        if (impl == "tessera") continue;
        const double ratio = time / tessera->second;
        ratios.push_back(ratio);
        std::printf("%-50s %-8s %12.4g %12.4g %8.3f\n", problem.c_str(), impl.c_str(),
                    tessera->second, time, ratio);
      }
    }
    if (!ratios.empty()) {
      double log_sum = 0;
      for (double r : ratios) log_sum += std::log(r);
      std::printf("geomean ratio (peer time / tessera time, above 1 = tessera faster): %.3f over %zu\n",
                  std::exp(log_sum / double(ratios.size())), ratios.size());
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::printf("tessera %s, isa %s, %u cpus\n", tsr_version_string(), tsr_isa_name(tsr_cpu_isa_in_use()),
              tsr_cpu_count());
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
