/* The `tessera bench` driver interface. Each op (eltwise, and conv, pool, matmul... as they
 * arrive) provides one struct tsr_bench_driver; bench.c does everything else: arguments, batch
 * files, option lines, timing, the peak figures and the table or CSV. */
#ifndef TSR_TOOLS_BENCH_H
#define TSR_TOOLS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

enum tsr_bench_mode { tsr_bench_check = 1, tsr_bench_perf = 2, tsr_bench_both = 3 };

struct tsr_bench_settings {
  uint32_t threads;
  int64_t mb;                  /* batch override; 0 = as the descriptor says */
  enum tsr_bench_mode mode;
  tsr_threadpool* pool;
};

struct tsr_bench_result {
  char impl[160];     /* what tessera chose (tsr_op_describe) */
  bool memory_bound;  /* work is bytes moved: report GB/s instead of GFLOP/s */
  double work;        /* flops, or bytes, per run */
  double tessera_ms;  /* median; NAN if not measured */
  double onednn_ms;   /* median; NAN if not measured or no oneDNN */
  double max_abs_err; /* against the reference; NAN if not checked */
  char status[32];    /* "ok", or a word saying what failed */
};

struct tsr_bench_driver {
  const char* op;
  const char* summary;
  const char* const* default_suite; /* batch-file lines, NULL-terminated */
  /// Restores the driver's options (--alg=...) to their defaults.
  void (*reset_options)(void);
  /// Applies one option; returns 0, or -1 with a message (unknown key or bad value).
  int (*set_option)(const char* key, const char* value, char* error, size_t error_size);
  /// Parses `body` under the current options. With result NULL only validates; otherwise runs
  /// the problem as settings->mode says and fills result. Returns 0, or -1 with a message when
  /// the problem is malformed or cannot be set up.
  int (*run)(const char* body, const struct tsr_bench_settings* settings,
             struct tsr_bench_result* result, char* error, size_t error_size);
};

/// Median milliseconds of `run(context)`: one warm-up, then repetitions until at least 0.4 s
/// and 5 runs have passed (at most 1000 runs or about 6 s).
double tsr_bench_time_ms(void (*run)(void* context), void* context);

/// tessera's and oneDNN's median milliseconds (the latter in *onednn_ms), timed in alternating
/// batches of about 20 ms each, each after an untimed batch of the same library (one warm-up
/// each first), until both have at least 5 runs and the timed batches have taken 0.4 s (at most
/// 1000 runs each or about 6 s of them): drifts of the machine fall on both, and neither
/// library's idle threads still spin while the other is timed.
double tsr_bench_time_both_ms(void (*tessera)(void* context), void* tessera_context, void (*onednn)(void* context),
                              void* onednn_context, double* onednn_ms);

/// What a driver times: one tessera op on its tensors and, optionally, the matching oneDNN work:
/// a tsr_onednn_call* (onednn_execute NULL), or anything onednn_execute runs (several
/// primitives); NULL when there is none.
struct tsr_bench_runs {
  const tsr_op* op;
  size_t num_inputs, num_outputs;
  const tsr_tensor* inputs;
  const tsr_tensor* outputs;
  tsr_threadpool* pool;
  void* onednn;
  void (*onednn_execute)(void* onednn);
};

/// Fills result->tessera_ms and (with a oneDNN call) result->onednn_ms.
void tsr_bench_time_runs(const struct tsr_bench_runs* runs, struct tsr_bench_result* result);

/// The check of an op whose oneDNN counterpart is the oracle: runs both once into NaN-filled
/// outputs (y, the op's output; theirs, the oneDNN call's) and sets result->max_abs_err and,
/// beyond atol + rtol * |theirs|, status "mismatch". Does nothing without a oneDNN call.
void tsr_bench_check_against_onednn(const struct tsr_bench_runs* runs, float* y, float* theirs,
                                    size_t n, double atol, double rtol,
                                    struct tsr_bench_result* result);

/// The check of an op against its reference (`expected`): runs the op once into y (the op's
/// output, NaN-filled first) and sets result->max_abs_err and status "run_error" or, beyond
/// atol + rtol * |expected|, "mismatch"; then, when tessera matched and there is a oneDNN call
/// that writes y as well, runs it into y and sets "onednn_diff" beyond its own tolerances.
void tsr_bench_check_against_reference(const struct tsr_bench_runs* runs, float* y, const float* expected,
                                       size_t n, double atol, double rtol, double onednn_atol,
                                       double onednn_rtol, struct tsr_bench_result* result);

/// Runs the op once (for the check).
void tsr_bench_run_tessera(const struct tsr_bench_runs* runs);

/// The --tag option of drivers that take plain or nhwc: sets *layout, or returns -1 with a
/// message naming the option.
int tsr_bench_plain_nhwc_tag(const char* value, tsr_layout* layout, char* error, size_t error_size);

/// Memory aligned to 64 bytes for benchmark tensors; NULL if out of memory.
void* tsr_bench_alloc(size_t bytes);

extern const struct tsr_bench_driver tsr_bench_eltwise_driver;
extern const struct tsr_bench_driver tsr_bench_binary_driver;
extern const struct tsr_bench_driver tsr_bench_matmul_driver;
extern const struct tsr_bench_driver tsr_bench_lnorm_driver;
extern const struct tsr_bench_driver tsr_bench_attn_driver;
extern const struct tsr_bench_driver tsr_bench_rnn_driver;
extern const struct tsr_bench_driver tsr_bench_bnorm_driver;
extern const struct tsr_bench_driver tsr_bench_gnorm_driver;
extern const struct tsr_bench_driver tsr_bench_conv_driver;
extern const struct tsr_bench_driver tsr_bench_deconv_driver;
extern const struct tsr_bench_driver tsr_bench_pool_driver;
extern const struct tsr_bench_driver tsr_bench_resize_driver;

#endif
