/* Building and caching indirection buffers (see conv-indirection.h). */
#include "engine/conv-indirection.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"

void tsr_indirection_cache_init(struct tsr_indirection_cache* cache) {
  memset(cache, 0, sizeof(*cache));
  pthread_mutex_init(&cache->lock, NULL);
}

void tsr_indirection_free(struct tsr_indirection* ind) {
  if (ind == NULL) return;
  free(ind->pointers);
  free(ind);
}

void tsr_indirection_cache_release(struct tsr_indirection_cache* cache) {
  for (size_t i = 0; i < cache->count; i++) tsr_indirection_free(cache->entries[i]);
  pthread_mutex_destroy(&cache->lock);
}

static size_t tsr_output_pixels(const struct tsr_conv_geometry* g) { return g->out[0] * g->out[1] * g->out[2]; }

static struct tsr_indirection* tsr_indirection_build(const struct tsr_conv_geometry* g, size_t mr, size_t blocks,
                                                     size_t block_stride, const float* x, const float* zero) {
  const size_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2] * blocks;
  const size_t pixels = tsr_output_pixels(g), tiles = (pixels + mr - 1) / mr;
  size_t bytes; /* a size past SIZE_MAX is reported as out of memory, like one malloc refuses */
  if (!tsr_mul_size(tiles * mr, taps, &bytes) || !tsr_mul_size(bytes, sizeof(float*), &bytes)) return NULL;
  struct tsr_indirection* ind = malloc(sizeof(*ind));
  if (ind == NULL) return NULL;
  ind->pointers = malloc(bytes);
  if (ind->pointers == NULL) {
    free(ind);
    return NULL;
  }
  memcpy(ind->in, g->in, sizeof(ind->in));
  memcpy(ind->x_s, g->x_s, sizeof(ind->x_s));
  ind->mr = mr, ind->blocks = blocks, ind->block_stride = block_stride;
  ind->base = x;
  for (size_t slot = 0; slot < tiles * mr; slot++) {
    const size_t p = slot < pixels ? slot : pixels - 1; /* a short last tile repeats its last pixel */
    const size_t o[3] = {p / (g->out[1] * g->out[2]), p / g->out[2] % g->out[1], p % g->out[2]};
    const float** row = ind->pointers + (slot / mr) * mr * taps + slot % mr;
    size_t t = 0;
    for (size_t kd = 0; kd < g->kernel[0]; kd++)
      for (size_t kh = 0; kh < g->kernel[1]; kh++)
        for (size_t kw = 0; kw < g->kernel[2]; kw++) {
          const size_t k[3] = {kd, kh, kw};
          const float* at = x;
          for (int d = 0; d < 3 && at != zero; d++) {
            const int64_t i = (int64_t)(o[d] * g->stride[d] + k[d] * g->dilation[d]) - g->pad[d];
            at = i < 0 || i >= (int64_t)g->in[d] ? zero : at + (size_t)i * g->x_s[d];
          }
          for (size_t b = 0; b < blocks; b++, t++) row[t * mr] = at == zero ? zero : at + b * block_stride;
        }
  }
  return ind;
}

static bool tsr_indirection_fits(const struct tsr_indirection* ind, const struct tsr_conv_geometry* g, size_t mr,
                                 size_t blocks, size_t block_stride) {
  return ind->mr == mr && ind->blocks == blocks && ind->block_stride == block_stride && memcmp(ind->in, g->in, sizeof(ind->in)) == 0 &&
         memcmp(ind->x_s, g->x_s, sizeof(ind->x_s)) == 0;
}

const struct tsr_indirection* tsr_indirection_get(struct tsr_indirection_cache* cache,
                                                  const struct tsr_conv_geometry* g, size_t mr,
                                                  size_t blocks, size_t block_stride, const float* x,
                                                  const float* zero, bool* owned) {
  *owned = false;
  pthread_mutex_lock(&cache->lock);
  struct tsr_indirection* found = NULL;
  for (size_t i = 0; i < cache->count && found == NULL; i++)
    if (tsr_indirection_fits(cache->entries[i], g, mr, blocks, block_stride)) found = cache->entries[i];
  if (found == NULL) {
    found = tsr_indirection_build(g, mr, blocks, block_stride, x, zero);
    if (found != NULL && cache->count < TSR_INDIRECTION_CACHE) cache->entries[cache->count++] = found;
    else if (found != NULL) *owned = true;
  }
  pthread_mutex_unlock(&cache->lock);
  return found;
}
