/* Pooling along the rows of plain planes (f32-pool-row.h), written once over the vector
 * primitives of kernels/vector-<isa>.h: each ISA's pooling file includes it after f32-pool-body.h,
 * whose accumulate, divide and finish steps it shares, with the kernels' names
 * (TSR_MAXPOOL_ROW_NAME, TSR_AVGPOOL_ROW_NAME). A vector holds consecutive output pixels of the
 * row; each of its taps is one load (stride 1) or half of a deinterleaved pair of loads (stride
 * 2), so an input row is read straight from the plane, with no reorder. */
#include <assert.h>

#include "kernels/f32-pool/f32-pool-row-pixel.h"
#include "kernels/f32-pool/f32-pool-row.h"

/* One input row's kw taps into the accumulator, p at the vector's first pixel's first column.
 * Stride 2 takes the taps by pairs from one deinterleaved load (even columns tap t, odd ones
 * tap t + 1); an odd kw takes tap 0 alone (the even half of the pair at p) and then the pairs
 * from tap 1, so that the last pair's last column is the last window's last: nothing past it is
 * read (kw = 1 is the exception: see tsr_pool_row). Lanes are in tsr_v_load_deinterleaved's order
 * then, which the caller undoes once a vector. */
TSR_POOL_INLINE void tsr_pool_row_taps(tsr_vf* a, tsr_vm* o, const float* p, size_t kw, size_t stride, bool max) {
  size_t t = 0;
  if (stride == 1) {
    for (; t + 2 <= kw; t += 2) tsr_pool_take2(a, o, tsr_v_load(p + t), tsr_v_load(p + t + 1), max);
    if (t < kw) tsr_pool_take(a, o, tsr_v_load(p + t), max);
    return;
  }
  tsr_vf even, odd;
  if (kw % 2 != 0) {
    tsr_v_load_deinterleaved(p, &even, &odd);
    tsr_pool_take(a, o, even, max);
    t = 1;
  }
  for (; t + 2 <= kw; t += 2) {
    tsr_v_load_deinterleaved(p + t, &even, &odd);
    tsr_pool_take2(a, o, even, odd, max);
  }
}

#if defined(TSR_V_HAS_SHIFT_IN)
/* Max pooling vertical first, where the ISA moves columns within a vector (TSR_V_HAS_SHIFT_IN):
 * the window rows' max a column, then the window's columns as moved copies of it. A max drops
 * some NaNs, so every loaded pair is tested (`ordered` loses the lanes where one is NaN) and a
 * vector with a NaN goes the taps' way. Per 16 pixels of ResNet's 3x3/2 max pool: 9 loads (3 of
 * one float), 8 maxes, 3 moves and 5 tests, against the taps' 12 loads, 12 moves, 9 maxes and 6
 * tests. */
TSR_POOL_INLINE tsr_vf tsr_pool_column_max(size_t rows, const float* const* x, size_t offset, size_t head,
                                           tsr_vm* ordered) {
#define TSR_LOAD(p) (head != 0 ? tsr_v_load_head(p, head) : tsr_v_load(p))
  tsr_vf v = TSR_LOAD(x[0] + offset);
  size_t r = 1;
  if (rows >= 2) {
    const tsr_vf b = TSR_LOAD(x[1] + offset);
    *ordered = tsr_vm_and_ordered2(*ordered, v, b);
    v = tsr_v_max_drop_nan(v, b), r = 2;
  }
  for (; r + 2 <= rows; r += 2) {
    const tsr_vf a = TSR_LOAD(x[r] + offset), b = TSR_LOAD(x[r + 1] + offset);
    *ordered = tsr_vm_and_ordered2(*ordered, a, b);
    v = tsr_v_max_drop_nan(tsr_v_max_drop_nan(v, a), b);
  }
  /* a last row alone (or the only one): the max gives its NaN (the second operand's), which
   * v's test finds */
  if (r < rows) v = tsr_v_max_drop_nan(v, TSR_LOAD(x[r] + offset));
  if (rows % 2 == 1) *ordered = tsr_vm_and_ordered(*ordered, v);
#undef TSR_LOAD
  return v;
}

