/* Direct convolution on channel-blocked tensors (nChw4c / nChw8c / nChw16c, see conv-fast.h):
 * y[n][ob][p][lane] from x[n][ib][q][lane], without reordering either tensor.
 *
 * The igemm kernel runs it unchanged: its K dimension becomes taps x input blocks, each an A
 * row of `block` contiguous floats (one pixel's lanes of one channel block), found through an
 * indirection buffer with one pointer per tap and block (built once per input shape, cached
 * with the NHWC ones). The weights are the igemm panels with each tap's channels padded to
 * whole blocks (zeros against x's zero padding lanes), so K order (tap, block, lane) is the
 * NHWC order (tap, channel) and the NHWC panels serve as they are when the channels fill their
 * blocks. A kernel tile's NR columns span several output blocks (NR 32 against 16 lanes), so
 * each tile is computed into a local MR x NR buffer and copied out block by block: one load
 * and store per output against the 9 x C_in FMAs of a 3x3 layer. The task grid and its
 * blocking are the NHWC igemm's (conv-igemm.c), over batch items. Depthwise layers run the
 * dwconv path instead, each (batch item, channel block) an NHWC image of `block` channels, and
 * Winograd layers Winograd, its transforms block by block. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conv-fast.h"
#include "engine/error.h"
#include "engine/scratch.h"
#include "engine/transpose.h"
#include "threadpool/threadpool.h"

/* The padding pointers' row: at least the largest block (16 lanes) of zeros. */
static const float tsr_blocked_zero[16] __attribute__((aligned(64)));

/* The largest kernel tile, MR x NR (AVX-512's 7 x 32). */
#define TSR_BLOCKED_TILE_FLOATS 256

bool tsr_conv_blocked_supported(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g) {
  if (f->path == tsr_conv_path_dwconv) return true;
  return g->groups == 1 && f->igemm != NULL && f->mr * f->nr <= TSR_BLOCKED_TILE_FLOATS;
}

static size_t tsr_round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

/* The igemm panels (kc = f->kc) again with each tap's channels padded to kc floats. */
static float* tsr_conv_blocked_repad(const struct tsr_conv_fast* f, size_t kc) {
  const size_t panels = (f->group_out + f->nr - 1) / f->nr, nr = f->nr;
  const size_t from = tsr_conv_igemm_panel_floats(f, f->kc), to = tsr_conv_igemm_panel_floats(f, kc);
  float* packed = NULL;
  size_t floats; /* the padding can overflow where the NHWC panels' size did not */
  if (!tsr_mul_size(panels, to, &floats) || floats > SIZE_MAX / sizeof(float) ||
      posix_memalign((void**)&packed, 64, floats * sizeof(float)) != 0)
    return NULL;
  for (size_t j = 0; j < panels; j++) {
    const float* src = f->packed + j * from;
    float* dst = packed + j * to;
    memcpy(dst, src, nr * sizeof(float)); /* the bias row */
    for (size_t t = 0; t < f->taps; t++) {
      memcpy(dst + nr + t * kc * nr, src + nr + t * f->kc * nr, f->kc * nr * sizeof(float));
      memset(dst + nr + (t * kc + f->kc) * nr, 0, (kc - f->kc) * nr * sizeof(float));
    }
  }
  return packed;
}

/* The panels for blocks of `block` channels (`block` = C_in for a single partial block): the
 * NHWC ones where no padding is needed, otherwise packed on first use (from the weights where
 * the op kept them, else from the NHWC panels). */
static const float* tsr_conv_blocked_panels(const struct tsr_conv_fast* f, size_t block) {
  const size_t kc = tsr_round_up(f->kc, block);
  const bool nhwc_panels = f->path == tsr_conv_path_igemm || f->path == tsr_conv_path_gemm;
  if (nhwc_panels && kc == f->kc) return f->packed;
  /* slots by the padded count: the 4-, 8- and 16-lane ones; C_in below 16 is never padded to 16 */
  const size_t slot = kc == tsr_round_up(f->kc, 4) ? 0 : kc == tsr_round_up(f->kc, 8) ? 1 : 2;
  /* a cache filled once under the lock, like the indirection buffers: the op stays logically
     immutable */
  float** panels = &((struct tsr_conv_fast*)f)->blocked_packed[slot];
  pthread_mutex_lock(&f->cache->lock);
  if (*panels == NULL)
    *panels = f->weights != NULL ? tsr_conv_igemm_pack_panels(f, 1, f->weights, f->bias, kc)
                                 : tsr_conv_blocked_repad(f, kc);
  const float* found = *panels;
  pthread_mutex_unlock(&f->cache->lock);
  return found;
}

