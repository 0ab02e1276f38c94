// Elementwise activations (ReLU, clamp and the transcendental ones), tessera against oneDNN's
// eltwise primitive on the same tensors in the same process. GB/s counts one read and one write
// of the tensor (ReLU and clamp are memory-bound; the transcendental ones compute-bound).
#include <cstdlib>
#include <string>
#include <vector>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  std::vector<int64_t> dims;
  tsr_activation activation;
};

const Problem kProblems[] = {
    {"relu_32x64x112x112", {32, 64, 112, 112}, {tsr_activation_relu, 0, 0}},
    {"relu_1x64x56x56", {1, 64, 56, 56}, {tsr_activation_relu, 0, 0}},
    {"relu6_1x96x112x112", {1, 96, 112, 112}, {tsr_activation_clamp, 0, 6}},
    {"gelu_erf_1x64x56x56", {1, 64, 56, 56}, {tsr_activation_gelu_erf, 0, 0}},
    {"gelu_tanh_1x64x56x56", {1, 64, 56, 56}, {tsr_activation_gelu_tanh, 0, 0}},
    {"sigmoid_1x64x56x56", {1, 64, 56, 56}, {tsr_activation_sigmoid, 0, 0}},
    {"tanh_1x64x56x56", {1, 64, 56, 56}, {tsr_activation_tanh, 0, 0}},
    {"silu_1x64x56x56", {1, 64, 56, 56}, {tsr_activation_silu, 1, 0}},
    {"exp_1x64x56x56", {1, 64, 56, 56}, {tsr_activation_exp, 0, 0}},
    {"gelu_erf_1x64x112x112", {1, 64, 112, 112}, {tsr_activation_gelu_erf, 0, 0}},
    {"sigmoid_1x64x112x112", {1, 64, 112, 112}, {tsr_activation_sigmoid, 0, 0}},
};

struct Tensors {
  tsr_tensor x{}, y{};
  explicit Tensors(const Problem& p) {
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, tsr_layout_plain, int32_t(p.dims.size()), p.dims.data());
    y.desc = x.desc;
    const size_t bytes = tsr_tensor_desc_bytes(&x.desc);
    x.data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    y.data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    tsr_rng rng = tsr_rng_seeded(1);
    tsr_fill_uniform(&rng, static_cast<float*>(x.data), bytes / 4, -8.0f, 8.0f);
    tsr_fill_uniform(&rng, static_cast<float*>(y.data), bytes / 4, -8.0f, 8.0f);
  }
  ~Tensors() {
    std::free(x.data);
    std::free(y.data);
  }
  double bytes_moved() const { return 2.0 * double(tsr_tensor_desc_bytes(&x.desc)); }
};

void tessera_eltwise(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  Tensors t(p);
  tsr_op* op = nullptr;
  tsr_eltwise_create(&p.activation, &op);
  for (auto _ : state) tsr_op_run(op, 1, &t.x, 1, &t.y, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_bandwidth(state, t.bytes_moved(), threads);
}

void onednn_eltwise(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Tensors t(p);
  dnnl_memory_desc_t md;
  tsr_onednn_md(&t.x.desc, &md);
  dnnl_alg_kind_t alg;
  float alpha = 0.f, beta = 0.f;
  tsr_onednn_eltwise_alg(&p.activation, &alg, &alpha, &beta);
  dnnl_eltwise_desc_t desc;
  dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &md, alpha, beta);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &t.x}, {DNNL_ARG_DST, &t.y}};
  const int created = tsr_onednn_call_create(&call, &desc, nullptr, 2, args);
  tsr_bench::time_onednn_bandwidth(state, created, &call, "eltwise", t.bytes_moved(), threads);
}

const int kRegistered = [] {
  for (const Problem& p : kProblems) {
    for (const char* impl : {"tessera", "onednn"}) {
      const std::string name = std::string(impl) + "/eltwise_" + p.name;
      auto* b = std::string(impl) == "tessera"
                    ? benchmark::RegisterBenchmark(name.c_str(), tessera_eltwise, p)
                    : benchmark::RegisterBenchmark(name.c_str(), onednn_eltwise, p);
      b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
  return 0;
}();

}  // namespace
