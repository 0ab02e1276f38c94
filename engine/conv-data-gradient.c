/* A convolution's data gradient (transposed convolution's forward pass) as GEMM + col2im, the
 * way Caffe and PyTorch's slow_conv_transpose run it: for each sample, band of dy rows and group,
 * one GEMM gives every dy position p of the band, input channel i and tap k the products summed
 * over the group's output channels o,
 *   cols[p][(i, k)] = sum_o dy[o, p] w[o, i, k],
 * with the weights as B, packed once at creation (as A, packed again every call, they cost
 * 0.75x oneDNN's time on a 512 -> 256 channel layer of 8x8 images, see docs/PERFORMANCE.md);
 * then each input channel's task adds its taps' products into dx at p * stride + k * dilation -
 * pad (col2im). dx starts as bias + sum_scale * dx; the activation runs over each sample at the
 * end. The reference loop instead tests every tap at every dx position and sums in double
 * (0.2 GFLOP/s). Each dx element gets its terms in a fixed order (band, then tap, each the
 * GEMM's sum over o), whatever the thread count: integer-valued data whose partial sums stay
 * below 2^24 come out exact. */
#include "engine/conv-data-gradient.h"

#include <stdlib.h>

#include "engine/activation.h"
#include "engine/error.h"
#include "engine/gemm.h"
#include "engine/missed-tasks.h"
#include "engine/scratch.h"
#include "engine/transpose.h"
#include "threadpool/threadpool.h"

/* cols a band holds at most (1 MiB), so they stay in L2 between the GEMM and col2im; a band
 * is at least one dy row */
#define TSR_DATA_GRADIENT_BAND_FLOATS ((size_t)1 << 18)
/* Layers of fewer flops run on the calling thread: a 16-channel 4x4 stride-2 layer of 14x14
 * (1.6 MFLOP) took 2 threads 0.42-0.67x oneDNN's time split, 1.0-1.3x on one. */
#define TSR_DATA_GRADIENT_SPLIT_FLOPS 8e6
/* Tap rows (kd x kh) the by-position col2im takes; taller kernels go by tap. */
#define TSR_DATA_GRADIENT_MAX_TAP_ROWS 64


struct tsr_data_gradient_call {
  const struct tsr_conv_geometry* g;
  const float* bias;
  float sum_scale;
  float* dx;
  const float* cols;   /* [groups][band][ic / groups x taps] */
  float* scratch;      /* per thread: taps x band_capacity, one channel's products a tap */
  size_t band_capacity;
  size_t n;            /* the sample */
  size_t taps, ic_group, first_row, band_rows, band; /* band = band_rows x out[2] positions */
};

/* dx's channel i of the sample: bias + sum_scale * dx, or bias, or 0. */
static void tsr_data_gradient_start(void* context, size_t thread, size_t i) {
  (void)thread;
  const struct tsr_data_gradient_call* c = context;
  const struct tsr_conv_geometry* g = c->g;
  const float b = c->bias != NULL ? c->bias[i] : 0.0f;
  float* plane = c->dx + c->n * g->x_n + i * g->x_c;
  for (size_t q0 = 0; q0 < g->in[0]; q0++)
    for (size_t q1 = 0; q1 < g->in[1]; q1++) {
      float* row = plane + q0 * g->x_s[0] + q1 * g->x_s[1];
      if (c->sum_scale != 0.0f)
        for (size_t q2 = 0; q2 < g->in[2]; q2++) row[q2 * g->x_s[2]] = b + c->sum_scale * row[q2 * g->x_s[2]];
      else
        for (size_t q2 = 0; q2 < g->in[2]; q2++) row[q2 * g->x_s[2]] = b;
    }
}

/* The first and one-past-last dy positions p along a dim whose tap lands at p * stride + offset
 * inside [0, extent): p >= -offset / stride rounded up, p * stride + offset < extent. */