/* rows x run floats between the tile and y: inlined fixed-size copies for whole blocks of 16, 8
 * and 4 (a libc memcpy call per row costs about as much as a 1x1 layer's tile of FMAs). */
static inline void tsr_blocked_copy_rows(size_t rows, size_t run, const float* src, size_t lds, float* dst,
                                         size_t ldd) {
  for (size_t r = 0; r < rows; r++) {
    const float* s = src + r * lds;
    float* d = dst + r * ldd;
    if (run == 16) memcpy(d, s, 16 * sizeof(float));
    else if (run == 8) memcpy(d, s, 8 * sizeof(float));
    else if (run == 4) memcpy(d, s, 4 * sizeof(float));
    else memcpy(d, s, run * sizeof(float));
  }
}

/* The dwconv packing again, per channel block of `block` lanes: each block padded to whole
 * kernel blocks of CB lanes (bias, then taps x CB), taken from the NHWC packing. */
static float* tsr_conv_blocked_dwconv_repack(const struct tsr_conv_fast* f, size_t block, size_t channels) {
  const size_t cb = f->nr, step = cb * (f->taps + 1), per_block = (block + cb - 1) / cb * step;
  const size_t blocks = (channels + block - 1) / block;
  float* packed = NULL;
  size_t floats;
  if (!tsr_mul_size(blocks, per_block, &floats) || floats > SIZE_MAX / sizeof(float) ||
      posix_memalign((void**)&packed, 64, floats * sizeof(float)) != 0)
    return NULL;
  memset(packed, 0, floats * sizeof(float));
  for (size_t c = 0; c < channels; c++) {
    const float* src = f->packed + c / cb * step + c % cb;
    const size_t lane = c % block;
    float* dst = packed + c / block * per_block + lane / cb * step + lane % cb;
    for (size_t t = 0; t <= f->taps; t++) dst[t * cb] = src[t * cb]; /* row 0: the bias */
  }
  return packed;
}

/* Depthwise on blocked tensors: each (batch item, channel block) is an NHWC image of `block`
 * channels for the dwconv path, with that block's weights; the NHWC packing serves where
 * blocks are whole kernel blocks (block a multiple of CB) and it covers the padding lanes.
 * (Until f32-dwrow's sliding form, layers from 192 channels on ran faster through a reorder to
 * NHWC and back on one thread; since, this per-block path is faster on all of MobileNet v2's:
 * geomean 0.43 -> 0.63 of oneDNN over its six depthwise layers of 192-960 channels, nChw16c,
 * 1 thread.) */
static tsr_status tsr_conv_blocked_dwconv(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                          size_t block, const float* x, float* y, tsr_threadpool* pool) {
  const size_t cb = f->nr, blocks = (g->oc + block - 1) / block;
  const size_t per_block = (block + cb - 1) / cb * cb * (f->taps + 1);
  const float* packed = f->packed;
  /* the NHWC packing serves when its CB blocks tile the channel blocks and cover their padding */
  if (block % cb != 0 || (g->oc + cb - 1) / cb * cb < blocks * block) {
    float** slot = &((struct tsr_conv_fast*)f)->blocked_packed[block == 4 ? 0 : block == 8 ? 1 : 2];
    pthread_mutex_lock(&f->cache->lock); /* filled once, as tsr_conv_blocked_panels */
    if (*slot == NULL) *slot = tsr_conv_blocked_dwconv_repack(f, block, g->oc);
    packed = *slot;
    pthread_mutex_unlock(&f->cache->lock);
    if (packed == NULL) return tsr_status_out_of_memory;
  }
  struct tsr_conv_geometry h; /* every (item, block) plane an image of `block` channels */
  tsr_conv_geometry_channels_last(g, block, block, &h);
  h.n = g->n * blocks, h.ic = h.oc = h.groups = block;
  return tsr_conv_dwconv_run_images(f, &h, packed, blocks, per_block, x, y, pool);
}

static tsr_status tsr_conv_blocked_compute(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                           size_t block, bool x_as_given, const float* x, float* y,
                                           tsr_threadpool* pool);

/* Winograd on blocked tensors: its transforms take each channel block separately (the GEMMs
 * between them do not see the layout), so results equal the NHWC run's bit for bit; a wide
 * layer's few-tile runs go to its direct path, blocked too. */
