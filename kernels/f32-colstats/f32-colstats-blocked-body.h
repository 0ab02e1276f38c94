/* The blocked column statistics (f32-colstats.h), written once over a vector-<isa>.h: a chunk of
 * TSR_VLANES channels goes down the rows taking d = x - origin and d^2 in f32, each block of 16
 * rows summed as a tree (4 rows, then 4 blocks of 4) and only the block's sums widened to double,
 * so the loop converts nothing per row. In double the statistics took 9 vector operations a row
 * against 4 here, and bounded NHWC group norm in the cache (the kernel alone, 1x256x56x56, 1
 * thread, AVX-512: 34 -> 60 GB/s). The includer names the function TSR_COLSTATS_BLOCKED_NAME. */
#include "kernels/f32-colstats/f32-colstats.h"

/* Four rows' d and d^2 as a pair tree: s = (d0 + d1) + (d2 + d3), q = (d0^2 + d1^2) + (d2^2 + d3^2). */
static inline void tsr_colstats_block4(const float* p, size_t stride, tsr_vf origin, tsr_vf* s, tsr_vf* q) {
  const tsr_vf d0 = tsr_v_sub(tsr_v_load(p), origin), d1 = tsr_v_sub(tsr_v_load(p + stride), origin);
  const tsr_vf d2 = tsr_v_sub(tsr_v_load(p + 2 * stride), origin), d3 = tsr_v_sub(tsr_v_load(p + 3 * stride), origin);
  *s = tsr_v_add(tsr_v_add(d0, d1), tsr_v_add(d2, d3));
  *q = tsr_v_add(tsr_v_fma(d1, d1, tsr_v_mul(d0, d0)), tsr_v_fma(d3, d3, tsr_v_mul(d2, d2)));
}

/* Adds v's lanes, widened, to a pair of double accumulators (the chunk's low and high channels). */
static inline void tsr_colstats_carry(tsr_vf v, tsr_vd* low, tsr_vd* high) {
  *low = tsr_vd_add(*low, tsr_v_widen_low(v));
  *high = tsr_vd_add(*high, tsr_v_widen_high(v));
}

void TSR_COLSTATS_BLOCKED_NAME(size_t rows, size_t channels, const float* x, size_t stride, const float* origin,
                               double* sums) {
  enum { half = TSR_VLANES / 2 };
  size_t c = 0;
  for (; c + TSR_VLANES <= channels; c += TSR_VLANES) {
    const tsr_vf o = tsr_v_load(origin + c);
    tsr_vd s_low = tsr_vd_zero(), s_high = s_low, q_low = s_low, q_high = s_low;
    const float* p = x + c;
    size_t r = 0;
    for (; r + 16 <= rows; r += 16, p += 16 * stride) {
      tsr_vf s0, s1, s2, s3, q0, q1, q2, q3;
      tsr_colstats_block4(p, stride, o, &s0, &q0);
      tsr_colstats_block4(p + 4 * stride, stride, o, &s1, &q1);
      tsr_colstats_block4(p + 8 * stride, stride, o, &s2, &q2);
      tsr_colstats_block4(p + 12 * stride, stride, o, &s3, &q3);
      tsr_colstats_carry(tsr_v_add(tsr_v_add(s0, s1), tsr_v_add(s2, s3)), &s_low, &s_high);
      tsr_colstats_carry(tsr_v_add(tsr_v_add(q0, q1), tsr_v_add(q2, q3)), &q_low, &q_high);
    }
    for (; r + 4 <= rows; r += 4, p += 4 * stride) {
      tsr_vf s, q;
      tsr_colstats_block4(p, stride, o, &s, &q);
      tsr_colstats_carry(s, &s_low, &s_high), tsr_colstats_carry(q, &q_low, &q_high);
    }
    for (; r < rows; r++, p += stride) {
      const tsr_vf d = tsr_v_sub(tsr_v_load(p), o);
      tsr_colstats_carry(d, &s_low, &s_high), tsr_colstats_carry(tsr_v_mul(d, d), &q_low, &q_high);
    }
    tsr_vd_store(sums + c, tsr_vd_add(tsr_vd_load(sums + c), s_low));
    tsr_vd_store(sums + c + half, tsr_vd_add(tsr_vd_load(sums + c + half), s_high));
    tsr_vd_store(sums + channels + c, tsr_vd_add(tsr_vd_load(sums + channels + c), q_low));
    tsr_vd_store(sums + channels + c + half, tsr_vd_add(tsr_vd_load(sums + channels + c + half), q_high));
  }
  tsr_f32_colstats_tail(c, rows, channels, x, stride, origin, sums);
}
