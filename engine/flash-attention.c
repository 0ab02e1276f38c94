/* The fused attention core (see flash-attention.h).
 *
 * Tile path (several queries per head): a task takes one batch item, one head and a block of
 * queries, packs the block's queries transposed and pre-scaled (Q^T, queries across the lanes),
 * then walks the key sequence a tile at a time: scores S[key][query] = K Q^T with the kernel
 * set's GEMM tile (K rows read in place), mask and causal cut, the lane-wise online softmax
 * (running max and sum per query, alpha = the rescale of what came before), dropout, and
 * O = alpha O + P V with the same GEMM tile (P read down the columns of S, V rows in place).
 * Scores live in the log2 domain: log2(e) is folded into the query scale and the masks.
 *
 * Row path (at most tsr_flash_row_queries queries per head: decode): a task takes one batch
 * item and one kv head with every query of the heads that share it (GQA), and per key tile runs
 * dot products of up to 4 queries against each key row, the row softmax per query, and the GEMM
 * tile for O = alpha O + P V with the queries as rows: each K and V element is loaded once per
 * task, straight from the cache, at full vector width.
 *
 * Causal: a tile's keys stop at the last key the block's last query may see, so fully masked
 * tiles are never computed; only tiles that cross the diagonal are masked element by element.
 *
 * Split keys: when batch x heads x query blocks gives fewer than tsr_flash_split_tasks tasks
 * (decode, short batches), the key sequence is also split (the rule ignores the thread count,
 * so results do not depend on it); each split leaves its unnormalized output row,
 * max and sum, and a merge pass combines them (rescaling each split by 2^(max_s - max)). */
#include "engine/flash-attention.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/missed-tasks.h"
#include "engine/scratch.h"
#include "kernels/f32-flash/f32-flash.h"
#include "threadpool/threadpool.h"

enum {
  tsr_flash_query_block = 64,      /* queries per tile-path task, rounded up to a multiple of MR and NR */
  tsr_flash_key_tile = 64,         /* keys per step, rounded up to a multiple of MR */
  tsr_flash_row_queries = 4,       /* heads with at most this many queries take the row path */
  tsr_flash_split_min_keys = 256,  /* a split of the key sequence covers at least this many keys */
  tsr_flash_split_tasks = 32,      /* problems with fewer tasks than this split their keys */
};

static const float tsr_log2e = 1.44269504088896340736f;

struct tsr_flash_plan {
  const struct tsr_flash_ukernels* uk;
  bool row_path;
  size_t group;           /* query heads per kv head */
  size_t block, blocks;   /* tile path: queries per task, blocks per head */
  size_t key_tile;
  size_t splits, split_keys;
  size_t task_floats;     /* per-thread scratch */
  size_t partial_floats;  /* split partials, 0 without splits */
};

struct tsr_flash_call {
  const struct tsr_attention_problem* p;
  struct tsr_flash_plan plan;
  float* partial; /* per (b, h, i, split): v_dim output values, then max and sum */
  struct tsr_missed_tasks missed; /* tasks run again by the caller (engine/missed-tasks.h) */
};

static size_t tsr_round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

static size_t tsr_gcd(size_t a, size_t b) {
  while (b != 0) {
    const size_t t = a % b;
    a = b, b = t;
  }
  return a;
}

static void tsr_flash_plan_make(const struct tsr_attention_problem* p, const struct tsr_flash_ukernels* uk,
                                struct tsr_flash_plan* plan) {
  const size_t mr = uk->mr, nr = uk->nr, d = p->head_dim, dv = p->v_dim;
  const size_t tile = mr / tsr_gcd(mr, nr) * nr; /* lcm: full GEMM tiles both ways */
  *plan = (struct tsr_flash_plan){.uk = uk, .group = p->heads / p->kv_heads};
  plan->row_path = p->score == tsr_attention_score_dot && p->q_len <= tsr_flash_row_queries;
  plan->key_tile = tsr_round_up(tsr_flash_key_tile, mr);
  plan->block = tsr_round_up(tsr_flash_query_block, tile);
  plan->blocks = (p->q_len + plan->block - 1) / plan->block;
  const size_t tasks = plan->row_path ? p->batch * p->kv_heads : p->batch * p->heads * plan->blocks;
  plan->splits = 1;
  if (tasks < tsr_flash_split_tasks) {
    size_t splits = (tsr_flash_split_tasks + tasks - 1) / tasks;
    const size_t most = p->kv_len / tsr_flash_split_min_keys;
    if (splits > most) splits = most;
    if (splits > 1) plan->splits = splits;
  }
  plan->split_keys = tsr_round_up((p->kv_len + plan->splits - 1) / plan->splits, plan->key_tile);
  plan->splits = (p->kv_len + plan->split_keys - 1) / plan->split_keys;
  /* per task row (a query): its packed query, scores for a key tile, output row, max, sum, alpha */
  const size_t rows = plan->row_path ? plan->group * p->q_len : plan->block;
  plan->task_floats = rows * (d + plan->key_tile + tsr_round_up(dv, nr) + 3);
  plan->partial_floats = plan->splits > 1 ? p->batch * p->heads * p->q_len * plan->splits * (dv + 2) : 0;
}

