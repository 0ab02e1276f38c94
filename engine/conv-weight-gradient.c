/* Convolution backward's weight gradient as GEMMs (conv-weight-gradient.h): per sample and band
 * of output positions, the band's im2col rows (one per input channel and tap: x at each
 * position's tap, 0 in the padding) are built in parallel, then one batched GEMM, a batch item a
 * group, adds dy's rows (the group's output channels over the band) times those rows transposed
 * into dw: dw_g [oc/g x (ic/g taps)] += dy_g [oc/g x band] cols_g^T. The reference loop took each
 * weight's sum in double position by position (about 1 GFLOP/s). */
#include "engine/conv-weight-gradient.h"

#include <stdlib.h>
#include <string.h>

#include "engine/conv-data-gradient.h"
#include "engine/cpu.h"
#include "engine/error.h"
#include "engine/gemm.h"
#include "threadpool/threadpool.h"

/* Bytes of im2col rows a band holds: a sixteenth of the last-level cache, so that with dy's band
 * they stay there for the GEMM; and at least this many positions, the GEMM's depth. */
#define TSR_WEIGHT_GRADIENT_LLC_FRACTION 16
#define TSR_WEIGHT_GRADIENT_MIN_BAND 16

struct tsr_weight_gradient_call {
  const struct tsr_conv_geometry* g;
  const float* x;
  float* cols; /* [ic x taps][band] */
  size_t taps, n, first, band;
};

/* Where tap `tap` of output position p (flattened over out[]) reads x: q[d] = p[d] stride +
 * k[d] dilation - pad, each possibly outside the input. */
static void tsr_weight_gradient_tap(const struct tsr_conv_geometry* g, size_t tap, size_t p, int64_t q[3]) {
  const size_t k[3] = {tap / (g->kernel[2] * g->kernel[1]), tap / g->kernel[2] % g->kernel[1], tap % g->kernel[2]};
  const size_t at[3] = {p / g->out[2] / g->out[1], p / g->out[2] % g->out[1], p % g->out[2]};
  for (int d = 0; d < 3; d++) q[d] = (int64_t)(at[d] * g->stride[d] + k[d] * g->dilation[d]) - g->pad[d];
}

/* Rows [first_row, first_row + rows) of the band's im2col: row (channel, tap) holds x at every
 * band position's tap. */
static void tsr_weight_gradient_im2col(void* context, size_t thread, size_t first_row, size_t rows) {
  (void)thread;
  const struct tsr_weight_gradient_call* c = context;
  const struct tsr_conv_geometry* g = c->g;
  for (size_t r = first_row; r < first_row + rows; r++) {
    const size_t channel = r / c->taps, tap = r % c->taps;
    const float* xc = c->x + c->n * g->x_n + channel * g->x_c;
    float* row = c->cols + r * c->band;
    for (size_t done = 0, p = c->first; done < c->band;) { /* a run of positions along one output row */
      const size_t p2 = p % g->out[2], run = g->out[2] - p2 < c->band - done ? g->out[2] - p2 : c->band - done;
      int64_t q[3];
      tsr_weight_gradient_tap(g, tap, p, q);
      float* out = row + done;
      size_t j = 0;
      if (q[0] >= 0 && q[0] < (int64_t)g->in[0] && q[1] >= 0 && q[1] < (int64_t)g->in[1]) {
        const float* xr = xc + (size_t)q[0] * g->x_s[0] + (size_t)q[1] * g->x_s[1];
        const int64_t step = (int64_t)g->stride[2], end = (int64_t)g->in[2];
        int64_t q2 = q[2];
        for (; j < run && q2 < 0; j++, q2 += step) out[j] = 0.0f;
        if (step == 1 && g->x_s[2] == 1 && j < run && q2 < end) { /* plain at stride 1: a copy */
          const size_t count = (size_t)(end - q2) < run - j ? (size_t)(end - q2) : run - j;
          memcpy(out + j, xr + q2, count * sizeof(float));
          j += count, q2 += (int64_t)count;
        }
        for (; j < run && q2 < end; j++, q2 += step) out[j] = xr[(size_t)q2 * g->x_s[2]];
      }
      memset(out + j, 0, (run - j) * sizeof(float));
      done += run, p += run;
    }
  }
}

