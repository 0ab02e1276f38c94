/* Recording why a public call failed: a status plus a thread-local message. */
#ifndef TSR_ENGINE_ERROR_H
#define TSR_ENGINE_ERROR_H

#include "tessera.h"

/// Formats the thread-local detail message (printf-style) and returns `status`, so a
/// validation failure is one line: `return tsr_error(tsr_status_invalid_parameter, ...)`.
tsr_status tsr_error(tsr_status status, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

/// Multiplies a by b into *product; returns 0 (and leaves *product alone) on overflow.
static inline int tsr_mul_size(size_t a, size_t b, size_t* product) {
  size_t p;
  if (__builtin_mul_overflow(a, b, &p)) return 0;
  *product = p;
  return 1;
}

#endif