/* One past the last key query i may see (clamped to [0, kv_len]). */
static size_t tsr_flash_key_limit(const struct tsr_attention_problem* p, size_t i) {
  if (p->causal == tsr_causal_none) return p->kv_len;
  const int64_t shift = p->causal == tsr_causal_bottom_right ? (int64_t)p->kv_len - (int64_t)p->q_len : 0;
  const int64_t limit = (int64_t)i + 1 + shift;
  return limit <= 0 ? 0 : (size_t)limit < p->kv_len ? (size_t)limit : p->kv_len;
}

/* Adds the mask to scores s[jr * lds + r] of queries i0 + r (r < rows), keys j0 + jr (jr < n),
 * in the log2 domain (-inf stays -inf). */
static void tsr_flash_mask(const struct tsr_attention_problem* p, size_t b, size_t h, size_t i0, size_t rows,
                           size_t j0, size_t n, float* s, size_t lds) {
  for (size_t jr = 0; jr < n; jr++)
    for (size_t r = 0; r < rows; r++) s[jr * lds + r] += tsr_log2e * tsr_attention_mask_value(p, b, h, i0 + r, j0 + jr);
}

static void tsr_flash_dropout(const struct tsr_attention_problem* p, size_t b, size_t h, size_t i0, size_t rows,
                              size_t j0, size_t n, float* s, size_t lds) {
  for (size_t jr = 0; jr < n; jr++)
    for (size_t r = 0; r < rows; r++) s[jr * lds + r] *= tsr_attention_dropout_factor(p, b, h, i0 + r, j0 + jr);
}

static bool tsr_flash_dropping(const struct tsr_attention_problem* p) {
  return p->dropout.training && p->dropout.rate > 0.0f;
}

/* Query i's result over one split: o (v_dim values, unnormalized; may be NULL when sum is 0),
 * max and sum. Written to the output, or kept as a partial for the merge. */
static void tsr_flash_finish(struct tsr_flash_call* call, size_t b, size_t h, size_t i, size_t split,
                             const float* o, float max, float sum) {
  const struct tsr_attention_problem* p = call->p;
  const size_t dv = p->v_dim;
  if (call->plan.splits == 1) {
    float* out = p->o + b * p->o_strides[0] + h * p->o_strides[1] + i * p->o_strides[2];
    if (sum == 0.0f) { /* every key masked: zeros, not NaN */
      memset(out, 0, dv * sizeof(float));
      return;
    }
    const float inverse = 1.0f / sum;
    for (size_t c = 0; c < dv; c++) out[c] = o[c] * inverse;
    return;
  }
  float* part = call->partial + (((b * p->heads + h) * p->q_len + i) * call->plan.splits + split) * (dv + 2);
  if (sum == 0.0f) memset(part, 0, dv * sizeof(float));
  else memcpy(part, o, dv * sizeof(float));
  part[dv] = max;
  part[dv + 1] = sum;
}

/* The keys split `split` covers, [*begin, returned end), cut at the last key that query `last`
 * (the task's last query) may see. */
static size_t tsr_flash_split_keys(const struct tsr_flash_call* call, size_t split, size_t last, size_t* begin) {
  const struct tsr_attention_problem* p = call->p;
  const size_t ja = split * call->plan.split_keys, limit = tsr_flash_key_limit(p, last);
  const size_t jb = ja + call->plan.split_keys < p->kv_len ? ja + call->plan.split_keys : p->kv_len;
  *begin = ja;
  return jb < limit ? jb : limit;
}

