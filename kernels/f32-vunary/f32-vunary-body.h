/* The vectorized activations, written once over the vector primitives of kernels/vector-<isa>.h,
 * which each ISA's file (f32-vunary-avx2.c, -avx512f.c, -neon.c) includes as pairs of vectors
 * (kernels/vector-pair.h), with the kernels' names (TSR_VUNARY_NAME), before this body: tsr_vf
 * and tsr_vm (a comparison result),
 * TSR_VLANES, and tsr_v_load/store/set/add/sub/mul/div/fma/fms/fnma/abs/copysign/lt/eq/select/
 * round, tsr_vm_any, tsr_v_max_keep_nan / tsr_v_min_keep_nan (NaN in x gives NaN),
 * tsr_v_max_drop_nan (NaN in x gives the bound), tsr_v_pow2 (2^k for integer-valued k in
 * [-126, 127]), tsr_v_exponent_from_low_bits (2^(j - 127) from t = 1.5 2^23 + j),
 * tsr_v_split_exponent (x = m 2^k, m in [sqrt(1/2), sqrt(2))) and, where the ISA has it,
 * tsr_v_ldexp (v 2^k rounded once, with TSR_V_HAS_LDEXP defined; otherwise built here).
 *
 * The error bounds the .inc list states for these kernels are what tests/kernels/f32-vunary-test.c
 * measures over the whole float range; the comments give where each error comes from. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "kernels/f32-vunary/f32-vunary.h"

/* v 2^k rounded once, for an integer-valued k in [-217, 128] (tsr_v_exp_reduce's range), where
 * the ISA has no instruction for it (AVX-512's VSCALEFPS). When every lane's |k| <= 126, 2^k is
 * one normal factor. Otherwise (a result near overflow or below 2^-126, rare in practice) 2^k
 * is two normal factors, 2^k1 with k1 = k / 2 rounded, then 2^(k - k1): the first product is
 * exact for the v this body passes (its product with 2^k1 stays normal), so a result below
 * 2^-126 is rounded once, by the second. */
#if !defined(TSR_V_HAS_LDEXP)
static inline tsr_vf tsr_v_ldexp(tsr_vf v, tsr_vf k) {
  if (!tsr_vm_any(tsr_v_lt(tsr_v_set(126.5f), tsr_v_abs(k)))) return tsr_v_mul(v, tsr_v_pow2(k));
  const tsr_vf k1 = tsr_v_round(tsr_v_mul(k, tsr_v_set(0.5f)));
  return tsr_v_mul(tsr_v_mul(v, tsr_v_pow2(k1)), tsr_v_pow2(tsr_v_sub(k, k1)));
}
#endif

/* ln2 in two parts, the high one with 16 significant bits (times an integer k, |k| <= 256, exact
 * in an FMA), and log2(e): the reductions of exp, log and the erf GELU. */
#define TSR_LN2_HIGH 0.693145752f
#define TSR_LN2_LOW 1.42860677e-6f
#define TSR_LOG2E 1.44269504f

/* exp(h r) for |h r| <= 1.002 ln2 / 2 and h a power of two (1, or 1/2 for a caller whose r is
 * twice the reduced argument): the coefficients below times powers of h, so the arithmetic is the
 * same for every h, scaled exactly. */
static inline __attribute__((always_inline)) tsr_vf tsr_v_exp_polynomial(tsr_vf r, float h) {
  tsr_vf p = tsr_v_set(1.392632606e-03f * h * h * h * h * h * h);
  p = tsr_v_fma(p, r, tsr_v_set(8.363292553e-03f * h * h * h * h * h));
  p = tsr_v_fma(p, r, tsr_v_set(4.166655242e-02f * h * h * h * h));
  p = tsr_v_fma(p, r, tsr_v_set(1.666657627e-01f * h * h * h));
  p = tsr_v_fma(p, r, tsr_v_set(0.5f * h * h));
  p = tsr_v_fma(p, r, tsr_v_set(h));
  return tsr_v_fma(p, r, tsr_v_set(1.0f));
}

