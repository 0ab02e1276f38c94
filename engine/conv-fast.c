/* Algorithm choice, preparation and the run dispatch of the fast convolution paths (see
 * conv-fast.h): the NCHW-to-NHWC reorder around the NHWC-only algorithms, and the activation
 * pass for activations the kernels' store cannot fuse (anything but ReLU and clamps). */
#include "engine/conv-fast.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/error.h"
#include "engine/scratch.h"
#include "engine/transpose.h"

/* Under tsr_conv_algorithm_auto, Winograd takes the eligible layers with at least this many
 * input and output channels (see tsr_conv_winograd_preferred). */
#define TSR_WINOGRAD_MIN_CHANNELS 16

/* The measured rule for auto: Winograd where the GEMMs dominate its transforms. */
static bool tsr_conv_winograd_preferred(const tsr_conv_params* p) {
  return tsr_conv_winograd_eligible(p) && p->in_channels >= TSR_WINOGRAD_MIN_CHANNELS &&
         p->out_channels >= TSR_WINOGRAD_MIN_CHANNELS;
}

bool tsr_conv_forced(const char* name) {
  const char* forced = getenv("TESSERA_CONV");
  return forced != NULL && strcmp(forced, name) == 0;
}

static enum tsr_conv_path tsr_conv_choose(const tsr_conv_params* p) {
  if (tsr_conv_forced("reference")) return tsr_conv_path_reference;
  if (tsr_conv_forced("igemm")) return tsr_conv_path_igemm;
  if (p->algorithm == tsr_conv_algorithm_winograd) return tsr_conv_path_winograd;
  if (p->algorithm == tsr_conv_algorithm_auto &&
      (tsr_conv_winograd_preferred(p) || (tsr_conv_forced("winograd") && tsr_conv_winograd_eligible(p))))
    return tsr_conv_path_winograd;
  bool pointwise = true; /* 1x1, stride 1, no padding: a plain product */
  for (int32_t d = 0; d < p->spatial_ndims; d++)
    pointwise = pointwise && p->kernel[d] == 1 && p->stride[d] == 1 &&
                (p->padding_mode != tsr_padding_explicit || (p->padding_begin[d] == 0 && p->padding_end[d] == 0));
  if (pointwise && p->groups == 1) return tsr_conv_path_gemm;
  if (p->groups > 1 && p->groups == p->in_channels && p->out_channels == p->in_channels)
    return tsr_conv_path_dwconv;
  return tsr_conv_path_igemm;
}

