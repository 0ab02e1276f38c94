// Convolution, tessera against oneDNN in the same process, each library in the layout it
// prefers (tessera NHWC, oneDNN the blocked layout it chooses with format "any", weights and
// input reordered once, outside the timing), plus the same problems from and back to plain
// NCHW with every reorder timed ("_nchw"), and tessera on nChw16c against oneDNN without
// reorders ("_nchw16c": every channel count here fills its 16-lane blocks, so no padding lane
// needs zeroing). The stems (3 input channels) run on nhwc and as a blocked chain's first layer
// ("_first_layer": x nhwc, y nChw16c; "_first_layer_nchw": x plain NCHW, its reorder to NHWC
// timed), against oneDNN's convolution in the layouts it chooses, no reorder timed. Layers from ResNet-50 and MobileNet v2
// (the full sets run through `tessera bench conv --batch=...`); GFLOP/s counts 2 x N x OC x
// output x IC/G x taps.
#include <cstdlib>
#include <cstring>
#include <string>

#include "benchmarks/bench-util.h"
#include "tests/harness/harness.h"
#include "tests/harness/onednn.h"

namespace {

struct Problem {
  const char* name;
  int64_t batch, ic, oc, groups, in, kernel, stride, pad;
};

// The batch-32 layers (NHWC only, to keep the run short) work from memory: their outputs take
// the streaming stores (tsr_cpu_from_memory, docs/PERFORMANCE.md).
const Problem kProblems[] = {{"resnet50_res2_3x3", 1, 64, 64, 1, 56, 3, 1, 1},
                             {"resnet50_res4_1x1", 1, 1024, 256, 1, 14, 1, 1, 0},
                             {"resnet50_res3a_3x3s2", 1, 128, 128, 1, 56, 3, 2, 1},
                             {"mobilenetv2_dw_3x3", 1, 144, 144, 144, 56, 3, 1, 1},
                             {"mobilenetv2_mb32_expand_1x1", 32, 24, 144, 1, 56, 1, 1, 0},
                             {"mobilenetv2_mb32_dw_3x3", 32, 144, 144, 144, 56, 3, 1, 1},
                             {"resnet50_conv1_7x7s2", 1, 3, 64, 1, 224, 7, 2, 3},
                             {"mobilenetv2_conv1_3x3s2", 1, 3, 32, 1, 224, 3, 2, 1}};

// A 2-D layer's parameters: square kernel, stride and explicit padding, no dilation.
tsr_conv_params square_conv(int64_t ic, int64_t oc, int64_t groups, int64_t kernel, int64_t stride, int64_t pad) {
  tsr_conv_params params{};
  params.spatial_ndims = 2, params.in_channels = ic, params.out_channels = oc, params.groups = groups;
  params.padding_mode = tsr_padding_explicit;
  for (int d = 0; d < 2; d++) {
    params.kernel[d] = kernel, params.stride[d] = stride, params.dilation[d] = 1;
    params.padding_begin[d] = params.padding_end[d] = pad;
  }
  return params;
}

// How a problem's tensors are laid out: x's layout, y's, and the benchmark name's suffix.
struct Layouts {
  tsr_layout x, y;
  const char* suffix;
};
const Layouts kLayouts[] = {{tsr_layout_nhwc, tsr_layout_nhwc, ""},
                            {tsr_layout_plain, tsr_layout_plain, "_nchw"},
                            {tsr_layout_nchw16c, tsr_layout_nchw16c, "_nchw16c"},
                            {tsr_layout_nhwc, tsr_layout_nchw16c, "_first_layer"},
                            {tsr_layout_plain, tsr_layout_nchw16c, "_first_layer_nchw"}};

struct Layer {
  tsr_conv_params params{};
  tsr_tensor x{}, y{};
  float *w = nullptr, *b = nullptr;
  double flops = 0;
  Layer(const Problem& p, const Layouts& layout) {
    params = square_conv(p.ic, p.oc, p.groups, p.kernel, p.stride, p.pad);
    const int64_t in_dims[] = {p.batch, p.ic, p.in, p.in};
    int64_t out_dims[4];
    tsr_conv_output_shape(&params, 4, in_dims, out_dims);
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout.x, 4, in_dims);
    tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, layout.y, 4, out_dims);
    const size_t xn = tsr_tensor_desc_bytes(&x.desc) / 4, yn = tsr_tensor_desc_bytes(&y.desc) / 4;
    const size_t wn = size_t(p.oc * (p.ic / p.groups) * p.kernel * p.kernel);
    x.data = std::aligned_alloc(64, (xn * 4 + 63) / 64 * 64);
    y.data = std::aligned_alloc(64, (yn * 4 + 63) / 64 * 64);
    w = static_cast<float*>(std::aligned_alloc(64, (wn * 4 + 63) / 64 * 64));
    b = static_cast<float*>(std::aligned_alloc(64, (size_t(p.oc) * 4 + 63) / 64 * 64));
    tsr_rng rng = tsr_rng_seeded(3);
    tsr_fill_uniform(&rng, static_cast<float*>(x.data), xn, -1.0f, 1.0f);
    tsr_fill_uniform(&rng, w, wn, -1.0f, 1.0f);
    tsr_fill_uniform(&rng, b, size_t(p.oc), -1.0f, 1.0f);
    flops = 2.0 * double(tsr_tensor_desc_elements(&y.desc)) * double(p.ic / p.groups) * double(p.kernel * p.kernel);
  }
  ~Layer() {
    std::free(x.data);
    std::free(y.data);
    std::free(w);
    std::free(b);
  }
};

