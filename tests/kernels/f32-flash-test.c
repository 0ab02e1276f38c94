/* Every fused attention kernel set: each kernel on its own, then the fused core driven by the
 * set, against independent answers.
 * - gemm tile: integer inputs make every product and sum exact, so tolerance 0 against a plain
 *   loop; every mr <= MR and nc <= NR, both A orientations (rows in place, columns of a score
 *   tile), overwrite and row-scaled accumulate; rows past mr and B past nc never touched (B's
 *   last row ends at a guard page).
 * - exp2 (through rowexp): relative error below 4e-7 against exp2 in double over [-126, 0] and
 *   exactly 0 for -inf and below -150; row and tile softmax against double, 4e-6 relative (the
 *   f32 subtraction of the max moves the exponent by up to an ulp of 40); 
 * - dot: integers, tolerance 0, 1 to 4 queries; nothing written past them. concat: tanh absolute error below 5e-7 per term over [-20, 20]
 *   and +-inf (d = 1), and sums against double.
 * - the fused core on this set against the reference loop (double): lengths 1 to 600 with
 *   primes and the block edges, head sizes 1 to 256 (80, 96 included), every mask kind and
 *   causal mode, GQA/MQA, the row (decode) path with split keys, additive scores, dropout and
 *   strided tensors; tolerance 3e-5 + 1e-4 relative. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flash-attention.h"
#include "kernels/f32-flash/f32-flash.h"
#include "kernels/reference/attention-reference.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static void test_gemm(const struct tsr_flash_ukernels* uk, tsr_rng* rng) {
  const size_t MR = uk->mr, NR = uk->nr, ldc = NR + 3;
  const size_t kcs[] = {1, 2, 3, 7, 64};
  size_t cases = 0;
  for (size_t kci = 0; kci < 5; kci++)
    for (size_t mr = 1; mr <= MR; mr++)
      for (size_t nc = 1; nc <= NR; nc++)
        for (int variant = 0; variant < 4; variant++) {
          const size_t kc = kcs[kci];
          const int columns = variant & 1, scaled = variant & 2;
          /* A as rows (row stride kc + 1, k stride 1) or as columns (row stride 1, k stride mr + 2) */
          const size_t rs = columns ? 1 : kc + 1, ks = columns ? mr + 2 : 1;
          const size_t a_len = (mr - 1) * rs + (kc - 1) * ks + 1, ldb = nc + 5;
          float* a = tsr_guarded_alloc(a_len * sizeof(float));
          float* b = tsr_guarded_alloc(((kc - 1) * ldb + nc) * sizeof(float));
          float* c = tsr_guarded_alloc((MR * ldc) * sizeof(float));
          float* expected = malloc(MR * ldc * sizeof(float));
          float scale[64];
          tsr_fill_integers(rng, a, a_len, -4, 4);
          tsr_fill_integers(rng, b, (kc - 1) * ldb + nc, -4, 4);
          tsr_fill_integers(rng, c, MR * ldc, -8, 8);
          tsr_fill_integers(rng, scale, 64, -2, 2);
          for (size_t r = 0; r < MR; r++)
            for (size_t n = 0; n < ldc; n++) {
              const size_t at = r * ldc + n;
              if (r >= mr || n >= NR) { expected[at] = c[at]; continue; }
              double sum = 0.0;
              for (size_t k = 0; k < kc; k++) sum += (double)a[r * rs + k * ks] * (n < nc ? b[k * ldb + n] : 0.0f);
              expected[at] = (float)(scaled ? scale[r] * c[at] + sum : sum);
            }
          uk->gemm(mr, nc, kc, a, rs, ks, b, ldb, c, ldc, scaled ? scale : NULL);
          char what[160];
          snprintf(what, sizeof(what), "[%s%s] gemm %s mr=%zu nc=%zu kc=%zu %s%s", tsr_isa_name(uk->isa),
                   TSR_TEST_ISA_NOTE, uk->name, mr, nc, kc, columns ? "A columns" : "A rows",
                   scaled ? " scaled" : "");
          if (tsr_count_mismatches(c, expected, MR * ldc, 0.0, 0.0) != 0)
            tsr_check_close(what, c, expected, MR * ldc, 0.0, 0.0);
          tsr_guarded_free(a), tsr_guarded_free(b), tsr_guarded_free(c), free(expected);
          cases++;
        }
  printf("[%s%s] %s: %zu gemm tiles exact\n", tsr_isa_name(uk->isa), TSR_TEST_ISA_NOTE, uk->name, cases);
}

