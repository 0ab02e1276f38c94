// Elementwise binary ops with broadcasting (residual add, squeeze-excite scale, bias add, max),
// tessera against oneDNN's binary primitive on the same tensors in the same process. GB/s
// counts one read of each input at its own size and one write of the output: every problem is
// memory-bound.
#include <cstdlib>
#include <string>
#include <vector>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  tsr_binary_kind kind;
  std::vector<int64_t> a_dims, b_dims;  // the same rank (oneDNN's binary needs it); y = a's dims
  tsr_layout layout;                     // of a and y; b is plain when it broadcasts
  tsr_activation_kind activation;
};

const Problem kProblems[] = {
    {"add_32x64x56x56", tsr_binary_add, {32, 64, 56, 56}, {32, 64, 56, 56}, tsr_layout_plain, tsr_activation_none},
    {"add_relu_32x64x56x56", tsr_binary_add, {32, 64, 56, 56}, {32, 64, 56, 56}, tsr_layout_plain, tsr_activation_relu},
    {"add_1x64x56x56", tsr_binary_add, {1, 64, 56, 56}, {1, 64, 56, 56}, tsr_layout_plain, tsr_activation_none},
    {"max_1x64x56x56", tsr_binary_max, {1, 64, 56, 56}, {1, 64, 56, 56}, tsr_layout_plain, tsr_activation_none},
    {"mul_se_1x256x28x28_nchw", tsr_binary_mul, {1, 256, 28, 28}, {1, 256, 1, 1}, tsr_layout_plain, tsr_activation_none},
    {"mul_se_1x256x28x28_nhwc", tsr_binary_mul, {1, 256, 28, 28}, {1, 256, 1, 1}, tsr_layout_nhwc, tsr_activation_none},
    {"mul_se_32x256x28x28_nhwc", tsr_binary_mul, {32, 256, 28, 28}, {32, 256, 1, 1}, tsr_layout_nhwc, tsr_activation_none},
    {"add_bias_4096x1024", tsr_binary_add, {4096, 1024}, {1, 1024}, tsr_layout_plain, tsr_activation_none},
    {"div_scalar_1x64x56x56", tsr_binary_div, {1, 64, 56, 56}, {1, 1, 1, 1}, tsr_layout_plain, tsr_activation_none},
};

struct Tensors {
  tsr_tensor a{}, b{}, y{};
  explicit Tensors(const Problem& p) {
    const int32_t nd = int32_t(p.a_dims.size());
    tsr_tensor_desc_init(&a.desc, tsr_dtype_f32, p.layout, nd, p.a_dims.data());
    const bool b_full = p.b_dims == p.a_dims;
    tsr_tensor_desc_init(&b.desc, tsr_dtype_f32, b_full ? p.layout : tsr_layout_plain, nd, p.b_dims.data());
    y.desc = a.desc;
    for (tsr_tensor* t : {&a, &b, &y}) {
      const size_t bytes = tsr_tensor_desc_bytes(&t->desc);
      t->data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
      tsr_rng rng = tsr_rng_seeded(uint64_t(bytes));
      tsr_fill_uniform(&rng, static_cast<float*>(t->data), bytes / 4, 0.5f, 8.0f);
    }
  }
  ~Tensors() {
    for (tsr_tensor* t : {&a, &b, &y}) std::free(t->data);
  }
  double bytes_moved() const {
    return double(tsr_tensor_desc_bytes(&a.desc) + tsr_tensor_desc_bytes(&b.desc) + tsr_tensor_desc_bytes(&y.desc));
  }
};

void tessera_binary(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  Tensors t(p);
  tsr_op* op = nullptr;
  const tsr_activation activation = {p.activation, 0, 0};
  tsr_binary_create(p.kind, &activation, &op);
  const tsr_tensor inputs[2] = {t.a, t.b};
  for (auto _ : state) tsr_op_run(op, 2, inputs, 1, &t.y, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_bandwidth(state, t.bytes_moved(), threads);
}

dnnl_alg_kind_t onednn_alg(tsr_binary_kind kind) {
  switch (kind) {
    case tsr_binary_add: return dnnl_binary_add;
    case tsr_binary_sub: return dnnl_binary_sub;
    case tsr_binary_mul: return dnnl_binary_mul;
    case tsr_binary_div: return dnnl_binary_div;
    case tsr_binary_max: return dnnl_binary_max;
    default: return dnnl_binary_min;
  }
}

void onednn_binary(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Tensors t(p);
  dnnl_memory_desc_t a_md, b_md;
  tsr_onednn_md(&t.a.desc, &a_md);
  tsr_onednn_md(&t.b.desc, &b_md);
  dnnl_binary_desc_t desc;
  dnnl_binary_desc_init(&desc, onednn_alg(p.kind), &a_md, &b_md, &a_md);
  dnnl_primitive_attr_t attr = nullptr;
  dnnl_post_ops_t post_ops = nullptr;
  if (p.activation == tsr_activation_relu) {  // the fused form: a ReLU post-op
    dnnl_post_ops_create(&post_ops);
    dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
    dnnl_primitive_attr_create(&attr);
    dnnl_primitive_attr_set_post_ops(attr, post_ops);
  }
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC_0, &t.a}, {DNNL_ARG_SRC_1, &t.b}, {DNNL_ARG_DST, &t.y}};
  const int created = tsr_onednn_call_create(&call, &desc, attr, 3, args);
  if (attr != nullptr) dnnl_primitive_attr_destroy(attr);
  if (post_ops != nullptr) dnnl_post_ops_destroy(post_ops);
  tsr_bench::time_onednn_bandwidth(state, created, &call, "binary", t.bytes_moved(), threads);
}

const int kRegistered = [] {
  for (const Problem& p : kProblems) {
    for (const char* impl : {"tessera", "onednn"}) {
      const std::string name = std::string(impl) + "/binary_" + p.name;
      auto* b = std::string(impl) == "tessera" ? benchmark::RegisterBenchmark(name.c_str(), tessera_binary, p)
                                               : benchmark::RegisterBenchmark(name.c_str(), onednn_binary, p);
      b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
  return 0;
}();

}  // namespace