void tessera_conv(benchmark::State& state, const Problem& p, const Layouts& layout) {
  const uint32_t threads = uint32_t(state.range(0));
  Layer l(p, layout);
  tsr_op* op = nullptr;
  tsr_conv_create(&l.params, l.w, l.b, &op);
  for (auto _ : state) tsr_op_run(op, 1, &l.x, 1, &l.y, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_flops(state, l.flops, threads);
}

void onednn_conv(benchmark::State& state, const Problem& p, const Layouts& layout) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  Layer l(p, layout);
  tsr_onednn_conv peer;
  if (tsr_onednn_conv_create(&peer, &l.params, &l.x, l.w, l.b, &l.y, layout.y == tsr_layout_plain) != 0) {
    state.SkipWithError("oneDNN refused the convolution");
    return;
  }
  for (auto _ : state) tsr_onednn_conv_execute(&peer);
  state.SetLabel(peer.implementation);
  tsr_onednn_conv_destroy(&peer);
  tsr_bench::report_flops(state, l.flops, threads);
}

// Transposed convolution ("deconv_"): tessera's GEMM + col2im path against oneDNN's
// deconvolution on the same plain NCHW tensors (oneDNN 2.6.3 runs NHWC deconvolution on its
// reference loop, 100x slower: not a peer). The layers of
// benchmarks/problems/deconv.txt that take the path's two col2im forms (by position at stride
// 2, by tap at stride 1); GFLOP/s counts 2 x N x IC x input positions x OC/G x taps.
struct Deconv {
  const char* name;
  int64_t batch, ic, oc, in, kernel, stride, pad;
};
const Deconv kDeconvs[] = {{"dcgan_mb4_512to256_8x8_4x4s2", 4, 512, 256, 8, 4, 2, 1},
                           {"unet_up_128to64_64x64_2x2s2", 1, 128, 64, 64, 2, 2, 0},
                           {"mb2_64to64_32x32_3x3s1", 2, 64, 64, 32, 3, 1, 1}};

