#include "engine/missed-tasks.h"

#include <stdlib.h>
#include <string.h>

bool tsr_missed_tasks_begin(struct tsr_missed_tasks* tasks, size_t count, void* (*scratch)(size_t), size_t bytes) {
  tasks->count = count;
  tasks->missed = count <= TSR_MISSED_TASKS_LOCAL ? tasks->local : calloc(count, 1);
  if (tasks->missed == NULL) return false;
  if (tasks->missed == tasks->local) memset(tasks->local, 0, count);
  if (bytes == 0 || scratch(bytes) != NULL) return true;
  if (tasks->missed != tasks->local) free(tasks->missed);
  return false;
}

bool tsr_missed_tasks_finish(struct tsr_missed_tasks* tasks, void (*run)(void* context, size_t task), void* context) {
  bool complete = true;
  for (size_t t = 0; t < tasks->count && complete; t++) {
    if (!tasks->missed[t]) continue;
    tasks->missed[t] = 0;
    run(context, t);
    complete = !tasks->missed[t];
  }
  if (tasks->missed != tasks->local) free(tasks->missed);
  return complete;
}