/* Not vectorized: Debian's aarch64 gcc 12 crashes vectorizing these fmax reductions. */
__attribute__((optimize("no-tree-vectorize"))) static void test_exp_softmax(const struct tsr_flash_ukernels* uk,
                                                                            tsr_rng* rng) {
  /* exp2 over [-126, 0] through rowexp (max 0 in the row, so u = 0) */
  const size_t n = 4099;
  float* s = tsr_guarded_alloc(n * sizeof(float));
  float* x = malloc(n * sizeof(float));
  for (size_t j = 0; j < n; j++) x[j] = -126.0f * (float)j / (float)(n - 1);
  x[7] = -INFINITY, x[8] = -160.0f, x[9] = -200.0f, x[10] = -1e30f;
  memcpy(s, x, n * sizeof(float));
  float max = -INFINITY;
  const float total = uk->rowexp(n, s, &max);
  double worst = 0.0, sum = 0.0;
  for (size_t j = 0; j < n; j++) sum += s[j];
  for (size_t j = 11; j < n; j++) worst = fmax(worst, fabs(s[j] - exp2((double)x[j])) / exp2((double)x[j]));
  for (size_t j = 0; j < 7; j++) worst = fmax(worst, fabs(s[j] - exp2((double)x[j])) / exp2((double)x[j]));
  const size_t zeros_wrong = (s[7] != 0.0f) + (s[8] != 0.0f) + (s[9] != 0.0f) + (s[10] != 0.0f);
  tsr_check(max == 0.0f, uk->name, "rowexp max %g, expected 0", (double)max);
  tsr_check(worst < 4e-7, uk->name, "exp2 relative error %.3g over [-126, 0] (bound 4e-7)", worst);
  tsr_check(zeros_wrong == 0, uk->name, "exp2 of -inf / below -127 not 0 in %zu cases", zeros_wrong);
  tsr_check(fabs(total - sum) <= 1e-5 * sum, uk->name, "rowexp sum %g, elements add to %g", (double)total, sum);
  printf("[%s%s] %s: exp2 max relative error %.3g\n", tsr_isa_name(uk->isa), TSR_TEST_ISA_NOTE, uk->name, worst);
  /* every length below and around the vector width, all -inf rows */
  for (size_t len = 1; len <= 40; len++) {
    for (size_t j = 0; j < len; j++) s[j] = x[j] = len % 5 == 0 ? -INFINITY : tsr_rng_uniform(rng, -30.0f, 10.0f);
    float m = len % 3 == 0 ? 12.0f : -INFINITY;
    const float m_in = m;
    const float t = uk->rowexp(len, s, &m);
    double mw = m_in;
    for (size_t j = 0; j < len; j++) mw = fmax(mw, x[j]);
    const double u = mw == -INFINITY ? 0.0 : mw;
    double tw = 0.0, err = 0.0; /* err: the worst excess over 4e-6 relative */
    for (size_t j = 0; j < len; j++) {
      const double want = exp2((double)x[j] - u);
      tw += want;
      err = fmax(err, fabs(s[j] - want) - 4e-6 * want);
    }
    char what[120];
    snprintf(what, sizeof(what), "[%s] rowexp n=%zu", uk->name, len);
    tsr_check(m == (float)mw && err <= 1e-30 && fabs(t - tw) <= 4e-6 * tw + 1e-30, what,
              "max %g (want %g), worst excess %g, sum %g (want %g)", (double)m, mw, err, (double)t, tw);
  }
  tsr_guarded_free(s), free(x);
  /* the lane-wise online softmax */
  for (size_t rows = 1; rows <= 9; rows++)
    for (size_t lanes = uk->nr; lanes <= 2 * uk->nr; lanes += uk->nr) {
      const size_t lds = lanes + 1;
      float* tile = malloc(rows * lds * sizeof(float)), *copy = malloc(rows * lds * sizeof(float));
      float maxs[64], sums[64], alpha[64], max0[64], sum0[64];
      for (size_t i = 0; i < rows * lds; i++) tile[i] = copy[i] = tsr_rng_uniform(rng, -20.0f, 5.0f);
      for (size_t l = 0; l < lanes; l++) {
        max0[l] = maxs[l] = l % 4 == 0 ? -INFINITY : tsr_rng_uniform(rng, -10.0f, 10.0f);
        sum0[l] = sums[l] = l % 4 == 0 ? 0.0f : tsr_rng_uniform(rng, 0.5f, 3.0f);
        if (l % 7 == 3) /* a lane masked so far and in this tile */
          for (size_t r = 0; r < rows; r++) tile[r * lds + l] = copy[r * lds + l] = -INFINITY, max0[l] = maxs[l] = -INFINITY, sum0[l] = sums[l] = 0.0f;
      }
      uk->softmax(rows, lanes, tile, lds, maxs, sums, alpha);
      size_t bad = 0;
      for (size_t l = 0; l < lanes; l++) {
        double m = max0[l];
        for (size_t r = 0; r < rows; r++) m = fmax(m, copy[r * lds + l]);
        const double u = m == -INFINITY ? 0.0 : m, a = exp2(max0[l] - u);
        double column = sum0[l] * a;
        for (size_t r = 0; r < rows; r++) {
          const double want = exp2(copy[r * lds + l] - u);
          column += want;
          bad += fabs(tile[r * lds + l] - want) > 4e-6 * want + 1e-30;
        }
        bad += maxs[l] != (float)m;
        bad += fabs(alpha[l] - a) > 4e-6 * a + 1e-30;
        bad += fabs(sums[l] - column) > 4e-6 * column + 1e-30;
      }
      char what[120];
      snprintf(what, sizeof(what), "[%s] softmax rows=%zu lanes=%zu", uk->name, rows, lanes);
      tsr_check(bad == 0, what, "%zu values off", bad);
      free(tile), free(copy);
    }
}