/* One vector of max-pooled pixels, windows 3 columns wide (at stride 2) or 2 or 3 (at stride 1):
 * reads columns up to the last window's last, as the taps do. `head`: the columns past a whole
 * vector, loaded into the first lanes of one. */
TSR_POOL_INLINE tsr_vf tsr_pool_row_vector_max(size_t rows, const float* const* x, size_t offset, size_t kw,
                                               size_t stride, tsr_vm* ordered) {
  if (stride == 1) {
    const tsr_vf v = tsr_pool_column_max(rows, x, offset, 0, ordered);
    const tsr_vf next = tsr_pool_column_max(rows, x, offset + TSR_VLANES, kw - 1, ordered);
    const tsr_vf m = tsr_v_max_drop_nan(v, tsr_v_shift_in1(v, next));
    return kw == 3 ? tsr_v_max_drop_nan(m, tsr_v_shift_in2(v, next)) : m;
  }
  const tsr_vf a = tsr_pool_column_max(rows, x, offset, 0, ordered);
  const tsr_vf b = tsr_pool_column_max(rows, x, offset + TSR_VLANES, 0, ordered);
  const tsr_vf head = tsr_pool_column_max(rows, x, offset + 2 * TSR_VLANES, 1, ordered);
  tsr_vf even, odd, even_next;
  tsr_v_deinterleave3(a, b, head, &even, &odd, &even_next);
  return tsr_v_from_deinterleaved(tsr_v_max_drop_nan(tsr_v_max_drop_nan(even, odd), even_next));
}
#endif

/* One vector of output pixels, the rows' pointers moved by `offset` floats. */
TSR_POOL_INLINE tsr_vf tsr_pool_row_vector(size_t rows, const float* const* x, size_t offset, size_t kw,
                                           size_t stride, const struct tsr_pool_divide* d, bool max) {
#if defined(TSR_V_HAS_SHIFT_IN)
  if (max && (kw == 3 || (kw == 2 && stride == 1))) {
    tsr_vm ordered = tsr_vm_all_lanes();
    const tsr_vf v = tsr_pool_row_vector_max(rows, x, offset, kw, stride, &ordered);
    if (tsr_vm_all(ordered)) return v;
  }
#endif
  tsr_vf a = tsr_pool_start(NULL, 0, max);
  tsr_vm o = tsr_v_eq(a, a);
  for (size_t r = 0; r < rows; r++) tsr_pool_row_taps(&a, &o, x[r] + offset, kw, stride, max);
  const tsr_vf v = tsr_pool_finish(a, o, d, max);
  return stride == 2 ? tsr_v_from_deinterleaved(v) : v;
}

/* One output row, its window rows moved by `base` floats. */
TSR_POOL_INLINE void tsr_pool_row(size_t pixels, size_t rows, const float* const* x, size_t base, size_t kw,
                                  size_t stride, float* y, const struct tsr_pool_divide* d, bool max) {
  assert(stride == 1 || stride == 2);
  /* kw = 1 at stride 2 reads one column past a vector's last window: a pixel must follow it */
  const size_t over = stride == 2 && kw == 1;
  size_t j = 0;
  for (; j + TSR_VLANES + over <= pixels; j += TSR_VLANES)
    tsr_v_store(y + j, tsr_pool_row_vector(rows, x, base + stride * j, kw, stride, d, max));
  /* The last pixels as one more vector ending at the row's end (or a pixel before it): the
   * pixels it shares with the vector before are computed again, to the same values. A local copy
   * of the last columns instead stalled on every load from it (stores forwarded to loads of
   * other sizes): ResNet's max pool took 2.4x as long. */
  if (j < pixels && j > 0) {
    j = pixels - TSR_VLANES - over;
    tsr_v_store(y + j, tsr_pool_row_vector(rows, x, base + stride * j, kw, stride, d, max));
    j += TSR_VLANES;
  }
  for (; j < pixels; j++) y[j] = tsr_f32_pool_row_pixel(rows, x, base + stride * j, kw, d->scalar, max);
}

