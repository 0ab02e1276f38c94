/* The pooling kernels, written once over the vector primitives of kernels/vector-<isa>.h, which
 * each ISA's file includes, with the kernels' names (TSR_MAXPOOL_NAME, TSR_AVGPOOL_NAME), before
 * this body. Channels go eight vectors at a time, then one vector, then one channel
 * (f32-pool-channel.h); the taps are the inner
 * loop. Max pooling keeps a mask of the lanes that have seen no NaN beside the maximum (vector
 * max drops a NaN in one operand on x86), so a NaN anywhere in the window gives NaN, as the
 * reference does. The mask is narrowed by one masked compare a load on AVX-512 (a compare and a
 * mask OR cost 40% more on the ResNet max pool, Zen 4). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernels/f32-pool/f32-pool-channel.h"
#include "kernels/f32-pool/f32-pool.h"

/* Inlined into the two kernels, so that `max` is a constant in each. */
#define TSR_POOL_INLINE static inline __attribute__((always_inline))

static inline tsr_vf tsr_pool_start(const float* previous, size_t offset, bool max) {
  return previous != NULL ? tsr_v_load(previous + offset) : tsr_v_set(max ? -INFINITY : 0.0f);
}

/* The average's divisor d and 1/d. When d is a power of two, sum * (1/d) is exact. Otherwise
 * q = sum * (1/d) is within an ulp of sum / d, and one FMA step (r = sum - q d, exact, then
 * q + r (1/d)) makes it the correctly rounded quotient (Markstein), as a division would, for a
 * third of a division's throughput cost. The step is skipped when it is not needed: on a 2x2
 * average of 32 MB (Zen 4), two more operations a vector after the loads cost 40%. */
struct tsr_pool_divide {
  tsr_vf divisor, reciprocal;
  bool exact;
  float scalar; /* the divisor, for the one-channel tail */
};

/* Whether d (a window size, positive) is a power of two: a normal float with no mantissa bits.
 * (Bits rather than frexpf: a library call in every kernel call showed in VGG pool5's profile.) */
static inline bool tsr_pool_power_of_two(float d) {
  uint32_t bits;
  memcpy(&bits, &d, sizeof(bits));
  const uint32_t exponent = bits >> 23 & 0xff;
  return (bits & 0x7fffff) == 0 && exponent != 0 && exponent != 0xff;
}

/* exact: whether divisor is a power of two, given by the caller as a constant (see tsr_pool_dispatch) */
static inline struct tsr_pool_divide tsr_pool_divide_by(float divisor, bool exact) {
  const struct tsr_pool_divide d = {tsr_v_set(divisor), tsr_v_set(1.0f / divisor), exact, divisor};
  return d;
}

static inline tsr_vf tsr_pool_quotient(tsr_vf sum, const struct tsr_pool_divide* d) {
  const tsr_vf q = tsr_v_mul(sum, d->reciprocal);
  if (d->exact) return q;
  return tsr_v_fma(tsr_v_fnma(q, d->divisor, sum), d->reciprocal, q);
}

static inline tsr_vf tsr_pool_finish(tsr_vf acc, tsr_vm ordered, const struct tsr_pool_divide* d, bool max) {
  return max ? tsr_v_select(ordered, acc, tsr_v_set(NAN)) : tsr_pool_quotient(acc, d);
}

/* A result vector to y: around the caches when the call streams (see f32-pool.h). */
static inline void tsr_pool_store(float* y, tsr_vf v, bool stream) {
  if (stream)
    tsr_v_store_stream(y, v);
  else
    tsr_v_store(y, v);
}

/* One tap's vector v into the accumulator a (and NaN mask o). */
TSR_POOL_INLINE void tsr_pool_take(tsr_vf* a, tsr_vm* o, tsr_vf v, bool max) {
  if (max) *o = tsr_vm_and_ordered(*o, v), *a = tsr_v_max_drop_nan(v, *a);
  else *a = tsr_v_add(*a, v);
}

/* Two taps' vectors, v then w: max pooling tests both for NaN in one ordered compare of the pair
 * (half the compares: ResNet's 3x3/2 max pool, 64 channels, 1 thread, Zen 4, in one process:
 * batch 1 0.0756-0.0789 -> 0.0715-0.0749 ms, batch 32 10.34-10.42 -> 9.63-9.74); sums keep the
 * taps' order. */
