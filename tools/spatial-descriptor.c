#include "tools/spatial-descriptor.h"

#include <stdio.h>
#include <string.h>

#include "tools/problem-parse.h"

enum { K_G, K_MB, K_IC, K_OC, K_ID, K_IH, K_IW, K_OD, K_OH, K_OW, K_KD, K_KH, K_KW, K_SD, K_SH, K_SW,
       K_PD, K_PH, K_PW, K_DD, K_DH, K_DW, K_COUNT };
static const char* const tsr_spatial_keys[K_COUNT] = {"g", "mb", "ic", "oc", "id", "ih", "iw", "od", "oh", "ow", "kd",
                                                      "kh", "kw", "sd", "sh", "sw", "pd", "ph", "pw", "dd", "dh", "dw"};

int tsr_parse_spatial(const char* body, struct tsr_spatial_problem* s, char* error, size_t size) {
  int64_t v[K_COUNT];
  bool has[K_COUNT];
  if (tsr_parse_keyed(body, tsr_spatial_keys, K_COUNT, v, has, error, size) != 0) return -1;
  for (int k = 0; k < K_COUNT; k++) /* sizes, counts and strides are at least 1; pads and dilations may be 0 */
    if (has[k] && v[k] < 1 && !(k >= K_PD && k <= K_DW)) {
      snprintf(error, size, "'%s': %s is 0; sizes, counts and strides must be at least 1", body, tsr_spatial_keys[k]);
      return -1;
    }
  if (!has[K_IC]) {
    snprintf(error, size, "'%s': needs ic (channels)", body);
    return -1;
  }
  s->spatial = has[K_ID] || has[K_KD] ? 3 : has[K_IH] || has[K_KH] ? 2 : has[K_IW] || has[K_KW] ? 1 : 0;
  if (s->spatial == 0) {
    snprintf(error, size, "'%s': needs an input size (iw, ih or id)", body);
    return -1;
  }
  s->mb = has[K_MB] ? v[K_MB] : 0;
  s->groups = has[K_G] ? v[K_G] : 1;
  s->ic = v[K_IC];
  s->oc = has[K_OC] ? v[K_OC] : 0;
  static const int keys[3][6] = {{K_ID, K_OD, K_KD, K_SD, K_PD, K_DD}, {K_IH, K_OH, K_KH, K_SH, K_PH, K_DH},
                                 {K_IW, K_OW, K_KW, K_SW, K_PW, K_DW}};
  static const int64_t defaults[6] = {0, 0, 1, 1, 0, 0};
  for (int d = 0; d < s->spatial; d++) {
    const int* k = keys[3 - s->spatial + d];
    const bool width = k == keys[2] && s->spatial >= 2;
    int64_t values[6];
    for (int j = 0; j < 6; j++)
      values[j] = has[k[j]] ? v[k[j]] : width && has[keys[1][j]] ? v[keys[1][j]] : defaults[j];
    if (values[0] < 1) {
      snprintf(error, size, "'%s': missing the input size of spatial dim %d", body, d);
      return -1;
    }
    s->in[d] = values[0], s->out[d] = values[1], s->kernel[d] = values[2];
    s->stride[d] = values[3], s->pad[d] = values[4], s->dilation[d] = values[5];
  }
  return 0;
}

int64_t tsr_spatial_end_padding(const struct tsr_spatial_problem* s, int d, int64_t span) {
  if (s->out[d] < 1) return s->pad[d];
  const int64_t needed = (s->out[d] - 1) * s->stride[d] + span - s->in[d] - s->pad[d];
  if (needed >= 0) return needed;
  const int64_t floor_out = (s->in[d] + 2 * s->pad[d] - span) / s->stride[d] + 1;
  return floor_out == s->out[d] ? s->pad[d] : -1;
}
