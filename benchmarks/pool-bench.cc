// Pooling, tessera against oneDNN's pooling primitive on the same tensors in the same process:
// ../shared/problems/pool.txt's layers (ResNet's 3x3/2 max pool at batch 1 and 32, VGG's 2x2/2, ResNet-50's global
// average, a 2x2 average at batch 8, Inception's 3x3/1 average counting padding), in NHWC (both
// libraries' preferred layout for this op), plain NCHW, nChw8c (AVX2's blocked layout) and
// nChw16c (AVX-512's). Memory-bound: GB/s counts reading x and writing y.
// Backward ("backward_"): tessera's pooling backward (dx from x and dy, the window's maximum
// found again in x) against oneDNN's backward primitive (max: from the workspace its forward
// training pass left, run once before timing); GB/s counts reading dy (and x for max) and
// writing dx, for both.
#include <cstdlib>
#include <string>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  int64_t n, c, h, kernel, stride, pad;
  tsr_pooling_kind kind;
  bool global;
};

const Problem kProblems[] = {
    {"resnet_maxpool_mb1_c64_112_k3s2p1", 1, 64, 112, 3, 2, 1, tsr_pooling_max, false},
    /* 103 MB of input: past the last-level cache, where max pooling prefetches (pool-fast.c) */
    {"resnet_maxpool_mb32_c64_112_k3s2p1", 32, 64, 112, 3, 2, 1, tsr_pooling_max, false},
    {"vgg_pool5_mb1_c512_14_k2s2", 1, 512, 14, 2, 2, 0, tsr_pooling_max, false},
    {"resnet50_global_avg_mb1_c2048_7", 1, 2048, 7, 7, 1, 0, tsr_pooling_avg_exclude_padding, true},
    {"avg2x2_mb8_c256_56_k2s2", 8, 256, 56, 2, 2, 0, tsr_pooling_avg_exclude_padding, false},
    {"inception_avg_mb1_c192_28_k3s1p1", 1, 192, 28, 3, 1, 1, tsr_pooling_avg_include_padding, false},
};

struct Tensors {
  tsr_pool_params params{};
  tsr_tensor x{}, y{}, dx{};
  Tensors(const Problem& p, tsr_layout layout) {
    params.spatial_ndims = 2;
    params.kind = p.kind;
    params.global = p.global;
    for (int d = 0; d < 2; d++) {
      params.kernel[d] = p.kernel, params.stride[d] = p.stride;
      params.padding_begin[d] = params.padding_end[d] = p.pad;
    }
    const int64_t in_dims[4] = {p.n, p.c, p.h, p.h};
    int64_t out_dims[4];
    tsr_pool_output_shape(&params, 4, in_dims, out_dims);
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout, 4, in_dims);
    tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, layout, 4, out_dims);
    dx.desc = x.desc;
    x.data = std::aligned_alloc(64, (tsr_tensor_desc_bytes(&x.desc) + 63) / 64 * 64);
    y.data = std::aligned_alloc(64, (tsr_tensor_desc_bytes(&y.desc) + 63) / 64 * 64);
    dx.data = std::aligned_alloc(64, (tsr_tensor_desc_bytes(&x.desc) + 63) / 64 * 64);
    tsr_rng rng = tsr_rng_seeded(1);
    tsr_fill_integers(&rng, static_cast<float*>(x.data), tsr_tensor_desc_bytes(&x.desc) / 4, -20, 20);
    tsr_fill_integers(&rng, static_cast<float*>(y.data), tsr_tensor_desc_bytes(&y.desc) / 4, -5, 5); /* dy */
  }
  ~Tensors() {
    std::free(x.data);
    std::free(y.data);
    std::free(dx.data);
  }
  double bytes_moved() const { return double(tsr_tensor_desc_bytes(&x.desc) + tsr_tensor_desc_bytes(&y.desc)); }
  double backward_bytes_moved() const {
    return double(tsr_tensor_desc_bytes(&x.desc) * (params.kind == tsr_pooling_max ? 2 : 1) +
                  tsr_tensor_desc_bytes(&y.desc));
  }
};

void tessera_pool(benchmark::State& state, const Problem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  Tensors t(p, layout);
  tsr_op* op = nullptr;
  tsr_pool_create(&t.params, &op);
  tsr_bench::time_tessera_bandwidth(state, op, 1, &t.x, 1, &t.y, t.bytes_moved(), threads);
}