/* exp(x + b) = m 2^k for a float x and a small b (|b| < 1: x's rounding error or a correction;
 * has_b false for plain exp, which skips it), x + b in [-150, 88.8] or NaN (the callers clamp
 * their argument as its range needs; beyond, exp times any float is 0 or inf): x + b = k ln2 + r
 * with k = round((x + b) / ln2), in [-217, 128], and ln2 in two parts, the high part with 16
 * significant bits, so that x - k * high is exact in an FMA (|k| <= 256) and b joins
 * r = x - k ln2 + b, |r| <= ln2 / 2, unrounded into x; m = exp(r), in [0.7, 1.42] and within
 * 1 ulp, as 1 + r + r^2 Q(r), Q of degree 4 interpolated at Chebyshev nodes on |r| <= 1.002 ln2 / 2
 * (0.17 ulp before rounding; the degree-7 Taylor series before it, 0.05 ulp, took one multiply-add
 * more, and measured exp's worst 0.87 ulp against 0.90 now). The caller scales by 2^k last
 * (tsr_v_ldexp), so a result below 2^-126 is rounded once. NaN stays NaN through m and k. */
static inline __attribute__((always_inline)) tsr_vf tsr_v_exp_reduce(tsr_vf x, tsr_vf b, bool has_b,
                                                                     tsr_vf* k_out) {
  const tsr_vf k = tsr_v_round(tsr_v_mul(has_b ? tsr_v_add(x, b) : x, tsr_v_set(TSR_LOG2E)));
  tsr_vf r = tsr_v_fma(k, tsr_v_set(-TSR_LN2_HIGH), x);
  r = tsr_v_fma(k, tsr_v_set(-TSR_LN2_LOW), r);
  if (has_b) r = tsr_v_add(r, b);
  *k_out = k;
  return tsr_v_exp_polynomial(r, 1.0f);
}

/* exp(-|x|) as m 2^k, for sigmoid and x sigmoid(t): |x| is clamped to 150, where exp is 0 in
 * float (tsr_v_times_sigmoid selects its limit below -150 itself, for a large x). */
static inline tsr_vf tsr_v_exp_reduce_minus_abs(tsr_vf x, tsr_vf* k) {
  const tsr_vf ax = tsr_v_min_keep_nan(tsr_v_abs(x), tsr_v_set(150.0f));
  return tsr_v_exp_reduce(tsr_v_sub(tsr_v_set(0.0f), ax), ax, false, k);
}

static inline tsr_vf tsr_v_exp(tsr_vf x) {
  const tsr_vf xc = tsr_v_min_keep_nan(tsr_v_max_keep_nan(x, tsr_v_set(-150.0f)), tsr_v_set(88.8f));
  tsr_vf k;
  const tsr_vf m = tsr_v_exp_reduce(xc, xc, false, &k);
  return tsr_v_ldexp(m, k);
}

/* log(x) = k ln2 + log1p(f), x = (1 + f) 2^k with 1 + f in [sqrt(1/2), sqrt(2)) (f exact, by
 * Sterbenz). With s = f / (2 + f), log1p(f) = 2 atanh(s) = 2s + s R, R = z (2/3 + 2/5 z + 2/7 z^2
 * + 2/9 z^3), z = s^2 <= 0.0295 (the next term is 2e-9 of the result), arranged as
 * f - (f^2/2 - s (f^2/2 + R)) so the large terms are exact, with k ln2's high part (16 bits,
 * exact times k) added last. Subnormal x is scaled by 2^23 first. log(0) = -inf, log(x < 0) =
 * NaN, log(inf) = inf, NaN stays NaN. */
