// GEMM: tsr_sgemm against dnnl_sgemm on the matmul problem set (../shared/problems/matmul.txt,
// copied to benchmarks/problems/matmul.txt), and the dense layer (weights packed at creation)
// against oneDNN's inner product (weights in oneDNN's preferred layout) on the dense shapes.
// 1 and 2 threads. GFLOP/s counts 2*M*N*K.
#include <cstdlib>
#include <string>
#include <vector>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Shape {
  const char* name;
  int64_t m, k, n;
};

// matmul.txt, in order.
const Shape kMatmul[] = {
    {"bert.qkv_or_out_128x768x768", 128, 768, 768},   {"bert.fused_qkv_128x768x2304", 128, 768, 2304},
    {"bert.ffn_up_128x768x3072", 128, 768, 3072},     {"bert.ffn_down_128x3072x768", 128, 3072, 768},
    {"resnet50.fc.b1_1x2048x1000", 1, 2048, 1000},    {"resnet50.fc.b32_32x2048x1000", 32, 2048, 1000},
    {"decode.b1_1x4096x4096", 1, 4096, 4096},         {"decode.b8_8x4096x4096", 8, 4096, 4096},
    {"square256", 256, 256, 256},                     {"square1024", 1024, 1024, 1024},
};

struct Matrices {
  std::vector<float> a, b, c;
  explicit Matrices(const Shape& s)
      : a(size_t(s.m * s.k)), b(size_t(s.k * s.n)), c(size_t(s.m * s.n)) {
    tsr_rng rng = tsr_rng_seeded(1);
    tsr_fill_uniform(&rng, a.data(), a.size(), -1.f, 1.f);
    tsr_fill_uniform(&rng, b.data(), b.size(), -1.f, 1.f);
  }
};

double flops(const Shape& s) { return 2.0 * double(s.m) * double(s.n) * double(s.k); }

void tessera_sgemm(benchmark::State& state, const Shape& s) {
  const uint32_t threads = uint32_t(state.range(0));
  Matrices x(s);
  for (auto _ : state)
    tsr_sgemm(tsr_no_transpose, tsr_no_transpose, s.m, s.n, s.k, 1.f, x.a.data(), s.k, x.b.data(), s.n,
              0.f, x.c.data(), s.n, tsr_bench::pool(threads));
  tsr_bench::report_flops(state, flops(s), threads);
}

void onednn_sgemm(benchmark::State& state, const Shape& s) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Matrices x(s);
  for (auto _ : state)
    dnnl_sgemm('N', 'N', s.m, s.n, s.k, 1.f, x.a.data(), s.k, x.b.data(), s.n, 0.f, x.c.data(), s.n);
  tsr_bench::report_flops(state, flops(s), threads);
}

