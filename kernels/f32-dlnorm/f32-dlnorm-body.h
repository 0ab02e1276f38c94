/* The layer-norm-backward kernels (f32-dlnorm.h) written once over kernels/vector-<isa>.h: a
 * vector of elements widened to two double vectors (low and high lanes), two accumulators a sum.
 * The including file defines TSR_DLNORM_NAME and TSR_DLNORM_DX_NAME. */
#include <stddef.h>

void TSR_DLNORM_NAME(size_t n, const float* dy, const float* x, const float* gamma, double origin, double sums[4]) {
  const tsr_vd o = tsr_vd_set(origin);
  tsr_vd s0 = tsr_vd_zero(), s1 = s0, q0 = s0, q1 = s0, g0s = s0, g1s = s0, t0 = s0, t1 = s0;
  size_t i = 0;
  for (; i + TSR_VLANES <= n; i += TSR_VLANES) {
    const tsr_vf g = tsr_v_load(dy + i), v = tsr_v_load(x + i), w = tsr_v_load(gamma + i);
    const tsr_vd d0 = tsr_vd_sub(tsr_v_widen_low(v), o), d1 = tsr_vd_sub(tsr_v_widen_high(v), o);
    const tsr_vd p0 = tsr_vd_mul(tsr_v_widen_low(g), tsr_v_widen_low(w));
    const tsr_vd p1 = tsr_vd_mul(tsr_v_widen_high(g), tsr_v_widen_high(w));
    s0 = tsr_vd_add(s0, d0), q0 = tsr_vd_fma(d0, d0, q0), g0s = tsr_vd_add(g0s, p0), t0 = tsr_vd_fma(p0, d0, t0);
    s1 = tsr_vd_add(s1, d1), q1 = tsr_vd_fma(d1, d1, q1), g1s = tsr_vd_add(g1s, p1), t1 = tsr_vd_fma(p1, d1, t1);
  }
  sums[0] += tsr_vd_reduce_add(tsr_vd_add(s0, s1));
  sums[1] += tsr_vd_reduce_add(tsr_vd_add(q0, q1));
  sums[2] += tsr_vd_reduce_add(tsr_vd_add(g0s, g1s));
  sums[3] += tsr_vd_reduce_add(tsr_vd_add(t0, t1));
  tsr_f32_dlnorm_tail(i, n, dy, x, gamma, origin, sums, 0.0, 0.0, 0.0, 0.0, NULL, NULL);
}

void TSR_DLNORM_DX_NAME(size_t n, const float* dy, const float* x, const float* gamma, double mean, double rstd,
                        double b, double k, float* dx, double* columns) {
  enum { half = TSR_VLANES / 2 };
  const tsr_vd m = tsr_vd_set(mean), r = tsr_vd_set(rstd), bv = tsr_vd_set(b), kv = tsr_vd_set(k);
  size_t i = 0;
  for (; i + TSR_VLANES <= n; i += TSR_VLANES) {
    const tsr_vf g = tsr_v_load(dy + i), v = tsr_v_load(x + i), w = tsr_v_load(gamma + i);
    const tsr_vd g0 = tsr_v_widen_low(g), g1 = tsr_v_widen_high(g);
    const tsr_vd d0 = tsr_vd_sub(tsr_v_widen_low(v), m), d1 = tsr_vd_sub(tsr_v_widen_high(v), m);
    const tsr_vd a0 = tsr_vd_mul(r, tsr_v_widen_low(w)), a1 = tsr_vd_mul(r, tsr_v_widen_high(w));
    const tsr_vd e0 = tsr_vd_fma(a0, g0, tsr_vd_fma(bv, d0, kv)), e1 = tsr_vd_fma(a1, g1, tsr_vd_fma(bv, d1, kv));
    tsr_v_store(dx + i, tsr_vd_narrow(e0, e1));
    if (columns != NULL) { /* dgamma's and dbeta's columns */
      double *c = columns + i, *e = columns + n + i;
      tsr_vd_store(c, tsr_vd_fma(tsr_vd_mul(g0, d0), r, tsr_vd_load(c)));
      tsr_vd_store(c + half, tsr_vd_fma(tsr_vd_mul(g1, d1), r, tsr_vd_load(c + half)));
      tsr_vd_store(e, tsr_vd_add(tsr_vd_load(e), g0));
      tsr_vd_store(e + half, tsr_vd_add(tsr_vd_load(e + half), g1));
    }
  }
  tsr_f32_dlnorm_tail(i, n, dy, x, gamma, 0.0, NULL, mean, rstd, b, k, dx, columns);
}
