/* TESSERA_VERBOSE=1: one line on stderr per tsr_op_run, naming the op's chosen kernel (its
 * description), the first input's and output's shapes, the status and the time, as
 * ONEDNN_VERBOSE does for primitives. Read once per process. */
#ifndef TSR_ENGINE_VERBOSE_H
#define TSR_ENGINE_VERBOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "tessera.h"

/// Whether TESSERA_VERBOSE was set to 1 (or a larger level) when first asked.
bool tsr_verbose_enabled(void);

/// Monotonic time in milliseconds.
double tsr_verbose_now_ms(void);

/// Prints "tessera_verbose,exec,<description>,src:<dims>:<layout>,dst:<dims>:<layout>,<status>,<ms>".
void tsr_verbose_exec(const tsr_op* op, size_t num_inputs, const tsr_tensor* inputs, size_t num_outputs,
                      const tsr_tensor* outputs, tsr_status status, double milliseconds);

#endif
