#include "tests/harness/spatial-case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tsr_conv_params tsr_conv_params_of(int32_t spatial, int64_t ic, int64_t oc, int64_t groups) {
  tsr_conv_params p;
  memset(&p, 0, sizeof(p));
  p.spatial_ndims = spatial, p.in_channels = ic, p.out_channels = oc, p.groups = groups;
  for (int d = 0; d < 3; d++) p.kernel[d] = p.stride[d] = p.dilation[d] = 1;
  return p;
}

tsr_conv_params tsr_random_conv_params(tsr_rng* rng, int64_t* in_dims) {
  const int32_t spatial = 1 + (int32_t)tsr_rng_below(rng, 3);
  static const int64_t channel_choices[] = {1, 2, 3, 5, 7, 8};
  int64_t groups = 1, ic = channel_choices[tsr_rng_below(rng, 6)], oc = channel_choices[tsr_rng_below(rng, 6)];
  const uint64_t kind = tsr_rng_below(rng, 4);
  if (kind == 0) groups = ic, oc = ic * (1 + (int64_t)tsr_rng_below(rng, 3)); /* depthwise, multiplier 1-3 */
  else if (kind == 1) groups = 2, ic *= 2, oc *= 2;
  tsr_conv_params p = tsr_conv_params_of(spatial, ic, oc, groups);
  p.padding_mode = (tsr_padding_mode)tsr_rng_below(rng, 3);
  in_dims[0] = 1 + (int64_t)tsr_rng_below(rng, 4);
  in_dims[1] = ic;
  for (int d = 0; d < spatial; d++) {
    p.kernel[d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 3 : 7);
    p.stride[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
    p.dilation[d] = 1 + (int64_t)tsr_rng_below(rng, 3);
    p.padding_begin[d] = (int64_t)tsr_rng_below(rng, 3);
    p.padding_end[d] = (int64_t)tsr_rng_below(rng, 3);
    in_dims[2 + d] = 1 + (int64_t)tsr_rng_below(rng, spatial == 3 ? 6 : 12);
  }
  return p;
}

const char* tsr_conv_case_name(char* text, size_t size, const char* op, const tsr_conv_params* p,
                               const int64_t* in_dims, tsr_layout layout, const char* extra) {
  int len = snprintf(text, size, "%s g%lldmb%lldic%lldoc%lld", op, (long long)p->groups, (long long)in_dims[0],
                     (long long)p->in_channels, (long long)p->out_channels);
  for (int d = 0; d < p->spatial_ndims && len > 0 && (size_t)len < size; d++) {
    const char a = "dhw"[3 - p->spatial_ndims + d];
    len += snprintf(text + len, size - (size_t)len, "i%c%lldk%c%llds%c%lldd%c%lldp%c%lld-%lld", a,
                    (long long)in_dims[2 + d], a, (long long)p->kernel[d], a, (long long)p->stride[d], a,
                    (long long)p->dilation[d] - 1, a, (long long)p->padding_begin[d], (long long)p->padding_end[d]);
  }
  static const char* const modes[] = {"explicit", "same", "valid"};
  if (len > 0 && (size_t)len < size)
    snprintf(text + len, size - (size_t)len, " %s %s%s", tsr_layout_name(layout), modes[p->padding_mode], extra);
  return text;
}

size_t tsr_blocked_offset(size_t n, size_t c, size_t s, size_t channels, size_t spatial, size_t block) {
  const size_t blocks = (channels + block - 1) / block;
  return ((n * blocks + c / block) * spatial + s) * block + c % block;
}

void tsr_plain_to_blocked(const float* x, size_t batch, size_t channels, size_t spatial, size_t block,
                          float padding, float* xb) {
  const size_t padded = (channels + block - 1) / block * block;
  for (size_t n = 0; n < batch; n++)
    for (size_t c = 0; c < padded; c++)
      for (size_t s = 0; s < spatial; s++)
        xb[tsr_blocked_offset(n, c, s, channels, spatial, block)] = c < channels ? x[(n * channels + c) * spatial + s]
                                                                                 : padding;
}

bool tsr_check_blocked(const char* what, const float* yb, const float* y, size_t batch, size_t channels,
                       size_t spatial, size_t block, double atol, double rtol) {
  size_t padding = 0;
  const size_t padded = (channels + block - 1) / block * block;
  float* plain = malloc(batch * channels * spatial * sizeof(float));
  if (plain == NULL) return tsr_check(false, what, "out of memory");
  for (size_t n = 0; n < batch; n++)
    for (size_t c = 0; c < padded; c++)
      for (size_t s = 0; s < spatial; s++) {
        const float v = yb[tsr_blocked_offset(n, c, s, channels, spatial, block)];
        if (c >= channels) padding += v != 0.0f;
        else plain[(n * channels + c) * spatial + s] = v;
      }
  const size_t wrong = tsr_count_mismatches(plain, y, batch * channels * spatial, atol, rtol);
  free(plain);
  return tsr_check(wrong == 0 && padding == 0, what, "%zu elements differ from the plain run, %zu padding lanes nonzero",
                   wrong, padding);
}
