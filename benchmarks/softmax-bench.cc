// Softmax and log-softmax over the last axis, tessera against oneDNN's softmax / logsoftmax
// primitives (inference) on the same tensors in the same process. Memory-bound: GB/s counts one
// read and one write of the tensor.
#include <cstdlib>
#include <string>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  int64_t rows, n;
};

const Problem kProblems[] = {{"classifier_32x1000", 32, 1000},
                             {"attention_scores_6144x512", 6144, 512},
                             {"llm_vocab_8x32000", 8, 32000},
                             {"large_4096x4096", 4096, 4096}};

struct Tensors {
  tsr_tensor x{}, y{};
  explicit Tensors(const Problem& p) {
    const int64_t dims[] = {p.rows, p.n};
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    y.desc = x.desc;
    const size_t n = size_t(p.rows * p.n);
    x.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    y.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    tsr_rng rng = tsr_rng_seeded(9);
    tsr_fill_uniform(&rng, static_cast<float*>(x.data), n, -10.0f, 10.0f);
  }
  ~Tensors() {
    std::free(x.data);
    std::free(y.data);
  }
  double bytes_moved() const { return 2.0 * double(tsr_tensor_desc_bytes(&x.desc)); }
};

void tessera_softmax(benchmark::State& state, const Problem& p, bool logarithmic) {
  const uint32_t threads = uint32_t(state.range(0));
  Tensors t(p);
  tsr_op* op = nullptr;
  tsr_softmax_create(-1, logarithmic, &op);
  for (auto _ : state) tsr_op_run(op, 1, &t.x, 1, &t.y, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_bandwidth(state, t.bytes_moved(), threads);
}

void onednn_softmax(benchmark::State& state, const Problem& p, bool logarithmic) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Tensors t(p);
  dnnl_memory_desc_t md;
  tsr_onednn_md(&t.x.desc, &md);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &t.x}, {DNNL_ARG_DST, &t.y}};
  int failed;
  if (logarithmic) {
    dnnl_logsoftmax_desc_t desc;
    dnnl_logsoftmax_forward_desc_init(&desc, dnnl_forward_inference, &md, 1);
    failed = tsr_onednn_call_create(&call, &desc, nullptr, 2, args);
  } else {
    dnnl_softmax_desc_t desc;
    dnnl_softmax_forward_desc_init(&desc, dnnl_forward_inference, &md, 1);
    failed = tsr_onednn_call_create(&call, &desc, nullptr, 2, args);
  }
  tsr_bench::time_onednn_bandwidth(state, failed, &call, logarithmic ? "logsoftmax" : "softmax", t.bytes_moved(),
                                   threads);
}

const int kRegistered = [] {
  for (const Problem& p : kProblems)
    for (const bool logarithmic : {false, true})
      for (const bool ours : {true, false}) {
        const std::string name = std::string(ours ? "tessera" : "onednn") + (logarithmic ? "/logsoftmax_" : "/softmax_") + p.name;
        auto* b = ours ? benchmark::RegisterBenchmark(name.c_str(), tessera_softmax, p, logarithmic)
                       : benchmark::RegisterBenchmark(name.c_str(), onednn_softmax, p, logarithmic);
        b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
      }
  return 0;
}();

}  // namespace
