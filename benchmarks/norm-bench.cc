// Layer norm over the last axis (the shared lnorm.txt problems), tessera against oneDNN's layer
// normalization (inference: statistics computed, not stored), and batch norm at inference (the
// shared bnorm.txt problems, given statistics) against oneDNN's batch normalization, in NCHW and
// NHWC, on the same tensors in the same process; batch norm training, and layer norm and batch
// norm (training) backward, against oneDNN's;
// group/instance norm alone (no oneDNN peer). Memory-bound: GB/s counts one read and one write of
// the tensor (backward: two reads, x and dy, and one write).
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
  tsr_bench::time_tessera_bandwidth(state, op, 1, &t.x, 1, &t.y, t.bytes_moved(), threads);
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

// Layer norm backward (the lnorm.txt shapes): dx, dgamma and dbeta from x and dy, tessera (which
// recomputes each row's statistics from x) against oneDNN's backward primitive (which is given
// them: mean and variance computed here once). GB/s counts a read of x and dy and a write of dx.
struct LayerNormBackwardTensors : Tensors {
  tsr_tensor dy{}, dx{}, dgamma{}, dbeta{}, mean{}, variance{};
  explicit LayerNormBackwardTensors(const Problem& p) : Tensors(p) {
    dy = y, dx.desc = x.desc, dgamma.desc = dbeta.desc = gamma.desc;
    tsr_tensor_desc_init(&mean.desc, tsr_dtype_f32, tsr_layout_plain, 1, &p.rows);
    variance.desc = mean.desc;
    const size_t n = size_t(p.rows * p.features), f = size_t(p.features), r = size_t(p.rows);
    dx.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    for (tsr_tensor* v : {&dgamma, &dbeta}) v->data = std::aligned_alloc(64, (f * 4 + 63) / 64 * 64);
    for (tsr_tensor* v : {&mean, &variance}) v->data = std::aligned_alloc(64, (r * 4 + 63) / 64 * 64);
    tsr_rng rng = tsr_rng_seeded(9);
    tsr_fill_uniform(&rng, static_cast<float*>(dy.data), n, -1.0f, 1.0f);
    const float* xs = static_cast<const float*>(x.data);
    for (size_t i = 0; i < r; i++) {
      double m = 0.0, v = 0.0;
      for (size_t j = 0; j < f; j++) m += xs[i * f + j];
      m /= double(f);
      for (size_t j = 0; j < f; j++) v += (xs[i * f + j] - m) * (xs[i * f + j] - m);
      static_cast<float*>(mean.data)[i] = float(m), static_cast<float*>(variance.data)[i] = float(v / double(f));
    }
  }
  ~LayerNormBackwardTensors() {
    for (tsr_tensor* v : {&dx, &dgamma, &dbeta, &mean, &variance}) std::free(v->data);
  }
  double bytes_moved() const { return 3.0 * double(tsr_tensor_desc_bytes(&x.desc)); }
};

void tessera_layer_norm_backward(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  LayerNormBackwardTensors t(p);
  tsr_op* op = nullptr;
  tsr_layer_norm_backward_create(1, &p.features, static_cast<float*>(t.gamma.data), 1e-5f, &op);
  const tsr_tensor inputs[] = {t.x, t.dy}, outputs[] = {t.dx, t.dgamma, t.dbeta};
  tsr_bench::time_tessera_bandwidth(state, op, 2, inputs, 3, outputs, t.bytes_moved(), threads);
}

