/* Softmax cross-entropy with integer labels, mean reduction: the loss and its gradient with
 * respect to the logits in one pass over each sample's row (log-sum-exp in double). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/error.h"
#include "engine/op.h"
#include "engine/tensor.h"

static tsr_status tsr_cross_entropy_run(const tsr_op* base, const tsr_tensor* inputs,
                                        size_t num_outputs, const tsr_tensor* outputs,
                                        tsr_threadpool* pool) {
  (void)base, (void)pool;
  static const char where[] = "tsr_op_run(softmax_cross_entropy)";
  const tsr_tensor_desc* logits = &inputs[0].desc;
  const tsr_tensor_desc* labels = &inputs[1].desc;
  if (logits->dtype != tsr_dtype_f32 || logits->layout != tsr_layout_plain)
    return tsr_error(tsr_status_invalid_parameter, "%s: inputs[0] (logits) must be f32, plain", where);
  if (labels->dtype != tsr_dtype_s32 || labels->layout != tsr_layout_plain)
    return tsr_error(tsr_status_invalid_parameter, "%s: inputs[1] (labels) must be s32, plain", where);
  const int32_t lead = logits->ndims - 1;
  const bool scalar_labels = lead == 0 && labels->ndims == 1 && labels->dims[0] == 1;
  if (!scalar_labels && (labels->ndims != lead || memcmp(labels->dims, logits->dims, sizeof(int64_t) * (size_t)lead) != 0))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: inputs[1] (labels) must have the logits' leading dims", where);
  if (outputs[0].desc.dtype != tsr_dtype_f32 || tsr_tensor_desc_elements(&outputs[0].desc) != 1)
    return tsr_error(tsr_status_invalid_parameter, "%s: outputs[0] (loss) must be 1 f32 value", where);
  if (num_outputs > 1 && (!tsr_tensor_desc_same_shape(&outputs[1].desc, logits) ||
                          outputs[1].desc.layout != tsr_layout_plain))
    return tsr_error(tsr_status_invalid_parameter,
                     "%s: outputs[1] (grad) must have the logits' dims, f32, plain", where);
  const size_t classes = (size_t)logits->dims[lead];
  const size_t samples = tsr_tensor_desc_elements(logits) / classes;
  const float* x = inputs[0].data;
  const int32_t* label = inputs[1].data;
  for (size_t n = 0; n < samples; n++)
    if (label[n] < 0 || (size_t)label[n] >= classes)
      return tsr_error(tsr_status_invalid_parameter,
                       "%s: inputs[1] (labels) element %zu is %d; labels must be in [0, %zu)",
                       where, n, (int)label[n], classes);
  float* grad = num_outputs > 1 ? outputs[1].data : NULL;
  double total = 0.0;
  for (size_t n = 0; n < samples; n++) {
    const float* row = x + n * classes;
    double max = -INFINITY;
    for (size_t c = 0; c < classes; c++)
      if (isnan(row[c]) || row[c] > max) max = row[c];
    double sum = 0.0;
    for (size_t c = 0; c < classes; c++) sum += exp((double)row[c] - max);
    const double log_sum = max + log(sum);
    total += log_sum - (double)row[label[n]];
    if (grad != NULL)
      for (size_t c = 0; c < classes; c++)
        grad[n * classes + c] =
            (float)((exp((double)row[c] - log_sum) - (c == (size_t)label[n] ? 1.0 : 0.0)) / (double)samples);
  }
  *(float*)outputs[0].data = (float)(total / (double)samples);
  return tsr_status_success;
}

static const struct tsr_op_vtable tsr_cross_entropy_vtable = {
    .run = tsr_cross_entropy_run, .num_inputs = 2, .num_outputs = 2, .min_outputs = 1};

tsr_status tsr_softmax_cross_entropy_create(tsr_op** op) {
  if (op == NULL)
    return tsr_error(tsr_status_invalid_parameter, "tsr_softmax_cross_entropy_create: op is NULL");
  tsr_op* created = tsr_op_alloc(sizeof(tsr_op), tsr_op_kind_softmax_cross_entropy, &tsr_cross_entropy_vtable);
  if (created == NULL)
    return tsr_error(tsr_status_out_of_memory, "tsr_softmax_cross_entropy_create: out of memory");
  snprintf(created->description, sizeof(created->description),
           "softmax_cross_entropy:mean impl=rows_f64 isa=scalar");
  *op = created;
  return tsr_status_success;
}