/* The task's scratch; NULL, the task recorded for the caller to run again, when its thread has none. */
static float* tsr_flash_scratch(struct tsr_flash_call* call, size_t task) {
  float* scratch = tsr_thread_scratch(call->plan.task_floats * sizeof(float));
  if (scratch == NULL) tsr_missed_tasks_mark(&call->missed, task);
  return scratch;
}

static void tsr_flash_tile_task(void* context, size_t thread, size_t b, size_t h, size_t job) {
  (void)thread;
  struct tsr_flash_call* call = context;
  const struct tsr_attention_problem* p = call->p;
  const struct tsr_flash_plan* plan = &call->plan;
  const struct tsr_flash_ukernels* uk = plan->uk;
  const size_t mr = uk->mr, nr = uk->nr, d = p->head_dim, dv = p->v_dim, g = h / plan->group;
  const size_t split = job % plan->splits, i0 = job / plan->splits * plan->block;
  const size_t rows = p->q_len - i0 < plan->block ? p->q_len - i0 : plan->block;
  const size_t lanes = tsr_round_up(rows, nr), ldo = tsr_round_up(dv, nr);
  size_t ja;
  const size_t jb = tsr_flash_split_keys(call, split, i0 + rows - 1, &ja), first_limit = tsr_flash_key_limit(p, i0);
  if (ja >= jb) { /* every key of this split is masked for the whole block */
    for (size_t r = 0; r < rows; r++) tsr_flash_finish(call, b, h, i0 + r, split, NULL, -INFINITY, 0.0f);
    return;
  }
  float* qt = tsr_flash_scratch(call, (b * p->heads + h) * plan->blocks * plan->splits + job);
  if (qt == NULL) return;
  float* s = qt + d * plan->block;
  float* o = s + plan->key_tile * plan->block;
  float* max = o + plan->block * ldo;
  float* sum = max + plan->block;
  float* alpha = sum + plan->block;

  const bool dot = p->score == tsr_attention_score_dot;
  const float q_scale = dot ? p->scale * tsr_log2e : p->scale;
  const float* q = p->q + b * p->q_strides[0] + h * p->q_strides[1] + i0 * p->q_strides[2];
  for (size_t r = 0; r < lanes; r++)
    for (size_t c = 0; c < d; c++) qt[c * lanes + r] = r < rows ? q[r * p->q_strides[2] + c] * q_scale : 0.0f;
  for (size_t r = 0; r < lanes; r++) max[r] = -INFINITY, sum[r] = 0.0f;

  const size_t ks = p->k_strides[2], vs = p->v_strides[2];
  const float* k = p->k + b * p->k_strides[0] + g * p->k_strides[1];
  const float* v = p->v + b * p->v_strides[0] + g * p->v_strides[1];
  for (size_t j0 = ja; j0 < jb; j0 += plan->key_tile) {
    const size_t n = jb - j0 < plan->key_tile ? jb - j0 : plan->key_tile;
    if (dot) {
      for (size_t l = 0; l < lanes; l += nr)
        for (size_t jr = 0; jr < n; jr += mr)
          uk->gemm(n - jr < mr ? n - jr : mr, nr, d, k + (j0 + jr) * ks, ks, 1, qt + l, lanes, s + jr * lanes + l,
                   lanes, NULL);
    } else {
      uk->concat(n, lanes, d, k + j0 * ks, ks, p->scale, qt, lanes, p->concat_weight * tsr_log2e, s, lanes);
    }
    if (p->mask != NULL) tsr_flash_mask(p, b, h, i0, rows, j0, n, s, lanes);
    if (j0 + n > first_limit) /* the tile crosses the causal diagonal */
      for (size_t r = 0; r < rows; r++) {
        const size_t limit = tsr_flash_key_limit(p, i0 + r);
        for (size_t j = limit > j0 ? limit : j0; j < j0 + n; j++) s[(j - j0) * lanes + r] = -INFINITY;
      }
    uk->softmax(n, lanes, s, lanes, max, sum, alpha);
    if (tsr_flash_dropping(p)) tsr_flash_dropout(p, b, h, i0, rows, j0, n, s, lanes);
    for (size_t c = 0; c < dv; c += nr)
      for (size_t r = 0; r < rows; r += mr)
        uk->gemm(rows - r < mr ? rows - r : mr, dv - c < nr ? dv - c : nr, n, s + r, 1, lanes, v + j0 * vs + c, vs,
                 o + r * ldo + c, ldo, j0 == ja ? NULL : alpha + r);
  }
  for (size_t r = 0; r < rows; r++) tsr_flash_finish(call, b, h, i0 + r, split, o + r * ldo, max[r], sum[r]);
}

