/* `tessera bench <op> [options] [--batch FILE | DESCRIPTOR...]`: runs problems through tessera,
 * the reference loops and (when built with it) oneDNN, and prints one row per problem.
 *
 * Every problem is parsed before anything runs, so a malformed descriptor or option stops the
 * command with a message naming it and where it came from (argument number or FILE:LINE), and
 * exit code 2. Exit code 1 means a problem ran but a check failed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/harness/harness.h"
#include "tools/bench.h"
#include "tools/problem-parse.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

static const struct tsr_bench_driver* const tsr_drivers[] = {
    &tsr_bench_eltwise_driver, &tsr_bench_binary_driver, &tsr_bench_matmul_driver, &tsr_bench_lnorm_driver,
    &tsr_bench_bnorm_driver, &tsr_bench_gnorm_driver, &tsr_bench_conv_driver, &tsr_bench_deconv_driver,
    &tsr_bench_pool_driver, &tsr_bench_resize_driver, &tsr_bench_attn_driver, &tsr_bench_rnn_driver};
#define TSR_NUM_DRIVERS (sizeof(tsr_drivers) / sizeof(tsr_drivers[0]))

#define TSR_MAX_LINE 1024

/* ---- timing ---- */
static double tsr_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int tsr_compare_doubles(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* The median of n times, in milliseconds. */
static double tsr_bench_median_ms(double* times, size_t n) {
  qsort(times, n, sizeof(double), tsr_compare_doubles);
  return 1e3 * (n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]));
}

/* Runs of `run` for about `seconds` (at least one, until *n reaches `end`), their times appended
 * to times[*n]; returns the seconds they took. */
static double tsr_bench_time_batch(void (*run)(void* context), void* context, double seconds, double* times,
                                   size_t* n, size_t end) {
  const double start = tsr_seconds();
  do {
    const double t0 = tsr_seconds();
    run(context);
    times[(*n)++] = tsr_seconds() - t0;
  } while (*n < end && tsr_seconds() - start < seconds);
  return tsr_seconds() - start;
}

/* Rounds of a ~20 ms batch of A then one of B (B optional), so that the machine's drifts (clock,
 * neighbours) fall on both alike: timed in two blocks, one after the other, the same pooling
 * layer's ratio swung 0.67-0.93 between runs. In an interleaved pair each timed batch follows an
 * untimed one of the same library, so that neither is timed while the other's idle threads still
 * spin: oneDNN's OpenMP workers spin for milliseconds after a call, and on 2 cores they took the
 * CPU from tessera's threads (2 threads, pool.txt, Zen 4: the ResNet-50 global average 2.8 ->
 * 4.5 us, ResNet's max pool at batch 32 5.1 -> 5.6-7.5 ms; with OMP_WAIT_POLICY=passive tessera's
 * times were back, and oneDNN's 10x slower on the small layers). (A 20 ms sleep instead was
 * worse: after it, on this 2-vCPU VM, tessera's woken worker shared the caller's CPU for hundreds
 * of runs, 35-60 us a run of a 3 us layer.) */
enum { tsr_bench_max_runs = 1000, tsr_bench_batch_runs = 125 }; /* a batch's runs at most: 8 rounds or more */
#define TSR_BENCH_BATCH_SECONDS 0.02
#define TSR_BENCH_MIN_SECONDS 0.4
#define TSR_BENCH_MAX_SECONDS 6.0
#define TSR_BENCH_MIN_RUNS 5

/* Where a batch that starts after n runs stops: tsr_bench_batch_runs later, or at the end. */
static size_t tsr_bench_batch_end(size_t n) {
  return n + tsr_bench_batch_runs < tsr_bench_max_runs ? n + tsr_bench_batch_runs : tsr_bench_max_runs;
}

/* An untimed batch: runs of `run` for TSR_BENCH_BATCH_SECONDS (tsr_bench_batch_runs at most). */
static void tsr_bench_settle(void (*run)(void* context), void* context) {
  static _Thread_local double ignored[tsr_bench_batch_runs];
  size_t n = 0;
  tsr_bench_time_batch(run, context, TSR_BENCH_BATCH_SECONDS, ignored, &n, tsr_bench_batch_runs);
}