static inline tsr_vf tsr_v_log(tsr_vf x) {
  const tsr_vm subnormal = tsr_v_lt(x, tsr_v_set(FLT_MIN));
  tsr_vf k;
  const tsr_vf m = tsr_v_split_exponent(tsr_v_select(subnormal, tsr_v_mul(x, tsr_v_set(8388608.0f)), x), &k);
  k = tsr_v_select(subnormal, tsr_v_sub(k, tsr_v_set(23.0f)), k);
  const tsr_vf f = tsr_v_sub(m, tsr_v_set(1.0f));
  const tsr_vf s = tsr_v_div(f, tsr_v_add(tsr_v_set(2.0f), f));
  const tsr_vf z = tsr_v_mul(s, s);
  tsr_vf r = tsr_v_fma(z, tsr_v_set(2.0f / 9.0f), tsr_v_set(2.0f / 7.0f));
  r = tsr_v_fma(r, z, tsr_v_set(2.0f / 5.0f));
  r = tsr_v_fma(r, z, tsr_v_set(2.0f / 3.0f));
  r = tsr_v_mul(r, z);
  const tsr_vf half_square = tsr_v_mul(tsr_v_mul(f, f), tsr_v_set(0.5f));
  const tsr_vf low = tsr_v_fma(s, tsr_v_add(half_square, r), tsr_v_mul(k, tsr_v_set(TSR_LN2_LOW)));
  tsr_vf y = tsr_v_fma(k, tsr_v_set(TSR_LN2_HIGH), tsr_v_sub(f, tsr_v_sub(half_square, low)));
  y = tsr_v_select(tsr_v_lt(x, tsr_v_set(0.0f)), tsr_v_set(NAN), y);
  y = tsr_v_select(tsr_v_eq(x, tsr_v_set(0.0f)), tsr_v_set(-INFINITY), y);
  y = tsr_v_select(tsr_v_eq(x, tsr_v_set(INFINITY)), x, y);
  return tsr_v_select(tsr_v_eq(x, x), y, x); /* NaN */
}

/* sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) below, e = exp(-|x|) <= 1: no overflow and
 * no cancellation, one division. */
static inline tsr_vf tsr_v_sigmoid(tsr_vf x) {
  tsr_vf k;
  const tsr_vf m = tsr_v_exp_reduce_minus_abs(x, &k);
  const tsr_vf e = tsr_v_ldexp(m, k);
  const tsr_vf numerator = tsr_v_select(tsr_v_lt(x, tsr_v_set(0.0f)), e, tsr_v_set(1.0f));
  return tsr_v_div(numerator, tsr_v_add(tsr_v_set(1.0f), e));
}

/* t = x (c1 + c3 x^2), for constants c1, c3 > 0 given in double, as float parts t + t_lo, within
 * about 2^-45 of t: x^2 = s + s_lo and c3 s = p + p_lo exactly (FMA), c1 + p by Fast2Sum (the
 * larger part first) with its error exact, the small terms (c1's and c3's float roundings,
 * c3 s_lo) summed into the low part, and x times the pair with the product's error exact. In
 * float rather than double: on AVX-512 the conversions to double and back cost a third of the
 * tanh GELU's time. An infinite x gives a NaN t_lo, which tsr_v_times_sigmoid ignores. */
static inline tsr_vf tsr_v_cubic_split(tsr_vf x, double c1, double c3, tsr_vf* t_lo) {
  const tsr_vf c1_hi = tsr_v_set((float)c1), c1_lo = tsr_v_set((float)(c1 - (double)(float)c1));
  const tsr_vf c3_hi = tsr_v_set((float)c3), c3_lo = tsr_v_set((float)(c3 - (double)(float)c3));
  const tsr_vf s = tsr_v_mul(x, x), s_lo = tsr_v_fms(x, x, s);
  const tsr_vf p = tsr_v_mul(c3_hi, s), p_lo = tsr_v_fms(c3_hi, s, p);
  const tsr_vf w = tsr_v_add(c1_hi, p);
  const tsr_vf larger = tsr_v_max_keep_nan(p, c1_hi), smaller = tsr_v_min_keep_nan(p, c1_hi);
  tsr_vf w_lo = tsr_v_add(tsr_v_sub(smaller, tsr_v_sub(w, larger)), p_lo);
  w_lo = tsr_v_fma(c3_hi, s_lo, w_lo);
  w_lo = tsr_v_add(tsr_v_fma(c3_lo, s, w_lo), c1_lo);
  const tsr_vf t = tsr_v_mul(x, w);
  *t_lo = tsr_v_fma(x, w_lo, tsr_v_fms(x, w, t));
  return t;
}

/* x sigmoid(t + t_lo), for SiLU and the tanh GELU, whose t is a function of x carried as float
 * parts (t_lo the rounding error of t): sigmoid's relative slope at t (1 / (1 + e)
 * below 0, e / (1 + e) above, e = exp(-|t|)) reaches 150, so t must be known to a fraction of an
 * ulp, and t_lo is added back to first order. x / (1 + e) is multiplied, for t < 0, by e's two
 * factors, the small one last, so a result below 2^-126 is rounded once. x_finite (x clamped to
 * finite values) stands in for x where t < 0, so an infinite x gives the limit 0, not inf * 0.
 * has_lo false (t exact, t_lo 0: SiLU with alpha 1) skips the correction and its division. */
