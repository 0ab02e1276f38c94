/* Blocked reorders (see reorder-blocked.h). Every supported layout reaches a run of channels
 * [c0, c0 + lanes) at pixel p as base(c0) + p * pixel_stride + lane * lane_stride, as long as the
 * run stays inside one block of each blocked side: chunks of the smaller block size do. Tasks
 * copy one (batch item, chunk) each, pixel by pixel, so the blocked side is written (or read)
 * contiguously. */
#include "engine/reorder-blocked.h"

#include <stddef.h>
#include <string.h>

#include "engine/tensor.h"
#include "threadpool/threadpool.h"

struct tsr_reorder_side {
  size_t block;                              /* 1: plain or nhwc */
  size_t item, pixel_stride, lane_stride;    /* floats per batch item; per pixel and lane in a run */
  size_t plain_channel;                      /* plain: floats per channel; else 0 */
};

static struct tsr_reorder_side tsr_reorder_side(const tsr_tensor_desc* d, size_t channels, size_t pixels) {
  const size_t block = tsr_layout_channel_block(d->layout);
  if (block > 1)
    return (struct tsr_reorder_side){block, (channels + block - 1) / block * block * pixels, block, 1, 0};
  if (d->layout == tsr_layout_nhwc) return (struct tsr_reorder_side){1, channels * pixels, channels, 1, 0};
  return (struct tsr_reorder_side){1, channels * pixels, 1, pixels, pixels};
}

/* Where channel c0's run starts within one batch item. */
static size_t tsr_reorder_base(const struct tsr_reorder_side* s, size_t c0, size_t pixels) {
  if (s->block > 1) return c0 / s->block * s->block * pixels + c0 % s->block;
  return s->plain_channel != 0 ? c0 * s->plain_channel : c0;
}

struct tsr_reorder_call {
  struct tsr_reorder_side x, y;
  size_t channels, pixels, chunk;
  const float* x_data;
  float* y_data;
};

static void tsr_reorder_task(void* context, size_t thread, size_t n, size_t chunk) {
  (void)thread;
  const struct tsr_reorder_call* c = context;
  const size_t c0 = chunk * c->chunk, lanes = c->channels - c0 < c->chunk ? c->channels - c0 : c->chunk;
  const float* src = c->x_data + n * c->x.item + tsr_reorder_base(&c->x, c0, c->pixels);
  float* dst = c->y_data + n * c->y.item + tsr_reorder_base(&c->y, c0, c->pixels);
  if (c->x.lane_stride == 1 && c->y.lane_stride == 1) { /* nhwc and blocked: a run a pixel, copied whole */
    for (size_t p = 0; p < c->pixels; p++) {
      const float* from = src + p * c->x.pixel_stride;
      float* to = dst + p * c->y.pixel_stride;
      if (lanes == 16) memcpy(to, from, 16 * sizeof(float)); /* fixed sizes: inlined */
      else if (lanes == 8) memcpy(to, from, 8 * sizeof(float));
      else memcpy(to, from, lanes * sizeof(float));
    }
    return;
  }
  for (size_t p = 0; p < c->pixels; p++)
    for (size_t l = 0; l < lanes; l++)
      dst[p * c->y.pixel_stride + l * c->y.lane_stride] = src[p * c->x.pixel_stride + l * c->x.lane_stride];
}

void tsr_reorder_blocked_f32(const tsr_tensor_desc* x, const float* x_data, const tsr_tensor_desc* y,
                             float* y_data, tsr_threadpool* pool) {
  const size_t channels = (size_t)x->dims[1];
  size_t pixels = 1;
  for (int32_t d = 2; d < x->ndims; d++) pixels *= (size_t)x->dims[d];
  struct tsr_reorder_call call = {.x = tsr_reorder_side(x, channels, pixels), .y = tsr_reorder_side(y, channels, pixels),
                                  .channels = channels, .pixels = pixels, .x_data = x_data, .y_data = y_data};
  call.chunk = call.x.block == 1 ? call.y.block : call.y.block == 1 || call.x.block < call.y.block ? call.x.block
                                                                                                    : call.y.block;
  tsr_parallelize_2d(pool, tsr_reorder_task, &call, (size_t)x->dims[0], (channels + call.chunk - 1) / call.chunk);
  tsr_tensor_zero_channel_padding(y, y_data);
}
