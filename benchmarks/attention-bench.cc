// Scaled dot-product attention (problems from the shared attn.txt): tessera's fused kernel
// against its two baselines in the same process: "onednn", oneDNN composed as its users write it
// (matmul + softmax + matmul, tsr_onednn_sdpa), and "unfused", tessera's own unfused path on its
// GEMM (TESSERA_ATTENTION=unfused). GFLOP/s counts 2 B H Lq Lkv (d + dv), half for causal.
#include <cmath>
#include <cstdlib>
#include <string>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  int64_t batch, heads, kv_heads, q_len, kv_len, head_dim;
  tsr_causal_mode causal;
};

const Problem kProblems[] = {
    {"bert_base.s128", 1, 12, 12, 128, 128, 64, tsr_causal_none},
    {"bert_base.s512", 1, 12, 12, 512, 512, 64, tsr_causal_none},
    {"gpt.prefill1k_causal", 1, 16, 16, 1024, 1024, 64, tsr_causal_top_left},
    {"llm.gqa.decode4k", 1, 32, 8, 1, 4096, 128, tsr_causal_none},
};

struct Tensors {
  tsr_tensor q{}, k{}, v{}, o{};
  explicit Tensors(const Problem& p) {
    const int64_t qd[] = {p.batch, p.heads, p.q_len, p.head_dim}, kd[] = {p.batch, p.kv_heads, p.kv_len, p.head_dim};
    tsr_tensor_desc_init(&q.desc, tsr_dtype_f32, tsr_layout_plain, 4, qd);
    tsr_tensor_desc_init(&k.desc, tsr_dtype_f32, tsr_layout_plain, 4, kd);
    v.desc = k.desc;
    o.desc = q.desc;
    tsr_rng rng = tsr_rng_seeded(5);
    for (tsr_tensor* t : {&q, &k, &v, &o}) {
      const size_t bytes = tsr_tensor_desc_bytes(&t->desc);
      t->data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
      tsr_fill_uniform(&rng, static_cast<float*>(t->data), bytes / 4, -1.0f, 1.0f);
    }
  }
  ~Tensors() {
    for (tsr_tensor* t : {&q, &k, &v, &o}) std::free(t->data);
  }
};

double flops(const Problem& p) {
  return 4.0 * double(p.batch * p.heads * p.q_len) * double(p.kv_len * p.head_dim) *
         (p.causal != tsr_causal_none ? 0.5 : 1.0);
}

void tessera_attention(benchmark::State& state, const Problem& p, bool unfused) {
  const uint32_t threads = uint32_t(state.range(0));
  Tensors t(p);
  const tsr_sdpa_params params = {.scale = 0.0f, .causal = p.causal, .dropout = {}};
  tsr_op* op = nullptr;
  tsr_sdpa_create(&params, &op);
  if (unfused) setenv("TESSERA_ATTENTION", "unfused", 1);
  const tsr_tensor inputs[] = {t.q, t.k, t.v};
  for (auto _ : state) tsr_op_run(op, 3, inputs, 1, &t.o, tsr_bench::pool(threads));
  unsetenv("TESSERA_ATTENTION");
  state.SetLabel(unfused ? "unfused_gemm" : tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_flops(state, flops(p), threads);
}

void onednn_attention(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Tensors t(p);
  tsr_onednn_sdpa sdpa;
  if (tsr_onednn_sdpa_create(&sdpa, size_t(p.batch), size_t(p.heads), size_t(p.kv_heads), size_t(p.q_len),
                             size_t(p.kv_len), size_t(p.head_dim), size_t(p.head_dim),
                             float(1.0 / std::sqrt(double(p.head_dim))), p.causal, nullptr,
                             static_cast<float*>(t.q.data), static_cast<float*>(t.k.data),
                             static_cast<float*>(t.v.data), static_cast<float*>(t.o.data)) != 0) {
    state.SkipWithError("oneDNN attention could not be created");
    return;
  }
  for (auto _ : state) tsr_onednn_sdpa_execute(&sdpa);
  state.SetLabel(std::string("matmul+softmax+matmul ") + sdpa.scores.implementation);
  tsr_onednn_sdpa_destroy(&sdpa);
  tsr_bench::report_flops(state, flops(p), threads);
}

const int kRegistered = [] {
  for (const Problem& p : kProblems) {
    for (const char* impl : {"tessera", "onednn", "unfused"}) {
      const std::string name = std::string(impl) + "/sdpa_" + p.name;
      const std::string which = impl;
      auto* b = which == "onednn" ? benchmark::RegisterBenchmark(name.c_str(), onednn_attention, p)
                                  : benchmark::RegisterBenchmark(name.c_str(), tessera_attention, p, which == "unfused");
      b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
    }
  }
  return 0;
}();

}  // namespace