static void test_dot_concat(const struct tsr_flash_ukernels* uk, tsr_rng* rng) {
  for (size_t d = 1; d <= 40; d += (d < 20 ? 1 : 7))
    for (size_t n = 1; n <= 9; n++)
      for (size_t rows = 1; rows <= 4; rows++) {
        const size_t ldk = d + 3, ldq = d + 1, lds = n + 2;
        float* k = tsr_guarded_alloc(((n - 1) * ldk + d) * sizeof(float));
        float* q = tsr_guarded_alloc(((rows - 1) * ldq + d) * sizeof(float));
        float s[4 * 11], want[4 * 11];
        tsr_fill_integers(rng, k, (n - 1) * ldk + d, -5, 5);
        tsr_fill_integers(rng, q, (rows - 1) * ldq + d, -5, 5);
        for (size_t i = 0; i < 4 * lds; i++) s[i] = want[i] = 1234.0f; /* rows past `rows`, gaps: untouched */
        for (size_t r = 0; r < rows; r++)
          for (size_t j = 0; j < n; j++) {
            double acc = 0.0;
            for (size_t c = 0; c < d; c++) acc += (double)k[j * ldk + c] * q[r * ldq + c];
            want[r * lds + j] = (float)acc;
          }
        uk->dot(n, d, k, ldk, rows, q, ldq, s, lds);
        char what[120];
        snprintf(what, sizeof(what), "[%s] dot n=%zu d=%zu rows=%zu", uk->name, n, d, rows);
        tsr_check_close(what, s, want, 4 * lds, 0.0, 0.0);
        tsr_guarded_free(k), tsr_guarded_free(q);
      }
  /* tanh over [-20, 20] and +-inf: d = 1, k = 0, weight 1 gives s = tanh(qt) lane by lane */
  const size_t lanes = uk->nr * 64;
  float* qt = malloc(lanes * sizeof(float)), *s = malloc(lanes * sizeof(float));
  for (size_t l = 0; l < lanes; l++) qt[l] = -20.0f + 40.0f * (float)l / (float)(lanes - 1);
  qt[0] = -INFINITY, qt[1] = INFINITY, qt[2] = 1e-20f, qt[3] = -1e-8f, qt[4] = 0.0f;
  const float zero = 0.0f;
  uk->concat(1, lanes, 1, &zero, 1, 1.0f, qt, lanes, 1.0f, s, lanes);
  double worst = 0.0;
  for (size_t l = 0; l < lanes; l++) worst = fmax(worst, fabs(s[l] - tanh((double)qt[l])));
  tsr_check(worst < 5e-7, uk->name, "tanh absolute error %.3g (bound 5e-7)", worst);
  printf("[%s%s] %s: tanh max absolute error %.3g\n", tsr_isa_name(uk->isa), TSR_TEST_ISA_NOTE, uk->name, worst);
  free(qt), free(s);
  /* additive score tiles against double */
  for (size_t d = 1; d <= 33; d += 8)
    for (size_t rows = 1; rows <= 5; rows += 2) {
      const size_t w = uk->nr, ldk = d + 1;
      float* k = malloc(rows * ldk * sizeof(float)), *q = malloc(d * w * sizeof(float));
      float* got = malloc(rows * w * sizeof(float)), *want = malloc(rows * w * sizeof(float));
      tsr_fill_uniform(rng, k, rows * ldk, -2.0f, 2.0f), tsr_fill_uniform(rng, q, d * w, -2.0f, 2.0f);
      for (size_t r = 0; r < rows; r++)
        for (size_t l = 0; l < w; l++) {
          double acc = 0.0;
          for (size_t c = 0; c < d; c++) acc += tanh((double)q[c * w + l] + 0.7 * (double)k[r * ldk + c]);
          want[r * w + l] = (float)(-1.5 * acc);
        }
      uk->concat(rows, w, d, k, ldk, 0.7f, q, w, -1.5f, got, w);
      char what[120];
      snprintf(what, sizeof(what), "[%s] concat rows=%zu d=%zu", uk->name, rows, d);
      tsr_check_close(what, got, want, rows * w, 1.5 * 6e-7 * (double)d + 1e-6, 1e-6);
      free(k), free(q), free(got), free(want);
    }
}