void tessera_pool_backward(benchmark::State& state, const Problem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  Tensors t(p, layout);
  tsr_op* op = nullptr;
  tsr_pool_backward_create(&t.params, &op);
  const tsr_tensor inputs[2] = {t.x, t.y};
  tsr_bench::time_tessera_bandwidth(state, op, 2, inputs, 1, &t.dx, t.backward_bytes_moved(), threads);
}

// oneDNN's pooling descriptor of the problem (forward_inference, forward_training or backward).
void onednn_pool_desc(const Problem& p, const Tensors& t, dnnl_prop_kind_t kind, dnnl_pooling_v2_desc_t* desc) {
  dnnl_memory_desc_t src, dst;
  tsr_onednn_md(&t.x.desc, &src);
  tsr_onednn_md(&t.y.desc, &dst);
  dnnl_dims_t strides, kernel, dilation, pad_l, pad_r;
  for (int d = 0; d < 2; d++) {
    strides[d] = p.global ? 1 : p.stride, kernel[d] = p.global ? p.h : p.kernel, dilation[d] = 0;
    pad_l[d] = pad_r[d] = p.pad;
  }
  static const dnnl_alg_kind_t algs[] = {dnnl_pooling_max, dnnl_pooling_avg_include_padding,
                                         dnnl_pooling_avg_exclude_padding};
  if (kind == dnnl_backward_data)
    dnnl_pooling_v2_backward_desc_init(desc, algs[p.kind], &src, &dst, strides, kernel, dilation, pad_l, pad_r);
  else
    dnnl_pooling_v2_forward_desc_init(desc, kind, algs[p.kind], &src, &dst, strides, kernel, dilation, pad_l, pad_r);
}

void onednn_pool(benchmark::State& state, const Problem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Tensors t(p, layout);
  dnnl_pooling_v2_desc_t desc;
  onednn_pool_desc(p, t, dnnl_forward_inference, &desc);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &t.x}, {DNNL_ARG_DST, &t.y}};
  const int created = tsr_onednn_call_create(&call, &desc, nullptr, 2, args);
  tsr_bench::time_onednn_bandwidth(state, created, &call, "pooling", t.bytes_moved(), threads);
}

void onednn_pool_backward(benchmark::State& state, const Problem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Tensors t(p, layout);
  tsr_tensor forward_y = t.y; /* the forward's y in a buffer of its own, so that t.y keeps dy's values */
  forward_y.data = std::aligned_alloc(64, (tsr_tensor_desc_bytes(&t.y.desc) + 63) / 64 * 64);
  dnnl_pooling_v2_desc_t forward, backward;
  onednn_pool_desc(p, t, dnnl_forward_training, &forward);
  onednn_pool_desc(p, t, dnnl_backward_data, &backward);
  tsr_onednn_call forward_call, call;
  const tsr_onednn_arg forward_args[] = {{DNNL_ARG_SRC, &t.x}, {DNNL_ARG_DST, &forward_y}};
  const tsr_onednn_arg args[] = {{DNNL_ARG_DIFF_DST, &t.y}, {DNNL_ARG_DIFF_SRC, &t.dx}};
  int created = tsr_onednn_call_create(&forward_call, &forward, nullptr, 2, forward_args);
  if (created == 0) {
    created = tsr_onednn_call_add_workspace(&forward_call, nullptr) | tsr_onednn_call_execute(&forward_call);
    created |= tsr_onednn_call_create_backward(&call, &backward, &forward, 2, args);
    if (created == 0) created = tsr_onednn_call_add_workspace(&call, &forward_call);
  }
  tsr_bench::time_onednn_bandwidth(state, created, &call, "pooling backward", t.backward_bytes_moved(), threads);
  tsr_onednn_call_destroy(&forward_call);
  std::free(forward_y.data);
}

const int kRegistered = [] {
  for (const bool backward : {false, true})
    for (const Problem& p : kProblems)
      for (const tsr_layout layout : {tsr_layout_nhwc, tsr_layout_plain, tsr_layout_nchw8c, tsr_layout_nchw16c})
        for (const bool ours : {true, false}) {
          const std::string name = std::string(ours ? "tessera" : "onednn") +
                                   (backward ? "/pool_backward_" : "/pool_") + p.name + "_" +
                                   (layout == tsr_layout_plain ? "nchw" : tsr_layout_name(layout));
          auto* b = benchmark::RegisterBenchmark(name.c_str(), backward ? (ours ? tessera_pool_backward
                                                                                  : onednn_pool_backward)
                                                                         : (ours ? tessera_pool : onednn_pool),
                                                 p, layout);
          b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
        }
  return 0;
}();

}  // namespace
