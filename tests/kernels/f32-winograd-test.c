/* Every f32 Winograd transform pair against the transforms computed here in double from the
 * matrices (B^T d B and A^T m A), exact (B^T and A^T hold small integers, so integer data stays
 * exact in any order: tolerance 0). Channel counts from 1 to three vectors and one more, so every
 * variant runs whole vectors and a part one; padding pointers (the zero row) in the input tile;
 * output tiles cut at the right and bottom (NULL pointers), bias or none, the sum with scales 0,
 * 1 and 2, with and without the clamp. Each input pixel and output pixel is its own buffer
 * ending at a guard page; outputs are NaN where they must be written, and the gaps between the
 * transformed rows must stay untouched. A last check runs the three steps on a tile (input
 * transform, U = G g G^T times V per point, output transform) and compares with the direct 3x3
 * convolution of that tile, within the rounding that G's fractions bring. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32-winograd/f32-winograd.h"
#include "tests/harness/harness.h"
#include "tests/harness/ukernel-filter.h"

static const double tsr_bt[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
static const double tsr_at[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
static const double tsr_g[6][3] = {{1.0 / 4, 0, 0},          {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

#define TSR_GAP_VALUE 12345.0f

static void tsr_test_input(tsr_isa isa, tsr_f32_winograd_input_fn input, const char* name, size_t channels,
                           tsr_rng* rng) {
  const size_t v_stride = channels + (channels % 3 == 0 ? 5 : 0);
  const float* x[36];
  float* pixels[36];
  float* zero = tsr_guarded_alloc(channels * sizeof(float));
  memset(zero, 0, channels * sizeof(float));
  for (size_t k = 0; k < 36; k++) {
    pixels[k] = tsr_guarded_alloc(channels * sizeof(float));
    tsr_fill_integers(rng, pixels[k], channels, -4, 4);
    x[k] = tsr_rng_below(rng, 5) == 0 ? zero : pixels[k];
  }
  const size_t v_floats = 35 * v_stride + channels;
  float* v = tsr_guarded_alloc(v_floats * sizeof(float));
  float* expected = tsr_guarded_alloc(v_floats * sizeof(float));
  for (size_t i = 0; i < v_floats; i++) v[i] = expected[i] = TSR_GAP_VALUE;
  for (size_t c = 0; c < channels; c++)
    for (size_t i = 0; i < 6; i++)
      for (size_t j = 0; j < 6; j++) {
        double sum = 0.0; /* (B^T d B)[i][j] = sum over a, b of B^T[i][a] d[a][b] B^T[j][b] */
        for (size_t a = 0; a < 6; a++)
          for (size_t b = 0; b < 6; b++) sum += tsr_bt[i][a] * x[a * 6 + b][c] * tsr_bt[j][b];
        expected[(i * 6 + j) * v_stride + c] = (float)sum;
        v[(i * 6 + j) * v_stride + c] = NAN;
      }
  input(channels, x, v, v_stride);
  char what[160];
  snprintf(what, sizeof(what), "[%s%s] %s input channels=%zu v_stride=%zu", tsr_isa_name(isa), TSR_TEST_ISA_NOTE,
           name, channels, v_stride);
  tsr_check_close(what, v, expected, v_floats, 0.0, 0.0);
  for (size_t k = 0; k < 36; k++) tsr_guarded_free(pixels[k]);
  tsr_guarded_free(zero);
  tsr_guarded_free(v);
  tsr_guarded_free(expected);
}

static void tsr_test_output(tsr_isa isa, tsr_f32_winograd_output_fn output, const char* name, size_t channels,
                            size_t variant, tsr_rng* rng) {
  const size_t m_stride = channels + (variant % 2 == 0 ? 3 : 0);
  const size_t rows = 1 + variant % 4, cols = 4 - variant / 4 % 4; /* the output tile's part inside */
  const int with_bias = variant % 3 != 0, clamp = variant % 5 >= 3;
  struct tsr_f32_conv_params p = {-INFINITY, INFINITY, (float)(variant % 3), 0};
  if (clamp) p.min = -200.0f, p.max = 300.0f;
  float* m = tsr_guarded_alloc((35 * m_stride + channels) * sizeof(float));
  tsr_fill_integers(rng, m, 35 * m_stride + channels, -4, 4);
  float* bias = tsr_guarded_alloc(channels * sizeof(float));
  tsr_fill_integers(rng, bias, channels, -9, 9);
  float* y[16];
  float* expected[16];
  for (size_t r = 0; r < 4; r++)
    for (size_t s = 0; s < 4; s++) {
      const size_t k = r * 4 + s;
      y[k] = NULL, expected[k] = NULL;
      if (r >= rows || s >= cols) continue;
      y[k] = tsr_guarded_alloc(channels * sizeof(float));
      expected[k] = tsr_guarded_alloc(channels * sizeof(float));
      tsr_fill_integers(rng, y[k], channels, -20, 20);
      for (size_t c = 0; c < channels; c++) {
        double sum = with_bias ? bias[c] : 0.0; /* (A^T m A)[r][s] */
        for (size_t i = 0; i < 6; i++)
          for (size_t j = 0; j < 6; j++) sum += tsr_at[r][i] * m[(i * 6 + j) * m_stride + c] * tsr_at[s][j];
        if (p.sum_scale != 0.0f) sum += (double)p.sum_scale * y[k][c];
        expected[k][c] = (float)(sum < p.min ? p.min : sum > p.max ? p.max : sum);
        if (p.sum_scale == 0.0f) y[k][c] = NAN;
      }
    }
  output(channels, m, m_stride, with_bias ? bias : NULL, y, &p);
  for (size_t k = 0; k < 16; k++) {
    if (y[k] == NULL) continue;
    char what[200];
    snprintf(what, sizeof(what), "[%s%s] %s output channels=%zu pixel %zu (%zux%zu inside) bias=%d sum=%g%s",
             tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, channels, k, rows, cols, with_bias, (double)p.sum_scale,
             clamp ? " clamp" : "");
    tsr_check_close(what, y[k], expected[k], channels, 0.0, 0.0);
    tsr_guarded_free(y[k]);
    tsr_guarded_free(expected[k]);
  }
  tsr_guarded_free(m);
  tsr_guarded_free(bias);
}