tsr_status tsr_conv_fast_init(struct tsr_conv_fast* f, const tsr_conv_params* p, const float* weights,
                              const float* bias, const char* where) {
  memset(f, 0, sizeof(*f));
  f->path = tsr_conv_choose(p);
  if (f->path == tsr_conv_path_winograd && !tsr_conv_winograd_eligible(p))
    return tsr_error(tsr_status_unsupported_parameter,
                     "%s: algorithm is winograd, which runs only 2-D 3x3 convolutions of stride 1, "
                     "dilation 1 and one group", where);
  f->kc = (size_t)(p->in_channels / p->groups);
  f->group_out = (size_t)(p->out_channels / p->groups);
  f->taps = 1;
  for (int32_t d = 0; d < p->spatial_ndims; d++) f->taps *= (size_t)p->kernel[d];
  f->params = (struct tsr_f32_conv_params){-INFINITY, INFINITY, p->sum_scale, 0};
  if (tsr_activation_is_clamp(&p->activation)) {
    const struct tsr_f32_minmax_params bounds = tsr_activation_minmax(&p->activation);
    f->params.min = bounds.min, f->params.max = bounds.max;
  } else {
    f->post = true;
    tsr_activation_impl_init(&f->activation, &p->activation);
  }
  tsr_status status = tsr_status_success;
  switch (f->path) {
    case tsr_conv_path_reference:
      f->kernel_name = "reference_f64", f->isa = tsr_isa_scalar;
      return tsr_status_success;
    case tsr_conv_path_gemm: /* NCHW: W as given; NHWC: the igemm panels, one tap */
      f->weights = weights, f->bias = bias;
      /* fall through */
    case tsr_conv_path_igemm: {
      const struct tsr_igemm_ukernel_entry* e = tsr_f32_igemm_pick(f->group_out);
      f->kernel_name = e->name, f->isa = e->isa, f->mr = e->mr, f->nr = e->nr, f->igemm = e->function;
      status = tsr_conv_igemm_pack(f, p, weights, bias);
      break;
    }
    case tsr_conv_path_winograd: {
      const struct tsr_igemm_ukernel_entry* e = tsr_f32_igemm_pick(f->group_out);
      f->winograd = tsr_winograd_ukernels_get();
      snprintf(f->label, sizeof(f->label), "%s+igemm%zux%zu", f->winograd->name, e->mr, e->nr);
      f->kernel_name = f->label, f->isa = f->winograd->isa, f->mr = e->mr, f->nr = e->nr;
      f->igemm = e->function;
      f->bias = bias;
      status = tsr_conv_winograd_pack(f, weights);
      if (status == tsr_status_success && p->algorithm == tsr_conv_algorithm_auto && !tsr_conv_forced("winograd") &&
          tsr_conv_winograd_wide(p)) {
        tsr_conv_params direct = *p;
        direct.algorithm = tsr_conv_algorithm_direct;
        f->direct = calloc(1, sizeof(*f->direct));
        status = f->direct == NULL ? tsr_status_out_of_memory
                                   : tsr_conv_fast_init(f->direct, &direct, weights, bias, where);
        if (status == tsr_status_success) { /* the description says when the direct path runs */
          const size_t used = strlen(f->label);
          snprintf(f->label + used, sizeof(f->label) - used, ",direct<8tiles/thread");
        }
      }
      break;
    }
    case tsr_conv_path_dwconv: {
      const struct tsr_ukernel_entry* e = tsr_ukernel_pick(tsr_f32_dwconv_ukernels, tsr_f32_dwconv_ukernel_count);
      f->kernel_name = e->name, f->isa = e->isa, f->mr = 1, f->nr = e->tile;
      f->dwconv = (tsr_f32_dwconv_ukernel_fn)e->function;
      /* The row kernel of the same ISA shares the packing (same channel block). */
      const struct tsr_ukernel_entry* row = tsr_ukernel_pick(tsr_f32_dwrow_ukernels, tsr_f32_dwrow_ukernel_count);
      if (row->isa == e->isa && row->tile == e->tile) f->dwrow = (tsr_f32_dwrow_ukernel_fn)row->function;
      status = tsr_conv_dwconv_pack(f, p, weights, bias);
      break;
    }
  }
  if (status == tsr_status_success && (f->cache = malloc(sizeof(*f->cache))) == NULL) status = tsr_status_out_of_memory;
  if (status != tsr_status_success) return tsr_error(status, "%s: out of memory packing the weights", where);
  tsr_indirection_cache_init(f->cache);
  return tsr_status_success;
}

void tsr_conv_fast_release(struct tsr_conv_fast* f) {
  if (f->direct != NULL) tsr_conv_fast_release(f->direct);
  free(f->direct);
  for (size_t b = 0; b < 3; b++)
    if (f->blocked_packed[b] != f->packed) free(f->blocked_packed[b]);
  free(f->packed);
  free(f->zero);
  if (f->cache != NULL) tsr_indirection_cache_release(f->cache);
  free(f->cache);
}

void tsr_conv_geometry_channels_last(const struct tsr_conv_geometry* g, size_t x_lanes, size_t y_lanes,
                                     struct tsr_conv_geometry* h) {
  *h = *g;
  h->x_c = h->y_c = 1;
  h->x_s[2] = x_lanes, h->x_s[1] = g->in[2] * x_lanes, h->x_s[0] = g->in[1] * h->x_s[1];
  h->y_s[2] = y_lanes, h->y_s[1] = g->out[2] * y_lanes, h->y_s[0] = g->out[1] * h->y_s[1];
  h->x_n = g->in[0] * h->x_s[0], h->y_n = g->out[0] * h->y_s[0];
}

