#define _GNU_SOURCE
#include "tests/harness/harness.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

tsr_rng tsr_rng_seeded(uint64_t seed) {
  tsr_rng rng = {seed};
  return rng;
}

uint64_t tsr_rng_next(tsr_rng* rng) {
  uint64_t z = (rng->state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

uint64_t tsr_rng_below(tsr_rng* rng, uint64_t n) { return tsr_rng_next(rng) % n; }

float tsr_rng_uniform(tsr_rng* rng, float lo, float hi) {
  const double unit = (double)(tsr_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
  const float value = (float)(lo + (hi - lo) * unit);
  return value < hi ? value : lo;
}

void tsr_fill_uniform(tsr_rng* rng, float* x, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) x[i] = tsr_rng_uniform(rng, lo, hi);
}

void tsr_fill_integers(tsr_rng* rng, float* x, size_t n, int lo, int hi) {
  const uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
  for (size_t i = 0; i < n; i++) x[i] = (float)(lo + (int64_t)tsr_rng_below(rng, span));
}

void tsr_fill_nan(float* x, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] = NAN;
}

bool tsr_check_untouched(const char* what, const float* x, size_t n) {
  size_t written = 0;
  for (size_t i = 0; i < n; i++) written += !isnan(x[i]);
  return tsr_check(written == 0, what, "%zu of %zu output elements were written", written, n);
}

void tsr_test_small_llc(const char* size) { setenv("TESSERA_LLC_BYTES", size, 1); }

/* Layout of a guarded mapping: [header and slack | data ... | guard page]. The data ends at the
 * guard page, and starts between 64 bytes and a page plus 64 bytes after the mapping's start, so
 * the mapping's start is the page below data - 64. */
struct tsr_guard_header {
  size_t mapping_bytes;
};

static size_t tsr_page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

void* tsr_guarded_alloc(size_t bytes) {
  const size_t page = tsr_page_size();
  if (bytes == 0) bytes = 1;
  const size_t body = (bytes + 64 + page - 1) / page * page;
  const size_t mapping_bytes = body + page;
  char* base = mmap(NULL, mapping_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED || mprotect(base + body, page, PROT_NONE) != 0) {
    fprintf(stderr, "tsr_guarded_alloc: mmap of %zu bytes failed\n", mapping_bytes);
    abort();
  }
  ((struct tsr_guard_header*)base)->mapping_bytes = mapping_bytes;
  return base + body - bytes;
}

void tsr_guarded_free(void* buffer) {
  if (buffer == NULL) return;
  const size_t page = tsr_page_size();
  char* base = (char*)(((uintptr_t)buffer - 64) / page * page);
  munmap(base, ((struct tsr_guard_header*)base)->mapping_bytes);
}

static size_t tsr_checks_passed = 0, tsr_checks_failed = 0;

static bool tsr_close(float actual, float expected, double atol, double rtol) {
  if (isnan(expected) || isnan(actual)) return isnan(expected) && isnan(actual);
  if (isinf(expected) || isinf(actual)) return actual == expected;
  return fabs((double)actual - (double)expected) <= atol + rtol * fabs((double)expected);
}

size_t tsr_count_mismatches(const float* actual, const float* expected, size_t n, double atol,
                            double rtol) {
  size_t mismatches = 0;
  for (size_t i = 0; i < n; i++) mismatches += !tsr_close(actual[i], expected[i], atol, rtol);
  return mismatches;
}

size_t tsr_check_close(const char* what, const float* actual, const float* expected, size_t n,
                       double atol, double rtol) {
  size_t mismatches = 0;
  for (size_t i = 0; i < n; i++) {
    if (tsr_close(actual[i], expected[i], atol, rtol)) continue;
    if (mismatches == 0)
      fprintf(stderr, "FAIL %s: mismatches (atol %g, rtol %g):\n", what, atol, rtol);
    if (mismatches < 8)
      fprintf(stderr, "  [%zu] got %.9g, expected %.9g\n", i, (double)actual[i],
              (double)expected[i]);
    mismatches++;
  }
  if (mismatches != 0) fprintf(stderr, "  %zu of %zu elements differ\n", mismatches, n);
  if (mismatches == 0) tsr_checks_passed++;
  else tsr_checks_failed++;
  return mismatches;
}

double tsr_max_abs_error(const float* actual, const float* expected, size_t n) {
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(actual[i]) || !isfinite(expected[i])) continue;
    const double e = fabs((double)actual[i] - (double)expected[i]);
    if (e > worst) worst = e;
  }
  return worst;
}

bool tsr_check(bool ok, const char* what, const char* format, ...) {
  if (ok) {
    tsr_checks_passed++;
    return true;
  }
  tsr_checks_failed++;
  fprintf(stderr, "FAIL %s: ", what);
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  return false;
}

bool tsr_check_status(tsr_status actual, tsr_status expected, const char* what) {
  return tsr_check(actual == expected, what, "returned %s (%s), expected %s",
                   tsr_status_string(actual), tsr_last_error_message(),
                   tsr_status_string(expected));
}

int tsr_test_finish(void) {
  printf("%zu passed, %zu failed\n", tsr_checks_passed, tsr_checks_failed);
  return tsr_checks_failed == 0 ? 0 : 1;
}

void tsr_test_skip(const char* reason) {
  printf("SKIPPED: %s\n", reason);
  exit(TSR_TEST_SKIP_CODE);
}