TSR_POOL_INLINE void tsr_pool_take2(tsr_vf* a, tsr_vm* o, tsr_vf v, tsr_vf w, bool max) {
  if (max) *o = tsr_vm_and_ordered2(*o, v, w), *a = tsr_v_max_drop_nan(w, tsr_v_max_drop_nan(v, *a));
  else *a = tsr_v_add(tsr_v_add(*a, v), w);
}

/* Eight vectors of channels: eight independent accumulator chains, enough to keep the loads,
 * not an add's latency, the limit. Long windows too (ResNet-50's global average, 49 taps of 2048
 * channels) run down every tap in registers: a form that summed pairs of taps into y across all
 * the channels stalled whenever y's address was a few vectors past x's modulo 4 KiB (a load
 * waiting on an unrelated store to the same page offset): 3.8-5.8 us by y's offset, against
 * 3.9-4.7 down the taps (oneDNN 4.0; Zen 4, 1 thread, one process). */
#define TSR_POOL_EACH8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define TSR_POOL_EACH4(X) X(0) X(1) X(2) X(3)

/* One output pixel: the rows moved by `offset` floats. */
TSR_POOL_INLINE void tsr_pool(size_t channels, size_t taps, const float* const* rows, size_t offset,
                              const float* previous, float* y, const struct tsr_pool_divide* d, bool max,
                              bool stream) {
  size_t c = 0;
  /* Eight, then four vectors of channels (a pixel's four to seven: see f32-pool.h's from_memory). */
#define TSR_START(i) tsr_vf a##i = tsr_pool_start(p, i * TSR_VLANES, max); tsr_vm o##i = tsr_v_eq(a##i, a##i);
#define TSR_STEP2(i) tsr_pool_take2(&a##i, &o##i, tsr_v_load(r0 + i * TSR_VLANES), tsr_v_load(r1 + i * TSR_VLANES), max);
#define TSR_STEP1(i) tsr_pool_take(&a##i, &o##i, tsr_v_load(r0 + i * TSR_VLANES), max);
#define TSR_FINISH(i) tsr_pool_store(y + c + i * TSR_VLANES, tsr_pool_finish(a##i, o##i, d, max), stream);
#define TSR_VECTORS(EACH, n)                                                   \
  for (; c + n * TSR_VLANES <= channels; c += n * TSR_VLANES) {                \
    const float* p = previous != NULL ? previous + c : NULL;                   \
    EACH(TSR_START)                                                            \
    size_t t = 0;                                                              \
    for (; t + 2 <= taps; t += 2) {                                            \
      const float *r0 = rows[t] + offset + c, *r1 = rows[t + 1] + offset + c;  \
      EACH(TSR_STEP2)                                                          \
    }                                                                          \
    if (t < taps) {                                                            \
      const float* r0 = rows[t] + offset + c;                                  \
      EACH(TSR_STEP1)                                                          \
    }                                                                          \
    EACH(TSR_FINISH)                                                           \
  }
  TSR_VECTORS(TSR_POOL_EACH8, 8)
  TSR_VECTORS(TSR_POOL_EACH4, 4)
#undef TSR_VECTORS
#undef TSR_FINISH
#undef TSR_STEP1
#undef TSR_STEP2
#undef TSR_START
  /* One vector: four chains over the taps, joined at the end. With one, each tap waited for the
   * previous add (global pooling of nChw8c, 49 taps of one vector a pixel: 3x slower). */
  for (; c + TSR_VLANES <= channels; c += TSR_VLANES) {
    tsr_vf a0 = tsr_pool_start(previous, c, max), a1 = tsr_pool_start(NULL, 0, max), a2 = a1, a3 = a1;
    tsr_vm o0 = tsr_v_eq(a0, a0), o1 = tsr_v_eq(a1, a1), o2 = o1, o3 = o1;
    size_t t = 0;
#define TSR_STEP(i, tap) tsr_pool_take(&a##i, &o##i, tsr_v_load(rows[tap] + offset + c), max);
    for (; t + 4 <= taps; t += 4) {
      TSR_STEP(0, t) TSR_STEP(1, t + 1) TSR_STEP(2, t + 2) TSR_STEP(3, t + 3)
    }
    for (; t < taps; t++) TSR_STEP(0, t)
#undef TSR_STEP
    if (max) {
      o0 = tsr_vm_and(tsr_vm_and(o0, o1), tsr_vm_and(o2, o3));
      a0 = tsr_v_max_drop_nan(tsr_v_max_drop_nan(a0, a1), tsr_v_max_drop_nan(a2, a3));
    } else {
      a0 = tsr_v_add(tsr_v_add(a0, a1), tsr_v_add(a2, a3));
    }
    tsr_pool_store(y + c, tsr_pool_finish(a0, o0, d, max), stream);
  }
  tsr_f32_pool_channels(c, channels, taps, rows, offset, previous, y, d->scalar, max);
}

