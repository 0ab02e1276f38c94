/* The GEMM engine behind tsr_sgemm, the dense layer and (later) 1x1 convolution, RNNs and
 * attention: packing, cache blocking and the split over the thread pool. Arguments here are
 * already validated; only memory can fail. */
#ifndef TSR_ENGINE_GEMM_H
#define TSR_ENGINE_GEMM_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/f32-gemm/f32-gemm.h"
#include "tessera.h"

/// B packed once into panels of nr columns (zero-padded), each panel k rows deep: what layers
/// do with their weights at creation, so runs never re-pack them.
struct tsr_gemm_packed_b {
  const struct tsr_gemm_config* config;
  size_t k, n;
  float* data; /* ceil(n / nr) panels x k x nr floats, 64-byte aligned */
};

/// Packs op(B) (k x n; trans_b: B is stored n x k) with row stride ldb. Returns out_of_memory
/// (with the message naming `where`) or success.
tsr_status tsr_gemm_pack_b(const struct tsr_gemm_config* config, bool trans_b, size_t k, size_t n,
                           const float* b, size_t ldb, struct tsr_gemm_packed_b* packed,
                           const char* where);
void tsr_gemm_packed_b_release(struct tsr_gemm_packed_b* packed);

/// One (batched) GEMM: for each batch item t,
///   C_t = clamp(alpha * op(A_t) op(B_t) + beta * C_t + bias)
/// with X_t = X + t * stride_x. beta == 0: C is not read. packed_b, when set, replaces b/ldb/
/// trans_b/stride_b (one B for the whole batch).
struct tsr_gemm_args {
  size_t batch, m, n, k;
  float alpha, beta;
  const float* a;
  size_t lda, stride_a;
  bool trans_a;
  const float* b;
  size_t ldb, stride_b;
  bool trans_b;
  const struct tsr_gemm_packed_b* packed_b;
  float* c;
  size_t ldc, stride_c;
  const float* bias;                           /* n values, or NULL */
  const struct tsr_f32_minmax_params* clamp;   /* or NULL */
};

/// Runs the GEMM over the pool. Returns success or out_of_memory (scratch), naming `where`;
/// out of memory leaves C untouched (engine/missed-tasks.h).
tsr_status tsr_gemm_execute(const struct tsr_gemm_args* args, tsr_threadpool* pool,
                            const char* where);

/// The scratch (bytes of tsr_thread_scratch) each thread takes in tsr_gemm_execute for `args`
/// on `threads` threads, at most: a caller that must not fail halfway through reserves it first.
size_t tsr_gemm_scratch_bytes(const struct tsr_gemm_args* args, size_t threads);

#endif