static inline __attribute__((always_inline)) tsr_vf tsr_v_times_sigmoid(tsr_vf x, tsr_vf x_finite, tsr_vf t,
                                                                        tsr_vf t_lo, bool has_lo) {
  const tsr_vf zero = tsr_v_set(0.0f), one = tsr_v_set(1.0f);
  t_lo = tsr_v_select(tsr_v_lt(tsr_v_abs(t), tsr_v_set(INFINITY)), t_lo, zero); /* inf - inf */
  tsr_vf k;
  const tsr_vf m = tsr_v_exp_reduce_minus_abs(t, &k);
  const tsr_vf e = tsr_v_ldexp(m, k);
  const tsr_vf d = tsr_v_add(one, e);
  const tsr_vm negative = tsr_v_lt(t, zero);
  tsr_vf q = tsr_v_div(tsr_v_select(negative, x_finite, x), d);
  if (has_lo) q = tsr_v_mul(q, tsr_v_fma(tsr_v_div(tsr_v_select(negative, one, e), d), t_lo, one));
  const tsr_vf y = tsr_v_select(negative, tsr_v_ldexp(tsr_v_mul(q, m), k), q);
  /* exp's argument is clamped at -150; below, x e^t is 0 in float unless |x| > 2e20 (SiLU's alpha below
   * 1e-18 in magnitude), and t_lo, up to an ulp of t, is no longer a small correction */
  return tsr_v_select(tsr_v_lt(t, tsr_v_set(-150.0f)), tsr_v_mul(x_finite, zero), y);
}

/* x sigmoid(alpha x): t = alpha x rounded, t_lo its error, exact by FMA. x is clamped to the
 * finite floats for t, so alpha = 0 gives x / 2 even for infinite x. */
static inline tsr_vf tsr_v_silu(tsr_vf x, float alpha) {
  const tsr_vf xc = tsr_v_min_keep_nan(tsr_v_max_keep_nan(x, tsr_v_set(-FLT_MAX)), tsr_v_set(FLT_MAX));
  const tsr_vf a = tsr_v_set(alpha);
  const tsr_vf t = tsr_v_mul(a, xc), t_lo = tsr_v_fms(a, xc, t);
  return tsr_v_times_sigmoid(x, xc, t, t_lo, true);
}

/* x sigmoid(x), SiLU's usual alpha 1: t = x needs no double, nor a correction. */
static inline tsr_vf tsr_v_silu1(tsr_vf x) {
  const tsr_vf xc = tsr_v_min_keep_nan(tsr_v_max_keep_nan(x, tsr_v_set(-FLT_MAX)), tsr_v_set(FLT_MAX));
  return tsr_v_times_sigmoid(x, xc, xc, tsr_v_set(0.0f), false);
}

/* tanh: below |x| = 0.5625 an odd polynomial x + x^3 Q(x^2), Q of degree 4 interpolated at
 * Chebyshev nodes (0.09 ulp); above, 1 - 2 / (exp(2|x|) + 1) with x's sign, where the result is
 * above 0.5 and the subtraction loses at most a bit. exp's argument is clamped to 20: from
 * |x| = 9.02 on, 1 - 2 / (exp(2|x|) + 1) rounds to 1. */
static inline tsr_vf tsr_v_tanh(tsr_vf x) {
  const tsr_vf ax = tsr_v_abs(x);
  const tsr_vf s = tsr_v_mul(x, x);
  tsr_vf q = tsr_v_set(-6.525572389e-03f);
  q = tsr_v_fma(q, s, tsr_v_set(2.126335353e-02f));
  q = tsr_v_fma(q, s, tsr_v_set(-5.390175432e-02f));
  q = tsr_v_fma(q, s, tsr_v_set(1.333307326e-01f));
  q = tsr_v_fma(q, s, tsr_v_set(-3.333333135e-01f));
  const tsr_vf small = tsr_v_fma(tsr_v_mul(x, s), q, x);
  const tsr_vf twice = tsr_v_min_keep_nan(tsr_v_add(ax, ax), tsr_v_set(20.0f));
  tsr_vf k;
  const tsr_vf m = tsr_v_exp_reduce(twice, twice, false, &k);
  const tsr_vf e = tsr_v_ldexp(m, k);
  const tsr_vf large = tsr_v_sub(tsr_v_set(1.0f), tsr_v_div(tsr_v_set(2.0f), tsr_v_add(e, tsr_v_set(1.0f))));
  /* x's sign on both: the polynomial gives +0 for -0 (x + x^3 Q with Q(0) < 0) */
  return tsr_v_copysign(tsr_v_select(tsr_v_lt(ax, tsr_v_set(0.5625f)), small, large), x);
}