/* Four output pixels at once, for fewer channels than eight vectors (a blocked layout's 8, 16):
 * one accumulator per pixel, so four independent chains instead of one add's latency per tap.
 * Only for fresh windows (no `previous`). */
TSR_POOL_INLINE void tsr_pool_x4(size_t channels, size_t taps, const float* const* rows, size_t offset,
                                 size_t row_step, float* y, size_t y_step, const struct tsr_pool_divide* d, bool max,
                                 bool stream) {
  size_t c = 0;
  for (; c + TSR_VLANES <= channels; c += TSR_VLANES) {
#define TSR_START(i) tsr_vf a##i = tsr_pool_start(NULL, 0, max); tsr_vm o##i = tsr_v_eq(a##i, a##i);
    TSR_START(0) TSR_START(1) TSR_START(2) TSR_START(3)
#undef TSR_START
    size_t t = 0;
    for (; t + 2 <= taps; t += 2) {
      const float* r0 = rows[t] + offset + c;
      const float* r1 = rows[t + 1] + offset + c;
#define TSR_STEP(i) tsr_pool_take2(&a##i, &o##i, tsr_v_load(r0 + i * row_step), tsr_v_load(r1 + i * row_step), max);
      TSR_STEP(0) TSR_STEP(1) TSR_STEP(2) TSR_STEP(3)
#undef TSR_STEP
    }
    if (t < taps) {
      const float* r0 = rows[t] + offset + c;
#define TSR_STEP(i) tsr_pool_take(&a##i, &o##i, tsr_v_load(r0 + i * row_step), max);
      TSR_STEP(0) TSR_STEP(1) TSR_STEP(2) TSR_STEP(3)
#undef TSR_STEP
    }
#define TSR_FINISH(i) tsr_pool_store(y + i * y_step + c, tsr_pool_finish(a##i, o##i, d, max), stream);
    TSR_FINISH(0) TSR_FINISH(1) TSR_FINISH(2) TSR_FINISH(3)
#undef TSR_FINISH
  }
  for (size_t i = 0; c < channels && i < 4; i++)
    tsr_f32_pool_channels(c, channels, taps, rows, offset + i * row_step, NULL, y + i * y_step, d->scalar, max);
}

/* The pixels: by fours where the channels are too few to fill eight accumulators (four, from
 * memory: see f32-pool.h), then one by one. */
TSR_POOL_INLINE void tsr_pool_pixels(size_t pixels, size_t channels, size_t taps, const float* const* rows,
                                     size_t row_step, const float* previous, float* y, size_t y_step,
                                     struct tsr_pool_divide d, bool max, bool stream, bool from_memory) {
  size_t j = 0;
  if (previous == NULL && channels < (from_memory ? 4 : 8) * TSR_VLANES) {
    for (; j + 4 <= pixels; j += 4)
      tsr_pool_x4(channels, taps, rows, j * row_step, row_step, y + j * y_step, y_step, &d, max, stream);
    /* The last 1-3 pixels of a run of four or more as one more group of four ending at the run's
     * end: the pixels it shares with the group before are computed again, to the same values
     * (fresh windows), in one call instead of up to three of a pixel each. */
    if (j < pixels && pixels >= 4) {
      j = pixels - 4;
      tsr_pool_x4(channels, taps, rows, j * row_step, row_step, y + j * y_step, y_step, &d, max, stream);
      j = pixels;
    }
  }
  for (; j < pixels; j++) {
    const float* p = previous != NULL ? previous + j * y_step : NULL;
    tsr_pool(channels, taps, rows, j * row_step, p, y + j * y_step, &d, max, stream);
  }
}

