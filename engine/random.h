/* Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11): the value for index i of
 * a stream is a pure function of (seed, i), so any thread can compute any element and results
 * never depend on the thread count or the order of work. */
#ifndef TSR_ENGINE_RANDOM_H
#define TSR_ENGINE_RANDOM_H

#include <stdint.h>

/// Philox4x32-10 of a 128-bit counter under a 64-bit key, as Random123 defines it.
void tsr_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/// Four 32-bit random words for counter block `block` (counter {block, 0}) under key `seed`.
void tsr_philox4x32(uint64_t seed, uint64_t block, uint32_t out[4]);

/// The uniform float in [0, 1) of index i: 24 random bits of word i % 4 of block i / 4.
float tsr_random_uniform(uint64_t seed, uint64_t index);

#endif
