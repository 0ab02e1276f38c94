/* Layer, batch (inference and training), group and instance normalization, and the layer and
 * batch norm backward passes: checks, kernel choice at creation, and the run paths (layer norm on
 * f32-lnorm, batch norm inference on f32-vaffine, group norm on f32-rowstats / f32-colstats and
 * f32-vaffine, training batch norm and its backward in batch-norm-training.c, layer norm backward
 * in layer-norm-backward.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/batch-norm-training.h"
#include "engine/error.h"
#include "engine/group-norm-nhwc.h"
#include "engine/layer-norm-backward.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "kernels/f32-lnorm/f32-lnorm.h"
#include "kernels/f32-vaffine/f32-vaffine.h"
#include "threadpool/threadpool.h"

/* ---- shared pieces ---- */

static tsr_status tsr_norm_check_epsilon(float epsilon, const char* where) {
  if (!(epsilon >= 0.0f) || isinf(epsilon))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: epsilon is %g; must be finite and at least 0", where, (double)epsilon);
  return tsr_status_success;
}

/* Copies `count` floats (NULL stays NULL); returns false when out of memory. */
static bool tsr_norm_copy(size_t count, const float* source, float** copy) {
  *copy = NULL;
  if (source == NULL) return true;
  *copy = malloc(count * sizeof(float));
  if (*copy == NULL) return false;
  memcpy(*copy, source, count * sizeof(float));
  return true;
}

/* An [N, C, spatial...] tensor as N x C x S with element (n, c, s) at n*sn + c*sc + s*ss. */
struct tsr_ncs {
  size_t n, c, s, sn, sc, ss;
};

static tsr_status tsr_norm_ncs(const tsr_tensor_desc* d, size_t channels, const char* where,
                               const char* name, struct tsr_ncs* g) {
  if (d->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: %s must be f32", where, name);
  if (d->ndims < 2 || d->ndims > 5)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s has %d dims; needs 2 to 5 (N, C, spatial)",
                     where, name, (int)d->ndims);
  if (d->layout != tsr_layout_plain && !(d->layout == tsr_layout_nhwc && d->ndims >= 3))
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: %s has layout %s; plain or nhwc is supported", where, name,
                     tsr_layout_name(d->layout));
  if ((size_t)d->dims[1] != channels)
    return tsr_error(tsr_status_invalid_parameter, "%s: %s has %lld channels; the op has %zu",
                     where, name, (long long)d->dims[1], channels);
  g->n = (size_t)d->dims[0];
  g->c = channels;
  g->s = 1;
  for (int32_t k = 2; k < d->ndims; k++) g->s *= (size_t)d->dims[k];
  g->sn = g->c * g->s;
  g->sc = d->layout == tsr_layout_nhwc ? 1 : g->s;
  g->ss = d->layout == tsr_layout_nhwc ? g->c : 1;
  return tsr_status_success;
}

/* Checks x and y of an [N, C, ...] op: same dims, dtype and layout. */
static tsr_status tsr_norm_ncs_pair(const tsr_tensor* inputs, const tsr_tensor* outputs,
                                    size_t channels, const char* where, struct tsr_ncs* g) {
  tsr_status status = tsr_norm_ncs(&inputs[0].desc, channels, where, "inputs[0]", g);
  if (status != tsr_status_success) return status;
  if (!tsr_tensor_desc_same_shape(&inputs[0].desc, &outputs[0].desc) ||
      inputs[0].desc.layout != outputs[0].desc.layout)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: outputs[0] must have the dims and layout of inputs[0]", where);
  return tsr_status_success;
}

static void tsr_norm_release(tsr_op* op);

/* Every normalization op shares one struct; each kind uses the fields it needs. */
struct tsr_norm_op {
  struct tsr_op base;
  size_t channels, groups;            /* batch / group norm */
  size_t normalized_size;             /* layer norm: product of the normalized extents */
  int32_t normalized_ndims;
  int64_t normalized_shape[TSR_MAX_DIMS];
  float* gamma;
  float* beta;
  float* affine;                      /* batch norm inference: channels means, scales, shifts */
  const struct tsr_f32_vaffine_entry* affine_kernel; /* batch norm inference, group norm */
  const struct tsr_f32_vaffine_entry* affine_streaming; /* batch norm inference, group norm: past the LLC */
  tsr_f32_lnorm_statistics_fn group_statistics; /* group norm, plain */
  tsr_f32_colstats_ukernel_fn colstats;  /* group norm, nhwc: in double */
  tsr_f32_colstats_ukernel_fn colstats_blocked; /* and the same variant's blocked form */
  tsr_f32_dlnorm_ukernel_fn dlnorm;         /* layer norm backward: the row sums */
  tsr_f32_dlnorm_dx_ukernel_fn dlnorm_dx;   /* and dx */
  tsr_f32_dnorm_ukernel_fn dnorm;           /* batch norm backward: the sums */
  tsr_f32_dnorm_dx_ukernel_fn dnorm_dx;     /* and dx */
  double epsilon, momentum;
  tsr_momentum_convention convention;
  tsr_f32_lnorm_ukernel_fn lnorm_kernel; /* layer norm */
  float* unit_affine;                  /* layer norm: size ones then size zeros, for NULL gamma / beta */
};