void onednn_layer_norm_backward(benchmark::State& state, const Problem& p) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  LayerNormBackwardTensors t(p);
  dnnl_memory_desc_t md, stat;
  tsr_onednn_md(&t.x.desc, &md);
  tsr_onednn_md(&t.mean.desc, &stat);
  dnnl_layer_normalization_desc_t forward, backward;
  const unsigned flags = dnnl_use_scale | dnnl_use_shift;
  dnnl_layer_normalization_forward_desc_init(&forward, dnnl_forward_training, &md, &stat, 1e-5f, flags);
  dnnl_layer_normalization_backward_desc_init(&backward, dnnl_backward, &md, &md, &stat, 1e-5f, flags);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &t.x},         {DNNL_ARG_DIFF_DST, &t.dy},
                                 {DNNL_ARG_MEAN, &t.mean},     {DNNL_ARG_VARIANCE, &t.variance},
                                 {DNNL_ARG_SCALE, &t.gamma},   {DNNL_ARG_SHIFT, &t.beta},
                                 {DNNL_ARG_DIFF_SRC, &t.dx},   {DNNL_ARG_DIFF_SCALE, &t.dgamma},
                                 {DNNL_ARG_DIFF_SHIFT, &t.dbeta}};
  const int created = tsr_onednn_call_create_backward(&call, &backward, &forward, 9, args);
  tsr_bench::time_onednn_bandwidth(state, created, &call, "layer normalization backward", t.bytes_moved(), threads);
}

struct BatchNormProblem {
  const char* name;
  int64_t n, c, h;
};

const BatchNormProblem kBatchNormProblems[] = {
    {"resnet_mb32_c64_56", 32, 64, 56}, {"resnet_mb1_c256_56", 1, 256, 56}, {"resnet_mb1_c2048_7", 1, 2048, 7}};

struct BatchNormTensors {
  tsr_tensor x{}, y{}, mean{}, variance{}, gamma{}, beta{};
  BatchNormTensors(const BatchNormProblem& p, tsr_layout layout) {
    const int64_t dims[] = {p.n, p.c, p.h, p.h};
    tsr_tensor_desc_init(&x.desc, tsr_dtype_f32, layout, 4, dims);
    y.desc = x.desc;
    tsr_tensor_desc_init(&mean.desc, tsr_dtype_f32, tsr_layout_plain, 1, &p.c);
    variance.desc = gamma.desc = beta.desc = mean.desc;
    const size_t n = tsr_tensor_desc_elements(&x.desc), c = size_t(p.c);
    x.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    y.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    tsr_rng rng = tsr_rng_seeded(5);
    tsr_fill_uniform(&rng, static_cast<float*>(x.data), n, -2.0f, 2.0f);
    for (tsr_tensor* v : {&mean, &variance, &gamma, &beta}) {
      v->data = std::aligned_alloc(64, (c * 4 + 63) / 64 * 64);
      tsr_fill_uniform(&rng, static_cast<float*>(v->data), c, 0.5f, 1.5f);
    }
  }
  ~BatchNormTensors() {
    for (tsr_tensor* v : {&x, &y, &mean, &variance, &gamma, &beta}) std::free(v->data);
  }
  double bytes_moved() const { return 2.0 * double(tsr_tensor_desc_bytes(&x.desc)); }
};

void tessera_batch_norm(benchmark::State& state, const BatchNormProblem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  BatchNormTensors t(p, layout);
  tsr_op* op = nullptr;
  tsr_batch_norm_create(p.c, static_cast<float*>(t.mean.data), static_cast<float*>(t.variance.data),
                        static_cast<float*>(t.gamma.data), static_cast<float*>(t.beta.data), 1e-5f, &op);
  tsr_bench::time_tessera_bandwidth(state, op, 1, &t.x, 1, &t.y, t.bytes_moved(), threads);
}

// oneDNN's forward batch normalization: at inference with the given statistics, or in training
// (the batch's statistics computed and written to mean and variance).
void onednn_batch_norm_forward(benchmark::State& state, const BatchNormProblem& p, tsr_layout layout, bool training) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  BatchNormTensors t(p, layout);
  dnnl_memory_desc_t md;
  tsr_onednn_md(&t.x.desc, &md);
  dnnl_batch_normalization_desc_t desc;
  dnnl_batch_normalization_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, &md,
                                             1e-5f, (training ? 0u : dnnl_use_global_stats) | dnnl_use_scale |
                                                        dnnl_use_shift);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &t.x},         {DNNL_ARG_DST, &t.y},
                                 {DNNL_ARG_MEAN, &t.mean},     {DNNL_ARG_VARIANCE, &t.variance},
                                 {DNNL_ARG_SCALE, &t.gamma},   {DNNL_ARG_SHIFT, &t.beta}};
  const int created = tsr_onednn_call_create(&call, &desc, nullptr, 6, args);
  tsr_bench::time_onednn_bandwidth(state, created, &call,
                                   training ? "batch normalization training" : "batch normalization",
                                   t.bytes_moved(), threads);
}