/* GELU, tanh form: 0.5 x (1 + tanh(u)) = x sigmoid(2u), 2u = x (c + c 0.044715 x^2) with
 * c = 2 sqrt(2/pi). x is clamped below at -20 for t (the result is -0 from about -10 on). */
static inline tsr_vf tsr_v_gelu_tanh(tsr_vf x) {
  const tsr_vf xc = tsr_v_max_keep_nan(x, tsr_v_set(-20.0f));
  tsr_vf t_lo;
  const tsr_vf t = tsr_v_cubic_split(xc, 1.5957691216057308, 1.5957691216057308 * 0.044715, &t_lo);
  return tsr_v_times_sigmoid(x, xc, t, t_lo, true);
}

/* GELU, erf form: x Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2. With a = |x| / sqrt 2 and
 * t = 1 / (1 + a / 2), erfc(a) = t exp(-a^2) Q(t), Q of degree 10 in t - 0.56 interpolated at
 * Chebyshev nodes on a in [0, 14.2] (centred, so its rounding stays near an ulp; 0.41 ulp with
 * float coefficients), evaluated as pairs of terms in Horner's scheme over (t - 0.56)^2 (11
 * operations 6 deep). exp(-a^2) and Q(t) are independent chains that meet in the last products:
 * the earlier form, t exp(-a^2 + P(t)), ran the polynomial and then the exponential, some 100
 * cycles of latency a vector, and AVX2's out-of-order window could not cover it (0.99 ns an
 * element in L1 against 0.63 now, AVX-512 0.58 against 0.53, the same error).
 * exp(-x^2 / 2) is reduced with x^2 exact inside an FMA: k = round(-x^2 log2(e) / 2),
 * r = -x^2 - 2k ln2 in [-ln2, ln2] (ln2 in two parts, the high one exact times k), and
 * m = exp(r / 2) by tsr_v_exp_polynomial with h = 1/2. k is rounded by adding 1.5 2^23, which
 * leaves k + bias in the sum's low mantissa bits. |x| is clamped to 15 (x Phi(x) rounds to -0 and to x beyond), so k is in
 * [-163, 0]: without an ldexp instruction, Q's coefficients carry 2^-64 and the scale is
 * 2^(k + 64), a normal power of two, so (Q m) 2^(k + 64) is exact unless below 2^-126 (x < -13),
 * where it is rounded once more before its last product with |x| t / 2 (about 1.2): a range test
 * for the general ldexp cost 12% in time. s = |x| (t/2) Q m 2^k = |x| erfc(a) / 2, and the result
 * is max(x, -0) - s: x - s above 0 (s at most x / 2), -s below, with the sign of zero kept (-0 for
 * -0 and for a negative result below half the smallest subnormal). One form for every x: a
 * separate polynomial for |x| < 1 measured no more accurate and cost 10% in time. */