static void tsr_bench_time_pair_ms(void (*run_a)(void* context), void* a, void (*run_b)(void* context), void* b,
                                   double* a_ms, double* b_ms) {
  static _Thread_local double a_times[tsr_bench_max_runs], b_times[tsr_bench_max_runs];
  size_t na = 0, nb = 0;
  run_a(a); /* warm-up: page faults, caches, lazy initialization */
  if (run_b != NULL) run_b(b);
  double elapsed = 0.0; /* in timed batches */
  for (;;) {
    if (run_b != NULL) tsr_bench_settle(run_a, a);
    elapsed += tsr_bench_time_batch(run_a, a, TSR_BENCH_BATCH_SECONDS, a_times, &na, tsr_bench_batch_end(na));
    if (run_b != NULL) {
      tsr_bench_settle(run_b, b);
      elapsed += tsr_bench_time_batch(run_b, b, TSR_BENCH_BATCH_SECONDS, b_times, &nb, tsr_bench_batch_end(nb));
    }
    const bool enough = na >= TSR_BENCH_MIN_RUNS && (run_b == NULL || nb >= TSR_BENCH_MIN_RUNS);
    const bool full = na == tsr_bench_max_runs || nb == tsr_bench_max_runs;
    if ((elapsed >= TSR_BENCH_MIN_SECONDS && enough) || elapsed >= TSR_BENCH_MAX_SECONDS || full) break;
  }
  *a_ms = tsr_bench_median_ms(a_times, na);
  if (run_b != NULL) *b_ms = tsr_bench_median_ms(b_times, nb);
}

double tsr_bench_time_ms(void (*run)(void* context), void* context) {
  double ms;
  tsr_bench_time_pair_ms(run, context, NULL, NULL, &ms, NULL);
  return ms;
}

double tsr_bench_time_both_ms(void (*tessera)(void* context), void* tessera_context, void (*onednn)(void* context),
                              void* onednn_context, double* onednn_ms) {
  double ms;
  tsr_bench_time_pair_ms(tessera, tessera_context, onednn, onednn_context, &ms, onednn_ms);
  return ms;
}

static void tsr_bench_tessera_once(void* context) {
  const struct tsr_bench_runs* r = context;
  tsr_op_run(r->op, r->num_inputs, r->inputs, r->num_outputs, r->outputs, r->pool);
}

void tsr_bench_run_tessera(const struct tsr_bench_runs* runs) { tsr_bench_tessera_once((void*)runs); }

#ifdef TSR_HAVE_ONEDNN
static void tsr_bench_onednn_execute(const struct tsr_bench_runs* runs) {
  if (runs->onednn_execute != NULL) runs->onednn_execute(runs->onednn);
  else tsr_onednn_call_execute(runs->onednn);
}

static void tsr_bench_onednn_once(void* context) { tsr_bench_onednn_execute(context); }
#endif

/* One tessera run; a refused one (a layout the op does not take) marks the problem run_error and
 * prints why, so it is never timed or compared as if it had run. */
static bool tsr_bench_run_checked(const struct tsr_bench_runs* runs, struct tsr_bench_result* result) {
  if (tsr_op_run(runs->op, runs->num_inputs, runs->inputs, runs->num_outputs, runs->outputs, runs->pool) ==
      tsr_status_success)
    return true;
  snprintf(result->status, sizeof(result->status), "run_error");
  fprintf(stderr, "%s\n", tsr_last_error_message());
  return false;
}

void tsr_bench_time_runs(const struct tsr_bench_runs* runs, struct tsr_bench_result* result) {
  if (!tsr_bench_run_checked(runs, result)) return;
#ifdef TSR_HAVE_ONEDNN
  if (runs->onednn != NULL) {
    result->tessera_ms = tsr_bench_time_both_ms(tsr_bench_tessera_once, (void*)runs, tsr_bench_onednn_once,
                                                (void*)runs, &result->onednn_ms);
    return;
  }
#endif
  result->tessera_ms = tsr_bench_time_ms(tsr_bench_tessera_once, (void*)runs);
}

