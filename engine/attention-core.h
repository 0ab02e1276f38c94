/* The attention core every attention layer runs: scores, mask, softmax, dropout, talking-heads
 * mixing and the weighted sum for a struct tsr_attention_problem, over the thread pool. Problems
 * that want neither the probabilities nor talking-heads mixing run fused (flash-attention.h);
 * the rest run unfused here (the scores of a block of 64 queries are materialized, and GEMMs
 * compute them and the weighted sum). */
#ifndef TSR_ENGINE_ATTENTION_CORE_H
#define TSR_ENGINE_ATTENTION_CORE_H

#include <stdbool.h>

#include "kernels/reference/attention-reference.h"
#include "tessera.h"

/// Runs the problem (column strides of q, k, v and o must be 1), fused where it can. Returns
/// success or out_of_memory (naming `where`).
tsr_status tsr_attention_core_run(const struct tsr_attention_problem* p, tsr_threadpool* pool,
                                  const char* where);

/// What runs problems on this machine: "flash:<kernel set>" (for op descriptions).
const char* tsr_attention_core_name(void);

/// The same on the unfused path, whatever the problem (the benchmarks' baseline).
tsr_status tsr_attention_core_run_unfused(const struct tsr_attention_problem* p, tsr_threadpool* pool,
                                          const char* where);

/// Checks a mask tensor against [batch, heads, q_len, kv_len] and fills p->mask, mask_dtype and
/// mask_strides (0 where it broadcasts). `name` names the argument in the message.
tsr_status tsr_attention_mask_bind(const tsr_tensor* mask, struct tsr_attention_problem* p,
                                   const char* where, const char* name);

/// Checks that `d` is f32, plain or strided, has `ndims` dims and a contiguous last dim (and,
/// for an output, no stride 0 on a dim above 1), and copies its strides.
tsr_status tsr_attention_tensor_bind(const tsr_tensor_desc* d, int32_t ndims, bool is_output, size_t* strides,
                                     const char* where, const char* name);

/// Checks the options every softmax attention shares: scale finite and >= 0 (0: 1/sqrt(d)), a
/// known causal mode, and the dropout.
tsr_status tsr_attention_options_check(float scale, tsr_causal_mode causal, const tsr_attention_dropout* dropout,
                                       const char* where);

/// Checks dropout parameters (rate in [0, 1)); `where` names the call.
tsr_status tsr_attention_dropout_check(const tsr_attention_dropout* dropout, const char* where);

#endif