/* Constant copies: the stride, the common window widths (2, 3) and, for an average, whether the
 * divisor is a power of two, so no test and no run-time tap count sits in the loops. */
/* The output rows, each its window rows moved by x_row_step floats more. */
TSR_POOL_INLINE void tsr_pool_rows(size_t out_rows, size_t pixels, size_t rows, const float* const* x,
                                   size_t x_row_step, size_t kw, size_t stride, float* y, size_t y_row_step,
                                   const struct tsr_pool_divide* d, bool max) {
  for (size_t k = 0; k < out_rows; k++)
    tsr_pool_row(pixels, rows, x, k * x_row_step, kw, stride, y + k * y_row_step, d, max);
}

TSR_POOL_INLINE void tsr_pool_row_as(size_t out_rows, size_t pixels, size_t rows, const float* const* x,
                                     size_t x_row_step, size_t kw, size_t stride, float* y, size_t y_row_step,
                                     struct tsr_pool_divide d, bool max) {
  if (kw == 3 && rows == 3) tsr_pool_rows(out_rows, pixels, 3, x, x_row_step, 3, stride, y, y_row_step, &d, max);
  else if (kw == 3) tsr_pool_rows(out_rows, pixels, rows, x, x_row_step, 3, stride, y, y_row_step, &d, max);
  else if (kw == 2 && rows == 2) tsr_pool_rows(out_rows, pixels, 2, x, x_row_step, 2, stride, y, y_row_step, &d, max);
  else if (kw == 2) tsr_pool_rows(out_rows, pixels, rows, x, x_row_step, 2, stride, y, y_row_step, &d, max);
  else tsr_pool_rows(out_rows, pixels, rows, x, x_row_step, kw, stride, y, y_row_step, &d, max);
}

TSR_POOL_INLINE void tsr_pool_row_dispatch(size_t out_rows, size_t pixels, size_t rows, const float* const* x,
                                           size_t x_row_step, size_t kw, size_t stride, float* y, size_t y_row_step,
                                           const struct tsr_f32_pool_params* params, bool max) {
  const bool exact = !max && tsr_pool_power_of_two(params->divisor);
#define TSR_POOL_ROW_AS(stride, exact)                                                                   \
  tsr_pool_row_as(out_rows, pixels, rows, x, x_row_step, kw, stride, y, y_row_step,                      \
                  tsr_pool_divide_by(params->divisor, exact), max)
  if (stride == 1 && exact) TSR_POOL_ROW_AS(1, true);
  else if (stride == 1) TSR_POOL_ROW_AS(1, false);
  else if (exact) TSR_POOL_ROW_AS(2, true);
  else TSR_POOL_ROW_AS(2, false);
#undef TSR_POOL_ROW_AS
}

void TSR_MAXPOOL_ROW_NAME(size_t out_rows, size_t pixels, size_t rows, const float* const* x, size_t x_row_step,
                          size_t kw, size_t stride, float* y, size_t y_row_step,
                          const struct tsr_f32_pool_params* params) {
  tsr_pool_row_dispatch(out_rows, pixels, rows, x, x_row_step, kw, stride, y, y_row_step, params, true);
}

void TSR_AVGPOOL_ROW_NAME(size_t out_rows, size_t pixels, size_t rows, const float* const* x, size_t x_row_step,
                          size_t kw, size_t stride, float* y, size_t y_row_step,
                          const struct tsr_f32_pool_params* params) {
  tsr_pool_row_dispatch(out_rows, pixels, rows, x, x_row_step, kw, stride, y, y_row_step, params, false);
}