void tsr_bench_check_against_reference(const struct tsr_bench_runs* runs, float* y, const float* expected,
                                       size_t n, double atol, double rtol, double onednn_atol,
                                       double onednn_rtol, struct tsr_bench_result* result) {
  tsr_fill_nan(y, n);
  if (!tsr_bench_run_checked(runs, result)) return;
  result->max_abs_err = tsr_max_abs_error(y, expected, n);
  if (tsr_count_mismatches(y, expected, n, atol, rtol) != 0) {
    snprintf(result->status, sizeof(result->status), "mismatch");
    return;
  }
#ifdef TSR_HAVE_ONEDNN
  if (runs->onednn == NULL) return;
  tsr_fill_nan(y, n);
  tsr_bench_onednn_execute(runs);
  if (tsr_count_mismatches(y, expected, n, onednn_atol, onednn_rtol) != 0)
    snprintf(result->status, sizeof(result->status), "onednn_diff");
#else
  (void)onednn_atol, (void)onednn_rtol;
#endif
}

void tsr_bench_check_against_onednn(const struct tsr_bench_runs* runs, float* y, float* theirs,
                                    size_t n, double atol, double rtol,
                                    struct tsr_bench_result* result) {
  tsr_fill_nan(y, n);
  if (!tsr_bench_run_checked(runs, result)) return; /* a refused run fails even with no peer */
#ifdef TSR_HAVE_ONEDNN
  if (runs->onednn == NULL) return;
  tsr_fill_nan(theirs, n);
  tsr_bench_onednn_execute(runs);
  result->max_abs_err = tsr_max_abs_error(y, theirs, n);
  if (tsr_count_mismatches(y, theirs, n, atol, rtol) != 0)
    snprintf(result->status, sizeof(result->status), "mismatch");
#else
  (void)theirs, (void)atol, (void)rtol;
#endif
}

void* tsr_bench_alloc(size_t bytes) {
  void* p = NULL;
  return posix_memalign(&p, 64, bytes ? bytes : 64) == 0 ? p : NULL;
}

int tsr_bench_plain_nhwc_tag(const char* value, tsr_layout* layout, char* error, size_t error_size) {
  static const char* const tags[] = {"plain", "nhwc"};
  const int k = tsr_parse_choice(value, tags, 2);
  if (k < 0) {
    snprintf(error, error_size, "--tag=%s: tags are plain, nhwc", value);
    return -1;
  }
  *layout = k == 1 ? tsr_layout_nhwc : tsr_layout_plain;
  return 0;
}

/* ---- the list of problems: option lines and descriptors, in order ---- */
struct tsr_item {
  const struct tsr_bench_driver* driver;
  char text[TSR_MAX_LINE]; /* "--key=value" or a descriptor */
  char origin[96];         /* "argument 3", "FILE:12", "default suite" */
};

struct tsr_items {
  struct tsr_item* items;
  size_t count, capacity;
};

static int tsr_items_add(struct tsr_items* list, const struct tsr_bench_driver* driver,
                         const char* text, const char* origin) {
  if (strlen(text) >= TSR_MAX_LINE) {
    fprintf(stderr, "tessera bench: %s: line longer than %d characters\n", origin, TSR_MAX_LINE - 1);
    return -1;
  }
  if (list->count == list->capacity) {
    const size_t capacity = list->capacity ? 2 * list->capacity : 64;
    struct tsr_item* items = realloc(list->items, capacity * sizeof(*items));
    if (items == NULL) {
      fprintf(stderr, "tessera bench: out of memory\n");
      return -1;
    }
    list->items = items;
    list->capacity = capacity;
  }
  struct tsr_item* item = &list->items[list->count++];
  item->driver = driver;
  snprintf(item->text, sizeof(item->text), "%s", text);
  snprintf(item->origin, sizeof(item->origin), "%s", origin);
  return 0;
}