// Dense layer: x [m, k] times W^T ([n][k], PyTorch layout) plus bias.
void tessera_dense(benchmark::State& state, const Shape& s) {
  const uint32_t threads = uint32_t(state.range(0));
  Matrices x(s);
  std::vector<float> bias(size_t(s.n), 0.5f);
  tsr_op* op = nullptr;
  tsr_dense_create(s.k, s.n, x.b.data(), tsr_dense_weights_out_in, bias.data(), nullptr, &op);
  tsr_tensor in{}, out{};
  const int64_t xd[] = {s.m, s.k}, yd[] = {s.m, s.n};
  tsr_tensor_desc_init(&in.desc, tsr_dtype_f32, tsr_layout_plain, 2, xd);
  tsr_tensor_desc_init(&out.desc, tsr_dtype_f32, tsr_layout_plain, 2, yd);
  in.data = x.a.data();
  out.data = x.c.data();
  for (auto _ : state) tsr_op_run(op, 1, &in, 1, &out, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_flops(state, flops(s), threads);
}

void onednn_dense(benchmark::State& state, const Shape& s) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Matrices x(s);
  std::vector<float> bias(size_t(s.n), 0.5f);
  // Let oneDNN choose its weights layout (as a real deployment would), reordering once here.
  dnnl_memory_desc_t src_md, w_any, w_plain, b_md, dst_md;
  const dnnl_dims_t src_dims = {s.m, s.k}, w_dims = {s.n, s.k}, b_dims = {s.n}, dst_dims = {s.m, s.n};
  dnnl_memory_desc_init_by_tag(&src_md, 2, src_dims, dnnl_f32, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&w_any, 2, w_dims, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&w_plain, 2, w_dims, dnnl_f32, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&b_md, 1, b_dims, dnnl_f32, dnnl_a);
  dnnl_memory_desc_init_by_tag(&dst_md, 2, dst_dims, dnnl_f32, dnnl_ab);
  dnnl_inner_product_desc_t desc;
  dnnl_inner_product_forward_desc_init(&desc, dnnl_forward_inference, &src_md, &w_any, &b_md, &dst_md);
  dnnl_engine_t engine = tsr_onednn_engine();
  dnnl_primitive_desc_t pd;
  if (dnnl_primitive_desc_create(&pd, &desc, nullptr, engine, nullptr) != dnnl_success) {
    state.SkipWithError("oneDNN inner product unavailable");
    return;
  }
  const dnnl_memory_desc_t* w_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  dnnl_memory_t src, w_user, w, b, dst;
  dnnl_memory_create(&src, &src_md, engine, x.a.data());
  dnnl_memory_create(&w_user, &w_plain, engine, x.b.data());
  dnnl_memory_create(&w, w_chosen, engine, DNNL_MEMORY_ALLOCATE);
  dnnl_memory_create(&b, &b_md, engine, bias.data());
  dnnl_memory_create(&dst, &dst_md, engine, x.c.data());
  dnnl_stream_t stream;
  dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
  dnnl_primitive_desc_t reorder_pd;
  dnnl_primitive_t reorder;
  dnnl_reorder_primitive_desc_create(&reorder_pd, &w_plain, engine, w_chosen, engine, nullptr);
  dnnl_primitive_create(&reorder, reorder_pd);
  dnnl_exec_arg_t reorder_args[] = {{DNNL_ARG_FROM, w_user}, {DNNL_ARG_TO, w}};
  dnnl_primitive_execute(reorder, stream, 2, reorder_args);
  dnnl_stream_wait(stream);
  dnnl_primitive_t ip;
  dnnl_primitive_create(&ip, pd);
  const char* impl = nullptr;
  dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
  dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, dst}};
  for (auto _ : state) {
    dnnl_primitive_execute(ip, stream, 4, args);
    dnnl_stream_wait(stream);
  }
  state.SetLabel(impl ? impl : "?");
  dnnl_primitive_destroy(ip);
  dnnl_primitive_destroy(reorder);
  dnnl_primitive_desc_destroy(reorder_pd);
  dnnl_primitive_desc_destroy(pd);
  for (dnnl_memory_t mem : {src, w_user, w, b, dst}) dnnl_memory_destroy(mem);
  dnnl_stream_destroy(stream);
  tsr_bench::report_flops(state, flops(s), threads);
}

const int kRegistered = [] {
  for (const Shape& s : kMatmul) {
    for (const char* impl : {"tessera", "onednn"}) {
      const bool ours = std::string(impl) == "tessera";
      const std::string gemm = std::string(impl) + "/sgemm_" + s.name;
      benchmark::RegisterBenchmark(gemm.c_str(), ours ? tessera_sgemm : onednn_sgemm, s)
          ->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
      if (std::string(s.name).rfind("square", 0) == 0) continue;  // the dense shapes only
      const std::string dense = std::string(impl) + "/dense_" + s.name;
      benchmark::RegisterBenchmark(dense.c_str(), ours ? tessera_dense : onednn_dense, s)
          ->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
  return 0;
}();

}  // namespace