/* One fused problem on this set against the reference; tensors strided when `padded`. */
static void run_case(const struct tsr_flash_ukernels* uk, tsr_rng* rng, tsr_threadpool* pool, size_t B, size_t H,
                     size_t Hkv, size_t Lq, size_t Lk, size_t d, size_t dv, tsr_causal_mode causal, int mask_kind,
                     int concat, int dropout, int padded) {
  const size_t pad = padded ? 3 : 0, qr = d + pad, kr = d + pad, vr = dv + pad, orow = dv + pad;
  const size_t nq = B * H * Lq * qr, nk = B * Hkv * Lk * kr, nv = B * Hkv * Lk * vr, no = B * H * Lq * orow;
  float* q = malloc(nq * sizeof(float)), *k = malloc(nk * sizeof(float)), *v = malloc(nv * sizeof(float));
  float* o = malloc(no * sizeof(float)), *ref = malloc(no * sizeof(float));
  tsr_fill_uniform(rng, q, nq, -1.0f, 1.0f), tsr_fill_uniform(rng, k, nk, -1.0f, 1.0f);
  tsr_fill_uniform(rng, v, nv, -1.0f, 1.0f);
  struct tsr_attention_problem p = {
      .batch = B, .heads = H, .kv_heads = Hkv, .q_len = Lq, .kv_len = Lk, .head_dim = d, .v_dim = dv,
      .q = q, .q_strides = {H * Lq * qr, Lq * qr, qr, 1}, .k = k, .k_strides = {Hkv * Lk * kr, Lk * kr, kr, 1},
      .v = v, .v_strides = {Hkv * Lk * vr, Lk * vr, vr, 1}, .o = o, .o_strides = {H * Lq * orow, Lq * orow, orow, 1},
      .score = concat ? tsr_attention_score_concat : tsr_attention_score_dot,
      .scale = concat ? 0.8f : 1.0f / sqrtf((float)d), .concat_weight = 0.6f, .causal = causal,
      .dropout = {.rate = dropout ? 0.25f : 0.0f, .seed = 99, .training = dropout != 0}};
  void* mask = NULL;
  if (mask_kind == 1 || mask_kind == 2) { /* boolean: key padding [B, Lk] or full [B, H, Lq, Lk] */
    const size_t count = mask_kind == 1 ? B * Lk : B * H * Lq * Lk;
    uint8_t* m = malloc(count);
    for (size_t i = 0; i < count; i++) m[i] = tsr_rng_below(rng, 5) != 0;
    if (mask_kind == 1 && B > 1) memset(m + Lk, 0, Lk); /* batch item 1 fully masked */
    mask = m, p.mask_dtype = tsr_dtype_u8;
    const size_t strides[2][4] = {{Lk, 0, 0, 1}, {H * Lq * Lk, Lq * Lk, Lk, 1}};
    memcpy(p.mask_strides, strides[mask_kind - 1], sizeof(p.mask_strides));
  } else if (mask_kind >= 3) { /* additive: full [B, H, Lq, Lk] or [Lq, Lk] */
    const size_t count = mask_kind == 3 ? B * H * Lq * Lk : Lq * Lk;
    float* m = malloc(count * sizeof(float));
    tsr_fill_uniform(rng, m, count, -3.0f, 3.0f);
    for (size_t i = 0; i < count; i += 7) m[i] = -INFINITY;
    mask = m, p.mask_dtype = tsr_dtype_f32;
    const size_t strides[2][4] = {{H * Lq * Lk, Lq * Lk, Lk, 1}, {0, 0, Lk, 1}};
    memcpy(p.mask_strides, strides[mask_kind - 3], sizeof(p.mask_strides));
  }
  p.mask = mask;
  tsr_fill_nan(o, no);
  char what[200];
  snprintf(what, sizeof(what), "[%s%s] fused b%zu h%zu kvh%zu sq%zu skv%zu d%zu dv%zu causal%d mask%d%s%s%s",
           tsr_isa_name(uk->isa), TSR_TEST_ISA_NOTE, B, H, Hkv, Lq, Lk, d, dv, (int)causal, mask_kind,
           concat ? " concat" : "", dropout ? " dropout" : "", padded ? " strided" : "");
  tsr_check_status(tsr_flash_attention_run_with(&p, uk, pool, "test"), tsr_status_success, what);
  p.o = ref;
  tsr_reference_attention_f32(&p);
  size_t padding_written = 0;
  for (size_t r = 0; r < B * H * Lq; r++) { /* packs both to dense rows; the padding must stay NaN */
    for (size_t c = dv; c < orow; c++) padding_written += !isnan(o[r * orow + c]);
    memmove(o + r * dv, o + r * orow, dv * sizeof(float));
    memmove(ref + r * dv, ref + r * orow, dv * sizeof(float));
  }
  tsr_check(padding_written == 0, what, "%zu elements written between the output's rows", padding_written);
  tsr_check_close(what, o, ref, B * H * Lq * dv, concat ? 1e-4 : 3e-5, 1e-4);
  free(q), free(k), free(v), free(o), free(ref), free(mask);
}