static void tsr_norm_release(tsr_op* base) {
  struct tsr_norm_op* op = (struct tsr_norm_op*)base;
  free(op->gamma);
  free(op->beta);
  free(op->affine);
  free(op->unit_affine);
}

static struct tsr_norm_op* tsr_norm_alloc(tsr_op_kind kind, const struct tsr_op_vtable* vtable,
                                          size_t affine_count, const float* gamma,
                                          const float* beta, float epsilon) {
  struct tsr_norm_op* op =
      (struct tsr_norm_op*)tsr_op_alloc(sizeof(struct tsr_norm_op), kind, vtable);
  if (op == NULL) return NULL;
  op->epsilon = epsilon;
  if (!tsr_norm_copy(affine_count, gamma, &op->gamma) || !tsr_norm_copy(affine_count, beta, &op->beta)) {
    tsr_op_destroy(&op->base);
    return NULL;
  }
  return op;
}

/* The f32-vaffine variant of a list (plain or streaming) this CPU and TESSERA_MAX_ISA allow (each
 * list ends with scalar). */
static const struct tsr_f32_vaffine_entry* tsr_norm_pick_affine_from(const struct tsr_f32_vaffine_entry* list,
                                                                     size_t count) {
  for (size_t i = 0; i < count; i++)
    if (tsr_isa_allowed(list[i].isa)) return &list[i];
  return &list[count - 1];
}
static const struct tsr_f32_vaffine_entry* tsr_norm_pick_affine(void) {
  return tsr_norm_pick_affine_from(tsr_f32_vaffine_ukernels, tsr_f32_vaffine_ukernel_count);
}

/* ---- per-set tasks ---- */

struct tsr_norm_call {
  const struct tsr_norm_op* op;
  struct tsr_ncs g;
  const float* x;
  float* y;
  const float* residual;     /* layer norm: added to x before normalizing, or NULL */
  float* sum;                /* layer norm: where x + residual is kept, or NULL */
  const tsr_tensor* inputs;  /* batch norm training: running statistics */
  const tsr_tensor* outputs;
  const struct tsr_f32_vaffine_entry* affine; /* batch norm inference: the kernels this run uses */
  bool stream; /* layer norm: y written with streaming stores (the run works from memory) */
};

/* Rows [first, first + count) in one call of the op's kernel. With a residual, s = x + residual is
 * formed first (into the sum output if asked for, else into y) a block of the kernel's rows at a
 * time, so the block is in cache when the kernel normalizes it in place. */
static void tsr_layer_norm_rows(void* context, size_t thread, size_t first, size_t count) {
  (void)thread;
  const struct tsr_norm_call* call = context;
  const struct tsr_norm_op* op = call->op;
  const size_t length = op->normalized_size;
  const float* gamma = op->gamma ? op->gamma : op->unit_affine;
  const float* beta = op->beta ? op->beta : op->unit_affine + length;
  const size_t block = call->residual != NULL ? tsr_f32_lnorm_block_rows(length) : count;
  for (size_t row = first; row < first + count; row += block) {
    const size_t rows = first + count - row < block ? first + count - row : block;
    const float* x = call->x + row * length;
    float* y = call->y + row * length;
    if (call->residual != NULL) {
      const float* r = call->residual + row * length;
      float* s = call->sum != NULL ? call->sum + row * length : y;
      for (size_t i = 0; i < rows * length; i++) s[i] = x[i] + r[i];
      x = s;
    }
    op->lnorm_kernel(rows, length, x, length, gamma, beta, op->epsilon, call->stream, y, length);
  }
  if (call->stream) tsr_store_fence();
}

/* One group of a plain (NCHW) tensor: its channels' planes are one contiguous block, whose
 * statistics the layer-norm kernel's statistics function takes (f32 sums carried in double, the
 * mean as a float pair; in double they made group norm compute-bound in cache); then each channel
 * is one f32-vaffine broadcast call, y = (x - mean_high) scale + (beta - mean_low scale), scale =
 * rstd gamma[c]: x - mean_high is exact where x is near the mean, and mean_low keeps the rest. */
static void tsr_group_norm_group_nchw(void* context, size_t thread, size_t n, size_t group) {
  (void)thread;
  const struct tsr_norm_call* call = context;
  const struct tsr_norm_op* op = call->op;
  const struct tsr_ncs* g = &call->g;
  const size_t per_group = g->c / op->groups, c0 = group * per_group, offset = n * g->sn + c0 * g->sc;
  const size_t count = per_group * g->s;
  const float* x = call->x + offset;
  const struct tsr_f32_lnorm_statistics st = op->group_statistics(count, x, op->epsilon);
  const float origin = st.mean_high;
  for (size_t c = c0; c < c0 + per_group; c++) {
    const float scale = (float)((double)st.inverse * (op->gamma != NULL ? (double)op->gamma[c] : 1.0));
    const float shift = (float)((op->beta != NULL ? (double)op->beta[c] : 0.0) - (double)st.mean_low * (double)scale);
    const size_t at = n * g->sn + c * g->sc;
    call->affine->broadcast(g->s, call->x + at, &origin, &scale, &shift, call->y + at);
  }
  if (call->affine == op->affine_streaming) tsr_store_fence(); /* the broadcast form leaves it to us */
}

/* ---- layer norm ---- */