/* Positions [first_pos, first_pos + count) of the band in nhwc order: each position's row holds,
 * tap after tap, the tap's pixel of x with every channel (a copy of ic contiguous floats) or 0. */
static void tsr_weight_gradient_im2col_nhwc(void* context, size_t thread, size_t first_pos, size_t count) {
  (void)thread;
  const struct tsr_weight_gradient_call* c = context;
  const struct tsr_conv_geometry* g = c->g;
  const float* sample = c->x + c->n * g->x_n;
  for (size_t j = first_pos; j < first_pos + count; j++) {
    float* row = c->cols + j * c->taps * g->ic;
    for (size_t tap = 0; tap < c->taps; tap++) {
      int64_t q[3];
      tsr_weight_gradient_tap(g, tap, c->first + j, q);
      float* out = row + tap * g->ic;
      if (q[0] >= 0 && q[0] < (int64_t)g->in[0] && q[1] >= 0 && q[1] < (int64_t)g->in[1] && q[2] >= 0 &&
          q[2] < (int64_t)g->in[2])
        memcpy(out, sample + (size_t)q[0] * g->x_s[0] + (size_t)q[1] * g->x_s[1] + (size_t)q[2] * g->x_s[2],
               g->ic * sizeof(float));
      else
        memset(out, 0, g->ic * sizeof(float));
    }
  }
}

struct tsr_bias_gradient_call {
  const struct tsr_conv_geometry* g;
  const float* dy;
  float* db;
};

/* db for output channels [first, first + count): the sums in double, over positions in memory
 * order (a channel plane at a time in plain, a pixel's channels at a time in nhwc). */
static void tsr_bias_gradient(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  const struct tsr_bias_gradient_call* c = context;
  const struct tsr_conv_geometry* g = c->g;
  const size_t positions = g->out[0] * g->out[1] * g->out[2];
  double sums[16] = {0.0};
  for (size_t n = 0; n < g->n; n++) {
    const float* sample = c->dy + n * g->y_n;
    if (g->y_c == 1) /* nhwc */
      for (size_t p = 0; p < positions; p++)
        for (size_t o = 0; o < count; o++) sums[o] += sample[p * g->y_s[2] + first + o];
    else
      for (size_t o = 0; o < count; o++)
        for (size_t p = 0; p < positions; p++) sums[o] += sample[(first + o) * g->y_c + p * g->y_s[2]];
  }
  for (size_t o = 0; o < count; o++) c->db[first + o] = (float)sums[o];
}

tsr_status tsr_conv_weight_gradient_reserve(const struct tsr_conv_geometry* g,
                                            struct tsr_conv_weight_gradient_rows* rows, const char* where) {
  const size_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2], positions = g->out[0] * g->out[1] * g->out[2];
  const size_t row_bytes = g->ic * taps * sizeof(float);
  size_t band = tsr_cpu_llc_bytes() / TSR_WEIGHT_GRADIENT_LLC_FRACTION / row_bytes;
  band = band < TSR_WEIGHT_GRADIENT_MIN_BAND ? TSR_WEIGHT_GRADIENT_MIN_BAND : band > positions ? positions : band;
  /* a 1x1 layer at stride 1 without padding: its im2col rows are x's own (plain rows of
   * positions, or nhwc positions of channels), the GEMM reads them in place */
  const bool pointwise = tsr_conv_geometry_pointwise(g);
  const bool x_plain = g->x_s[2] == 1 && g->ic > 1;
  /* nhwc x of one group: im2col rows by position (each tap's pixel a copy of its channels, not a
   * gather a channel apart), so the GEMM's columns come tap-major, into `by_tap`, reordered into
   * dw at the end */
  const bool nhwc_rows = !pointwise && !x_plain && g->groups == 1 && g->ic > 1;
  size_t bytes = 0; /* a product that overflows is refused like a failed allocation */
  *rows = (struct tsr_conv_weight_gradient_rows){.band = band, .pointwise = pointwise};
  rows->cols = pointwise ? NULL : tsr_mul_size(row_bytes, band, &bytes) ? malloc(bytes) : NULL;
  rows->by_tap = nhwc_rows ? malloc(g->oc * (g->ic / g->groups) * taps * sizeof(float)) : NULL;
  if ((!pointwise && rows->cols == NULL) || (nhwc_rows && rows->by_tap == NULL)) {
    tsr_conv_weight_gradient_release(rows);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the weight gradient's rows", where);
  }
  return tsr_status_success;
}