static void tsr_data_gradient_span(int64_t offset, size_t stride, size_t extent, size_t positions, size_t* first,
                                   size_t* last) {
  const int64_t s = (int64_t)stride;
  const int64_t lo = offset >= 0 ? 0 : (-offset + s - 1) / s;
  const int64_t room = (int64_t)extent - offset; /* p * stride < room */
  int64_t hi = room > 0 ? (room + s - 1) / s : 0;
  if (hi > (int64_t)positions) hi = (int64_t)positions;
  *first = (size_t)lo;
  *last = hi > lo ? (size_t)hi : (size_t)lo;
}

/* col2im for dx's channel i, by tap: its products transposed first from cols' rows of positions
 * into the thread's scratch as a row of positions a tap, then added tap after tap along each dx
 * row, a contiguous, vectorized add where the stride along w is 1 and dx is plain. */
static void tsr_data_gradient_scatter_by_tap(void* context, size_t thread, size_t i) {
  const struct tsr_data_gradient_call* c = context;
  const struct tsr_conv_geometry* g = c->g;
  const size_t group = i / c->ic_group, local = i % c->ic_group, m = c->ic_group * c->taps;
  float* plane = c->dx + c->n * g->x_n + i * g->x_c;
  float* by_tap = c->scratch + thread * c->taps * c->band_capacity;
  tsr_transpose_f32(c->band, c->taps, c->cols + group * c->band * m + local * c->taps, m, by_tap, c->band, NULL);
  size_t t = 0;
  for (size_t t0 = 0; t0 < g->kernel[0]; t0++)
    for (size_t t1 = 0; t1 < g->kernel[1]; t1++)
      for (size_t t2 = 0; t2 < g->kernel[2]; t2++, t++) {
        const int64_t offset = (int64_t)(t2 * g->dilation[2]) - g->pad[2];
        size_t first, last;
        tsr_data_gradient_span(offset, g->stride[2], g->in[2], g->out[2], &first, &last);
        const float* tap = by_tap + t * c->band;
        for (size_t r = c->first_row; first < last && r < c->first_row + c->band_rows; r++) {
          const int64_t q0 = (int64_t)(r / g->out[1] * g->stride[0] + t0 * g->dilation[0]) - g->pad[0];
          const int64_t q1 = (int64_t)(r % g->out[1] * g->stride[1] + t1 * g->dilation[1]) - g->pad[1];
          if (q0 < 0 || q0 >= (int64_t)g->in[0] || q1 < 0 || q1 >= (int64_t)g->in[1]) continue;
          const float* from = tap + (r - c->first_row) * g->out[2];
          float* to = plane + (size_t)q0 * g->x_s[0] + (size_t)q1 * g->x_s[1];
          for (size_t p2 = first; p2 < last; p2++)
            to[(size_t)((int64_t)(p2 * g->stride[2]) + offset) * g->x_s[2]] += from[p2];
        }
      }
}

/* col2im for dx's channel i, by position: each dy position's products (its taps of the channel,
 * adjacent in cols: a line for 16 taps) added where they land, position after position, so cols
 * is read once, in order, and the writes stay within the kernel's rows of dx. Where the adds
 * are strided anyway (stride 2, or nhwc) this beats the transpose by tap: a 2x2 stride-2 layer
 * 1.15-1.19 against 0.97x oneDNN's speed, while a 3x3 stride-1 plain layer went 1.02-1.04 by
 * tap against 0.93-0.97 this way (Zen 4, 1 thread). */
