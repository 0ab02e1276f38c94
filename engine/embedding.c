/* Embedding lookup: every index is checked first, then rows are copied, split over the pool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "threadpool/threadpool.h"

struct tsr_embedding_op {
  struct tsr_op base;
  size_t count, dim;
  int64_t padding_index;
  float* weights;
};

struct tsr_embedding_call {
  const struct tsr_embedding_op* op;
  const int32_t* indices;
  float* y;
};

static void tsr_embedding_rows(void* context, size_t thread, size_t start, size_t rows) {
  (void)thread;
  const struct tsr_embedding_call* call = context;
  const size_t dim = call->op->dim;
  for (size_t r = start; r < start + rows; r++) {
    const int32_t index = call->indices[r];
    if (index == call->op->padding_index) memset(call->y + r * dim, 0, dim * sizeof(float));
    else memcpy(call->y + r * dim, call->op->weights + (size_t)index * dim, dim * sizeof(float));
  }
}

static tsr_status tsr_embedding_run(const tsr_op* base, const tsr_tensor* inputs, size_t num_outputs,
                                    const tsr_tensor* outputs, tsr_threadpool* pool) {
  static const char where[] = "tsr_op_run(embedding)";
  const struct tsr_embedding_op* op = (const struct tsr_embedding_op*)base;
  const tsr_tensor_desc* i = &inputs[0].desc;
  const tsr_tensor_desc* y = &outputs[0].desc;
  if (i->dtype != tsr_dtype_s32 || i->layout != tsr_layout_plain)
    return tsr_error(tsr_status_invalid_parameter, "%s: inputs[0] must be s32 indices, plain", where);
  if (y->dtype != tsr_dtype_f32 || y->layout != tsr_layout_plain || y->ndims != i->ndims + 1 ||
      (size_t)y->dims[y->ndims - 1] != op->dim ||
      memcmp(y->dims, i->dims, sizeof(int64_t) * (size_t)i->ndims) != 0)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: outputs[0] must be f32, plain, with the indices' dims and a last dim of %zu",
                     where, op->dim);
  const size_t n = tsr_tensor_desc_elements(i);
  const int32_t* indices = inputs[0].data;
  for (size_t r = 0; r < n; r++)
    if (indices[r] < 0 || (size_t)indices[r] >= op->count)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: inputs[0] element %zu is %d; indices must be in [0, %zu)", where, r,
                       (int)indices[r], op->count);
  struct tsr_embedding_call call = {op, indices, outputs[0].data};
  tsr_parallelize_1d_tile_1d(pool, tsr_embedding_rows, &call, n, 64);
  return tsr_status_success;
}

static void tsr_embedding_release(tsr_op* base) { free(((struct tsr_embedding_op*)base)->weights); }

static const struct tsr_op_vtable tsr_embedding_vtable = {
    .run = tsr_embedding_run, .release = tsr_embedding_release, .num_inputs = 1, .num_outputs = 1};

tsr_status tsr_embedding_create(int64_t num_embeddings, int64_t dim, const float* weights,
                                int64_t padding_index, tsr_op** op) {
  static const char where[] = "tsr_embedding_create";
  if (op == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: op is NULL", where);
  if (weights == NULL) return tsr_error(tsr_status_invalid_parameter, "%s: weights is NULL", where);
  if (num_embeddings < 1 || num_embeddings > INT32_MAX)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: num_embeddings is %lld; must be 1 to 2^31-1 (indices are s32)", where,
                     (long long)num_embeddings);
  if (dim < 1) return tsr_error(tsr_status_invalid_parameter, "%s: dim is %lld; must be at least 1", where, (long long)dim);
  size_t count;
  if (!tsr_mul_size((size_t)num_embeddings, (size_t)dim, &count) || count > SIZE_MAX / sizeof(float))
    return tsr_error(tsr_status_invalid_parameter, "%s: num_embeddings x dim overflows", where);
  if (padding_index < -1 || padding_index >= num_embeddings)
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: padding_index is %lld; must be -1 (none) or in [0, %lld)", where,
                     (long long)padding_index, (long long)num_embeddings);
  struct tsr_embedding_op* created = (struct tsr_embedding_op*)tsr_op_alloc(
      sizeof(struct tsr_embedding_op), tsr_op_kind_embedding, &tsr_embedding_vtable);
  float* copy = malloc(count * sizeof(float));
  if (created == NULL || copy == NULL) {
    free(copy);
    tsr_op_destroy(created ? &created->base : NULL);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory", where);
  }
  memcpy(copy, weights, count * sizeof(float));
  created->weights = copy;
  created->count = (size_t)num_embeddings;
  created->dim = (size_t)dim;
  created->padding_index = padding_index;
  snprintf(created->base.description, sizeof(created->base.description),
           "embedding:%lldx%lld padding=%lld", (long long)num_embeddings, (long long)dim,
           (long long)padding_index);
  *op = &created->base;
  return tsr_status_success;
}