static void test_fused(const struct tsr_flash_ukernels* uk, tsr_rng* rng, tsr_threadpool* pool) {
  static const size_t lengths[] = {1, 2, 3, 5, 17, 61, 63, 64, 65, 96, 97, 127, 193, 257, 331, 512, 600};
  static const size_t dims[] = {1, 5, 32, 64, 80, 96, 128, 256};
  size_t cases = 0;
  for (int n = 0; n < 90; n++) {
    size_t Lq = lengths[tsr_rng_below(rng, 17)], Lk = lengths[tsr_rng_below(rng, 17)];
    const size_t d = dims[tsr_rng_below(rng, 8)], dv = n % 3 == 0 ? dims[tsr_rng_below(rng, 8)] : d;
    const size_t Hkv = 1 + tsr_rng_below(rng, 2), H = Hkv * (1 + tsr_rng_below(rng, 3)), B = 1 + tsr_rng_below(rng, 2);
    if (n % 6 == 5) Lq = 1 + tsr_rng_below(rng, 4); /* the row path */
    if (n % 12 == 11) Lk = 2000 + tsr_rng_below(rng, 700); /* decode over a long cache: split keys */
    while (B * H * Lq * Lk * (d + dv) > 30000000) Lq = Lq / 2 + 1;
    const int concat = n % 10 == 7 && Lq > 4, dropout = n % 11 == 3, padded = n % 4 == 2;
    run_case(uk, rng, pool, B, H, Hkv, Lq, Lk, d, dv, (tsr_causal_mode)(n % 3), (int)tsr_rng_below(rng, 5), concat,
             dropout, padded);
    cases++;
  }
  printf("[%s%s] %s: %zu fused problems run\n", tsr_isa_name(uk->isa), TSR_TEST_ISA_NOTE, uk->name, cases);
}

