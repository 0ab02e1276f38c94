/* Parallel calls whose tasks take per-thread scratch, made all or nothing. A worker thread may
 * fail to get its scratch in the middle of a call, after other tasks have written their part of
 * the output; the op would then return out of memory with the output half written. Instead the
 * calling thread reserves its own scratch before the call (failing there, nothing written), a
 * task that finds none on its thread records itself and writes nothing, and the caller runs the
 * recorded tasks after the call on its reserved buffer. The Winograd convolution, the GEMM
 * engine and fused attention work this way. */
#ifndef TSR_ENGINE_MISSED_TASKS_H
#define TSR_ENGINE_MISSED_TASKS_H

#include <stdbool.h>
#include <stddef.h>

#define TSR_MISSED_TASKS_LOCAL 256

struct tsr_missed_tasks {
  unsigned char* missed; /* a byte a task, 1 once it found no scratch: each task writes only its own */
  size_t count;
  unsigned char local[TSR_MISSED_TASKS_LOCAL]; /* the bytes of calls of few tasks (no allocation) */
};

/// Before a parallel call of `count` tasks that each take `bytes` from `scratch`
/// (tsr_thread_scratch or tsr_thread_task_scratch; 0 bytes: none): reserves the calling thread's buffer and
/// the record. False when either fails (nothing to release): report out of memory, nothing
/// written yet.
bool tsr_missed_tasks_begin(struct tsr_missed_tasks* tasks, size_t count, void* (*scratch)(size_t), size_t bytes);

/// Task `task` found no scratch on its thread and wrote nothing.
static inline void tsr_missed_tasks_mark(struct tsr_missed_tasks* tasks, size_t task) { tasks->missed[task] = 1; }

/// After the parallel call: runs each recorded task on the calling thread, `run(context, task)`,
/// and releases the record. False if a task missed again, which the reservation rules out
/// unless the caller's scratch was taken by something else in between.
bool tsr_missed_tasks_finish(struct tsr_missed_tasks* tasks, void (*run)(void* context, size_t task), void* context);

#endif
