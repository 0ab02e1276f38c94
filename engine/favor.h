/* FAVOR+ random-feature attention, the Performer's core (see favor.c). */
#ifndef TSR_ENGINE_FAVOR_H
#define TSR_ENGINE_FAVOR_H

#include "kernels/reference/attention-reference.h"
#include "tessera.h"

/// m x d feature matrix: blocks of d orthonormal Gaussian rows, each scaled to the length of an
/// independent Gaussian vector, all drawn from `seed` (Philox), so an op is reproducible.
struct tsr_favor {
  size_t features, dim;
  float* w;
};

tsr_status tsr_favor_init(struct tsr_favor* favor, size_t features, size_t dim, uint64_t seed,
                          const char* where);
void tsr_favor_release(struct tsr_favor* favor);

/// o = the FAVOR+ estimate of softmax(q k^T / sqrt(d)) v for each (batch, head) of the problem
/// (its scale, mask, probs, dropout and mixing are not used; causal needs q_len = kv_len).
tsr_status tsr_favor_run(const struct tsr_favor* favor, const struct tsr_attention_problem* p,
                         tsr_threadpool* pool, const char* where);

#endif
