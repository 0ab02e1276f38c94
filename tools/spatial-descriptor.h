/* benchdnn's spatial problem descriptors, shared by the conv and pool drivers:
 * "[gG][mbN]icC[ocK] [id ih iw] [od oh ow] [kd kh kw] [sd sh sw] [pd ph pw] [dd dh dw]".
 * The problem is 3-D with an id or kd key, 2-D with ih or kh, 1-D with iw or kw only; a 2-D or
 * 3-D problem's width keys default to the height's (square problems). */
#ifndef TSR_TOOLS_SPATIAL_DESCRIPTOR_H
#define TSR_TOOLS_SPATIAL_DESCRIPTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tsr_spatial_problem {
  int spatial;                /* 1, 2 or 3 */
  int64_t mb, groups, ic, oc; /* mb 0 and oc 0 when not given; groups 1 when not given */
  /* per spatial dim, outermost first: input, output (0: not given), kernel (1), stride (1),
   * padding (0) and dilation counted from 0 as benchdnn does (0) */
  int64_t in[3], out[3], kernel[3], stride[3], pad[3], dilation[3];
};

/// Parses `body`; returns 0, or -1 with a message (unknown or repeated keys, zero sizes, no ic,
/// no input size).
int tsr_parse_spatial(const char* body, struct tsr_spatial_problem* problem, char* error,
                      size_t error_size);

/// The end padding of spatial dim d for a kernel spanning `span` input elements: what the given
/// output needs, or the begin padding when no output is given or when the given output leaves
/// input elements unused at the end (floor division, as a strided 1x1 convolution does).
/// Returns -1 when the given output cannot follow from the problem.
int64_t tsr_spatial_end_padding(const struct tsr_spatial_problem* problem, int d, int64_t span);

#endif
