/* The Winograd F(4x4, 3x3) transforms, written once over the vector primitives of
 * kernels/vector-<isa>.h, which each ISA's file includes, with TSR_WINOGRAD_SUFFIX, before this
 * body. Each channel vector runs the 2-D transform as two 1-D passes (columns, then rows)
 * through a 6x6 array of vectors the compiler keeps in registers and L1. The channels left
 * after the last whole vector go through the same code on local copies padded to a vector. */
#include "kernels/f32-winograd/f32-winograd.h"

#define TSR_WINOGRAD_CAT2(a, b) a##b
#define TSR_WINOGRAD_CAT(a, b) TSR_WINOGRAD_CAT2(a, b)
#define TSR_WINOGRAD_INPUT TSR_WINOGRAD_CAT(tsr_f32_winograd_input__, TSR_WINOGRAD_SUFFIX)
#define TSR_WINOGRAD_OUTPUT_FN TSR_WINOGRAD_CAT(tsr_f32_winograd_output__, TSR_WINOGRAD_SUFFIX)

/* t = B^T d for one column of six vectors. */
static inline __attribute__((always_inline)) void tsr_winograd_input_1d(const tsr_vf* d, tsr_vf* t) {
  const tsr_vf four = tsr_v_set(4.0f), minus_four = tsr_v_set(-4.0f), minus_five = tsr_v_set(-5.0f);
  const tsr_vf a = tsr_v_fma(minus_four, d[2], d[4]); /* d4 - 4 d2 */
  const tsr_vf b = tsr_v_fma(minus_four, d[1], d[3]); /* d3 - 4 d1 */
  const tsr_vf c = tsr_v_sub(d[4], d[2]);
  const tsr_vf e = tsr_v_add(tsr_v_sub(d[3], d[1]), tsr_v_sub(d[3], d[1])); /* 2 (d3 - d1) */
  t[0] = tsr_v_fma(four, d[0], tsr_v_fma(minus_five, d[2], d[4]));
  t[1] = tsr_v_add(a, b);
  t[2] = tsr_v_sub(a, b);
  t[3] = tsr_v_add(c, e);
  t[4] = tsr_v_sub(c, e);
  t[5] = tsr_v_fma(four, d[1], tsr_v_fma(minus_five, d[3], d[5]));
}

/* t = A^T m for one column of six vectors (four results). */
static inline __attribute__((always_inline)) void tsr_winograd_output_1d(const tsr_vf* m, tsr_vf* t) {
  const tsr_vf s12 = tsr_v_add(m[1], m[2]), d12 = tsr_v_sub(m[1], m[2]);
  const tsr_vf s34 = tsr_v_add(m[3], m[4]), d34 = tsr_v_sub(m[3], m[4]);
  t[0] = tsr_v_add(tsr_v_add(m[0], s12), s34);
  t[1] = tsr_v_fma(tsr_v_set(2.0f), d34, d12);
  t[2] = tsr_v_fma(tsr_v_set(4.0f), s34, s12);
  t[3] = tsr_v_add(tsr_v_fma(tsr_v_set(8.0f), d34, d12), m[5]);
}

/* One channel vector at offset c of every pointer. */
static inline __attribute__((always_inline)) void tsr_winograd_input_vector(const float* const* x, size_t c,
                                                                            float* v, size_t v_stride) {
  tsr_vf t[TSR_WINOGRAD_TILE][TSR_WINOGRAD_TILE];
  for (size_t j = 0; j < TSR_WINOGRAD_TILE; j++) {
    tsr_vf d[TSR_WINOGRAD_TILE], col[TSR_WINOGRAD_TILE];
    for (size_t i = 0; i < TSR_WINOGRAD_TILE; i++) d[i] = tsr_v_load(x[i * TSR_WINOGRAD_TILE + j] + c);
    tsr_winograd_input_1d(d, col);
    for (size_t i = 0; i < TSR_WINOGRAD_TILE; i++) t[i][j] = col[i];
  }
  for (size_t i = 0; i < TSR_WINOGRAD_TILE; i++) {
    tsr_vf row[TSR_WINOGRAD_TILE];
    tsr_winograd_input_1d(t[i], row);
    for (size_t j = 0; j < TSR_WINOGRAD_TILE; j++) tsr_v_store(v + (i * TSR_WINOGRAD_TILE + j) * v_stride + c, row[j]);
  }
}

