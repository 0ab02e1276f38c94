/* The fused (flash-style) attention core: one pass over tiles of keys per block of queries with
 * an online softmax, so the q_len x kv_len scores are never stored; the extra memory is per
 * thread (a few tiles) plus, when the key sequence is split across threads, one partial output
 * row per query and split. The attention core sends it every problem that wants neither the
 * probabilities nor talking-heads mixing. */
#ifndef TSR_ENGINE_FLASH_ATTENTION_H
#define TSR_ENGINE_FLASH_ATTENTION_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/reference/attention-reference.h"
#include "tessera.h"

/// True when the fused path can run the problem (no probabilities out, no head mixing).
bool tsr_flash_attention_supports(const struct tsr_attention_problem* p);

/// Runs the problem on the fused path (column strides of q, k, v and o must be 1). Returns
/// success or out_of_memory (naming `where`).
tsr_status tsr_flash_attention_run(const struct tsr_attention_problem* p, tsr_threadpool* pool, const char* where);

struct tsr_flash_ukernels;

/// The same with a given kernel set (testers run every ISA's set through it).
tsr_status tsr_flash_attention_run_with(const struct tsr_attention_problem* p, const struct tsr_flash_ukernels* uk,
                                        tsr_threadpool* pool, const char* where);

/// The bytes of extra memory a run on `threads` threads takes (per-thread tiles and split
/// partials): what the fused path allocates, for tests that hold it to O(L d).
size_t tsr_flash_attention_workspace(const struct tsr_attention_problem* p, size_t threads);

#endif