struct DeconvLayer {
  tsr_conv_params params{};
  tsr_tensor x{}, y{};
  float *w = nullptr, *b = nullptr;
  double flops = 0;
  DeconvLayer(const Deconv& p, tsr_layout layout) {
    params = square_conv(p.ic, p.oc, 1, p.kernel, p.stride, p.pad);
    const int64_t in_dims[] = {p.batch, p.ic, p.in, p.in};
    int64_t out_dims[4];
    tsr_deconv_output_shape(&params, nullptr, 4, in_dims, out_dims);
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout, 4, in_dims);
    tsr_tensor_desc_init(&y.desc, tsr_dtype_f32, layout, 4, out_dims);
    const size_t xn = tsr_tensor_desc_elements(&x.desc), yn = tsr_tensor_desc_elements(&y.desc);
    const size_t wn = size_t(p.ic * p.oc * p.kernel * p.kernel);
    x.data = std::malloc(xn * 4), y.data = std::malloc(yn * 4);
    w = static_cast<float*>(std::malloc(wn * 4)), b = static_cast<float*>(std::malloc(size_t(p.oc) * 4));
    tsr_rng rng = tsr_rng_seeded(5);
    tsr_fill_uniform(&rng, static_cast<float*>(x.data), xn, -1.0f, 1.0f);
    tsr_fill_uniform(&rng, w, wn, -1.0f, 1.0f);
    tsr_fill_uniform(&rng, b, size_t(p.oc), -1.0f, 1.0f);
    flops = 2.0 * double(xn) * double(p.oc) * double(p.kernel * p.kernel);
  }
  ~DeconvLayer() {
    std::free(x.data);
    std::free(y.data);
    std::free(w);
    std::free(b);
  }
};

void tessera_deconv(benchmark::State& state, const Deconv& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  DeconvLayer l(p, layout);
  tsr_op* op = nullptr;
  if (tsr_deconv_create(&l.params, nullptr, l.w, l.b, &op) != tsr_status_success) {
    state.SkipWithError(tsr_last_error_message());
    return;
  }
  for (auto _ : state) tsr_op_run(op, 1, &l.x, 1, &l.y, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_flops(state, l.flops, threads);
}

void onednn_deconv(benchmark::State& state, const Deconv& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  DeconvLayer l(p, layout);
  tsr_onednn_call call;
  if (tsr_onednn_deconv_call(&call, &l.params, &l.x, l.w, l.b, &l.y) != 0) {
    state.SkipWithError("oneDNN refused the deconvolution");
    return;
  }
  for (auto _ : state) tsr_onednn_call_execute(&call);
  state.SetLabel(call.implementation);
  tsr_onednn_call_destroy(&call);
  tsr_bench::report_flops(state, l.flops, threads);
}

// Convolution backward ("backward_"): tessera's op (dx by GEMM + col2im, dW by im2col + GEMM,
// db) against oneDNN's backward data and backward weights primitives run back to back, on the
// same plain NCHW tensors (oneDNN 2.6.3 runs NHWC convolution backward on its reference loops,
// `ref:any`, 100x slower: not a peer). Training-sized batches of ResNet layers; GFLOP/s counts
// both gradients, 2 x 2 x N x OC x output x IC x taps.
const Problem kBackward[] = {{"resnet50_mb4_res2_3x3", 4, 64, 64, 1, 56, 3, 1, 1},
                             {"resnet50_mb4_res2_1x1_256to64", 4, 256, 64, 1, 56, 1, 1, 0},
                             {"resnet50_mb8_res3a_3x3s2", 8, 128, 128, 1, 56, 3, 2, 1}};

struct BackwardLayer {
  tsr_conv_params params{};
  tsr_tensor x{}, dy{}, dx{};
  float *w = nullptr, *dw = nullptr, *db = nullptr;
  size_t wn = 0;
  double flops = 0;
  BackwardLayer(const Problem& p, tsr_layout layout) {
    params = square_conv(p.ic, p.oc, p.groups, p.kernel, p.stride, p.pad);
    const int64_t in_dims[] = {p.batch, p.ic, p.in, p.in};
    int64_t out_dims[4];
    tsr_conv_output_shape(&params, 4, in_dims, out_dims);
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout, 4, in_dims);
    tsr_tensor_desc_init(&dy.desc, tsr_dtype_f32, layout, 4, out_dims);
    dx.desc = x.desc;
    const size_t xn = tsr_tensor_desc_elements(&x.desc), yn = tsr_tensor_desc_elements(&dy.desc);
    wn = size_t(p.oc * (p.ic / p.groups) * p.kernel * p.kernel);
    x.data = std::malloc(xn * 4), dy.data = std::malloc(yn * 4), dx.data = std::malloc(xn * 4);
    w = static_cast<float*>(std::malloc(wn * 4)), dw = static_cast<float*>(std::malloc(wn * 4));
    db = static_cast<float*>(std::malloc(size_t(p.oc) * 4));
    tsr_rng rng = tsr_rng_seeded(6);
    tsr_fill_uniform(&rng, static_cast<float*>(x.data), xn, -1.0f, 1.0f);
    tsr_fill_uniform(&rng, static_cast<float*>(dy.data), yn, -1.0f, 1.0f);
    tsr_fill_uniform(&rng, w, wn, -1.0f, 1.0f);
    flops = 2.0 * 2.0 * double(yn) * double(wn / size_t(p.oc));
  }
  ~BackwardLayer() {
    std::free(x.data);
    std::free(dy.data);
    std::free(dx.data);
    std::free(w);
    std::free(dw);
    std::free(db);
  }
};

