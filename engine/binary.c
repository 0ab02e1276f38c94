/* The elementwise binary op with NumPy broadcasting (tsr_binary_create). At each run the three
 * tensors' dims and strides are folded into one loop nest in y's memory order: size-1 dims of y
 * dropped, the rest sorted by y's stride and merged wherever y, a and b all continue contiguously,
 * so that the innermost run is as long as the broadcast allows. Each run of that nest is one
 * f32-vbinary call: both operands stepping (vop), one of them a broadcast value (vopc / vropc),
 * or an operand that steps by more than one element (a layout mix), gathered first in chunks.
 * The work is split into about four tiles per thread: whole runs grouped when runs are short,
 * pieces of one run when they are long. A fused ReLU or clamp runs in the kernel's store; any
 * other activation follows every 4 KiB of y, in L1. Blocked layouts take one flat run over the whole span, padding zeroed afterwards. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/activation.h"
#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "kernels/f32-vbinary/f32-vbinary.h"
#include "threadpool/threadpool.h"

struct tsr_binary_op {
  struct tsr_op base;
  const struct tsr_f32_vbinary_entry* kernel;
  const struct tsr_f32_vbinary_entry* kernel_streaming; /* the same op storing around the caches */
  struct tsr_f32_minmax_params clamp; /* none, ReLU and clamp run in the kernel's store */
  bool activate;                       /* any other activation: a pass over each chunk of y */
  struct tsr_activation_impl activation;
};

/* Elements of y per task: about four tasks per thread (tsr_parallel_tile; few, large tasks keep
 * each thread on a contiguous stretch, which the hardware prefetchers follow: 16 KiB tiles handed
 * out one by one ran 2 threads no faster than 1 on a 2.4 MB problem), but at least this many.
 * Whole runs are grouped up to the tile, longer runs cut to it. */
#define TSR_BINARY_MIN_TILE 4096
/* Elements of y between fused activation passes: a, b and y's chunks stay in L1. */
#define TSR_BINARY_CHUNK 1024
/* Runs at least this long may use the streaming-store kernels (see tsr_binary_run). */
#define TSR_BINARY_STREAM_MIN_RUN 4096
/* Elements gathered at a time from an operand that steps by more than one element. */
#define TSR_BINARY_GATHER 256

/* A run's loop nest: `rows` runs of n elements, contiguous in y; the outer dims (outermost
 * first) locate each run's start in a, b and y. a_step and b_step are the operands' strides
 * along the run: 0 (broadcast), 1, or more (gathered). */
struct tsr_binary_plan {
  const struct tsr_binary_op* op;
  const struct tsr_f32_vbinary_entry* kernel; /* op->kernel, or its streaming twin (tsr_binary_run) */
  const float* a;
  const float* b;
  float* y;
  size_t n, a_step, b_step, rows, tile;
  int outer;
  size_t dims[TSR_MAX_DIMS], a_strides[TSR_MAX_DIMS], b_strides[TSR_MAX_DIMS], y_strides[TSR_MAX_DIMS];
};

/* y[i] = a[i or 0] op b[i or 0] for i < n, on the kernel form that fits. */
static void tsr_binary_call(const struct tsr_binary_plan* p, size_t n, const float* a, bool a_varies,
                            const float* b, bool b_varies, float* y) {
  const struct tsr_binary_op* op = p->op;
  const struct tsr_f32_vbinary_entry* k = p->kernel;
  if (a_varies && b_varies) k->vop(n, a, b, y, &op->clamp);
  else if (a_varies) k->vopc(n, a, b, y, &op->clamp);
  else if (b_varies) k->vropc(n, b, a, y, &op->clamp);
  else {
    /* two single elements over a longer run: only a blocked y's padded block */
    k->vopc(1, a, b, y, &op->clamp);
    for (size_t i = 1; i < n; i++) y[i] = y[0];
  }
}

/* One stretch of a run: count elements from a, b and y as given, steps from the plan. */
static void tsr_binary_stretch(const struct tsr_binary_plan* p, const float* a, const float* b, float* y,
                               size_t count) {
  if (p->a_step <= 1 && p->b_step <= 1) {
    tsr_binary_call(p, count, a, p->a_step == 1, b, p->b_step == 1, y);
    return;
  }
  float a_chunk[TSR_BINARY_GATHER], b_chunk[TSR_BINARY_GATHER];
  for (size_t j = 0; j < count; j += TSR_BINARY_GATHER) {
    const size_t m = count - j < TSR_BINARY_GATHER ? count - j : TSR_BINARY_GATHER;
    const float* aj = a + j * p->a_step;
    const float* bj = b + j * p->b_step;
    if (p->a_step > 1) {
      for (size_t i = 0; i < m; i++) a_chunk[i] = aj[i * p->a_step];
      aj = a_chunk;
    }
    if (p->b_step > 1) {
      for (size_t i = 0; i < m; i++) b_chunk[i] = bj[i * p->b_step];
      bj = b_chunk;
    }
    tsr_binary_call(p, m, aj, p->a_step != 0, bj, p->b_step != 0, y + j);
  }
}