static void tsr_data_gradient_scatter_by_position(void* context, size_t thread, size_t i) {
  (void)thread;
  const struct tsr_data_gradient_call* c = context;
  const struct tsr_conv_geometry* g = c->g;
  const size_t group = i / c->ic_group, local = i % c->ic_group, m = c->ic_group * c->taps;
  float* plane = c->dx + c->n * g->x_n + i * g->x_c;
  const float* channel = c->cols + group * c->band * m + local * c->taps;
  const size_t kw = g->kernel[2];
  for (size_t r = c->first_row; r < c->first_row + c->band_rows; r++) {
    /* the dx rows the tap rows (t0, t1) of this dy row land on, NULL outside */
    float* rows[TSR_DATA_GRADIENT_MAX_TAP_ROWS];
    size_t tap_rows = 0;
    for (size_t t0 = 0; t0 < g->kernel[0]; t0++)
      for (size_t t1 = 0; t1 < g->kernel[1]; t1++, tap_rows++) {
        const int64_t q0 = (int64_t)(r / g->out[1] * g->stride[0] + t0 * g->dilation[0]) - g->pad[0];
        const int64_t q1 = (int64_t)(r % g->out[1] * g->stride[1] + t1 * g->dilation[1]) - g->pad[1];
        const bool inside = q0 >= 0 && q0 < (int64_t)g->in[0] && q1 >= 0 && q1 < (int64_t)g->in[1];
        rows[tap_rows] = inside ? plane + (size_t)q0 * g->x_s[0] + (size_t)q1 * g->x_s[1] : NULL;
      }
    const float* from = channel + (r - c->first_row) * g->out[2] * m;
    for (size_t p2 = 0; p2 < g->out[2]; p2++, from += m) {
      const int64_t base = (int64_t)(p2 * g->stride[2]) - g->pad[2];
      for (size_t t01 = 0; t01 < tap_rows; t01++) {
        if (rows[t01] == NULL) continue;
        for (size_t t2 = 0; t2 < kw; t2++) {
          const int64_t q2 = base + (int64_t)(t2 * g->dilation[2]);
          if (q2 >= 0 && q2 < (int64_t)g->in[2]) rows[t01][(size_t)q2 * g->x_s[2]] += from[t01 * kw + t2];
        }
      }
    }
  }
}

/* Whether spatial strides s (of extents e, the last innermost) step `inner` floats a position,
 * rows and planes packed: dims of extent 1 (also those a 1-D or 2-D geometry adds, stride 0)
 * take any stride. */
static bool tsr_data_gradient_packed(const size_t s[3], const size_t e[3], size_t inner) {
  return (e[2] == 1 || s[2] == inner) && (e[1] == 1 || s[1] == e[2] * inner) &&
         (e[0] == 1 || s[0] == e[1] * e[2] * inner);
}

/* Dense plain (channel planes one after another, positions contiguous) or dense nhwc
 * (positions one after another, channels contiguous). */
static bool tsr_data_gradient_dense(size_t sample, size_t c, const size_t s[3], size_t channels, const size_t e[3]) {
  const size_t positions = e[0] * e[1] * e[2];
  const bool plain = tsr_data_gradient_packed(s, e, 1) && (channels == 1 || c == positions);
  const bool nhwc = tsr_data_gradient_packed(s, e, channels) && (channels == 1 || c == 1);
  return (plain || nhwc) && (sample == channels * positions);
}

bool tsr_conv_data_gradient_fits(const struct tsr_conv_geometry* g) {
  return tsr_data_gradient_dense(g->y_n, g->y_c, g->y_s, g->oc, g->out) &&
         tsr_data_gradient_dense(g->x_n, g->x_c, g->x_s, g->ic, g->in);
}