void tessera_backward(benchmark::State& state, const Problem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  BackwardLayer l(p, layout);
  tsr_op* op = nullptr;
  if (tsr_conv_backward_create(&l.params, l.w, &op) != tsr_status_success) {
    state.SkipWithError(tsr_last_error_message());
    return;
  }
  tsr_tensor ins[2] = {l.x, l.dy}, outs[3] = {l.dx, {}, {}};
  outs[1].data = l.dw, outs[2].data = l.db;
  const int64_t wn = int64_t(l.wn), bn = p.oc;
  tsr_tensor_desc_init(&outs[1].desc, tsr_dtype_f32, tsr_layout_plain, 1, &wn);
  tsr_tensor_desc_init(&outs[2].desc, tsr_dtype_f32, tsr_layout_plain, 1, &bn);
  for (auto _ : state) tsr_op_run(op, 2, ins, 3, outs, tsr_bench::pool(threads));
  state.SetLabel(tsr_op_describe(op));
  tsr_op_destroy(op);
  tsr_bench::report_flops(state, l.flops, threads);
}

void onednn_backward(benchmark::State& state, const Problem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  BackwardLayer l(p, layout);
  tsr_onednn_call calls[2];
  if (tsr_onednn_conv_backward_calls(calls, &l.params, &l.x, l.w, &l.dy, &l.dx, l.dw, l.db) != 0) {
    state.SkipWithError("oneDNN refused the convolution backward");
    return;
  }
  for (auto _ : state) tsr_onednn_call_execute(&calls[0]), tsr_onednn_call_execute(&calls[1]);
  state.SetLabel(std::string(calls[0].implementation) + "+" + calls[1].implementation);
  tsr_onednn_call_destroy(&calls[0]);
  tsr_onednn_call_destroy(&calls[1]);
  tsr_bench::report_flops(state, l.flops, threads);
}

const int kRegistered = [] {
  for (const Problem& p : kBackward)
    for (const bool ours : {true, false}) {
      const std::string name = std::string(ours ? "tessera/backward_" : "onednn/backward_") + p.name + "_nchw";
      auto* b = ours ? benchmark::RegisterBenchmark(name.c_str(), tessera_backward, p, tsr_layout_plain)
                     : benchmark::RegisterBenchmark(name.c_str(), onednn_backward, p, tsr_layout_plain);
      b->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);
    }
  for (const Deconv& p : kDeconvs)
    for (const bool ours : {true, false}) {
      const std::string name = std::string(ours ? "tessera/deconv_" : "onednn/deconv_") + p.name;
      auto* b = ours ? benchmark::RegisterBenchmark(name.c_str(), tessera_deconv, p, tsr_layout_plain)
                     : benchmark::RegisterBenchmark(name.c_str(), onednn_deconv, p, tsr_layout_plain);
      b->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);
    }
  for (const Problem& p : kProblems)
    for (const Layouts& layout : kLayouts)
      for (const bool ours : {true, false}) {
        if (p.batch > 1 && layout.x != tsr_layout_nhwc) continue;
        if ((p.ic == 3) != (layout.x != layout.y) && (layout.x != tsr_layout_nhwc || layout.y != tsr_layout_nhwc))
          continue; /* the stems: nhwc and the first-layer forms */
        const std::string name = std::string(ours ? "tessera/" : "onednn/") + p.name + layout.suffix;
        auto* b = ours ? benchmark::RegisterBenchmark(name.c_str(), tessera_conv, p, layout)
                       : benchmark::RegisterBenchmark(name.c_str(), onednn_conv, p, layout);
        b->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);
      }
  return 0;
}();

}  // namespace