/* Runs [row, row + count), elements [col, col + cols) of each. A fused activation follows
 * every TSR_BINARY_CHUNK elements of y or so, while they are still in L1: y is dense and the nest
 * is in its memory order, so what the runs wrote since the last activation is contiguous. */
static void tsr_binary_rows(const struct tsr_binary_plan* p, size_t row, size_t count, size_t col, size_t cols) {
  size_t index[TSR_MAX_DIMS], a_off = 0, b_off = 0, y_off = 0, rest = row;
  for (int d = p->outer - 1; d >= 0; d--) {
    index[d] = rest % p->dims[d];
    rest /= p->dims[d];
    a_off += index[d] * p->a_strides[d], b_off += index[d] * p->b_strides[d], y_off += index[d] * p->y_strides[d];
  }
  const size_t chunk = p->op->activate ? TSR_BINARY_CHUNK : cols;
  float* pending = p->y + y_off + col; /* written, not yet activated */
  size_t pending_count = 0;
  for (size_t r = 0; r < count; r++) {
    for (size_t j = col; j < col + cols; j += chunk) {
      const size_t m = col + cols - j < chunk ? col + cols - j : chunk;
      tsr_binary_stretch(p, p->a + a_off + j * p->a_step, p->b + b_off + j * p->b_step, p->y + y_off + j, m);
      pending_count += m;
      if (p->op->activate && pending_count >= TSR_BINARY_CHUNK) {
        tsr_activation_impl_run_serial(&p->op->activation, pending_count, pending, pending);
        pending += pending_count, pending_count = 0;
      }
    }
    for (int d = p->outer - 1; d >= 0; d--) { /* the next run: odometer over the outer dims */
      a_off += p->a_strides[d], b_off += p->b_strides[d], y_off += p->y_strides[d];
      if (++index[d] < p->dims[d]) break;
      a_off -= p->dims[d] * p->a_strides[d], b_off -= p->dims[d] * p->b_strides[d];
      y_off -= p->dims[d] * p->y_strides[d], index[d] = 0;
    }
  }
  if (p->op->activate && pending_count > 0)
    tsr_activation_impl_run_serial(&p->op->activation, pending_count, pending, pending);
}

static void tsr_binary_row_group_task(void* context, size_t thread, size_t row, size_t count) {
  (void)thread;
  const struct tsr_binary_plan* p = context;
  tsr_binary_rows(p, row, count, 0, p->n);
}

static void tsr_binary_run_piece_task(void* context, size_t thread, size_t row, size_t col, size_t cols) {
  (void)thread;
  tsr_binary_rows(context, row, 1, col, cols);
}

/* The stride of input `t` along y's dim d (y has y_ndims dims): 0 where it broadcasts. */
static size_t tsr_binary_input_stride(const tsr_tensor_desc* t, int32_t d, int32_t y_ndims) {
  const int32_t td = d - (y_ndims - t->ndims);
  return td < 0 || t->dims[td] == 1 ? 0 : (size_t)t->strides[td];
}

/* The loop nest for plain / nhwc y: see the file comment. */
static void tsr_binary_plan_strided(struct tsr_binary_plan* p, const tsr_tensor_desc* a, const tsr_tensor_desc* b,
                                    const tsr_tensor_desc* y) {
  size_t dims[TSR_MAX_DIMS], as[TSR_MAX_DIMS], bs[TSR_MAX_DIMS], ys[TSR_MAX_DIMS];
  int count = 0;
  for (int32_t d = 0; d < y->ndims; d++) {
    if (y->dims[d] == 1) continue;
    dims[count] = (size_t)y->dims[d], ys[count] = (size_t)y->strides[d];
    as[count] = tsr_binary_input_stride(a, d, y->ndims), bs[count] = tsr_binary_input_stride(b, d, y->ndims);
    /* insertion into y's memory order, largest stride first */
    for (int i = count; i > 0 && ys[i - 1] < ys[i]; i--) {
      size_t t;
      t = dims[i], dims[i] = dims[i - 1], dims[i - 1] = t;
      t = ys[i], ys[i] = ys[i - 1], ys[i - 1] = t;
      t = as[i], as[i] = as[i - 1], as[i - 1] = t;
      t = bs[i], bs[i] = bs[i - 1], bs[i - 1] = t;
    }
    count++;
  }
  p->n = 1, p->a_step = 1, p->b_step = 1, p->outer = 0, p->rows = 1;
  if (count == 0) return; /* one element */
  /* merge outward from the innermost dim while all three tensors continue contiguously */
  int inner = count - 1;
  p->n = dims[inner], p->a_step = as[inner], p->b_step = bs[inner];
  int d = inner - 1;
  for (; d >= 0; d--) {
    if (ys[d] != p->n || as[d] != p->a_step * p->n || bs[d] != p->b_step * p->n) break;
    p->n *= dims[d];
  }
  for (int i = 0; i <= d; i++) {
    p->dims[i] = dims[i], p->a_strides[i] = as[i], p->b_strides[i] = bs[i], p->y_strides[i] = ys[i];
    p->rows *= dims[i];
  }
  p->outer = d + 1;
}

