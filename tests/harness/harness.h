/* What every tessera test uses: seeded fills, NaN pre-fill, buffers against a guard page,
 * tolerant comparison that shows where it failed, and a pass/fail/skip tally that ends the run
 * with the line "N passed, N failed". */
#ifndef TSR_TESTS_HARNESS_H
#define TSR_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- seeded random numbers (splitmix64: the same sequence on every platform) ---- */
typedef struct tsr_rng {
  uint64_t state;
} tsr_rng;

tsr_rng tsr_rng_seeded(uint64_t seed);
uint64_t tsr_rng_next(tsr_rng* rng);
/// Uniform in [0, n); n >= 1.
uint64_t tsr_rng_below(tsr_rng* rng, uint64_t n);
/// Uniform float in [lo, hi).
float tsr_rng_uniform(tsr_rng* rng, float lo, float hi);

/// x[i] uniform in [lo, hi).
void tsr_fill_uniform(tsr_rng* rng, float* x, size_t n, float lo, float hi);
/// x[i] an integer in [lo, hi], stored as float: sums and products of such values stay exact in
/// f32 while they stay below 2^24, so direct algorithms can be compared with tolerance 0.
void tsr_fill_integers(tsr_rng* rng, float* x, size_t n, int lo, int hi);
/// x[i] = NaN, so an element a kernel forgot to write fails any comparison.
void tsr_fill_nan(float* x, size_t n);
/// Checks that all n elements are still NaN (a failed call wrote nothing); returns whether so.
bool tsr_check_untouched(const char* what, const float* x, size_t n);

/* ---- buffers against a guard page ---- */
/// `bytes` bytes (at least 1) ending exactly where an inaccessible page begins, so a read or
/// write past the end faults at once. Start alignment is only 4 bytes. Aborts if mmap fails.
void* tsr_guarded_alloc(size_t bytes);
/// Releases a tsr_guarded_alloc() buffer; NULL does nothing.
void tsr_guarded_free(void* buffer);

/* ---- cache size ---- */
/// Makes the library take its last-level cache as `size` (TESSERA_LLC_BYTES syntax, e.g. "4M"),
/// for tests that cross the streaming-store and prefetch thresholds: a VM may report the host's
/// whole L3 (hundreds of MiB), and tests sized past it would allocate gigabytes (minutes under
/// TSan). Call before any op (the library reads it once).
void tsr_test_small_llc(const char* size);

/* ---- comparison ---- */
/// Counts elements where |actual - expected| > atol + rtol * |expected| (NaN matches only NaN,
/// an infinity only the same infinity), prints the first 8 of them with their indices under
/// the heading `what`, and records one check. Returns the number of mismatches.
size_t tsr_check_close(const char* what, const float* actual, const float* expected, size_t n,
                       double atol, double rtol);
/// Counts mismatches as tsr_check_close() does, silently and without recording a check.
size_t tsr_count_mismatches(const float* actual, const float* expected, size_t n, double atol,
                            double rtol);
/// The largest |actual - expected| over elements that are both finite (0 if none).
double tsr_max_abs_error(const float* actual, const float* expected, size_t n);

/* ---- tally ---- */
/// Records one check: prints `what` and the formatted detail when it fails.
bool tsr_check(bool ok, const char* what, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
/// Records one check that a call returned `expected`, printing the message if not.
bool tsr_check_status(tsr_status actual, tsr_status expected, const char* what);
/// Prints "N passed, N failed" and returns the process exit code (0 if none failed).
int tsr_test_finish(void);
/// Prints the reason and exits with 77, which CTest reports as skipped.
void tsr_test_skip(const char* reason) __attribute__((noreturn));

#define TSR_TEST_SKIP_CODE 77

#ifdef __cplusplus
}
#endif

#endif