tsr_status tsr_conv_data_gradient_init(struct tsr_conv_data_gradient* d, size_t oc, size_t ic, size_t groups,
                                       size_t taps, const float* w, const char* where) {
  const size_t oc_group = oc / groups, m = ic / groups * taps;
  d->groups = groups, d->weights = w;
  d->packed = calloc(groups, sizeof(*d->packed));
  if (d->packed == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  const struct tsr_gemm_config* config = tsr_gemm_config_get();
  for (size_t group = 0; group < groups; group++) {
    const tsr_status status =
        tsr_gemm_pack_b(config, false, oc_group, m, w + group * oc_group * m, m, &d->packed[group], where);
    if (status != tsr_status_success) {
      tsr_conv_data_gradient_release(d);
      return status;
    }
  }
  return tsr_status_success;
}

void tsr_conv_data_gradient_release(struct tsr_conv_data_gradient* d) {
  for (size_t group = 0; d->packed != NULL && group < d->groups; group++) tsr_gemm_packed_b_release(&d->packed[group]);
  free(d->packed);
  d->packed = NULL, d->groups = 0;
}

/* What every sample's pass shares. */
struct tsr_data_gradient_plan {
  const struct tsr_conv_geometry* g;
  const float* dy;
  const struct tsr_conv_data_gradient* d;
  const float* bias;
  const struct tsr_activation_impl* post; /* or NULL */
  float sum_scale;
  float* dx;
  size_t taps, ic_group, band_rows, capacity;
  bool dy_plain, by_tap;
  size_t buffer_floats, scratch_offset; /* a worker's buffer: cols, then by-tap scratch */
  float* buffers;
  const char* where;
  size_t gemm_scratch_bytes;     /* what a band's GEMM takes of a thread's scratch, at most */
  struct tsr_missed_tasks missed; /* sample-per-thread passes run again by the caller */
};

/* The GEMM of a band of `count` rows from `first`, group `group`, of sample n: dy's positions x
 * (oc / groups) times the packed weights, into `buffer`. */
static struct tsr_gemm_args tsr_data_gradient_band_gemm(const struct tsr_data_gradient_plan* plan, size_t n,
                                                        size_t first, size_t count, size_t group, float* buffer) {
  const struct tsr_conv_geometry* g = plan->g;
  const size_t oc_group = g->oc / g->groups, m = plan->ic_group * plan->taps, band = count * g->out[2];
  const float* positions = plan->dy + n * g->y_n + first * g->out[2] * g->y_s[2];
  return (struct tsr_gemm_args){
      .batch = 1, .m = band, .n = m, .k = oc_group, .alpha = 1.0f, .beta = 0.0f,
      .a = positions + group * oc_group * g->y_c, .lda = plan->dy_plain ? g->y_c : g->y_s[2],
      .trans_a = plan->dy_plain, .packed_b = &plan->d->packed[group], .c = buffer + group * band * m, .ldc = m};
}

/* Sample n's pass, its work split over `pool` (NULL: on the calling thread), `buffer` holding
 * the band's GEMM results and each of pool's threads' by-tap scratch. */
static tsr_status tsr_data_gradient_sample(const struct tsr_data_gradient_plan* plan, size_t n, float* buffer,
                                           tsr_threadpool* pool) {
  const struct tsr_conv_geometry* g = plan->g;
  const size_t rows = g->out[0] * g->out[1];
  struct tsr_data_gradient_call call = {.g = g, .bias = plan->bias, .sum_scale = plan->sum_scale, .dx = plan->dx,
                                        .cols = buffer, .scratch = buffer + plan->scratch_offset,
                                        .band_capacity = plan->capacity, .n = n, .taps = plan->taps,
                                        .ic_group = plan->ic_group};
  tsr_parallelize_1d(pool, tsr_data_gradient_start, &call, g->ic);
  for (size_t first = 0; first < rows; first += plan->band_rows) {
    const size_t count = rows - first < plan->band_rows ? rows - first : plan->band_rows, band = count * g->out[2];
    for (size_t group = 0; group < g->groups; group++) {
      const struct tsr_gemm_args args = tsr_data_gradient_band_gemm(plan, n, first, count, group, buffer);
      const tsr_status status = tsr_gemm_execute(&args, pool, plan->where);
      if (status != tsr_status_success) return status; /* ruled out by the reservation before dx is written */
    }
    call.first_row = first, call.band_rows = count, call.band = band;
    tsr_parallelize_1d(pool, plan->by_tap ? tsr_data_gradient_scatter_by_tap : tsr_data_gradient_scatter_by_position,
                       &call, g->ic);
  }
  if (plan->post != NULL)
    tsr_activation_impl_apply(plan->post, g->x_n, plan->dx + n * g->x_n, plan->dx + n * g->x_n, pool);
  return tsr_status_success;
}

/* A sample a task, each thread on its own buffer; a thread without the GEMM's scratch leaves its
 * sample to the caller, before writing any of it (engine/missed-tasks.h). */
static void tsr_data_gradient_sample_task(void* context, size_t thread, size_t n) {
  struct tsr_data_gradient_plan* plan = context;
  if ((plan->gemm_scratch_bytes > 0 && tsr_thread_scratch(plan->gemm_scratch_bytes) == NULL) ||
      tsr_data_gradient_sample(plan, n, plan->buffers + thread * plan->buffer_floats, NULL) != tsr_status_success)
    tsr_missed_tasks_mark(&plan->missed, n);
}

static void tsr_data_gradient_missed_sample(void* context, size_t n) { tsr_data_gradient_sample_task(context, 0, n); }

bool tsr_conv_geometry_pointwise(const struct tsr_conv_geometry* g) {
  bool pointwise = g->kernel[0] * g->kernel[1] * g->kernel[2] == 1;
  for (int d = 0; d < 3; d++) pointwise = pointwise && g->stride[d] == 1 && g->pad[d] == 0 && g->in[d] == g->out[d];
  return pointwise;
}

/* Whether dx is a plain pointwise layer's with nothing applied after the sums: then dx's rows
 * are W^T dy's, one GEMM a sample straight into dx, no transpose. */
static bool tsr_data_gradient_direct(const struct tsr_conv_geometry* g, const float* bias,
                                     const tsr_activation* activation, float sum_scale) {
  return tsr_conv_geometry_pointwise(g) && bias == NULL &&
         (activation == NULL || activation->kind == tsr_activation_none) && sum_scale == 0.0f && g->x_s[2] == 1 &&
         g->y_s[2] == 1 && g->ic > 1 && g->oc > 1;
}

tsr_status tsr_conv_data_gradient_run(const struct tsr_conv_geometry* g, const float* dy,
                                      const struct tsr_conv_data_gradient* d, const float* bias,
                                      const tsr_activation* activation, float sum_scale, float* dx,
                                      tsr_threadpool* pool, const char* where) {
  if (tsr_data_gradient_direct(g, bias, activation, sum_scale)) {
    const size_t ic_group = g->ic / g->groups, oc_group = g->oc / g->groups;
    const size_t positions = g->out[0] * g->out[1] * g->out[2];
    tsr_status status = tsr_status_success;
    for (size_t n = 0; n < g->n && status == tsr_status_success; n++) {
      const struct tsr_gemm_args args = {
          .batch = g->groups, .m = ic_group, .n = positions, .k = oc_group, .alpha = 1.0f, .beta = 0.0f,
          .a = d->weights, .lda = ic_group, .stride_a = oc_group * ic_group, .trans_a = true,
          .b = dy + n * g->y_n, .ldb = g->y_c, .stride_b = oc_group * g->y_c,
          .c = dx + n * g->x_n, .ldc = g->x_c, .stride_c = ic_group * g->x_c};
      status = tsr_gemm_execute(&args, pool, where);
    }
    return status;
  }
  struct tsr_data_gradient_plan plan = {.g = g, .dy = dy, .d = d, .bias = bias, .sum_scale = sum_scale, .dx = dx,
                                        .where = where};
  plan.taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
  plan.ic_group = g->ic / g->groups;
  const size_t m = plan.ic_group * plan.taps, rows = g->out[0] * g->out[1];
  /* dy as the GEMM's A (positions x oc / groups): plain's rows of positions transposed, or
   * nhwc's positions as rows of channels */
  plan.dy_plain = g->y_s[2] == 1 && g->oc > 1;
  plan.by_tap = (g->stride[2] == 1 && g->x_s[2] == 1) || g->kernel[0] * g->kernel[1] > TSR_DATA_GRADIENT_MAX_TAP_ROWS;
  /* Samples to threads when there are enough of them: each dispatch of the split passes (dx's
   * start, the GEMMs, col2im, the activation) otherwise made 2 threads slower than 1 on small
   * layers (see docs/PERFORMANCE.md). */
  const double flops = 2.0 * (double)g->n * (double)(g->oc / g->groups) * (double)(g->ic * plan.taps) * (double)rows *
                       (double)g->out[2];
  if (flops < TSR_DATA_GRADIENT_SPLIT_FLOPS) pool = NULL;
  const size_t threads = tsr_threadpool_threads(pool);
  const bool by_sample = threads > 1 && g->n >= threads;
  const size_t workers = by_sample ? threads : 1, splitting = by_sample ? 1 : threads;
  /* A band split over 8 or more threads holds 4 MiB of cols (each thread's share still within its
   * L2), as the passes of smaller bands were dispatches more: 16-vCPU Xeon, 16 threads, 8x
   * 256->128 4x4/2 of 16x16 5.4-5.9 -> 3.1-3.6 ms, 2x 64->64 3x3 0.49-0.51 -> 0.40-0.42; 8 threads
   * 5.9-6.2 -> 4.0-5.4 and 0.71-0.75 -> 0.59-0.60 (docs/PERFORMANCE.md); on 2 threads no
   * difference showed. */
  const size_t band_floats = TSR_DATA_GRADIENT_BAND_FLOATS * (splitting >= 8 ? 4 : 1);
  plan.band_rows = band_floats / (g->groups * m * g->out[2]);
  plan.band_rows = plan.band_rows < 1 ? 1 : plan.band_rows > rows ? rows : plan.band_rows;
  plan.capacity = plan.band_rows * g->out[2];
  size_t cols = 0, scratch = 0, total = 0;
  float* buffers = NULL;
  if (tsr_mul_size(g->groups * m, plan.capacity, &cols) &&
      (!plan.by_tap || tsr_mul_size(plan.taps * plan.capacity, splitting, &scratch)) && cols + scratch >= cols &&
      tsr_mul_size(cols + scratch, workers, &total))
    buffers = malloc(total * sizeof(float));
  if (buffers == NULL)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the %zu x %zu GEMM result of a band", where,
                     plan.capacity, g->groups * m);
  plan.buffers = buffers, plan.buffer_floats = cols + scratch, plan.scratch_offset = cols;
  struct tsr_activation_impl post;
  if (activation != NULL) tsr_activation_impl_init(&post, activation), plan.post = &post;
  /* Nothing is written unless every GEMM can run: the calling thread's scratch is reserved for
   * the largest band (the first), and samples whose thread has none are run by the caller. */
  const struct tsr_gemm_args first_band = tsr_data_gradient_band_gemm(&plan, 0, 0, plan.band_rows, 0, buffers);
  plan.gemm_scratch_bytes = tsr_gemm_scratch_bytes(&first_band, splitting);
  tsr_status status = tsr_status_success;
  if (by_sample ? !tsr_missed_tasks_begin(&plan.missed, g->n, tsr_thread_scratch, plan.gemm_scratch_bytes)
                : plan.gemm_scratch_bytes > 0 && tsr_thread_scratch(plan.gemm_scratch_bytes) == NULL) {
    status = tsr_error(tsr_status_out_of_memory, "%s: out of memory for GEMM scratch", where);
  } else if (by_sample) {
    tsr_parallelize_1d(pool, tsr_data_gradient_sample_task, &plan, g->n);
    if (!tsr_missed_tasks_finish(&plan.missed, tsr_data_gradient_missed_sample, &plan))
      status = tsr_error(tsr_status_out_of_memory, "%s: out of memory for GEMM scratch (dx may be partly written)",
                         where);
  } else {
    for (size_t n = 0; n < g->n && status == tsr_status_success; n++)
      status = tsr_data_gradient_sample(&plan, n, buffers, pool);
  }
  free(buffers);
  return status;
}

const char* tsr_conv_data_gradient_isa(void) { return tsr_isa_name(tsr_gemm_config_get()->isa); }