static void tsr_flash_row_task(void* context, size_t thread, size_t b, size_t g, size_t split) {
  (void)thread;
  struct tsr_flash_call* call = context;
  const struct tsr_attention_problem* p = call->p;
  const struct tsr_flash_plan* plan = &call->plan;
  const struct tsr_flash_ukernels* uk = plan->uk;
  const size_t mr = uk->mr, nr = uk->nr, d = p->head_dim, dv = p->v_dim, ldo = tsr_round_up(dv, nr);
  const size_t rows = plan->group * p->q_len, kt = plan->key_tile; /* row r: head g * group + r / q_len, query r % q_len */
  size_t ja;
  const size_t jb = tsr_flash_split_keys(call, split, p->q_len - 1, &ja);
  if (ja >= jb) {
    for (size_t r = 0; r < rows; r++)
      tsr_flash_finish(call, b, g * plan->group + r / p->q_len, r % p->q_len, split, NULL, -INFINITY, 0.0f);
    return;
  }
  float* qs = tsr_flash_scratch(call, (b * p->kv_heads + g) * plan->splits + split);
  if (qs == NULL) return;
  float* s = qs + rows * d;
  float* o = s + rows * kt;
  float* max = o + rows * ldo;
  float* sum = max + rows;
  float* alpha = sum + rows;
  const float q_scale = p->scale * tsr_log2e;
  for (size_t r = 0; r < rows; r++) {
    const size_t h = g * plan->group + r / p->q_len, i = r % p->q_len;
    const float* q = p->q + b * p->q_strides[0] + h * p->q_strides[1] + i * p->q_strides[2];
    for (size_t c = 0; c < d; c++) qs[r * d + c] = q[c] * q_scale;
    max[r] = -INFINITY, sum[r] = 0.0f;
  }
  const size_t ks = p->k_strides[2], vs = p->v_strides[2];
  const float* k = p->k + b * p->k_strides[0] + g * p->k_strides[1];
  const float* v = p->v + b * p->v_strides[0] + g * p->v_strides[1];
  for (size_t j0 = ja; j0 < jb; j0 += kt) {
    const size_t n = jb - j0 < kt ? jb - j0 : kt;
    for (size_t r = 0; r < rows; r += 4)
      uk->dot(n, d, k + j0 * ks, ks, rows - r < 4 ? rows - r : 4, qs + r * d, d, s + r * kt, kt);
    for (size_t r = 0; r < rows; r++) {
      const size_t h = g * plan->group + r / p->q_len, i = r % p->q_len, limit = tsr_flash_key_limit(p, i);
      float* row = s + r * kt;
      if (p->mask != NULL) tsr_flash_mask(p, b, h, i, 1, j0, n, row, 1);
      for (size_t j = limit > j0 ? limit : j0; j < j0 + n; j++) row[j - j0] = -INFINITY;
      const float old = max[r];
      const float total = uk->rowexp(n, row, &max[r]);
      alpha[r] = exp2f(old - (max[r] == -INFINITY ? 0.0f : max[r]));
      sum[r] = sum[r] * alpha[r] + total;
      if (tsr_flash_dropping(p)) tsr_flash_dropout(p, b, h, i, 1, j0, n, row, 1);
    }
    for (size_t c = 0; c < dv; c += nr)
      for (size_t r = 0; r < rows; r += mr)
        uk->gemm(rows - r < mr ? rows - r : mr, dv - c < nr ? dv - c : nr, n, s + r * kt, kt, 1, v + j0 * vs + c, vs,
                 o + r * ldo + c, ldo, j0 == ja ? NULL : alpha + r);
  }
  for (size_t r = 0; r < rows; r++)
    tsr_flash_finish(call, b, g * plan->group + r / p->q_len, r % p->q_len, split, o + r * ldo, max[r], sum[r]);
}