static tsr_status tsr_conv_fast_run_nhwc(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                         const float* x, float* y, tsr_threadpool* pool) {
  switch (f->path) {
    case tsr_conv_path_dwconv: return tsr_conv_dwconv_run(f, g, x, y, pool);
    case tsr_conv_path_winograd: return tsr_conv_winograd_run(f, g, x, y, pool);
    default: return tsr_conv_igemm_run(f, g, x, y, pool);
  }
}

/* NCHW through the NHWC algorithms: one batch item at a time, reordered into two buffers (pixel
 * stride padded, see tsr_transpose_padded_stride). */
static tsr_status tsr_conv_fast_run_nchw(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g,
                                         const float* x, float* y, tsr_threadpool* pool) {
  const size_t in_pixels = g->in[0] * g->in[1] * g->in[2], out_pixels = g->out[0] * g->out[1] * g->out[2];
  const size_t x_stride = tsr_transpose_padded_stride(g->ic), y_stride = tsr_transpose_padded_stride(g->oc);
  /* the calling thread's scratch (kept between runs: no page faults in steady state); the
   * tasks below never use scratch themselves */
  const size_t x_floats = (in_pixels * x_stride + 15) / 16 * 16;
  float* bx = tsr_thread_scratch((x_floats + out_pixels * y_stride) * sizeof(float));
  float* by = bx != NULL ? bx + x_floats : NULL;
  tsr_status status = bx != NULL ? tsr_status_success : tsr_status_out_of_memory;
  struct tsr_conv_geometry h; /* one batch item, NHWC */
  tsr_conv_geometry_channels_last(g, x_stride, y_stride, &h);
  h.n = 1;
  for (size_t n = 0; n < g->n && status == tsr_status_success; n++) {
    float* yn = y + n * g->y_n;
    tsr_transpose_f32(g->ic, in_pixels, x + n * g->x_n, g->x_c, bx, x_stride, pool);
    if (f->params.sum_scale != 0.0f) tsr_transpose_f32(g->oc, out_pixels, yn, g->y_c, by, y_stride, pool);
    status = tsr_conv_fast_run_nhwc(f, &h, bx, by, pool);
    if (status == tsr_status_success) tsr_transpose_f32(out_pixels, g->oc, by, y_stride, yn, g->y_c, pool);
  }
  return status;
}

bool tsr_conv_output_streams(const struct tsr_conv_geometry* g, const float* y) {
  return tsr_stream_aligned(y, g->y_n, g->y_s, 64) && tsr_cpu_from_memory(g->n * (g->x_n + g->y_n) * sizeof(float));
}

/* Plain NCHW 1x1 layers with at least this many output pixels run on the GEMM engine in place;
 * smaller images go through the reorders to the indirect GEMM, whose 6-pixel tiles waste less
 * than the engine's 16-column panels on 49 or 196 columns. Measured on ResNet-50's 1x1 layers
 * (1 thread, against oneDNN in the same run): 7x7 0.58-0.60x -> 0.93-0.95x and 14x14
 * 0.86-0.89x -> 0.95-0.99x through the reorders; 28x28 is even (0.99-1.00 against 0.94-0.97) and
 * 56x56 favours the engine (1.04 against 0.94-0.98). */
#define TSR_CONV_NCHW_GEMM_MIN_PIXELS 512

tsr_status tsr_conv_fast_run(const struct tsr_conv_fast* f, const struct tsr_conv_geometry* g, bool nhwc,
                             const float* x, float* y, tsr_threadpool* pool, const char* where) {
  tsr_status status;
  const size_t out_pixels = g->out[0] * g->out[1] * g->out[2];
  if (f->path == tsr_conv_path_gemm && !nhwc && out_pixels >= TSR_CONV_NCHW_GEMM_MIN_PIXELS)
    status = tsr_conv_gemm_run(f, g, x, y, pool, where);
  else if (nhwc) status = tsr_conv_fast_run_nhwc(f, g, x, y, pool);
  else status = tsr_conv_fast_run_nchw(f, g, x, y, pool);
  if (status != tsr_status_success) return tsr_error(status, "%s: out of memory", where);
  if (f->post) tsr_activation_impl_apply(&f->activation, g->n * g->y_n, y, y, pool);
  return tsr_status_success;
}