static tsr_status tsr_layer_norm_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                     const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(layer_norm)";
  const struct tsr_norm_op* op = (const struct tsr_norm_op*)base;
  const tsr_tensor_desc* x = &inputs[0].desc;
  if (x->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_unsupported_parameter, "%s: inputs[0] must be f32", where);
  if (x->layout != tsr_layout_plain || outputs[0].desc.layout != tsr_layout_plain)
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: inputs[0] and outputs[0] must have the plain layout", where);
  if (!tsr_tensor_desc_same_shape(x, &outputs[0].desc))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: outputs[0] must have the dims of inputs[0]", where);
  const int32_t k = op->normalized_ndims;
  if (x->ndims < k)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: inputs[0] has %d dims; the layer normalizes the last %d", where,
                     (int)x->ndims, (int)k);
  for (int32_t d = 0; d < k; d++)
    if (x->dims[x->ndims - k + d] != op->normalized_shape[d])
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: inputs[0] dims[%d] is %lld; normalized_shape[%d] is %lld", where,
                       (int)(x->ndims - k + d), (long long)x->dims[x->ndims - k + d], (int)d,
                       (long long)op->normalized_shape[d]);
  /* the fused residual (inputs[1]) and the kept sum (outputs[1]): x's dims, f32, plain */
  const tsr_tensor* extra[2] = {inputs[1].data != NULL ? &inputs[1] : NULL, num_outputs > 1 ? &outputs[1] : NULL};
  static const char* const names[2] = {"inputs[1] (residual)", "outputs[1] (x + residual)"};
  for (int e = 0; e < 2; e++)
    if (extra[e] != NULL && (extra[e]->desc.dtype != tsr_dtype_f32 || extra[e]->desc.layout != tsr_layout_plain ||
                             !tsr_tensor_desc_same_shape(x, &extra[e]->desc)))
      return tsr_error(tsr_status_invalid_parameter, "%s: %s must be f32, plain, with the dims of inputs[0]", where,
                       names[e]);
  if (extra[1] != NULL && extra[0] == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[1] (x + residual) needs inputs[1] (residual)", where);
  struct tsr_norm_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data,
                               .residual = extra[0] != NULL ? extra[0]->data : NULL,
                               .sum = extra[1] != NULL ? extra[1]->data : NULL};
  /* tasks of whole rows, about four per thread and at least 16 KiB (one row per task spent a
   * visible share of a 128x768 run handing rows out) */
  const size_t rows = tsr_tensor_desc_elements(x) / op->normalized_size;
  /* From memory (tsr_cpu_from_memory over every tensor the run reads and writes), y goes out with
   * streaming stores: it is not read again here, and a store that misses first reads its line.
   * Timed alternately in one process, 1 thread, Zen 4: 2048x4096 4.74 -> 2.79 ms (oneDNN 5.10),
   * 1024x4096 2.32 -> 1.38 ms. */
  const size_t tensors = 2 + (extra[0] != NULL) + (extra[1] != NULL);
  call.stream = (uintptr_t)call.y % sizeof(float) == 0 &&
                tsr_cpu_from_memory(tensors * rows * op->normalized_size * sizeof(float));
  tsr_parallelize_1d_tile_1d(pool, tsr_layer_norm_rows, &call, rows,
                             tsr_parallel_tile(pool, rows, op->normalized_size, 4096));
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_layer_norm_vtable = {.run = tsr_layer_norm_run, .release = tsr_norm_release,
                                                           .num_inputs = 2, .min_inputs = 1,
                                                           .num_outputs = 2, .min_outputs = 1};

tsr_status tsr_layer_norm_create(int32_t normalized_ndims, const int64_t* normalized_shape,
                                 const float* gamma, const float* beta, float epsilon,
                                 tsr_op** op) {
  static const char where[] = "tsr_layer_norm_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (normalized_shape == NULL)
    return tsr_error(tsr_status_invalid_parameter, "%s: normalized_shape is NULL", where);
  if (normalized_ndims < 1 || normalized_ndims > TSR_MAX_DIMS)
    return tsr_error(tsr_status_invalid_parameter, "%s: normalized_ndims is %d; must be 1 to %d",
                     where, (int)normalized_ndims, TSR_MAX_DIMS);
  size_t size = 1;
  for (int32_t d = 0; d < normalized_ndims; d++) {
    if (normalized_shape[d] < 1)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: normalized_shape[%d] is %lld; must be at least 1", where, (int)d,
                       (long long)normalized_shape[d]);
    if (!tsr_mul_size(size, (size_t)normalized_shape[d], &size) || size > SIZE_MAX / 16)
      return tsr_error(tsr_status_invalid_parameter, "%s: the normalized size overflows", where);
  }
  tsr_status status = tsr_norm_check_epsilon(epsilon, where);
  if (status != tsr_status_success) return status;
  struct tsr_norm_op* created =
      tsr_norm_alloc(tsr_op_kind_layer_norm, &tsr_layer_norm_vtable, size, gamma, beta, epsilon);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->normalized_ndims = normalized_ndims;
  created->normalized_size = size;
  memcpy(created->normalized_shape, normalized_shape, sizeof(int64_t) * (size_t)normalized_ndims);
  if (gamma == NULL || beta == NULL) {
    created->unit_affine = malloc(2 * size * sizeof(float));
    if (created->unit_affine == NULL) {
      tsr_op_destroy(&created->base);
      return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
    }
    for (size_t i = 0; i < size; i++) created->unit_affine[i] = 1.0f, created->unit_affine[size + i] = 0.0f;
  }
  const struct tsr_ukernel_entry* kernel = tsr_ukernel_pick(tsr_f32_lnorm_ukernels, tsr_f32_lnorm_ukernel_count);
  created->lnorm_kernel = (tsr_f32_lnorm_ukernel_fn)kernel->function;
  snprintf(created->base.description, sizeof(created->base.description),
           "layer_norm:last%d(%zu) eps=%g impl=%s isa=%s", (int)normalized_ndims, size, (double)epsilon,
           kernel->name, tsr_isa_name(kernel->isa));
  *op = &created->base;
  return tsr_status_success;
}