/* The common window sizes (2x2: 4 taps, 3x3: 9) get their own copy, with the tap count a
 * constant and the row pointers copied into locals: the tap loop unrolls and the loads' addresses
 * stay in registers. With a run-time count, or the pointers read from `rows` for every group of
 * channels, the 2x2 average over 32 MB took 1.5x as long, the 3x3 ResNet max pool 1.08x (Zen 4).
 * The 2x2 max pool is the exception, measured, not understood: unrolled, VGG's pool5 (512
 * channels, 7x7 out) took 1.25x as long, so it keeps the loop. */
TSR_POOL_INLINE void tsr_pool_fixed(size_t pixels, size_t channels, size_t taps, const float* const* rows,
                                    size_t row_step, float* y, size_t y_step, struct tsr_pool_divide d, bool max,
                                    bool stream, bool from_memory) {
  const float* local[9];
  for (size_t t = 0; t < taps; t++) local[t] = rows[t];
  tsr_pool_pixels(pixels, channels, taps, local, row_step, NULL, y, y_step, d, max, stream, from_memory);
}

/* Whether the 9 taps are a 3x3 window: three rows (taps 0, 3, 6) of three columns `column` floats
 * apart. */
static inline bool tsr_pool_is_3x3(size_t taps, const float* const* rows, size_t* column) {
  if (taps != 9 || rows[1] <= rows[0]) return false;
  const size_t d = (size_t)(rows[1] - rows[0]);
  for (size_t r = 0; r < 3; r++)
    if (rows[3 * r + 1] != rows[3 * r] + d || rows[3 * r + 2] != rows[3 * r] + 2 * d) return false;
  *column = d;
  return true;
}

/* One column of a 3x3 window, the rows' pointers r0-r2 moved by `offset`: the max of its three
 * taps and, in *o, the lanes where none is NaN; or their sum, in row order. */
TSR_POOL_INLINE tsr_vf tsr_pool_column(const float* r0, const float* r1, const float* r2, size_t offset, tsr_vm* o,
                                       bool max) {
  const tsr_vf a = tsr_v_load(r0 + offset), b = tsr_v_load(r1 + offset), c = tsr_v_load(r2 + offset);
  if (!max) return tsr_v_add(tsr_v_add(a, b), c);
  *o = tsr_vm_and_ordered(tsr_vm_and_ordered2(tsr_v_eq(a, a), a, b), c);
  return tsr_v_max_drop_nan(c, tsr_v_max_drop_nan(b, a));
}

/* 3x3 windows of one vector of channels whose next window starts `step` columns on (1 or 2): each
 * column's max or sum over its three rows is taken once and serves the windows that share it.
 * Output k goes to y + k y_step. At step 2, 6 loads a window instead of 9 (ResNet's max pool in
 * nChw16c, batch 1, 1 thread, one process, Zen 4: 0.077 -> 0.063 ms); at step 1, 3 (Inception's
 * 3x3 average in nChw8c on AVX2). For more channels a pixel it did not pay: NHWC's 64 (four
 * vectors) ran 7% slower one vector across the row after another, and no faster pixel by pixel
 * with the vectors' shared columns in arrays. Sums go columns first: (column 0 + column 1) +
 * column 2, each column's rows in order. */