static bool tsr_binary_is_blocked(tsr_layout layout) { return tsr_layout_channel_block(layout) > 1; }

/* Dims broadcast to y's, layouts as tessera.h allows. */
static tsr_status tsr_binary_check(const tsr_tensor* inputs, const tsr_tensor_desc* y) {
  static const char where[] = "tsr_op_run(binary)";
  const tsr_tensor_desc* in[2] = {&inputs[0].desc, &inputs[1].desc};
  for (int t = 0; t < 2; t++)
    if (in[t]->dtype != tsr_dtype_f32)
      return tsr_error(tsr_status_invalid_parameter, "%s: inputs[%d] dtype must be f32", where, t);
  if (y->dtype != tsr_dtype_f32)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[0] dtype must be f32", where);
  const int32_t ndims = in[0]->ndims > in[1]->ndims ? in[0]->ndims : in[1]->ndims;
  if (y->ndims != ndims)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: outputs[0] has %d dims; inputs[0] and inputs[1] broadcast to %d", where,
                     (int)y->ndims, (int)ndims);
  for (int32_t d = 0; d < ndims; d++) {
    int64_t broadcast = 1;
    for (int t = 0; t < 2; t++) {
      const int32_t td = d - (ndims - in[t]->ndims);
      const int64_t dim = td < 0 ? 1 : in[t]->dims[td];
      if (dim != 1 && dim != y->dims[d])
        return tsr_error(tsr_status_invalid_parameter,
                         "%s: inputs[%d] dim %d is %lld, which neither is 1 nor matches outputs[0]'s %lld "
                         "(dims align from the last)", where, t, (int)td, (long long)dim, (long long)y->dims[d]);
      if (dim != 1) broadcast = dim;
    }
    if (y->dims[d] != broadcast)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: outputs[0] dim %d is %lld but inputs[0] and inputs[1] broadcast to %lld there", where,
                       (int)d, (long long)y->dims[d], (long long)broadcast);
  }
  if (y->layout == tsr_layout_strided)
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: outputs[0] must be dense (plain, nhwc or blocked), not strided", where);
  for (int t = 0; t < 2; t++) {
    if (tsr_tensor_desc_elements(in[t]) == 1) continue; /* a single value: any layout */
    if (tsr_binary_is_blocked(y->layout) && (in[t]->layout != y->layout || !tsr_tensor_desc_same_shape(in[t], y)))
      return tsr_error(tsr_status_unsupported_parameter,
                       "%s: with outputs[0] in %s, inputs[%d] must have its dims and layout or be a single "
                       "element (got %s)", where, tsr_layout_name(y->layout), t, tsr_layout_name(in[t]->layout));
    if (!tsr_binary_is_blocked(y->layout) && tsr_binary_is_blocked(in[t]->layout))
      return tsr_error(tsr_status_unsupported_parameter,
                       "%s: inputs[%d] is %s; blocked inputs need a blocked outputs[0] of their dims", where, t,
                       tsr_layout_name(in[t]->layout));
  }
  return tsr_status_success;
}