void tsr_conv_weight_gradient_release(struct tsr_conv_weight_gradient_rows* rows) {
  free(rows->cols), free(rows->by_tap);
  rows->cols = rows->by_tap = NULL;
}

tsr_status tsr_conv_weight_gradient_run(const struct tsr_conv_geometry* g,
                                        const struct tsr_conv_weight_gradient_rows* rows, const float* x,
                                        const float* dy, float* dw, float* db, tsr_threadpool* pool,
                                        const char* where) {
  const size_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2], positions = g->out[0] * g->out[1] * g->out[2];
  const size_t ic_group = g->ic / g->groups, oc_group = g->oc / g->groups, m = ic_group * taps;
  const size_t band = rows->band;
  /* dy as the GEMM's A: plain rows of positions (oc_group x band), or nhwc positions of channels
   * (band x oc_group, transposed); x likewise as B when pointwise */
  const bool dy_plain = g->y_s[2] == 1 && g->oc > 1, x_plain = g->x_s[2] == 1 && g->ic > 1;
  struct tsr_weight_gradient_call call = {.g = g, .x = x, .cols = rows->cols, .taps = taps};
  tsr_status status = tsr_status_success;
  for (size_t n = 0; n < g->n && status == tsr_status_success; n++)
    for (size_t first = 0; first < positions && status == tsr_status_success; first += band) {
      call.n = n, call.first = first, call.band = positions - first < band ? positions - first : band;
      struct tsr_gemm_args args = {
          .batch = g->groups, .m = oc_group, .n = m, .k = call.band, .alpha = 1.0f,
          .beta = n == 0 && first == 0 ? 0.0f : 1.0f, .a = dy + n * g->y_n + first * g->y_s[2],
          .lda = dy_plain ? g->y_c : g->y_s[2], .stride_a = oc_group * g->y_c, .trans_a = !dy_plain,
          .b = rows->cols, .ldb = call.band, .stride_b = m * call.band, .trans_b = true,
          .c = dw, .ldc = m, .stride_c = oc_group * m};
      if (rows->pointwise) {
        args.b = x + n * g->x_n + first * g->x_s[2], args.ldb = x_plain ? g->x_c : g->x_s[2];
        args.stride_b = ic_group * g->x_c, args.trans_b = x_plain;
      } else if (rows->by_tap != NULL) {
        args.ldb = m, args.trans_b = false, args.c = rows->by_tap;
        tsr_parallelize_1d_tile_1d(pool, tsr_weight_gradient_im2col_nhwc, &call, call.band,
                                   tsr_parallel_tile(pool, call.band, m, 4096));
      } else {
        tsr_parallelize_1d_tile_1d(pool, tsr_weight_gradient_im2col, &call, g->ic * taps,
                                   tsr_parallel_tile(pool, g->ic * taps, call.band, 4096));
      }
      status = tsr_gemm_execute(&args, pool, where);
    }
  if (status == tsr_status_success && rows->by_tap != NULL) /* [o][tap][i] -> [o][i][tap] */
    for (size_t o = 0; o < g->oc; o++)
      for (size_t tap = 0; tap < taps; tap++)
        for (size_t i = 0; i < g->ic; i++)
          dw[(o * g->ic + i) * taps + tap] = rows->by_tap[(o * taps + tap) * g->ic + i];
  if (status != tsr_status_success || db == NULL) return status;
  struct tsr_bias_gradient_call bias = {.g = g, .dy = dy, .db = db};
  tsr_parallelize_1d_tile_1d(pool, tsr_bias_gradient, &bias, g->oc, 16);
  return tsr_status_success;
}