static tsr_status tsr_conv_blocked_winograd(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                            size_t block, bool x_as_given, const float* x, float* y,
                                            tsr_threadpool* pool) {
  if (tsr_conv_winograd_hands_to_direct(f, g, tsr_threadpool_threads(pool)))
    return tsr_conv_blocked_compute(f->direct, g, block, x_as_given, x, y, pool);
  struct tsr_conv_geometry h; /* pixel strides within a plane; items span all their planes */
  tsr_conv_geometry_channels_last(g, block, block, &h);
  const size_t x_plane = h.x_n, y_plane = h.y_n;
  h.x_n *= (g->ic + block - 1) / block, h.y_n *= (g->oc + block - 1) / block;
  if (x_as_given) { /* x one block of all C_in channels, in g's strides */
    memcpy(h.x_s, g->x_s, sizeof(h.x_s));
    h.x_n = g->x_n;
    return tsr_conv_winograd_run_blocks(f, &h, g->ic, g->x_n, block, y_plane, x, y, pool);
  }
  return tsr_conv_winograd_run_blocks(f, &h, block, x_plane, block, y_plane, x, y, pool);
}

struct tsr_blocked_call {
  const struct tsr_conv_fast* f;
  const struct tsr_indirection* ind;
  const float* x;
  float* y;
  const float* panels;
  const float* zero; /* the padding row the indirection buffer points at */
  size_t block, kc, ks, panel_floats, pixels;
  size_t x_n, y_n, y_block; /* floats per batch item of x and y, per output channel block */
};

static void tsr_blocked_task(void* context, size_t thread, size_t n, size_t tile_start, size_t panel_start,
                             size_t tiles, size_t panels) {
  (void)thread;
  const struct tsr_blocked_call* c = context;
  const struct tsr_conv_fast* f = c->f;
  const size_t mr = f->mr, nr = f->nr, block = c->block, oc = f->group_out;
  const size_t a_offset = tsr_indirection_offset(c->ind, c->x + n * c->x_n);
  const float sum_scale = f->params.sum_scale;
  float* y = c->y + n * c->y_n;
  float tile[TSR_BLOCKED_TILE_FLOATS] __attribute__((aligned(64)));
  for (size_t t = tile_start; t < tile_start + tiles; t++) {
    const size_t p = t * mr, rows = c->pixels - p < mr ? c->pixels - p : mr;
    const float* const* a = c->ind->pointers + t * mr * c->ks;
    for (size_t j = panel_start; j < panel_start + panels; j++) {
      const size_t col0 = j * nr, cols = oc - col0 < nr ? oc - col0 : nr;
      /* a sum reads y's old values through the tile, where the kernel's store adds them */
      for (size_t done = 0; sum_scale != 0.0f && done < cols;) {
        const size_t col = col0 + done, lane = col % block, run = block - lane < cols - done ? block - lane : cols - done;
        const float* old = y + col / block * c->y_block + p * block + lane;
        tsr_blocked_copy_rows(rows, run, old, block, tile + done, nr);
        done += run;
      }
      f->igemm(rows, cols, c->kc, c->ks, a, c->panels + j * c->panel_floats, tile, nr, a_offset, c->zero, &f->params);
      for (size_t done = 0; done < cols;) { /* block by block: runs of contiguous lanes */
        const size_t col = col0 + done, lane = col % block, run = block - lane < cols - done ? block - lane : cols - done;
        float* out = y + col / block * c->y_block + p * block + lane;
        tsr_blocked_copy_rows(rows, run, tile + done, nr, out, block);
        done += run;
      }
    }
  }
}

/* The direct path on blocked tensors (the file comment); with x_as_given, x is one block of
 * all C_in channels in g's strides (a first layer's NHWC image). */
