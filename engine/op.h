/* The op object every layer builds on: a header with a kind and a vtable, embedded first in
 * each layer's own struct. */
#ifndef TSR_ENGINE_OP_H
#define TSR_ENGINE_OP_H

#include "tessera.h"

struct tsr_op_vtable {
  /// Validates the tensors for this op and runs it. Called by tsr_op_run() after the generic
  /// checks (op valid, counts match, every tensor given well-formed with non-NULL data).
  tsr_status (*run)(const tsr_op* op, const tsr_tensor* inputs, size_t num_outputs,
                    const tsr_tensor* outputs, tsr_threadpool* pool);
  /// Frees what the layer owns beyond the op struct itself.
  void (*release)(tsr_op* op);
  size_t num_inputs;
  size_t num_outputs;
  /* the trailing inputs past this many are optional; 0: all required. run() always sees
   * num_inputs tensors: absent ones are zeroed (data NULL, ndims 0) */
  size_t min_inputs;
  size_t min_outputs; /* the trailing outputs past this many are optional; 0: all required */
};

/* The most inputs an op with optional inputs may take. */
#define TSR_OP_MAX_INPUTS 8

#define TSR_OP_MAGIC 0x7E55E7A0u

struct tsr_op {
  uint32_t magic; /* TSR_OP_MAGIC while alive: catches a pointer that is not an op */
  tsr_op_kind kind;
  const struct tsr_op_vtable* vtable;
  char description[160];
};

/// Allocates a zeroed op of `size` bytes (the layer's struct, with struct tsr_op first) and
/// fills the header. NULL when out of memory.
tsr_op* tsr_op_alloc(size_t size, tsr_op_kind kind, const struct tsr_op_vtable* vtable);

/// Runs `op` on x viewed as [rows, in_cols] into y viewed as [rows, out_cols] (both f32 plain):
/// how composite layers run the dense, norm and dropout ops they hold on their buffers.
tsr_status tsr_op_run_rows(const tsr_op* op, size_t rows, size_t in_cols, const float* x,
                           size_t out_cols, float* y, tsr_threadpool* pool);

#endif
