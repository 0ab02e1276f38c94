/* The normalization-gradient kernels (f32-dnorm.h) written once over kernels/vector-<isa>.h: a
 * vector of channels widened to two double vectors (low and high lanes). The sums take two rows an
 * iteration, so that eight accumulators cover the add latency; dx a row at a time (each row's
 * result is its own). The including file defines TSR_DNORM_NAME and TSR_DNORM_DX_NAME. */
#include <stddef.h>

void TSR_DNORM_NAME(size_t rows, size_t channels, const float* dy, const float* x, size_t stride, const float* mean,
                    double* sums) {
  enum { half = TSR_VLANES / 2 };
  size_t c = 0;
  for (; c + TSR_VLANES <= channels; c += TSR_VLANES) {
    const tsr_vf m = tsr_v_load(mean + c);
    const tsr_vd m0 = tsr_v_widen_low(m), m1 = tsr_v_widen_high(m);
    tsr_vd s0 = tsr_vd_zero(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
    const float *g = dy + c, *v = x + c;
    size_t r = 0;
    for (; r + 2 <= rows; r += 2, g += 2 * stride, v += 2 * stride) {
      const tsr_vf ga = tsr_v_load(g), gb = tsr_v_load(g + stride), va = tsr_v_load(v), vb = tsr_v_load(v + stride);
      const tsr_vd g0 = tsr_v_widen_low(ga), g1 = tsr_v_widen_high(ga);
      const tsr_vd g2 = tsr_v_widen_low(gb), g3 = tsr_v_widen_high(gb);
      s0 = tsr_vd_add(s0, g0), t0 = tsr_vd_fma(g0, tsr_vd_sub(tsr_v_widen_low(va), m0), t0);
      s1 = tsr_vd_add(s1, g1), t1 = tsr_vd_fma(g1, tsr_vd_sub(tsr_v_widen_high(va), m1), t1);
      s2 = tsr_vd_add(s2, g2), t2 = tsr_vd_fma(g2, tsr_vd_sub(tsr_v_widen_low(vb), m0), t2);
      s3 = tsr_vd_add(s3, g3), t3 = tsr_vd_fma(g3, tsr_vd_sub(tsr_v_widen_high(vb), m1), t3);
    }
    if (r < rows) {
      const tsr_vf ga = tsr_v_load(g), va = tsr_v_load(v);
      const tsr_vd g0 = tsr_v_widen_low(ga), g1 = tsr_v_widen_high(ga);
      s0 = tsr_vd_add(s0, g0), t0 = tsr_vd_fma(g0, tsr_vd_sub(tsr_v_widen_low(va), m0), t0);
      s1 = tsr_vd_add(s1, g1), t1 = tsr_vd_fma(g1, tsr_vd_sub(tsr_v_widen_high(va), m1), t1);
    }
    double* out = sums + c;
    tsr_vd_store(out, tsr_vd_add(tsr_vd_load(out), tsr_vd_add(s0, s2)));
    tsr_vd_store(out + half, tsr_vd_add(tsr_vd_load(out + half), tsr_vd_add(s1, s3)));
    out += channels;
    tsr_vd_store(out, tsr_vd_add(tsr_vd_load(out), tsr_vd_add(t0, t2)));
    tsr_vd_store(out + half, tsr_vd_add(tsr_vd_load(out + half), tsr_vd_add(t1, t3)));
  }
  tsr_f32_dnorm_tail(c, rows, channels, dy, x, stride, mean, sums, NULL, NULL);
}

void TSR_DNORM_DX_NAME(size_t rows, size_t channels, const float* dy, const float* x, size_t stride,
                       const float* mean, const double* coefficients, float* dx) {
  enum { half = TSR_VLANES / 2 };
  size_t c = 0;
  for (; c + TSR_VLANES <= channels; c += TSR_VLANES) {
    const tsr_vf m = tsr_v_load(mean + c);
    const tsr_vd m0 = tsr_v_widen_low(m), m1 = tsr_v_widen_high(m);
    const double *a = coefficients + c, *b = a + channels, *k = b + channels;
    const tsr_vd a0 = tsr_vd_load(a), a1 = tsr_vd_load(a + half), b0 = tsr_vd_load(b), b1 = tsr_vd_load(b + half);
    const tsr_vd k0 = tsr_vd_load(k), k1 = tsr_vd_load(k + half);
    for (size_t r = 0; r < rows; r++) {
      const tsr_vf g = tsr_v_load(dy + r * stride + c), v = tsr_v_load(x + r * stride + c);
      const tsr_vd d0 = tsr_vd_fma(a0, tsr_v_widen_low(g), tsr_vd_fma(b0, tsr_vd_sub(tsr_v_widen_low(v), m0), k0));
      const tsr_vd d1 = tsr_vd_fma(a1, tsr_v_widen_high(g), tsr_vd_fma(b1, tsr_vd_sub(tsr_v_widen_high(v), m1), k1));
      tsr_v_store(dx + r * stride + c, tsr_vd_narrow(d0, d1));
    }
  }
  tsr_f32_dnorm_tail(c, rows, channels, dy, x, stride, mean, NULL, coefficients, dx);
}