static tsr_status tsr_conv_blocked_direct(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                          size_t block, bool x_as_given, const float* x, float* y,
                                          tsr_threadpool* pool) {
  const size_t in_pixels = g->in[0] * g->in[1] * g->in[2], out_pixels = g->out[0] * g->out[1] * g->out[2];
  const size_t in_blocks = x_as_given ? 1 : (g->ic + block - 1) / block, out_blocks = (g->oc + block - 1) / block;
  struct tsr_conv_geometry h; /* the blocked pixel strides: the indirection buffer's key */
  tsr_conv_geometry_channels_last(g, block, block, &h);
  h.x_n *= in_blocks;
  if (x_as_given) memcpy(h.x_s, g->x_s, sizeof(h.x_s)), h.x_n = g->x_n;
  const float* panels = tsr_conv_blocked_panels(f, in_blocks == 1 ? g->ic : block);
  if (panels == NULL) return tsr_status_out_of_memory;
  /* a first layer's taps read C_in floats: past 16 the op's own zero row (C_in floats), which no
     blocked run's buffer shares (their keys differ: pixels C_in and at most 16 floats apart) */
  const float* zero = x_as_given && g->ic > 16 ? f->zero : tsr_blocked_zero;
  bool owned = false;
  const struct tsr_indirection* ind =
      tsr_indirection_get(f->cache, &h, f->mr, in_blocks, in_pixels * block, x, zero, &owned);
  if (ind == NULL) return tsr_status_out_of_memory;
  /* one input block: only its C_in lanes are read (a 3-channel first layer computes 3, not 16) */
  const size_t kc = in_blocks == 1 ? g->ic : block;
  struct tsr_blocked_call call = {.f = f, .ind = ind, .x = x, .y = y, .panels = panels, .zero = zero, .block = block,
                                  .kc = kc, .ks = f->taps * in_blocks, .panel_floats = tsr_conv_igemm_panel_floats(f, kc * in_blocks),
                                  .pixels = out_pixels, .x_n = h.x_n, .y_n = out_blocks * out_pixels * block,
                                  .y_block = out_pixels * block};
  const size_t tiles = (out_pixels + f->mr - 1) / f->mr, panel_count = (g->oc + f->nr - 1) / f->nr;
  size_t tile_block, panel_block;
  tsr_conv_igemm_grid(f, call.panel_floats, g->n, tiles, tsr_threadpool_threads(pool), &tile_block, &panel_block);
  tsr_parallelize_3d_tile_2d(pool, tsr_blocked_task, &call, g->n, tiles, panel_count, tile_block, panel_block);
  if (owned) tsr_indirection_free((struct tsr_indirection*)ind);
  return tsr_status_success;
}

/* Every path's run on blocked tensors, without the activation pass (depthwise: blocked x only,
 * tsr_conv_first_layer_supported). */
static tsr_status tsr_conv_blocked_compute(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                           size_t block, bool x_as_given, const float* x, float* y,
                                           tsr_threadpool* pool) {
  if (f->path == tsr_conv_path_dwconv) return tsr_conv_blocked_dwconv(f, g, block, x, y, pool);
  if (f->path == tsr_conv_path_winograd) return tsr_conv_blocked_winograd(f, g, block, x_as_given, x, y, pool);
  return tsr_conv_blocked_direct(f, g, block, x_as_given, x, y, pool);
}

/* The activation pass for activations the kernels' store cannot fuse, over y's padded blocks. */
static void tsr_conv_blocked_post(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, size_t block,
                                  float* y, tsr_threadpool* pool) {
  const size_t out_pixels = g->out[0] * g->out[1] * g->out[2], padded = (g->oc + block - 1) / block * block;
  if (f->post) tsr_activation_impl_apply(&f->activation, g->n * padded * out_pixels, y, y, pool);
}

tsr_status tsr_conv_blocked_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, size_t block,
                                const float* x, float* y, tsr_threadpool* pool) {
  const tsr_status status = tsr_conv_blocked_compute(f, g, block, false, x, y, pool);
  if (status == tsr_status_success) tsr_conv_blocked_post(f, g, block, y, pool);
  return status;
}

bool tsr_conv_first_layer_supported(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g) {
  return f->path != tsr_conv_path_dwconv && tsr_conv_blocked_supported(f, g);
}

tsr_status tsr_conv_first_layer_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, bool nhwc,
                                    size_t block, const float* x, float* y, tsr_threadpool* pool) {
  tsr_status status = tsr_status_success;
  if (nhwc) {
    status = tsr_conv_blocked_compute(f, g, block, true, x, y, pool);
  } else { /* NCHW: each batch item reordered to NHWC in the calling thread's scratch, then run */
    const size_t in_pixels = g->in[0] * g->in[1] * g->in[2], x_stride = tsr_transpose_padded_stride(g->ic);
    const size_t y_item = (g->oc + block - 1) / block * block * g->out[0] * g->out[1] * g->out[2];
    size_t floats;
    float* bx = tsr_mul_size(in_pixels, x_stride, &floats) && floats <= SIZE_MAX / sizeof(float)
                    ? tsr_thread_scratch(floats * sizeof(float))
                    : NULL;
    struct tsr_conv_geometry h;
    tsr_conv_geometry_channels_last(g, x_stride, block, &h);
    h.n = 1;
    for (size_t n = 0; n < g->n && status == tsr_status_success; n++) {
      if (bx == NULL) return tsr_status_out_of_memory;
      tsr_transpose_f32(g->ic, in_pixels, x + n * g->x_n, g->x_c, bx, x_stride, pool);
      status = tsr_conv_blocked_compute(f, &h, block, true, bx, y + n * y_item, pool);
    }
  }
  if (status == tsr_status_success) tsr_conv_blocked_post(f, g, block, y, pool);
  return status;
}