static tsr_status tsr_binary_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                 const tsr_tensor* outputs, tsr_threadpool* pool) {
  (void)num_outputs;
  const tsr_tensor_desc* y = &outputs[0].desc;
  const tsr_status status = tsr_binary_check(inputs, y);
  if (status != tsr_status_success) return status;
  struct tsr_binary_plan p;
  memset(&p, 0, sizeof(p));
  p.op = (const struct tsr_binary_op*)base;
  p.a = inputs[0].data, p.b = inputs[1].data, p.y = outputs[0].data;
  const bool blocked = tsr_binary_is_blocked(y->layout);
  if (blocked) { /* one flat run over the padded span */
    p.n = tsr_tensor_desc_bytes(y) / sizeof(float), p.rows = 1;
    p.a_step = tsr_tensor_desc_elements(&inputs[0].desc) > 1, p.b_step = tsr_tensor_desc_elements(&inputs[1].desc) > 1;
  } else {
    tsr_binary_plan_strided(&p, &inputs[0].desc, &inputs[1].desc, y);
  }
  /* Streaming stores when a, b and y work from memory (tsr_cpu_from_memory: past half the LLC), so
   * y would not stay in the cache for the next layer anyway, and the runs are long (each call
   * aligns y and fences: on NHWC squeeze-excite's 256-channel runs that cost 40-50%); not with an
   * activation pass, which re-reads y. A 32x64x56x56 residual add (77 MB in all): 1.00 ->
   * 1.51-1.56 of oneDNN on 1 thread; 8x64x56x56 (19 MB in all; the rule was the whole LLC
   * before), same process, off and on: 0.41 -> 0.25 ms (`tessera bench binary`, three runs:
   * 0.24-0.26 ms against oneDNN's 0.34-0.46). */
  const size_t touched = tsr_tensor_desc_bytes(&inputs[0].desc) + tsr_tensor_desc_bytes(&inputs[1].desc) +
                         tsr_tensor_desc_bytes(y);
  const bool streaming = !p.op->activate && p.n >= TSR_BINARY_STREAM_MIN_RUN && tsr_cpu_from_memory(touched);
  p.kernel = streaming ? p.op->kernel_streaming : p.op->kernel;
  const size_t tile = (tsr_parallel_tile(pool, p.rows * p.n, 1, TSR_BINARY_MIN_TILE) + 63) / 64 * 64;
  if (p.n >= tile) tsr_parallelize_2d_tile_1d(pool, tsr_binary_run_piece_task, &p, p.rows, p.n, tile);
  else tsr_parallelize_1d_tile_1d(pool, tsr_binary_row_group_task, &p, p.rows, tile / p.n);
  if (blocked) tsr_tensor_zero_channel_padding(y, outputs[0].data);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_binary_vtable = {
    .run = tsr_binary_run, .release = NULL, .num_inputs = 2, .num_outputs = 1};

static const char* tsr_binary_kind_name(tsr_binary_kind kind) {
  static const char* const names[] = {"add", "sub", "mul", "div", "max", "min"};
  return names[kind - 1];
}

/* The op's kernel in a list: the list is best ISA first and ends with scalar. */
static const struct tsr_f32_vbinary_entry* tsr_binary_pick(const struct tsr_f32_vbinary_entry* list, size_t count,
                                                           tsr_binary_kind kind) {
  for (size_t i = 0; i < count; i++)
    if ((int)list[i].op == (int)kind - 1 && tsr_isa_allowed(list[i].isa)) return &list[i];
  return NULL;
}

tsr_status tsr_binary_create(tsr_binary_kind kind, const tsr_activation* activation, tsr_op** op) {
  static const char where[] = "tsr_binary_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if ((int)kind < tsr_binary_add || (int)kind > tsr_binary_min)
    return tsr_error(tsr_status_invalid_parameter, "%s: kind %d is not a tsr_binary_kind (1 to 6)", where, (int)kind);
  const tsr_activation none = {tsr_activation_none, 0.0f, 0.0f};
  if (activation == NULL) activation = &none;
  const tsr_status status = tsr_activation_check(activation, "tsr_binary_create: activation");
  if (status != tsr_status_success) return status;
  const struct tsr_f32_vbinary_entry* kernel = tsr_binary_pick(tsr_f32_vbinary_ukernels, tsr_f32_vbinary_ukernel_count, kind);
  struct tsr_binary_op* created =
      (struct tsr_binary_op*)tsr_op_alloc(sizeof(struct tsr_binary_op), tsr_op_kind_binary, &tsr_binary_vtable);
  if (created == NULL) return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  created->kernel = kernel;
  created->kernel_streaming = tsr_binary_pick(tsr_f32_vbinary_nt_ukernels, tsr_f32_vbinary_nt_ukernel_count, kind);
  const bool in_kernel = tsr_activation_is_clamp(activation);
  created->clamp = tsr_activation_minmax(in_kernel ? activation : &none);
  created->activate = !in_kernel;
  tsr_activation_impl_init(&created->activation, activation);
  int used = snprintf(created->base.description, sizeof(created->base.description), "binary:%s impl=%s isa=%s",
                      tsr_binary_kind_name(kind), kernel->vop_name, tsr_isa_name(kernel->isa));
  if (activation->kind != tsr_activation_none && used > 0 && (size_t)used < sizeof(created->base.description)) {
    char name[64];
    tsr_activation_describe(activation, name, sizeof(name));
    snprintf(created->base.description + used, sizeof(created->base.description) - (size_t)used,
             " activation=%s impl=%s", name, in_kernel ? "in-kernel" : created->activation.kernel_name);
  }
  *op = &created->base;
  return tsr_status_success;
}
