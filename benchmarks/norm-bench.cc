// Layer norm over the last axis (the shared lnorm.txt problems), tessera against oneDNN's layer
// normalization (inference: statistics computed, not stored) on the same tensors in the same
// process. Memory-bound: GB/s counts one read and one write of the tensor.
#include <cstdlib>
#include <string>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  int64_t rows, features;
};

const Problem kProblems[] = {
    {"bert_base_128x768", 128, 768}, {"bert_large_512x1024", 512, 1024}, {"llm_2048x4096", 2048, 4096}};

struct Tensors {
  tsr_tensor x{}, y{}, gamma{}, beta{};
  explicit Tensors(const Problem& p) {
    const int64_t dims[] = {p.rows, p.features};
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
    y.desc = x.desc;
    tsr_tensor_desc_init(&gamma.desc, tsr_dtype_f32, tsr_layout_plain, 1, &p.features);
    beta.desc = gamma.desc;
    const size_t n = size_t(p.rows * p.features), f = size_t(p.features);
    x.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    y.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    gamma.data = std::aligned_alloc(64, (f * 4 + 63) / 64 * 64);
    beta.data = std::aligned_alloc(64, (f * 4 + 63) / 64 * 64);
    tsr_rng rng = tsr_rng_seeded(3);
    tsr_fill_uniform(&rng, static_cast<float*>(x.data), n, -2.0f, 2.0f);
    tsr_fill_uniform(&rng, static_cast<float*>(gamma.data), f, 0.5f, 1.5f);
    tsr_fill_uniform(&rng, static_cast<float*>(beta.data), f, -0.5f, 0.5f);
  }
  ~Tensors() {
    std::free(x.data);
    std::free(y.data);
    std::free(gamma.data);
    std::free(beta.data);
  }
  double bytes_moved() const { return 2.0 * double(tsr_tensor_desc_bytes(&x.desc)); }
};

void tessera_layer_norm(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  Tensors t(p);
  tsr_op* op = nullptr;
  tsr_layer_norm_create(1, &p.features, static_cast<float*>(t.gamma.data), static_cast<float*>(t.beta.data), 1e-5f,
                        &op);
  for (auto _ : state) tsr_op_run(op, 1, &t.x, 1, &t.y, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_bandwidth(state, t.bytes_moved(), threads);
}

void onednn_layer_norm(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Tensors t(p);
  dnnl_memory_desc_t md;
  tsr_onednn_md(&t.x.desc, &md);
  dnnl_layer_normalization_desc_t desc;
  dnnl_layer_normalization_forward_desc_init(&desc, dnnl_forward_inference, &md, nullptr, 1e-5f,
                                             dnnl_use_scale | dnnl_use_shift);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {
      {DNNL_ARG_SRC, &t.x}, {DNNL_ARG_DST, &t.y}, {DNNL_ARG_SCALE, &t.gamma}, {DNNL_ARG_SHIFT, &t.beta}};
  const int created = tsr_onednn_call_create(&call, &desc, nullptr, 4, args);
  tsr_bench::time_onednn_bandwidth(state, created, &call, "layer normalization", t.bytes_moved(), threads);
}

const int kRegistered = [] {
  for (const Problem& p : kProblems) {
    for (const bool ours : {true, false}) {
      const std::string name = std::string(ours ? "tessera" : "onednn") + "/layer_norm_" + p.name;
      auto* b = ours ? benchmark::RegisterBenchmark(name.c_str(), tessera_layer_norm, p)
                     : benchmark::RegisterBenchmark(name.c_str(), onednn_layer_norm, p);
      b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
  return 0;
}();

}  // namespace
