/* Per-thread scratch memory for kernels' packing buffers: grown on demand, kept for the thread's
 * life, so steady-state runs allocate nothing (an mmap'd block per call cost page faults on every
 * GEMM). A thread's buffer is freed when the thread exits. */
#ifndef TSR_ENGINE_SCRATCH_H
#define TSR_ENGINE_SCRATCH_H

#include <stddef.h>

/// A 64-byte-aligned buffer of at least `bytes` bytes owned by the calling thread, valid until
/// this thread's next call; NULL if out of memory. The contents are not preserved when it
/// grows. Callers must not hold it across a call that may use it too (no kernel does).
void* tsr_thread_scratch(size_t bytes);

/// A second buffer of the calling thread, as tsr_thread_scratch but separate from it: for tasks
/// of a parallel call whose caller may be holding its tsr_thread_scratch buffer (the caller
/// runs tasks too), as the NCHW convolution path does around the NHWC algorithms.
void* tsr_thread_task_scratch(size_t bytes);

/// Tests only: makes tsr_thread_scratch and tsr_thread_task_scratch fail, to check that ops fail
/// cleanly or recover.
enum tsr_scratch_failure {
  tsr_scratch_failure_none,     ///< normal
  tsr_scratch_failure_in_tasks, ///< NULL when called from inside a thread-pool task
  tsr_scratch_failure_always,   ///< NULL on every call
};
void tsr_scratch_set_failure_for_tests(enum tsr_scratch_failure mode);

#endif