void TSR_WINOGRAD_INPUT(size_t channels, const float* const* x, float* v, size_t v_stride) {
  size_t c = 0;
  for (; c + TSR_VLANES <= channels; c += TSR_VLANES) tsr_winograd_input_vector(x, c, v, v_stride);
  if (c == channels) return;
  const size_t rest = channels - c;
  float xt[TSR_WINOGRAD_POINTS][TSR_VLANES] = {{0}}, vt[TSR_WINOGRAD_POINTS][TSR_VLANES];
  const float* xp[TSR_WINOGRAD_POINTS];
  for (size_t k = 0; k < TSR_WINOGRAD_POINTS; k++) {
    for (size_t l = 0; l < rest; l++) xt[k][l] = x[k][c + l];
    xp[k] = xt[k];
  }
  tsr_winograd_input_vector(xp, 0, &vt[0][0], TSR_VLANES);
  for (size_t k = 0; k < TSR_WINOGRAD_POINTS; k++)
    for (size_t l = 0; l < rest; l++) v[k * v_stride + c + l] = vt[k][l];
}

/* One channel vector at offset c: m rows, bias (or NULL) and the y pointers all at c. */
static inline __attribute__((always_inline)) void tsr_winograd_output_vector(
    const float* m, size_t m_stride, const float* bias, float* const* y, size_t c, tsr_vf vmin, tsr_vf vmax,
    tsr_vf vsum, int sum) {
  tsr_vf t[TSR_WINOGRAD_OUTPUT][TSR_WINOGRAD_TILE];
  for (size_t j = 0; j < TSR_WINOGRAD_TILE; j++) {
    tsr_vf col[TSR_WINOGRAD_TILE], out[TSR_WINOGRAD_OUTPUT];
    for (size_t i = 0; i < TSR_WINOGRAD_TILE; i++) col[i] = tsr_v_load(m + (i * TSR_WINOGRAD_TILE + j) * m_stride + c);
    tsr_winograd_output_1d(col, out);
    for (size_t r = 0; r < TSR_WINOGRAD_OUTPUT; r++) t[r][j] = out[r];
  }
  const tsr_vf b = bias != NULL ? tsr_v_load(bias + c) : tsr_v_set(0.0f);
  for (size_t r = 0; r < TSR_WINOGRAD_OUTPUT; r++) {
    tsr_vf out[TSR_WINOGRAD_OUTPUT];
    tsr_winograd_output_1d(t[r], out);
    for (size_t s = 0; s < TSR_WINOGRAD_OUTPUT; s++) {
      float* p = y[r * TSR_WINOGRAD_OUTPUT + s];
      if (p == NULL) continue;
      tsr_vf value = tsr_v_add(out[s], b);
      if (sum) value = tsr_v_fma(vsum, tsr_v_load(p + c), value);
      tsr_v_store(p + c, tsr_v_min_keep_nan(tsr_v_max_keep_nan(value, vmin), vmax));
    }
  }
}

void TSR_WINOGRAD_OUTPUT_FN(size_t channels, const float* m, size_t m_stride, const float* bias, float* const* y,
                            const struct tsr_f32_conv_params* params) {
  const tsr_vf vmin = tsr_v_set(params->min), vmax = tsr_v_set(params->max), vsum = tsr_v_set(params->sum_scale);
  const int sum = params->sum_scale != 0.0f;
  size_t c = 0;
  for (; c + TSR_VLANES <= channels; c += TSR_VLANES)
    tsr_winograd_output_vector(m, m_stride, bias, y, c, vmin, vmax, vsum, sum);
  if (c == channels) return;
  const size_t rest = channels - c, outputs = TSR_WINOGRAD_OUTPUT * TSR_WINOGRAD_OUTPUT;
  float mt[TSR_WINOGRAD_POINTS][TSR_VLANES] = {{0}}, bt[TSR_VLANES] = {0}, yt[16][TSR_VLANES] = {{0}};
  float* yp[16];
  for (size_t k = 0; k < TSR_WINOGRAD_POINTS; k++)
    for (size_t l = 0; l < rest; l++) mt[k][l] = m[k * m_stride + c + l];
  for (size_t l = 0; l < rest && bias != NULL; l++) bt[l] = bias[c + l];
  for (size_t k = 0; k < outputs; k++) {
    yp[k] = y[k] != NULL ? yt[k] : NULL;
    for (size_t l = 0; l < rest && sum && y[k] != NULL; l++) yt[k][l] = y[k][c + l];
  }
  tsr_winograd_output_vector(&mt[0][0], TSR_VLANES, bt, yp, 0, vmin, vmax, vsum, sum);
  for (size_t k = 0; k < outputs; k++)
    for (size_t l = 0; l < rest && y[k] != NULL; l++) y[k][c + l] = yt[k][l];
}