/* Combines the splits of query row (b, hi = h * q_len + i). */
static void tsr_flash_merge_task(void* context, size_t thread, size_t b, size_t hi) {
  (void)thread;
  struct tsr_flash_call* call = context;
  const struct tsr_attention_problem* p = call->p;
  const size_t dv = p->v_dim, splits = call->plan.splits, h = hi / p->q_len, i = hi % p->q_len;
  const float* part = call->partial + (b * p->heads * p->q_len + hi) * splits * (dv + 2);
  float* out = p->o + b * p->o_strides[0] + h * p->o_strides[1] + i * p->o_strides[2];
  float max = -INFINITY;
  for (size_t t = 0; t < splits; t++) max = fmaxf(max, part[t * (dv + 2) + dv]);
  memset(out, 0, dv * sizeof(float));
  if (max == -INFINITY) return; /* every key masked */
  float total = 0.0f;
  for (size_t t = 0; t < splits; t++) total += part[t * (dv + 2) + dv + 1] * exp2f(part[t * (dv + 2) + dv] - max);
  for (size_t t = 0; t < splits; t++) {
    const float* split = part + t * (dv + 2);
    const float weight = exp2f(split[dv] - max) / total;
    if (weight == 0.0f) continue;
    for (size_t c = 0; c < dv; c++) out[c] += weight * split[c];
  }
}

bool tsr_flash_attention_supports(const struct tsr_attention_problem* p) {
  return p->probs == NULL && p->mix_logits == NULL && p->mix_weights == NULL;
}

size_t tsr_flash_attention_workspace(const struct tsr_attention_problem* p, size_t threads) {
  struct tsr_flash_plan plan;
  tsr_flash_plan_make(p, tsr_flash_ukernels_get(), &plan);
  return (threads * plan.task_floats + plan.partial_floats) * sizeof(float);
}

tsr_status tsr_flash_attention_run(const struct tsr_attention_problem* p, tsr_threadpool* pool, const char* where) {
  return tsr_flash_attention_run_with(p, tsr_flash_ukernels_get(), pool, where);
}

/* A task of the call again, on the calling thread: `task` counts (b, head, job) of the tile path
 * or (b, kv head, split) of the row path. */
static void tsr_flash_missed(void* context, size_t task) {
  const struct tsr_flash_call* call = context;
  const size_t jobs = call->plan.row_path ? call->plan.splits : call->plan.blocks * call->plan.splits;
  const size_t heads = call->plan.row_path ? call->p->kv_heads : call->p->heads;
  const size_t b = task / (heads * jobs), h = task / jobs % heads, job = task % jobs;
  if (call->plan.row_path)
    tsr_flash_row_task(context, 0, b, h, job);
  else
    tsr_flash_tile_task(context, 0, b, h, job);
}

tsr_status tsr_flash_attention_run_with(const struct tsr_attention_problem* p, const struct tsr_flash_ukernels* uk,
                                        tsr_threadpool* pool, const char* where) {
  struct tsr_flash_call call = {.p = p};
  tsr_flash_plan_make(p, uk, &call.plan);
  if (call.plan.splits > 1) {
    call.partial = malloc(call.plan.partial_floats * sizeof(float));
    if (call.partial == NULL)
      return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the split attention partials", where);
  }
  /* All tasks or none: the caller's scratch is reserved first (engine/missed-tasks.h). */
  const size_t jobs = call.plan.row_path ? call.plan.splits : call.plan.blocks * call.plan.splits;
  const size_t tasks = p->batch * (call.plan.row_path ? p->kv_heads : p->heads) * jobs;
  if (!tsr_missed_tasks_begin(&call.missed, tasks, tsr_thread_scratch, call.plan.task_floats * sizeof(float))) {
    free(call.partial);
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the attention tiles", where);
  }
  if (call.plan.row_path)
    tsr_parallelize_3d(pool, tsr_flash_row_task, &call, p->batch, p->kv_heads, jobs);
  else
    tsr_parallelize_3d(pool, tsr_flash_tile_task, &call, p->batch, p->heads, jobs);
  const bool complete = tsr_missed_tasks_finish(&call.missed, tsr_flash_missed, &call);
  if (call.plan.splits > 1 && complete)
    tsr_parallelize_2d(pool, tsr_flash_merge_task, &call, p->batch, p->heads * p->q_len);
  free(call.partial);
  if (!complete)
    return tsr_error(tsr_status_out_of_memory, "%s: out of memory for the attention tiles (the output may be partly "
                     "written)", where);
  return tsr_status_success;
}