/* ---- batch norm, inference ---- */

/* y = (x - mean) * scale + shift per channel, scale = gamma / sqrt(variance + epsilon) and shift
 * = beta prepared in double at creation and rounded once: NCHW planes (one channel, broadcast
 * parameters) or runs of NHWC pixels (every channel, channelwise parameters) on f32-vaffine. */
static void tsr_batch_norm_planes(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_norm_call* call = context;
  const struct tsr_norm_op* op = call->op;
  const size_t channels = op->channels;
  for (size_t plane = start; plane < start + count; plane++) { /* plane = n * channels + c */
    const size_t c = plane % channels, offset = plane * call->g.s;
    call->affine->broadcast(call->g.s, call->x + offset, op->affine + c, op->affine + channels + c,
                                 op->affine + 2 * channels + c, call->y + offset);
  }
  if (call->affine == op->affine_streaming) tsr_store_fence(); /* the broadcast form leaves it to us */
}

static void tsr_batch_norm_pixels(void* context, size_t thread, size_t start, size_t count) {
  (void)thread;
  const struct tsr_norm_call* call = context;
  const struct tsr_norm_op* op = call->op;
  const size_t channels = op->channels;
  call->affine->channelwise(count, channels, call->x + start * channels, op->affine, op->affine + channels,
                                 op->affine + 2 * channels, call->y + start * channels);
}

/* Tasks: at least 16 KiB of input each (claiming one is an atomic on a shared line, and a task
 * smaller than a cache line would share its output lines with the next task's thread), about 4
 * per thread; whole NCHW planes or whole NHWC pixels. */
#define TSR_BATCH_NORM_MIN_TASK_FLOATS 4096

static tsr_status tsr_batch_norm_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                     const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_norm_op* op = (const struct tsr_norm_op*)base;
  struct tsr_norm_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data};
  const tsr_status status = tsr_norm_ncs_pair(inputs, outputs, op->channels, "tsr_op_run(batch_norm)", &call.g);
  if (status != tsr_status_success) return status;
  const bool nhwc = call.g.sc == 1;
  /* Streaming stores when x and y work from memory (tsr_cpu_from_memory: past half the LLC; y
   * would not stay in the cache for the next layer anyway): NHWC 32x64x56x56 (51 MB) 1.00 ->
   * 1.62-1.85 of oneDNN on 1 thread, even on 2; 16x64x56x56 (26 MB in all, under the whole-LLC
   * rule before), same process, off and on: 0.98 -> 0.54 ms (`tessera bench bnorm`, three runs:
   * 0.49-0.55 ms against oneDNN's 0.94-1.04). NCHW planes too (the broadcast form, each task
   * fencing once): 32x64x56x56 1 thread 1.42-1.85 -> 1.05-1.14 ms (oneDNN 7.6-7.8 in the same runs);
   * see docs/PERFORMANCE.md. */
  const size_t touched = tsr_tensor_desc_bytes(&inputs[0].desc) + tsr_tensor_desc_bytes(&outputs[0].desc);
  call.affine = tsr_cpu_from_memory(touched) ? op->affine_streaming : op->affine_kernel;
  const size_t units = nhwc ? call.g.n * call.g.s : call.g.n * op->channels; /* pixels or planes */
  const size_t unit_floats = nhwc ? op->channels : call.g.s;
  tsr_parallelize_1d_tile_1d(pool, nhwc ? tsr_batch_norm_pixels : tsr_batch_norm_planes, &call, units,
                             tsr_parallel_tile(pool, units, unit_floats, TSR_BATCH_NORM_MIN_TASK_FLOATS));
  return tsr_status_success;
}

/* gamma[c] / sqrt(variance[c] + epsilon) in double (gamma NULL: 1): a batch norm's per-channel
 * scale, for the op and for folding it into a layer's weights. */
static double tsr_batch_norm_scale(const float* gamma, const float* variance, float epsilon, size_t c) {
  return (gamma != NULL ? (double)gamma[c] : 1.0) / sqrt((double)variance[c] + (double)epsilon);
}