void onednn_batch_norm(benchmark::State& state, const BatchNormProblem& p, tsr_layout layout) {
  onednn_batch_norm_forward(state, p, layout, false);
}

// Batch norm in training mode (the bnorm.txt shapes): y and the batch's statistics from x (and
// tessera's running statistics), against oneDNN's forward training primitive. GB/s counts a read
// of x and a write of y.
void tessera_batch_norm_training(benchmark::State& state, const BatchNormProblem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  BatchNormTensors t(p, layout);
  tsr_op* op = nullptr;
  tsr_batch_norm_training_create(p.c, static_cast<float*>(t.gamma.data), static_cast<float*>(t.beta.data), 1e-5f, 0.1f,
                                 tsr_momentum_pytorch, &op);
  /* the running statistics updated in place; the batch's into mean and variance */
  const tsr_tensor inputs[] = {t.x, t.gamma, t.beta}, outputs[] = {t.y, t.gamma, t.beta, t.mean, t.variance};
  tsr_bench::time_tessera_bandwidth(state, op, 3, inputs, 5, outputs, t.bytes_moved(), threads);
}

void onednn_batch_norm_training(benchmark::State& state, const BatchNormProblem& p, tsr_layout layout) {
  onednn_batch_norm_forward(state, p, layout, true);
}

// Batch norm backward in training mode (the bnorm.txt shapes, the batch's statistics given): dx,
// dgamma and dbeta from x and dy, tessera against oneDNN's backward primitive (created from its
// forward training one). GB/s counts a read of x and dy and a write of dx.
struct BatchNormBackwardTensors : BatchNormTensors {
  tsr_tensor dy{}, dx{}, dgamma{}, dbeta{};
  BatchNormBackwardTensors(const BatchNormProblem& p, tsr_layout layout) : BatchNormTensors(p, layout) {
    dy = y, dx.desc = x.desc, dgamma.desc = dbeta.desc = gamma.desc;
    const size_t n = tsr_tensor_desc_elements(&x.desc), c = size_t(p.c);
    dx.data = std::aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    dgamma.data = std::aligned_alloc(64, (c * 4 + 63) / 64 * 64);
    dbeta.data = std::aligned_alloc(64, (c * 4 + 63) / 64 * 64);
    tsr_rng rng = tsr_rng_seeded(7);
    tsr_fill_uniform(&rng, static_cast<float*>(dy.data), n, -1.0f, 1.0f);
  }
  ~BatchNormBackwardTensors() {
    for (tsr_tensor* v : {&dx, &dgamma, &dbeta}) std::free(v->data);
  }
  double bytes_moved() const { return 3.0 * double(tsr_tensor_desc_bytes(&x.desc)); }
};

void tessera_batch_norm_backward(benchmark::State& state, const BatchNormProblem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  BatchNormBackwardTensors t(p, layout);
  tsr_op* op = nullptr;
  tsr_batch_norm_backward_create(p.c, static_cast<float*>(t.gamma.data), 1e-5f, &op);
  const tsr_tensor inputs[] = {t.x, t.dy, t.mean, t.variance}, outputs[] = {t.dx, t.dgamma, t.dbeta};
  tsr_bench::time_tessera_bandwidth(state, op, 4, inputs, 3, outputs, t.bytes_moved(), threads);
}

