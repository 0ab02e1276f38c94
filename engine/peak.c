/* Measures what the machine can do, so benchmarks can say how close to it they get: the f32 FMA
 * peak (register-only FMA chains) and the streaming bandwidth (a clamp over buffers far larger
 * than the caches), each on one thread and on every thread of a pool. Best of a few runs: the
 * machine is shared, and interference only ever makes a run slower. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/error.h"
#include "kernels/f32-fmapeak/f32-fmapeak.h"
#include "kernels/f32-vclamp/f32-vclamp.h"
#include "threadpool/threadpool.h"

#define TSR_PEAK_RUNS 5
#define TSR_STREAM_BYTES ((size_t)64 << 20) /* per buffer: twice the largest L3 we expect */

static double tsr_now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

struct tsr_fma_call {
  tsr_f32_fmapeak_fn kernel;
  size_t iterations;
  _Atomic float sink; /* written by every thread: keeps the loops alive */
};

static void tsr_fma_task(void* context, size_t thread, size_t i) {
  (void)thread, (void)i;
  struct tsr_fma_call* call = context;
  atomic_store_explicit(&call->sink, call->kernel(call->iterations), memory_order_relaxed);
}

/* GFLOP/s of `threads` copies of the loop running at once (best of TSR_PEAK_RUNS). */
static double tsr_fma_gflops(tsr_threadpool* pool, size_t threads, struct tsr_fma_call* call,
                             double flops_per_iteration) {
  double best = 0.0;
  for (int run = 0; run < TSR_PEAK_RUNS; run++) {
    const double start = tsr_now_seconds();
    tsr_parallelize_1d(pool, tsr_fma_task, call, threads);
    const double seconds = tsr_now_seconds() - start;
    const double gflops = flops_per_iteration * (double)call->iterations * (double)threads / seconds * 1e-9;
    if (gflops > best) best = gflops;
  }
  return best;
}

struct tsr_stream_call {
  tsr_f32_vclamp_ukernel_fn kernel;
  struct tsr_f32_minmax_params params;
  const float* x;
  float* y;
};

static void tsr_stream_task(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_stream_call* call = context;
  call->kernel(count, call->x + start, call->y + start, &call->params);
}

/* GB/s (bytes read + written) of the clamp over the buffers, split into `threads` parts. */
static double tsr_stream_gbps(tsr_threadpool* pool, size_t threads, struct tsr_stream_call* call,
                              size_t n) {
  const size_t part = (n + threads - 1) / threads;
  double best = 0.0;
  for (int run = 0; run < TSR_PEAK_RUNS; run++) {
    const double start = tsr_now_seconds();
    tsr_parallelize_1d_tile_1d(pool, tsr_stream_task, call, n, part);
    const double seconds = tsr_now_seconds() - start;
    const double gbps = 2.0 * (double)(n * sizeof(float)) / seconds * 1e-9;
    if (gbps > best) best = gbps;
  }
  return best;
}

tsr_status tsr_measure_machine_peak(tsr_threadpool* pool, tsr_machine_peak* peak) {
  if (peak == NULL)
    return tsr_error(tsr_status_invalid_parameter, "tsr_measure_machine_peak: peak is NULL");
  const size_t threads = tsr_threadpool_threads(pool);
  const size_t n = TSR_STREAM_BYTES / sizeof(float);
  float* x = malloc(TSR_STREAM_BYTES);
  float* y = malloc(TSR_STREAM_BYTES);
  if (x == NULL || y == NULL) {
    free(x);
    free(y);
    return tsr_error(tsr_status_out_of_memory, "tsr_measure_machine_peak: out of memory");
  }
  memset(x, 0, TSR_STREAM_BYTES);
  memset(y, 0, TSR_STREAM_BYTES);

  tsr_machine_peak result = {.threads = (uint32_t)threads};
  const struct tsr_ukernel_entry* fma =
      tsr_ukernel_pick(tsr_f32_fmapeak_kernels, tsr_f32_fmapeak_kernel_count);
  result.isa = fma->isa;
  /* Calibrate: about 20 ms per run on one thread. */
  struct tsr_fma_call fma_call = {.kernel = (tsr_f32_fmapeak_fn)fma->function, .iterations = 1000};
  for (;;) {
    const double start = tsr_now_seconds();
    atomic_store_explicit(&fma_call.sink, fma_call.kernel(fma_call.iterations), memory_order_relaxed);
    const double seconds = tsr_now_seconds() - start;
    if (seconds > 0.005 || fma_call.iterations > ((size_t)1 << 40)) {
      fma_call.iterations = (size_t)((double)fma_call.iterations * 0.02 / seconds) + 1;
      break;
    }
    fma_call.iterations *= 4;
  }
  result.fma_gflops_per_core = tsr_fma_gflops(NULL, 1, &fma_call, (double)fma->tile);
  result.fma_gflops = threads == 1 ? result.fma_gflops_per_core
                                   : tsr_fma_gflops(pool, threads, &fma_call, (double)fma->tile);

  const struct tsr_ukernel_entry* clamp =
      tsr_ukernel_pick(tsr_f32_vclamp_ukernels, tsr_f32_vclamp_ukernel_count);
  struct tsr_stream_call stream = {.kernel = (tsr_f32_vclamp_ukernel_fn)clamp->function,
                                   .params = {0.0f, 1.0f}, .x = x, .y = y};
  result.stream_gbps_per_core = tsr_stream_gbps(NULL, 1, &stream, n);
  result.stream_gbps =
      threads == 1 ? result.stream_gbps_per_core : tsr_stream_gbps(pool, threads, &stream, n);
  free(x);
  free(y);
  *peak = result;
  return tsr_status_success;
}