static inline tsr_vf tsr_v_gelu_erf(tsr_vf x) {
  const tsr_vf ax = tsr_v_min_keep_nan(tsr_v_abs(x), tsr_v_set(15.0f));
  /* t / 2 = 1 / (2 + a), one rounding fewer than t itself and no halving later */
  const tsr_vf t_half = tsr_v_div(tsr_v_set(1.0f), tsr_v_fma(ax, tsr_v_set(0.707106781f), tsr_v_set(2.0f)));
#if defined(TSR_V_HAS_LDEXP)
  const float magic = 12582912.0f, q_scale = 1.0f;
#else
  const float magic = 12582912.0f + 127.0f + 64.0f; /* k + 191 in the low bits: 2^(k + 64) */
  const float q_scale = 0x1p-64f;                   /* Q 2^-64: Q m 2^(k + 64) is Q m 2^k */
#endif
  const tsr_vf u = tsr_v_fma(t_half, tsr_v_set(2.0f), tsr_v_set(-0.56f)); /* t - 0.56 */
  const tsr_vf u2 = tsr_v_mul(u, u);
  tsr_vf q = tsr_v_fma(tsr_v_set(3.881808743e-02f * q_scale), u, tsr_v_set(7.776373997e-03f * q_scale));
  q = tsr_v_fma(q, u2, tsr_v_fma(tsr_v_set(-7.771927118e-02f * q_scale), u, tsr_v_set(1.676120050e-02f * q_scale)));
  q = tsr_v_fma(q, u2, tsr_v_fma(tsr_v_set(1.127384603e-01f * q_scale), u, tsr_v_set(-6.530217081e-02f * q_scale)));
  q = tsr_v_fma(q, u2, tsr_v_fma(tsr_v_set(-1.975110322e-01f * q_scale), u, tsr_v_set(1.011930630e-01f * q_scale)));
  q = tsr_v_fma(q, u2, tsr_v_fma(tsr_v_set(5.812615156e-01f * q_scale), u, tsr_v_set(7.556532621e-01f * q_scale)));
  q = tsr_v_fma(q, u, tsr_v_set(5.540623665e-01f * q_scale));
  const tsr_vf k_biased = tsr_v_fma(tsr_v_mul(ax, ax), tsr_v_set(-0.5f * TSR_LOG2E), tsr_v_set(magic));
  const tsr_vf k = tsr_v_sub(k_biased, tsr_v_set(magic));
  tsr_vf r = tsr_v_fnma(ax, ax, tsr_v_mul(k, tsr_v_set(-2.0f * TSR_LN2_HIGH)));
  r = tsr_v_fma(k, tsr_v_set(-2.0f * TSR_LN2_LOW), r);
  const tsr_vf m = tsr_v_exp_polynomial(r, 0.5f);
#if defined(TSR_V_HAS_LDEXP)
  const tsr_vf s = tsr_v_ldexp(tsr_v_mul(tsr_v_mul(tsr_v_mul(ax, t_half), q), m), k); /* |x| erfc(a) / 2 */
#else
  const tsr_vf s = tsr_v_mul(tsr_v_mul(ax, t_half), tsr_v_mul(tsr_v_mul(q, m), tsr_v_exponent_from_low_bits(k_biased)));
#endif
  return tsr_v_sub(tsr_v_max_keep_nan(x, tsr_v_set(-0.0f)), s);
}

/* One kernel per kind: whole vectors (each ISA's file compiles this body on pairs of its
 * vectors, vector-pair.h, so two chains interleave), then the tail through a zero-padded local
 * vector (no read or write past n). */
#define TSR_VUNARY_KERNEL(kind, expression)                                                   \
  void TSR_VUNARY_NAME(kind)(size_t n, const float* x, float* y,                              \
                             const struct tsr_f32_activation_params* params) {                \
    const float alpha = params->alpha;                                                        \
    (void)alpha;                                                                              \
    for (; n >= TSR_VLANES; n -= TSR_VLANES, x += TSR_VLANES, y += TSR_VLANES) {              \
      const tsr_vf v = tsr_v_load(x);                                                         \
      tsr_v_store(y, (expression));                                                           \
    }                                                                                         \
    if (n != 0) {                                                                             \
      float lanes[TSR_VLANES] = {0};                                                          \
      memcpy(lanes, x, n * sizeof(float));                                                    \
      const tsr_vf v = tsr_v_load(lanes);                                                     \
      tsr_v_store(lanes, (expression));                                                       \
      memcpy(y, lanes, n * sizeof(float));                                                    \
    }                                                                                         \
  }

TSR_VUNARY_KERNEL(exp, tsr_v_exp(v))
TSR_VUNARY_KERNEL(log, tsr_v_log(v))
TSR_VUNARY_KERNEL(sigmoid, tsr_v_sigmoid(v))
TSR_VUNARY_KERNEL(silu, alpha == 1.0f ? tsr_v_silu1(v) : tsr_v_silu(v, alpha))
TSR_VUNARY_KERNEL(tanh, tsr_v_tanh(v))
TSR_VUNARY_KERNEL(gelu_tanh, tsr_v_gelu_tanh(v))
TSR_VUNARY_KERNEL(gelu_erf, tsr_v_gelu_erf(v))
