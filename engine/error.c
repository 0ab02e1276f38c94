/* Status names and the thread-local detail message of the last failing call. */
#include "engine/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char tsr_error_message[512];

const char* tsr_status_string(tsr_status status) {
  switch (status) {
    case tsr_status_success: return "success";
    case tsr_status_invalid_parameter: return "invalid parameter";
    case tsr_status_unsupported_parameter: return "unsupported parameter";
    case tsr_status_unsupported_hardware: return "unsupported hardware";
    case tsr_status_out_of_memory: return "out of memory";
    case tsr_status_invalid_state: return "invalid state";
    case tsr_status_system_error: return "system error";
  }
  return "unknown status";
}

const char* tsr_last_error_message(void) { return tsr_error_message; }

tsr_status tsr_error(tsr_status status, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(tsr_error_message, sizeof(tsr_error_message), format, args);
  va_end(args);
  return status;
}