static void test_set(const struct tsr_flash_ukernels* uk, tsr_threadpool* pool) {
  if (!tsr_test_isa_runs(uk->isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(uk->isa), uk->name, tsr_isa_name(uk->isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(31);
  test_gemm(uk, &rng);
  test_exp_softmax(uk, &rng);
  test_dot_concat(uk, &rng);
  test_fused(uk, &rng, pool);
}

/* The extra memory does not grow with q_len x kv_len: the workspace the fused path allocates is
 * the same for 1k and 8k prefill and for 8k and 128k decode, and far below one score matrix. */
static void test_workspace(void) {
  struct tsr_attention_problem p = {.batch = 1, .heads = 8, .kv_heads = 8, .head_dim = 64, .v_dim = 64};
  p.q_len = p.kv_len = 1024;
  const size_t short_prefill = tsr_flash_attention_workspace(&p, 16);
  p.q_len = p.kv_len = 8192;
  const size_t long_prefill = tsr_flash_attention_workspace(&p, 16);
  tsr_check(short_prefill == long_prefill && long_prefill < 8192 * 8192 * sizeof(float) / 64, "workspace",
            "prefill: %zu bytes at 1k, %zu at 8k", short_prefill, long_prefill);
  p.heads = 32, p.q_len = 1, p.kv_len = 8192;
  const size_t short_decode = tsr_flash_attention_workspace(&p, 16);
  p.kv_len = 131072;
  const size_t long_decode = tsr_flash_attention_workspace(&p, 16);
  tsr_check(short_decode == long_decode, "workspace", "decode: %zu bytes at 8k keys, %zu at 128k",
            short_decode, long_decode);
  printf("fused workspace on 16 threads: prefill %zu bytes at 1k and 8k, decode %zu at 8k and 128k keys\n",
         long_prefill, long_decode);
}

int main(void) {
  tsr_threadpool* pool = NULL;
  tsr_threadpool_create(2, &pool);
#define TSR_TEST_UKERNEL(isa, suffix, mr, nr)                                                              \
  test_set(&(const struct tsr_flash_ukernels){isa, "flash:" #suffix, mr, nr, tsr_f32_flash_gemm__##suffix,           \
                                              tsr_f32_flash_softmax__##suffix, tsr_f32_flash_rowexp__##suffix, \
                                              tsr_f32_flash_dot__##suffix, tsr_f32_flash_concat__##suffix},   \
           pool);
#include "kernels/f32-flash/f32-flash.inc"
  tsr_threadpool_destroy(pool);
  test_workspace();
  return tsr_test_finish();
}
