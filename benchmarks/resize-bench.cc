// Padding and upsampling: tessera's row paths (padding, nearest) and its double-precision
// reference path (linear) against oneDNN's resampling on the same tensors in the same process.
// oneDNN 2.6 has no padding primitive, so padding runs alone and is read against the streaming
// bandwidth. GB/s counts one read of x and one write of y.
#include <cstdlib>
#include <string>
#include <vector>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  bool pad;                   // else upsample
  tsr_resampling_kind kind;   // upsample
  std::vector<int64_t> dims;  // x: [N, C, H, W]
  int64_t factor;             // upsample: scale per spatial dim; pad: elements per side
  tsr_layout layout;
};

const Problem kProblems[] = {
    {"pad1_1x64x56x56_nchw", true, tsr_resampling_nearest, {1, 64, 56, 56}, 1, tsr_layout_plain},
    {"pad1_1x64x56x56_nhwc", true, tsr_resampling_nearest, {1, 64, 56, 56}, 1, tsr_layout_nhwc},
    {"pad3_32x3x224x224_nchw", true, tsr_resampling_nearest, {32, 3, 224, 224}, 3, tsr_layout_plain},
    {"nearest2x_1x64x56x56_nchw", false, tsr_resampling_nearest, {1, 64, 56, 56}, 2, tsr_layout_plain},
    {"nearest2x_1x64x56x56_nhwc", false, tsr_resampling_nearest, {1, 64, 56, 56}, 2, tsr_layout_nhwc},
    {"nearest2x_8x256x20x20_nhwc", false, tsr_resampling_nearest, {8, 256, 20, 20}, 2, tsr_layout_nhwc},
    {"linear2x_1x64x56x56_nchw", false, tsr_resampling_linear, {1, 64, 56, 56}, 2, tsr_layout_plain},
    {"linear2x_1x64x56x56_nhwc", false, tsr_resampling_linear, {1, 64, 56, 56}, 2, tsr_layout_nhwc},
};

struct Setup {
  tsr_tensor x{}, y{};
  tsr_op* op = nullptr;
  explicit Setup(const Problem& p) {
    int64_t out[4];
    if (p.pad) {
      tsr_pad_params params = {};
      params.spatial_ndims = 2;
      for (int d = 0; d < 2; d++) params.padding_begin[d] = params.padding_end[d] = p.factor;
      tsr_pad_output_shape(&params, 4, p.dims.data(), out);
      tsr_pad_create(&params, &op);
    } else {
      tsr_upsample_params params = {};
      params.spatial_ndims = 2;
      params.kind = p.kind;
      params.scale[0] = params.scale[1] = p.factor;
      tsr_upsample_output_shape(&params, 4, p.dims.data(), out);
      tsr_upsample_create(&params, &op);
    }
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, p.layout, 4, p.dims.data());
    tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, p.layout, 4, out);
    for (tsr_tensor* t : {&x, &y}) {
      const size_t bytes = tsr_tensor_desc_bytes(&t->desc);
      t->data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
      tsr_rng rng = tsr_rng_seeded(3);
      tsr_fill_uniform(&rng, static_cast<float*>(t->data), bytes / 4, -4.0f, 4.0f);
    }
  }
  ~Setup() {
    tsr_op_destroy(op);
    std::free(x.data);
    std::free(y.data);
  }
  double bytes_moved() const { return double(tsr_tensor_desc_bytes(&x.desc) + tsr_tensor_desc_bytes(&y.desc)); }
};

void tessera_resize(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  Setup s(p);
  for (auto _ : state) tsr_op_run(s.op, 1, &s.x, 1, &s.y, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(s.op));
  tsr_bench::report_bandwidth(state, s.bytes_moved(), threads);
}

void onednn_resize(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Setup s(p);
  dnnl_memory_desc_t src, dst;
  tsr_onednn_md(&s.x.desc, &src);
  tsr_onednn_md(&s.y.desc, &dst);
  dnnl_resampling_desc_t desc;
  dnnl_resampling_forward_desc_init(&desc, dnnl_forward_inference,
                                    p.kind == tsr_resampling_linear ? dnnl_resampling_linear : dnnl_resampling_nearest,
                                    nullptr, &src, &dst);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &s.x}, {DNNL_ARG_DST, &s.y}};
  const int created = tsr_onednn_call_create(&call, &desc, nullptr, 2, args);
  tsr_bench::time_onednn_bandwidth(state, created, &call, "resampling", s.bytes_moved(), threads);
}

const int kRegistered = [] {
  for (const Problem& p : kProblems) {
    for (const char* impl : {"tessera", "onednn"}) {
      if (p.pad && std::string(impl) == "onednn") continue;  // no peer
      const std::string name = std::string(impl) + "/" + p.name;
      auto* b = std::string(impl) == "tessera" ? benchmark::RegisterBenchmark(name.c_str(), tessera_resize, p)
                                               : benchmark::RegisterBenchmark(name.c_str(), onednn_resize, p);
      b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
  return 0;
}();

}  // namespace