static tsr_status tsr_norm_check_variance(int64_t channels, const float* variance, const char* where) {
  for (int64_t c = 0; c < channels; c++)
    if (!(variance[c] >= 0.0f))
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: variance[%lld] is %g; a variance is at least 0", where, (long long)c,
                       (double)variance[c]);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_batch_norm_vtable = {
    .run = tsr_batch_norm_run, .release = tsr_norm_release, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_batch_norm_create(int64_t channels, const float* mean, const float* variance,
                                 const float* gamma, const float* beta, float epsilon,
                                 tsr_op** op) {
  static const char where[] = "tsr_batch_norm_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (mean == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: mean is NULL", where);
  if (variance == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: variance is NULL", where);
  if (channels < 1 || (uint64_t)channels > SIZE_MAX / 16)
    return tsr_error(tsr_status_invalid_parameter, "%s: channels is %lld; must be at least 1",
                     where, (long long)channels);
  tsr_status status = tsr_norm_check_epsilon(epsilon, where);
  if (status != tsr_status_success) return status;
  status = tsr_norm_check_variance(channels, variance, where);
  if (status != tsr_status_success) return status;
  struct tsr_norm_op* created = tsr_norm_alloc(tsr_op_kind_batch_norm, &tsr_batch_norm_vtable,
                                               (size_t)channels, gamma, beta, epsilon);
  if (created != NULL) created->affine = malloc(3 * (size_t)channels * sizeof(float));
  if (created == NULL || created->affine == NULL) {
    tsr_op_destroy(created ? &created->base : NULL);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  }
  const size_t count = (size_t)channels;
  for (size_t c = 0; c < count; c++) {
    created->affine[c] = mean[c];
    created->affine[count + c] = (float)tsr_batch_norm_scale(gamma, variance, epsilon, c);
    created->affine[2 * count + c] = beta != NULL ? beta[c] : 0.0f;
  }
  created->channels = count;
  created->affine_kernel = tsr_norm_pick_affine();
  created->affine_streaming = tsr_norm_pick_affine_from(tsr_f32_vaffine_nt_ukernels, tsr_f32_vaffine_nt_ukernel_count);
  snprintf(created->base.description, sizeof(created->base.description),
           "batch_norm:c%lld eps=%g impl=%s isa=%s", (long long)channels, (double)epsilon,
           created->affine_kernel->channelwise_name, tsr_isa_name(created->affine_kernel->isa));
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_batch_norm_fold(int64_t out_channels, int64_t weights_per_channel, float* weights,
                               float* bias, const float* mean, const float* variance,
                               const float* gamma, const float* beta, float epsilon) {
  static const char where[] = "tsr_batch_norm_fold";
  if (weights == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: weights is NULL", where);
  if (bias == NULL)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: bias is NULL (pass out_channels zeros for a layer without bias)", where);
  if (mean == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: mean is NULL", where);
  if (variance == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: variance is NULL", where);
  if (out_channels < 1)
    return tsr_error(tsr_status_invalid_parameter, "%s: out_channels is %lld; must be at least 1",
                     where, (long long)out_channels);
  if (weights_per_channel < 1)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: weights_per_channel is %lld; must be at least 1", where,
                     (long long)weights_per_channel);
  size_t count;
  if (!tsr_mul_size((size_t)out_channels, (size_t)weights_per_channel, &count) ||
      count > SIZE_MAX / sizeof(float))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: out_channels %lld x weights_per_channel %lld overflows", where,
                     (long long)out_channels, (long long)weights_per_channel);
  tsr_status status = tsr_norm_check_epsilon(epsilon, where);
  if (status != tsr_status_success) return status;
  status = tsr_norm_check_variance(out_channels, variance, where);
  if (status != tsr_status_success) return status;
  for (int64_t o = 0; o < out_channels; o++) {
    /* in double, each folded value rounded once */
    const double scale = tsr_batch_norm_scale(gamma, variance, epsilon, (size_t)o);
    float* row = weights + (size_t)o * (size_t)weights_per_channel;
    for (int64_t k = 0; k < weights_per_channel; k++) row[k] = (float)((double)row[k] * scale);
    bias[o] = (float)(((double)bias[o] - (double)mean[o]) * scale + (beta != NULL ? (double)beta[o] : 0.0));
  }
  return tsr_status_success;
}

/* ---- batch norm, training ---- */

static tsr_status tsr_norm_check_vector(const tsr_tensor* t, size_t channels, const char* where,
                                        const char* name) {
  if (t->desc.dtype != tsr_dtype_f32 || tsr_tensor_desc_elements(&t->desc) != channels ||
      t->desc.layout != tsr_layout_plain)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: %s must be %zu f32 values in the plain layout", where, name, channels);
  return tsr_status_success;
}

static tsr_status tsr_batch_norm_training_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                              const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(batch_norm_training)";
  const struct tsr_norm_op* op = (const struct tsr_norm_op*)base;
  struct tsr_norm_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data,
                               .inputs = inputs, .outputs = outputs};
  tsr_status status = tsr_norm_ncs_pair(inputs, outputs, op->channels, where, &call.g);
  if (status != tsr_status_success) return status;
  static const char* const names[] = {"inputs[1]", "inputs[2]", "outputs[1]", "outputs[2]",
                                      "outputs[3]", "outputs[4]"};
  const tsr_tensor* vectors[] = {&inputs[1], &inputs[2], &outputs[1], &outputs[2], &outputs[3], &outputs[4]};
  for (size_t v = 0; v < 6; v++)
    if ((status = tsr_norm_check_vector(vectors[v], op->channels, where, names[v])) != tsr_status_success)
      return status;
  if (call.g.n * call.g.s < 2)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: each channel has 1 value; training needs at least 2 for a variance", where);
  const size_t C = op->channels;
  double* statistics = malloc(2 * C * sizeof(double)); /* the batch's mean and biased variance */
  if (statistics == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  const struct tsr_batch_norm_training problem = {
      .n = call.g.n, .c = C, .s = call.g.s, .channels_last = call.g.sc == 1, .x = inputs[0].data,
      .gamma = op->gamma, .beta = op->beta, .epsilon = op->epsilon, .out = outputs[0].data,
      .colstats = op->colstats, .dx_kernel = op->dnorm_dx};
  status = tsr_batch_norm_forward_execute(&problem, statistics, statistics + C, pool, where);
  if (status != tsr_status_success) {
    free(statistics);
    return status;
  }
  /* the running statistics (the variance's unbiased, as PyTorch), then the batch's */
  const double count = (double)(call.g.n * call.g.s);
  const double keep = op->convention == tsr_momentum_pytorch ? 1.0 - op->momentum : op->momentum;
  for (size_t c = 0; c < C; c++) {
    const double mean = statistics[c], variance = statistics[C + c], unbiased = variance * count / (count - 1.0);
    const float old_mean = ((const float*)inputs[1].data)[c], old_variance = ((const float*)inputs[2].data)[c];
    ((float*)outputs[1].data)[c] = (float)(keep * old_mean + (1.0 - keep) * mean);
    ((float*)outputs[2].data)[c] = (float)(keep * old_variance + (1.0 - keep) * unbiased);
    ((float*)outputs[3].data)[c] = (float)mean;
    ((float*)outputs[4].data)[c] = (float)variance;
  }
  free(statistics);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_batch_norm_training_vtable = {
    .run = tsr_batch_norm_training_run, .release = tsr_norm_release, .num_inputs = 3, .num_outputs = 5};

tsr_status tsr_batch_norm_training_create(int64_t channels, const float* gamma, const float* beta,
                                          float epsilon, float momentum,
                                          tsr_momentum_convention convention, tsr_op** op) {
  static const char where[] = "tsr_batch_norm_training_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (channels < 1 || (uint64_t)channels > SIZE_MAX / 16)
    return tsr_error(tsr_status_invalid_parameter, "%s: channels is %lld; must be at least 1",
                     where, (long long)channels);
  if (!(momentum >= 0.0f && momentum <= 1.0f))
    return tsr_error(tsr_status_invalid_parameter, "%s: momentum is %g; must be in [0, 1]", where,
                     (double)momentum);
  if (convention != tsr_momentum_pytorch && convention != tsr_momentum_keras)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: convention %d is not a tsr_momentum_convention", where, (int)convention);
  tsr_status status = tsr_norm_check_epsilon(epsilon, where);
  if (status != tsr_status_success) return status;
  struct tsr_norm_op* created = tsr_norm_alloc(tsr_op_kind_batch_norm_training,
                                               &tsr_batch_norm_training_vtable, (size_t)channels,
                                               gamma, beta, epsilon);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->channels = (size_t)channels;
  created->momentum = momentum;
  created->convention = convention;
  const struct tsr_ukernel_entry* colstats =
      tsr_ukernel_pick(tsr_f32_colstats_ukernels, tsr_f32_colstats_ukernel_count);
  const struct tsr_ukernel_entry* dnorm_dx = tsr_ukernel_pick(tsr_f32_dnorm_dx_ukernels, tsr_f32_dnorm_ukernel_count);
  created->colstats = (tsr_f32_colstats_ukernel_fn)colstats->function;
  created->dnorm_dx = (tsr_f32_dnorm_dx_ukernel_fn)dnorm_dx->function;
  snprintf(created->base.description, sizeof(created->base.description),
           "batch_norm_training:c%lld eps=%g momentum=%g(%s) impl=%s+%s isa=%s", (long long)channels,
           (double)epsilon, (double)momentum, convention == tsr_momentum_pytorch ? "pytorch" : "keras",
           colstats->name, dnorm_dx->name, tsr_isa_name(colstats->isa));
  *op = &created->base;
  return tsr_status_success;
}

/* ---- group and instance norm ---- */

static tsr_status tsr_group_norm_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                     const tsr_tensor* outputs, tsr_threadpool* pool) {
  const struct tsr_norm_op* op = (const struct tsr_norm_op*)base;
  struct tsr_norm_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data};
  const tsr_status status = tsr_norm_ncs_pair(inputs, outputs, op->channels, "tsr_op_run(group_norm)", &call.g);
  if (status != tsr_status_success) return status;
  /* Streaming stores from memory, as batch norm: y is not read again here */
  const size_t touched = tsr_tensor_desc_bytes(&inputs[0].desc) + tsr_tensor_desc_bytes(&outputs[0].desc);
  const bool from_memory = tsr_cpu_from_memory(touched);
  call.affine = from_memory ? op->affine_streaming : op->affine_kernel;
  if (call.g.sc != 1 || call.g.s == 1) {
    tsr_parallelize_2d(pool, tsr_group_norm_group_nchw, &call, call.g.n, op->groups);
    return tsr_status_success;
  }
  /* NHWC: a group is strided there; its statistics come per channel (group-norm-nhwc.c) */
  const struct tsr_group_norm_nhwc nhwc = {.batch = call.g.n, .pixels = call.g.s, .channels = op->channels,
                                           .groups = op->groups, .gamma = op->gamma, .beta = op->beta,
                                           .epsilon = op->epsilon, .colstats = op->colstats,
                                           .colstats_blocked = op->colstats_blocked,
                                           .affine = call.affine, .from_memory = from_memory};
  return tsr_group_norm_nhwc_run(&nhwc, call.x, call.y, pool);
}

static const struct tsr_op_vtable tsr_group_norm_vtable = {
    .run = tsr_group_norm_run, .release = tsr_norm_release, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_group_norm_create(int64_t channels, int64_t groups, const float* gamma,
                                 const float* beta, float epsilon, tsr_op** op) {
  static const char where[] = "tsr_group_norm_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (channels < 1 || (uint64_t)channels > SIZE_MAX / 16)
    return tsr_error(tsr_status_invalid_parameter, "%s: channels is %lld; must be at least 1",
                     where, (long long)channels);
  if (groups < 1 || channels % groups != 0)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: groups is %lld; must be at least 1 and divide channels (%lld)", where,
                     (long long)groups, (long long)channels);
  tsr_status status = tsr_norm_check_epsilon(epsilon, where);
  if (status != tsr_status_success) return status;
  struct tsr_norm_op* created = tsr_norm_alloc(tsr_op_kind_group_norm, &tsr_group_norm_vtable,
                                               (size_t)channels, gamma, beta, epsilon);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->channels = (size_t)channels;
  created->groups = (size_t)groups;
  const struct tsr_ukernel_entry* statistics =
      tsr_ukernel_pick(tsr_f32_lnorm_statistics_ukernels, tsr_f32_lnorm_ukernel_count);
  created->group_statistics = (tsr_f32_lnorm_statistics_fn)statistics->function;
  created->colstats = (tsr_f32_colstats_ukernel_fn)tsr_ukernel_pick(tsr_f32_colstats_ukernels,
                                                                    tsr_f32_colstats_ukernel_count)->function;
  created->colstats_blocked = (tsr_f32_colstats_ukernel_fn)tsr_ukernel_pick(tsr_f32_colstats_blocked_ukernels,
                                                                            tsr_f32_colstats_ukernel_count)->function;
  created->affine_kernel = tsr_norm_pick_affine();
  created->affine_streaming = tsr_norm_pick_affine_from(tsr_f32_vaffine_nt_ukernels, tsr_f32_vaffine_nt_ukernel_count);
  snprintf(created->base.description, sizeof(created->base.description),
           "%s:c%lld g%lld eps=%g impl=%s+%s isa=%s",
           groups == channels ? "instance_norm" : "group_norm", (long long)channels, (long long)groups,
           (double)epsilon, statistics->name, created->affine_kernel->broadcast_name, tsr_isa_name(statistics->isa));
  *op = &created->base;
  return tsr_status_success;
}

tsr_status tsr_instance_norm_create(int64_t channels, const float* gamma, const float* beta,
                                    float epsilon, tsr_op** op) {
  return tsr_group_norm_create(channels, channels, gamma, beta, epsilon, op);
}

/* ---- backward ---- */

static tsr_status tsr_layer_norm_backward_run(const tsr_op* base, const tsr_tensor* inputs,
                                              size_t num_outputs, const tsr_tensor* outputs,
                                              tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(layer_norm_backward)";
  const struct tsr_norm_op* op = (const struct tsr_norm_op*)base;
  const tsr_tensor* alike[] = {&inputs[0], &inputs[1], &outputs[0]};
  static const char* const names[] = {"inputs[0] (x)", "inputs[1] (dy)", "outputs[0] (dx)"};
  tsr_status status = tsr_tensors_check_alike(where, 3, alike, names);
  if (status != tsr_status_success) return status;
  const tsr_tensor_desc* x = &inputs[0].desc;
  const int32_t k = op->normalized_ndims;
  if (x->layout != tsr_layout_plain || x->ndims < k)
    return tsr_error(tsr_status_invalid_parameter, "%s: x must be plain with at least %d dims", where, (int)k);
  for (int32_t d = 0; d < k; d++)
    if (x->dims[x->ndims - k + d] != op->normalized_shape[d])
      return tsr_error(tsr_status_invalid_parameter, "%s: x's last dims must be normalized_shape", where);
  for (size_t o = 1; o < num_outputs; o++)
    if (tsr_tensor_desc_elements(&outputs[o].desc) != op->normalized_size || outputs[o].desc.dtype != tsr_dtype_f32)
      return tsr_error(tsr_status_invalid_parameter, "%s: outputs[%zu] must be %zu f32 values", where,
                       o, op->normalized_size);
  const struct tsr_layer_norm_backward problem = {
      .rows = tsr_tensor_desc_elements(x) / op->normalized_size, .length = op->normalized_size,
      .x = inputs[0].data, .dy = inputs[1].data, .gamma = op->gamma != NULL ? op->gamma : op->unit_affine,
      .epsilon = op->epsilon, .dx = outputs[0].data, .dgamma = num_outputs > 1 ? outputs[1].data : NULL,
      .dbeta = num_outputs > 2 ? outputs[2].data : NULL, .sums = op->dlnorm,
      .dx_kernel = op->dlnorm_dx};
  return tsr_layer_norm_backward_execute(&problem, pool, where);
}

static const struct tsr_op_vtable tsr_layer_norm_backward_vtable = {
    .run = tsr_layer_norm_backward_run, .release = tsr_norm_release, .num_inputs = 2,
    .num_outputs = 3, .min_outputs = 1};

tsr_status tsr_layer_norm_backward_create(int32_t normalized_ndims, const int64_t* normalized_shape,
                                          const float* gamma, float epsilon, tsr_op** op) {
  if (op == NULL)
    return tsr_error(tsr_status_invalid_parameter, "tsr_layer_norm_backward_create: op is NULL");
  tsr_op* forward = NULL;
  const tsr_status status =
      tsr_layer_norm_create(normalized_ndims, normalized_shape, gamma, NULL, epsilon, &forward);
  if (status != tsr_status_success) return status;
  /* Same state as the forward op (its unit_affine holds the ones a layer without gamma uses);
   * the kind, the vtable and the kernels differ. */
  forward->kind = tsr_op_kind_layer_norm_backward;
  forward->vtable = &tsr_layer_norm_backward_vtable;
  struct tsr_norm_op* created = (struct tsr_norm_op*)forward;
  const struct tsr_ukernel_entry* dlnorm = tsr_ukernel_pick(tsr_f32_dlnorm_ukernels, tsr_f32_dlnorm_ukernel_count);
  created->dlnorm = (tsr_f32_dlnorm_ukernel_fn)dlnorm->function;
  created->dlnorm_dx =
      (tsr_f32_dlnorm_dx_ukernel_fn)tsr_f32_dlnorm_dx_ukernels[dlnorm - tsr_f32_dlnorm_ukernels].function;
  snprintf(forward->description, sizeof(forward->description),
           "layer_norm_backward:last%d(%zu) eps=%g impl=%s isa=%s", (int)normalized_ndims, created->normalized_size,
           (double)epsilon, dlnorm->name, tsr_isa_name(dlnorm->isa));
  *op = forward;
  return tsr_status_success;
}

static tsr_status tsr_batch_norm_backward_run(const tsr_op* base, const tsr_tensor* inputs,
                                              size_t num_outputs, const tsr_tensor* outputs,
                                              tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(batch_norm_backward)";
  const struct tsr_norm_op* op = (const struct tsr_norm_op*)base;
  struct tsr_norm_call call = {.op = op, .x = inputs[0].data, .y = outputs[0].data, .inputs = inputs};
  tsr_status status = tsr_norm_ncs_pair(inputs, outputs, op->channels, where, &call.g);
  if (status != tsr_status_success) return status;
  const tsr_tensor* alike[] = {&inputs[0], &inputs[1]};
  static const char* const names[] = {"inputs[0] (x)", "inputs[1] (dy)"};
  if ((status = tsr_tensors_check_alike(where, 2, alike, names))) return status;
  static const char* const vector_names[] = {"inputs[2]", "inputs[3]", "outputs[1]", "outputs[2]"};
  const tsr_tensor* vectors[] = {&inputs[2], &inputs[3], num_outputs > 1 ? &outputs[1] : NULL,
                                 num_outputs > 2 ? &outputs[2] : NULL};
  for (size_t v = 0; v < 4; v++)
    if (vectors[v] != NULL &&
        (status = tsr_norm_check_vector(vectors[v], op->channels, where, vector_names[v])))
      return status;
  const struct tsr_batch_norm_training problem = {
      .n = call.g.n, .c = call.g.c, .s = call.g.s, .channels_last = call.g.sc == 1, .x = inputs[0].data,
      .dy = inputs[1].data, .mean = inputs[2].data, .variance = inputs[3].data, .gamma = op->gamma,
      .epsilon = op->epsilon, .out = outputs[0].data, .dgamma = num_outputs > 1 ? outputs[1].data : NULL,
      .dbeta = num_outputs > 2 ? outputs[2].data : NULL, .sums = op->dnorm, .dx_kernel = op->dnorm_dx};
  return tsr_batch_norm_backward_execute(&problem, pool, where);
}

static const struct tsr_op_vtable tsr_batch_norm_backward_vtable = {
    .run = tsr_batch_norm_backward_run, .release = tsr_norm_release, .num_inputs = 4,
    .num_outputs = 3, .min_outputs = 1};

tsr_status tsr_batch_norm_backward_create(int64_t channels, const float* gamma, float epsilon,
                                          tsr_op** op) {
  static const char where[] = "tsr_batch_norm_backward_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (channels < 1 || (uint64_t)channels > SIZE_MAX / 16)
    return tsr_error(tsr_status_invalid_parameter, "%s: channels is %lld; must be at least 1",
                     where, (long long)channels);
  tsr_status status = tsr_norm_check_epsilon(epsilon, where);
  if (status != tsr_status_success) return status;
  struct tsr_norm_op* created = tsr_norm_alloc(tsr_op_kind_batch_norm_backward,
                                               &tsr_batch_norm_backward_vtable, (size_t)channels,
                                               gamma, NULL, epsilon);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->channels = (size_t)channels;
  const struct tsr_ukernel_entry* dnorm = tsr_ukernel_pick(tsr_f32_dnorm_ukernels, tsr_f32_dnorm_ukernel_count);
  created->dnorm = (tsr_f32_dnorm_ukernel_fn)dnorm->function;
  created->dnorm_dx = (tsr_f32_dnorm_dx_ukernel_fn)tsr_f32_dnorm_dx_ukernels[dnorm - tsr_f32_dnorm_ukernels].function;
  snprintf(created->base.description, sizeof(created->base.description),
           "batch_norm_backward:c%lld eps=%g impl=%s isa=%s", (long long)channels, (double)epsilon, dnorm->name,
           tsr_isa_name(dnorm->isa));
  *op = &created->base;
  return tsr_status_success;
}