/* Trims a batch-file line: drops the comment and surrounding blanks. */
static char* tsr_trim(char* line) {
  char* hash = strchr(line, '#');
  if (hash) *hash = '\0';
  while (*line == ' ' || *line == '\t') line++;
  size_t n = strlen(line);
  while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

static int tsr_add_batch_line(struct tsr_items* list, const struct tsr_bench_driver* driver,
                              char* raw, const char* origin) {
  char* line = tsr_trim(raw);
  if (*line == '\0') return 0;
  if (strchr(line, ' ') || strchr(line, '\t')) {
    fprintf(stderr, "tessera bench: %s: one option or problem per line, got '%s'\n", origin, line);
    return -1;
  }
  return tsr_items_add(list, driver, line, origin);
}

static int tsr_add_batch_file(struct tsr_items* list, const struct tsr_bench_driver* driver,
                              const char* path) {
  FILE* file = fopen(path, "r");
  if (file == NULL) {
    fprintf(stderr, "tessera bench: cannot open batch file '%s'\n", path);
    return -1;
  }
  char line[TSR_MAX_LINE + 2], origin[96];
  int number = 0, status = 0;
  while (status == 0 && fgets(line, sizeof(line), file) != NULL) {
    number++;
    snprintf(origin, sizeof(origin), "%.80s:%d", path, number);
    if (strchr(line, '\n') == NULL && !feof(file)) {
      fprintf(stderr, "tessera bench: %s: line longer than %d characters\n", origin, TSR_MAX_LINE);
      status = -1;
    } else {
      status = tsr_add_batch_line(list, driver, line, origin);
    }
  }
  fclose(file);
  return status;
}

static int tsr_add_default_suite(struct tsr_items* list, const struct tsr_bench_driver* driver) {
  char line[TSR_MAX_LINE];
  for (const char* const* p = driver->default_suite; *p != NULL; p++) {
    snprintf(line, sizeof(line), "%s", *p);
    if (tsr_add_batch_line(list, driver, line, "default suite") != 0) return -1;
  }
  return 0;
}

/* Applies an option item or validates/runs a problem item. */
static int tsr_process(const struct tsr_item* item, const struct tsr_bench_settings* settings,
                       struct tsr_bench_result* result, char* problem, size_t problem_size) {
  char error[256] = "";
  if (strncmp(item->text, "--", 2) == 0) {
    const char* eq = strchr(item->text, '=');
    char key[64];
    if (eq == NULL || eq == item->text + 2 || (size_t)(eq - item->text - 2) >= sizeof(key)) {
      fprintf(stderr, "tessera bench: %s: option '%s' is not of the form --key=value\n",
              item->origin, item->text);
      return -1;
    }
    memcpy(key, item->text + 2, (size_t)(eq - item->text - 2));
    key[eq - item->text - 2] = '\0';
    if (item->driver->set_option(key, eq + 1, error, sizeof(error)) != 0) {
      fprintf(stderr, "tessera bench: %s: %s\n", item->origin, error);
      return -1;
    }
    return 1; /* an option, not a problem */
  }
  char body[TSR_MAX_LINE], name[128];
  if (tsr_split_name(item->text, body, sizeof(body), name, sizeof(name), error, sizeof(error)) != 0 ||
      item->driver->run(body, settings, result, error, sizeof(error)) != 0) {
    fprintf(stderr, "tessera bench: %s: %s problem '%s': %s\n", item->origin, item->driver->op,
            item->text, error);
    return -1;
  }
  if (problem != NULL) snprintf(problem, problem_size, "%s", item->text);
  return 0;
}

/* ---- output ---- */
/* One numeric cell: '%.6g' and a comma in CSV (empty when unmeasured), right-aligned with
 * `decimals` in the table ('-' when unmeasured). */
static void tsr_print_value(bool csv, double value, int width, int decimals) {
  if (csv) {
    if (isfinite(value)) printf("%.6g", value);
    putchar(',');
  } else if (isfinite(value)) {
    printf("%*.*f ", width, decimals, value);
  } else {
    printf("%*s ", width, "-");
  }
}

static void tsr_print_header(bool csv) {
  if (csv)
    printf("op,problem,threads,tessera_ms,tessera_gflops,onednn_ms,onednn_gflops,ratio,pct_peak,"
           "max_abs_err,status,unit,impl\n");
  else
    printf("%-8s %-40s %3s %10s %9s %10s %9s %6s %6s %9s %-8s %s\n", "op", "problem", "thr",
           "tessera_ms", "tessera", "onednn_ms", "onednn", "ratio", "%peak", "max_err", "status",
           "unit / impl");
}

static void tsr_print_row(const char* op, const char* problem, uint32_t threads,
                          const struct tsr_bench_result* r, const tsr_machine_peak* peak, bool csv) {
  /* work is bytes or flops: 1e-9 * work / seconds is GB/s or GFLOP/s */
  const double tessera_rate = 1e-9 * r->work / (r->tessera_ms * 1e-3);
  const double onednn_rate = 1e-9 * r->work / (r->onednn_ms * 1e-3);
  const double ratio = r->onednn_ms / r->tessera_ms;
  double pct = NAN;
  if (peak != NULL) pct = 100.0 * tessera_rate / (r->memory_bound ? peak->stream_gbps : peak->fma_gflops);
  const char* unit = r->memory_bound ? "GB/s" : "GFLOP/s";
  if (csv) {
    printf("%s,%s,%u,", op, problem, threads);
  } else {
    printf("%-8s %-40.40s %3u ", op, problem, threads);
  }
  tsr_print_value(csv, r->tessera_ms, 10, 4);
  tsr_print_value(csv, tessera_rate, 9, 2);
  tsr_print_value(csv, r->onednn_ms, 10, 4);
  tsr_print_value(csv, onednn_rate, 9, 2);
  tsr_print_value(csv, ratio, 6, 3);
  tsr_print_value(csv, pct, 6, 1);
  tsr_print_value(csv, r->max_abs_err, 9, 3);
  if (csv) printf("%s,%s,%s\n", r->status, unit, r->impl);
  else printf("%-8s %s  %s\n", r->status, unit, r->impl);
  fflush(stdout);
}

/* ---- the command ---- */
static void tsr_bench_usage(FILE* out) {
  fprintf(out,
          "usage: tessera bench [OP] [--threads=N] [--mb=N] [--mode=check|perf|both]\n"
          "                     [--format=table|csv] [--batch=FILE | OPTION | DESCRIPTOR]...\n"
          "Runs each problem with tessera and, when built with it, oneDNN; checks tessera\n"
          "against the reference loops and oneDNN; prints one row per problem. Without OP, or\n"
          "without problems, runs the default suite. Ratio = oneDNN ms / tessera ms (above 1:\n"
          "tessera is faster); %%peak is against `tessera info`'s measured peak for the thread\n"
          "count (GFLOP/s, or GB/s for memory-bound ops). Ops:\n");
  for (size_t d = 0; d < TSR_NUM_DRIVERS; d++)
    fprintf(out, "  %-8s %s\n", tsr_drivers[d]->op, tsr_drivers[d]->summary);
}

/* Reads a generic option; returns 1 if `arg` was one, 0 if not, -1 if malformed. */
static int tsr_generic_option(const char* arg, struct tsr_bench_settings* settings, bool* csv,
                              int position) {
  int64_t value;
  const char* v;
  if (strncmp(arg, "--threads=", 10) == 0) {
    if (tsr_parse_int(arg + 10, 1, 1024, &value) != 0) goto bad;
    settings->threads = (uint32_t)value;
    return 1;
  }
  if (strncmp(arg, "--mb=", 5) == 0) {
    if (tsr_parse_int(arg + 5, 1, (int64_t)1 << 30, &value) != 0) goto bad;
    settings->mb = value;
    return 1;
  }
  if (strncmp(arg, "--mode=", 7) == 0) {
    v = arg + 7;
    if (strcmp(v, "check") == 0) settings->mode = tsr_bench_check;
    else if (strcmp(v, "perf") == 0) settings->mode = tsr_bench_perf;
    else if (strcmp(v, "both") == 0) settings->mode = tsr_bench_both;
    else goto bad;
    return 1;
  }
  if (strncmp(arg, "--format=", 9) == 0) {
    v = arg + 9;
    if (strcmp(v, "csv") == 0) *csv = true;
    else if (strcmp(v, "table") == 0) *csv = false;
    else goto bad;
    return 1;
  }
  return 0;
bad:
  fprintf(stderr, "tessera bench: argument %d: bad value in '%s'\n", position, arg);
  return -1;
}

int tsr_tool_bench(int argc, char** argv) {
  struct tsr_bench_settings settings = {.threads = tsr_cpu_count(), .mode = tsr_bench_both};
  bool csv = false;
  const struct tsr_bench_driver* driver = NULL;
  int first = 0;
  if (argc > 0 && strcmp(argv[0], "--help") == 0) {
    tsr_bench_usage(stdout);
    return 0;
  }
  if (argc > 0 && strncmp(argv[0], "--", 2) != 0) {
    for (size_t d = 0; d < TSR_NUM_DRIVERS; d++)
      if (strcmp(argv[0], tsr_drivers[d]->op) == 0) driver = tsr_drivers[d];
    if (driver == NULL) {
      fprintf(stderr, "tessera bench: argument 1: unknown op '%s'\n", argv[0]);
      tsr_bench_usage(stderr);
      return 2;
    }
    first = 1;
  }

  /* Pass 1: generic options, and the ordered list of driver options and problems. */
  struct tsr_items list = {0};
  int status = 0;
  char origin[32];
  for (int a = first; a < argc && status == 0; a++) {
    const int generic = tsr_generic_option(argv[a], &settings, &csv, a + 1);
    if (generic != 0) {
      status = generic < 0 ? -1 : 0;
      continue;
    }
    if (driver == NULL) {
      fprintf(stderr, "tessera bench: argument %d: '%s' needs an op first\n", a + 1, argv[a]);
      status = -1;
    } else if (strncmp(argv[a], "--batch=", 8) == 0) {
      status = tsr_add_batch_file(&list, driver, argv[a] + 8);
    } else {
      snprintf(origin, sizeof(origin), "argument %d", a + 1);
      status = tsr_items_add(&list, driver, argv[a], origin);
    }
  }
  size_t problems = 0;
  for (size_t i = 0; i < list.count; i++) problems += strncmp(list.items[i].text, "--", 2) != 0;
  if (status == 0 && problems == 0) {
    for (size_t d = 0; d < TSR_NUM_DRIVERS && status == 0; d++)
      if (driver == NULL || driver == tsr_drivers[d]) status = tsr_add_default_suite(&list, tsr_drivers[d]);
  }
  /* Pass 2: validate everything before running anything. */
  for (size_t d = 0; d < TSR_NUM_DRIVERS; d++) tsr_drivers[d]->reset_options();
  for (size_t i = 0; i < list.count && status == 0; i++)
    status = tsr_process(&list.items[i], &settings, NULL, NULL, 0) < 0 ? -1 : 0;
  if (status != 0) {
    free(list.items);
    return 2;
  }

  /* Pass 3: run. */
  if (tsr_threadpool_create(settings.threads, &settings.pool) != tsr_status_success) {
    fprintf(stderr, "tessera bench: %s\n", tsr_last_error_message());
    free(list.items);
    return 2;
  }
#ifdef TSR_HAVE_ONEDNN
  tsr_onednn_set_threads((int)settings.threads);
#endif
  tsr_machine_peak peak;
  const bool have_peak = (settings.mode & tsr_bench_perf) &&
                         tsr_measure_machine_peak(settings.pool, &peak) == tsr_status_success;
  printf("# tessera %s, isa %s, %u threads (%s pool)", tsr_version_string(),
         tsr_isa_name(tsr_cpu_isa_in_use()), settings.threads,
         tsr_threadpool_backend_name(settings.pool));
  if (have_peak)
    printf(", peak %.1f GFLOP/s and %.1f GB/s on %u threads", peak.fma_gflops, peak.stream_gbps,
           peak.threads);
#ifndef TSR_HAVE_ONEDNN
  printf(", built without oneDNN");
#endif
  printf("\n");
  tsr_print_header(csv);
  for (size_t d = 0; d < TSR_NUM_DRIVERS; d++) tsr_drivers[d]->reset_options();
  int failures = 0;
  for (size_t i = 0; i < list.count; i++) {
    struct tsr_bench_result result;
    memset(&result, 0, sizeof(result));
    result.tessera_ms = result.onednn_ms = result.max_abs_err = NAN;
    char problem[TSR_MAX_LINE];
    snprintf(problem, sizeof(problem), "%s", list.items[i].text);
    const int r = tsr_process(&list.items[i], &settings, &result, problem, sizeof(problem));
    if (r == 1) continue;
    if (r < 0) snprintf(result.status, sizeof(result.status), "error");
    tsr_print_row(list.items[i].driver->op, problem, settings.threads, &result,
                  have_peak ? &peak : NULL, csv);
    failures += strcmp(result.status, "ok") != 0;
  }
  tsr_threadpool_destroy(settings.pool);
  free(list.items);
  if (!csv) printf("# %d problem(s) failed\n", failures);
  return failures == 0 ? 0 : 1;
}