TSR_POOL_INLINE void tsr_pool_3x3_columns(size_t count, const float* const* rows, size_t column, size_t step,
                                          float* y, size_t y_step, const struct tsr_pool_divide* d, bool max,
                                          bool stream) {
  const float *r0 = rows[0], *r1 = rows[3], *r2 = rows[6];
  tsr_vm o0 = tsr_v_eq(tsr_v_set(0.0f), tsr_v_set(0.0f)), o1 = o0, o2 = o0;
  tsr_vf c0 = tsr_pool_column(r0, r1, r2, 0, &o0, max), c1 = c0;
  if (step == 1) c1 = tsr_pool_column(r0, r1, r2, column, &o1, max);
  for (size_t k = 0; k < count; k++) {
    const size_t at = k * step * column;
    if (step == 2) c1 = tsr_pool_column(r0, r1, r2, at + column, &o1, max);
    const tsr_vf c2 = tsr_pool_column(r0, r1, r2, at + 2 * column, &o2, max);
    const tsr_vf v = max ? tsr_v_max_drop_nan(c2, tsr_v_max_drop_nan(c1, c0)) : tsr_v_add(tsr_v_add(c0, c1), c2);
    const tsr_vm o = max ? tsr_vm_and(tsr_vm_and(o0, o1), o2) : o0;
    tsr_pool_store(y + k * y_step, tsr_pool_finish(v, o, d, max), stream);
    if (step == 1) c0 = c1, o0 = o1;
    c1 = c2, o1 = o2;
    if (step == 2) c0 = c2, o0 = o2;
  }
}

TSR_POOL_INLINE void tsr_pool_dispatch_as(size_t pixels, size_t channels, size_t taps, const float* const* rows,
                                          size_t row_step, const float* previous, float* y, size_t y_step,
                                          struct tsr_pool_divide d, bool max, bool stream, bool from_memory) {
  size_t column;
  if (previous == NULL && tsr_pool_is_3x3(taps, rows, &column) &&
      ((pixels == 1 && column == TSR_VLANES && channels % TSR_VLANES == 0) ||
       (channels == TSR_VLANES && row_step == 2 * column))) {
    /* a run of channels at stride 1 (the flat form: pixels packed end to end, one vector each),
     * or one vector a pixel at stride 2 */
    if (pixels == 1 && column == TSR_VLANES)
      tsr_pool_3x3_columns(channels / TSR_VLANES, rows, column, 1, y, TSR_VLANES, &d, max, stream);
    else
      tsr_pool_3x3_columns(pixels, rows, column, 2, y, y_step, &d, max, stream);
  } else if (previous == NULL && taps == 4 && !max)
    tsr_pool_fixed(pixels, channels, 4, rows, row_step, y, y_step, d, max, stream, from_memory);
  else if (previous == NULL && taps == 9)
    tsr_pool_fixed(pixels, channels, 9, rows, row_step, y, y_step, d, max, stream, from_memory);
  else
    tsr_pool_pixels(pixels, channels, taps, rows, row_step, previous, y, y_step, d, max, stream, from_memory);
}

/* Streaming or not, and for an average whether the divisor is a power of two (the quotient one
 * multiply), as constants: each combination its own copy, so that neither test sits in the loops
 * (the divisor's test there cost 5% on the 2x2 average: the kernel alone per output row over 26 MB,
 * 0.717-0.764 -> 0.685-0.726 ms, Zen 4). */
TSR_POOL_INLINE void tsr_pool_dispatch(size_t pixels, size_t channels, size_t taps, const float* const* rows,
                                       size_t row_step, const float* previous, float* y, size_t y_step,
                                       const struct tsr_f32_pool_params* params, bool max) {
  const float divisor = params->divisor;
  const bool exact = !max && tsr_pool_power_of_two(divisor);
#define TSR_POOL_AS(stream, exact) \
  tsr_pool_dispatch_as(pixels, channels, taps, rows, row_step, previous, y, y_step, tsr_pool_divide_by(divisor, exact), max, \
                       stream, params->from_memory)
  if (params->stream && exact) TSR_POOL_AS(true, true);
  else if (params->stream) TSR_POOL_AS(true, false);
  else if (exact) TSR_POOL_AS(false, true);
  else TSR_POOL_AS(false, false);
#undef TSR_POOL_AS
}

void TSR_MAXPOOL_NAME(size_t pixels, size_t channels, size_t taps, const float* const* rows, size_t row_step,
                      const float* previous, float* y, size_t y_step, const struct tsr_f32_pool_params* params) {
  tsr_pool_dispatch(pixels, channels, taps, rows, row_step, previous, y, y_step, params, true);
}

void TSR_AVGPOOL_NAME(size_t pixels, size_t channels, size_t taps, const float* const* rows, size_t row_step,
                      const float* previous, float* y, size_t y_step, const struct tsr_f32_pool_params* params) {
  tsr_pool_dispatch(pixels, channels, taps, rows, row_step, previous, y, y_step, params, false);
}