void onednn_batch_norm_backward(benchmark::State& state, const BatchNormProblem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  tsr_onednn_set_threads(int(threads));
  BatchNormBackwardTensors t(p, layout);
  dnnl_memory_desc_t md;
  tsr_onednn_md(&t.x.desc, &md);
  dnnl_batch_normalization_desc_t forward, backward;
  const unsigned flags = dnnl_use_scale | dnnl_use_shift;
  dnnl_batch_normalization_forward_desc_init(&forward, dnnl_forward_training, &md, 1e-5f, flags);
  dnnl_batch_normalization_backward_desc_init(&backward, dnnl_backward, &md, &md, 1e-5f, flags);
  tsr_onednn_call call;
  const tsr_onednn_arg args[] = {{DNNL_ARG_SRC, &t.x},         {DNNL_ARG_DIFF_DST, &t.dy},
                                 {DNNL_ARG_MEAN, &t.mean},     {DNNL_ARG_VARIANCE, &t.variance},
                                 {DNNL_ARG_SCALE, &t.gamma},   {DNNL_ARG_SHIFT, &t.beta},
                                 {DNNL_ARG_DIFF_SRC, &t.dx},   {DNNL_ARG_DIFF_SCALE, &t.dgamma},
                                 {DNNL_ARG_DIFF_SHIFT, &t.dbeta}};
  const int created = tsr_onednn_call_create_backward(&call, &backward, &forward, 9, args);
  tsr_bench::time_onednn_bandwidth(state, created, &call, "batch normalization backward", t.bytes_moved(), threads);
}

// Group and instance norm (the shared gnorm.txt problems): oneDNN 2.6 has no group
// normalization, so tessera runs alone here, plain and NHWC; GB/s against the stream figure.
struct GroupNormProblem {
  const char* name;
  int64_t groups, n, c, h;
};

const GroupNormProblem kGroupNormProblems[] = {{"g32_mb1_c256_56", 32, 1, 256, 56},
                                               {"g32_mb2_c512_32", 32, 2, 512, 32},
                                               {"instance_mb4_c64_64", 64, 4, 64, 64}};

void tessera_group_norm(benchmark::State& state, const GroupNormProblem& p, tsr_layout layout) {
  const uint32_t threads = uint32_t(state.range(0));
  const BatchNormProblem shape{p.name, p.n, p.c, p.h};
  BatchNormTensors t(shape, layout); /* x, y and C-sized gamma / beta */
  tsr_op* op = nullptr;
  tsr_group_norm_create(p.c, p.groups, static_cast<float*>(t.gamma.data), static_cast<float*>(t.beta.data), 1e-5f,
                        &op);
  tsr_bench::time_tessera_bandwidth(state, op, 1, &t.x, 1, &t.y, t.bytes_moved(), threads);
}

using BatchNormBench = void (*)(benchmark::State&, const BatchNormProblem&, tsr_layout);

// tessera and oneDNN on every bnorm.txt shape, NHWC and NCHW, on 1 and 2 threads.
void register_batch_norm(const std::string& kind, BatchNormBench tessera, BatchNormBench onednn) {
  for (const BatchNormProblem& p : kBatchNormProblems)
    for (const tsr_layout layout : {tsr_layout_nhwc, tsr_layout_plain})
      for (const bool ours : {true, false}) {
        const std::string name = std::string(ours ? "tessera/" : "onednn/") + kind + p.name +
                                 (layout == tsr_layout_nhwc ? "_nhwc" : "_nchw");
        benchmark::RegisterBenchmark(name.c_str(), ours ? tessera : onednn, p, layout)
            ->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
      }
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
  for (const Problem& p : kProblems)
    for (const bool ours : {true, false}) {
      const std::string name = std::string(ours ? "tessera" : "onednn") + "/layer_norm_backward_" + p.name;
      auto* b = ours ? benchmark::RegisterBenchmark(name.c_str(), tessera_layer_norm_backward, p)
                     : benchmark::RegisterBenchmark(name.c_str(), onednn_layer_norm_backward, p);
      b->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  register_batch_norm("batch_norm_", tessera_batch_norm, onednn_batch_norm);
  register_batch_norm("batch_norm_training_", tessera_batch_norm_training, onednn_batch_norm_training);
  register_batch_norm("batch_norm_backward_", tessera_batch_norm_backward, onednn_batch_norm_backward);
  for (const GroupNormProblem& p : kGroupNormProblems)
    for (const tsr_layout layout : {tsr_layout_plain, tsr_layout_nhwc}) {
      const std::string name =
          std::string("tessera/group_norm_") + p.name + (layout == tsr_layout_nhwc ? "_nhwc" : "_nchw");
      benchmark::RegisterBenchmark(name.c_str(), tessera_group_norm, p, layout)
          ->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  return 0;
}();

}  // namespace
