/* The layer-norm kernel, written once over the vector primitives of kernels/vector-<isa>.h,
 * which each ISA's file includes, with the kernel's name (TSR_LNORM_NAME), its statistics
 * function's (TSR_LNORM_STATISTICS_NAME) and its ISA's double statistics kernel
 * (TSR_LNORM_ROWSTATS), before this body. The statistics in f32 (f32-lnorm.h):
 * 4 vectors an iteration in four accumulators per sum, blocks of 4 iterations folded and carried
 * in double; the normalization in f32, two vectors an iteration, streamed from y's first whole
 * 64-byte line when asked (tsr_v_store_stream: a plain store where the ISA streams nothing); rows
 * in blocks, the statistics of each block's rows first, then its spans row by row (f32-lnorm.h
 * says why). */
#include <stdint.h>

#include "kernels/f32-lnorm/f32-lnorm.h"

#define TSR_L TSR_VLANES

/* The mean of the first 4 vectors: the sums' origin. */
static float tsr_lnorm_origin(const float* x) {
  const tsr_vf a = tsr_v_add(tsr_v_load(x), tsr_v_load(x + TSR_L));
  const tsr_vf b = tsr_v_add(tsr_v_load(x + 2 * TSR_L), tsr_v_load(x + 3 * TSR_L));
  return (float)(tsr_vd_reduce_add(tsr_v_widen_add(tsr_v_add(a, b))) / (4.0 * TSR_L));
}

static void tsr_lnorm_sums(size_t n, const float* x, float origin, double sums[2]) {
  const tsr_vf vorigin = tsr_v_set(origin);
  tsr_vd s = tsr_vd_zero(), q = s;
  size_t i = 0;
  while (i + 4 * TSR_L <= n) {
    const size_t end = i + 16 * TSR_L <= n ? i + 16 * TSR_L : n - (n - i) % (4 * TSR_L);
    tsr_vf s0 = tsr_v_set(0.0f), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    for (; i < end; i += 4 * TSR_L) {
      const tsr_vf d0 = tsr_v_sub(tsr_v_load(x + i), vorigin);
      const tsr_vf d1 = tsr_v_sub(tsr_v_load(x + i + TSR_L), vorigin);
      const tsr_vf d2 = tsr_v_sub(tsr_v_load(x + i + 2 * TSR_L), vorigin);
      const tsr_vf d3 = tsr_v_sub(tsr_v_load(x + i + 3 * TSR_L), vorigin);
      s0 = tsr_v_add(s0, d0), q0 = tsr_v_fma(d0, d0, q0);
      s1 = tsr_v_add(s1, d1), q1 = tsr_v_fma(d1, d1, q1);
      s2 = tsr_v_add(s2, d2), q2 = tsr_v_fma(d2, d2, q2);
      s3 = tsr_v_add(s3, d3), q3 = tsr_v_fma(d3, d3, q3);
    }
    s = tsr_vd_add(s, tsr_v_widen_add(tsr_v_add(tsr_v_add(s0, s1), tsr_v_add(s2, s3))));
    q = tsr_vd_add(q, tsr_v_widen_add(tsr_v_add(tsr_v_add(q0, q1), tsr_v_add(q2, q3))));
  }
  sums[0] = tsr_vd_reduce_add(s);
  sums[1] = tsr_vd_reduce_add(q);
  tsr_f32_rowstats_tail(i, n, x, origin, sums);
}

/* The normalization of [i, n - n % (2 vectors)): (x - mean) with the mean as a float pair (x -
 * high is exact where x is near the mean, where it matters), times 1/sigma, then one FMA with
 * gamma and beta; `stream` a constant at each call, so each form is its own loop. Returns where
 * it stopped. */
static inline size_t tsr_lnorm_normalize(size_t i, size_t n, const float* x, const float* gamma, const float* beta,
                                         struct tsr_f32_lnorm_statistics st, float* y, const bool stream) {
  const tsr_vf vhigh = tsr_v_set(st.mean_high), vlow = tsr_v_set(st.mean_low), vinverse = tsr_v_set(st.inverse);
  for (; i + 2 * TSR_L <= n; i += 2 * TSR_L) {
    const tsr_vf t0 = tsr_v_mul(tsr_v_sub(tsr_v_sub(tsr_v_load(x + i), vhigh), vlow), vinverse);
    const tsr_vf t1 = tsr_v_mul(tsr_v_sub(tsr_v_sub(tsr_v_load(x + i + TSR_L), vhigh), vlow), vinverse);
    const tsr_vf y0 = tsr_v_fma(t0, tsr_v_load(gamma + i), tsr_v_load(beta + i));
    const tsr_vf y1 = tsr_v_fma(t1, tsr_v_load(gamma + i + TSR_L), tsr_v_load(beta + i + TSR_L));
    if (stream) {
      tsr_v_store_stream(y + i, y0);
      tsr_v_store_stream(y + i + TSR_L, y1);
    } else {
      tsr_v_store(y + i, y0);
      tsr_v_store(y + i + TSR_L, y1);
    }
  }
  return i;
}

/* The normalization of one row's span of m elements with its statistics. */
static void tsr_lnorm_normalize_span(size_t m, const float* x, const float* gamma, const float* beta,
                                     struct tsr_f32_lnorm_statistics st, bool stream, float* y) {
  size_t i = 0;
  if (stream) { /* the elements before y's first 64-byte line one at a time, then whole lines */
    const size_t head = ((64 - (uintptr_t)y % 64) % 64) / sizeof(float);
    i = head < m ? head : m;
    tsr_f32_lnorm_normalize_tail(0, i, x, gamma, beta, st, y);
    i = tsr_lnorm_normalize(i, m, x, gamma, beta, st, y, true);
  } else {
    i = tsr_lnorm_normalize(0, m, x, gamma, beta, st, y, false);
  }
  tsr_f32_lnorm_normalize_tail(i, m, x, gamma, beta, st, y);
}

struct tsr_f32_lnorm_statistics TSR_LNORM_STATISTICS_NAME(size_t n, const float* x, double epsilon) {
  return tsr_f32_lnorm_take_statistics(n, x, epsilon, 4 * TSR_L, tsr_lnorm_origin, tsr_lnorm_sums, TSR_LNORM_ROWSTATS);
}

void TSR_LNORM_NAME(size_t rows, size_t n, const float* x, size_t x_stride, const float* gamma, const float* beta,
                    double epsilon, bool stream, float* y, size_t y_stride) {
  const size_t block = tsr_f32_lnorm_block_rows(n);
  struct tsr_f32_lnorm_statistics st[TSR_F32_LNORM_MAX_BLOCK_ROWS];
  for (size_t first = 0; first < rows; first += block) {
    const size_t count = rows - first < block ? rows - first : block;
    for (size_t r = 0; r < count; r++)
      st[r] = TSR_LNORM_STATISTICS_NAME(n, x + (first + r) * x_stride, epsilon);
    for (size_t c = 0; c < n; c += TSR_F32_LNORM_SPAN) {
      const size_t m = n - c < TSR_F32_LNORM_SPAN ? n - c : TSR_F32_LNORM_SPAN;
      for (size_t r = 0; r < count; r++)
        tsr_lnorm_normalize_span(m, x + (first + r) * x_stride + c, gamma + c, beta + c, st[r], stream,
                                 y + (first + r) * y_stride + c);
    }
  }
}

#undef TSR_L
