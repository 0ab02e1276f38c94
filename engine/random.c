#include "engine/random.h"

static uint32_t tsr_mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
  const uint64_t product = (uint64_t)a * b;
  *hi = (uint32_t)(product >> 32);
  return (uint32_t)product;
}

void tsr_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; round++) {
    uint32_t hi0, hi1;
    const uint32_t lo0 = tsr_mulhilo(0xD2511F53u, c0, &hi0);
    const uint32_t lo1 = tsr_mulhilo(0xCD9E8D57u, c2, &hi1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0, c1 = lo1, c2 = n2, c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

void tsr_philox4x32(uint64_t seed, uint64_t block, uint32_t out[4]) {
  const uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0, 0};
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  tsr_philox4x32_10(counter, key, out);
}

float tsr_random_uniform(uint64_t seed, uint64_t index) {
  uint32_t words[4];
  tsr_philox4x32(seed, index / 4, words);
  return (float)(words[index % 4] >> 8) * (1.0f / 16777216.0f);
}