/* One tile through the whole algorithm against the direct convolution: 6x6 input, 3x3 filter,
 * one output channel per input-channel lane (the per-point product and the sum over channels
 * are done here in double). Uniform data in [-1, 1]; the bound is G's rounding (U in f32). */
static void tsr_test_identity(tsr_isa isa, const struct tsr_winograd_ukernels* pair, tsr_rng* rng) {
  const size_t channels = 2 * pair->lanes + 1;
  float d[36][64], vbuf[36 * 64], mbuf[36 * 64], out[16][64], direct[16][64];
  float g[64][9];
  const float* x[36];
  float* y[16];
  for (size_t k = 0; k < 36; k++) {
    tsr_fill_uniform(rng, d[k], channels, -1.0f, 1.0f);
    x[k] = d[k];
  }
  for (size_t c = 0; c < channels; c++) tsr_fill_uniform(rng, g[c], 9, -1.0f, 1.0f);
  pair->input(channels, x, vbuf, channels);
  for (size_t c = 0; c < channels; c++) {
    double u[6][3], uu[6][6];
    for (size_t i = 0; i < 6; i++)
      for (size_t j = 0; j < 3; j++)
        u[i][j] = tsr_g[i][0] * g[c][j] + tsr_g[i][1] * g[c][3 + j] + tsr_g[i][2] * g[c][6 + j];
    for (size_t i = 0; i < 6; i++)
      for (size_t j = 0; j < 6; j++) uu[i][j] = u[i][0] * tsr_g[j][0] + u[i][1] * tsr_g[j][1] + u[i][2] * tsr_g[j][2];
    for (size_t k = 0; k < 36; k++) mbuf[k * channels + c] = (float)uu[k / 6][k % 6] * vbuf[k * channels + c];
  }
  for (size_t k = 0; k < 16; k++) y[k] = out[k];
  const struct tsr_f32_conv_params p = {-INFINITY, INFINITY, 0.0f, 0};
  pair->output(channels, mbuf, channels, NULL, y, &p);
  for (size_t r = 0; r < 4; r++)
    for (size_t s = 0; s < 4; s++)
      for (size_t c = 0; c < channels; c++) {
        double sum = 0.0;
        for (size_t a = 0; a < 3; a++)
          for (size_t b = 0; b < 3; b++) sum += (double)d[(r + a) * 6 + s + b][c] * g[c][a * 3 + b];
        direct[r * 4 + s][c] = (float)sum;
      }
  char what[160];
  snprintf(what, sizeof(what), "[%s%s] %s: transforms against the direct 3x3 convolution", tsr_isa_name(isa),
           TSR_TEST_ISA_NOTE, pair->name);
  /* 9 products of magnitude <= 1; the transforms' constants amplify f32 rounding by about 100 */
  for (size_t k = 0; k < 16; k++) tsr_check_close(what, out[k], direct[k], channels, 1e-4, 0.0);
}

static void tsr_test_pair(tsr_isa isa, tsr_f32_winograd_input_fn input, tsr_f32_winograd_output_fn output,
                          const char* name, size_t lanes) {
  if (!tsr_test_isa_runs(isa)) {
    printf("[%s] %s: skipped, this CPU lacks %s\n", tsr_isa_name(isa), name, tsr_isa_name(isa));
    return;
  }
  tsr_rng rng = tsr_rng_seeded(11);
  size_t cases = 0;
  for (size_t channels = 1; channels <= 3 * lanes + 1; channels++) {
    tsr_test_input(isa, input, name, channels, &rng);
    for (size_t variant = 0; variant < 4; variant++) {
      tsr_test_output(isa, output, name, channels, channels * 4 + variant, &rng);
      cases++;
    }
    cases++;
  }
  const struct tsr_winograd_ukernels pair = {isa, name, lanes, input, output};
  tsr_test_identity(isa, &pair, &rng);
  printf("[%s%s] %s (c%zu): %zu cases run\n", tsr_isa_name(isa), TSR_TEST_ISA_NOTE, name, lanes, cases + 1);
}

int main(void) {
#define TSR_TEST_UKERNEL(isa, suffix, lanes) \
  tsr_test_pair(isa, tsr_f32_winograd_input__##suffix, tsr_f32_winograd_output__##suffix, #suffix, lanes);
#include "kernels/f32-winograd/f32-winograd.inc"
  return tsr_test_finish();
}
