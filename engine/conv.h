/* What convolution, its backward pass and transposed convolution share: the parameter checks,
 * and the op struct with its copied weights. */
#ifndef TSR_ENGINE_CONV_H
#define TSR_ENGINE_CONV_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/conv-data-gradient.h"
#include "engine/conv-fast.h"
#include "engine/op.h"
#include "kernels/reference/conv-reference.h"
#include "tessera.h"

/* Extents, kernels, strides, dilations and paddings are capped so that every product the shape
 * formulas form fits in int64. */
#define TSR_CONV_MAX_EXTENT ((int64_t)1 << 40)

struct tsr_conv_op {
  struct tsr_op base;
  tsr_conv_params params;
  int64_t output_padding[3]; /* transposed convolution only */
  float* weights;                   /* NULL once a fast algorithm has packed them */
  float* bias;
  const tsr_activation* activation; /* NULL for none */
  struct tsr_conv_fast* fast;       /* the forward convolution's chosen algorithm (else NULL) */
  bool reference;                   /* TESSERA_CONV=reference at creation: the reference loops */
  struct tsr_conv_data_gradient gradient; /* transposed conv and backward data: packed weights */
};

/// Checks every field of `params`; messages start with `where`.
tsr_status tsr_conv_check_params(const tsr_conv_params* params, const char* where);

/// Checks input dims [N, C, spatial...] against checked params: ndims, extents 1 to 2^40, C
/// equal to in_channels.
tsr_status tsr_conv_check_input(const tsr_conv_params* params, int32_t ndims, const int64_t* input_dims,
                                const char* where);

/// Checks op, params and weights, then allocates the op and copies params, the weights
/// ([out or in][.. / groups][kernel...]: out_channels x in_channels / groups x taps values either
/// way) and the bias (`bias_count` values, or NULL). Errors name `where`.
tsr_status tsr_conv_op_new(const tsr_conv_params* params, const float* weights, const float* bias,
                           size_t bias_count, tsr_op_kind kind, const struct tsr_op_vtable* vtable,
                           const char* where, tsr_op** op, struct tsr_conv_op** created);

/// Fills the reference loops' geometry of the convolution from tensor `in` to tensor `out`
/// (their extents and strides, `pads` at the beginning of each spatial dim). Transposed
/// convolution is the data gradient of such a convolution from its output (`in`) to its input
/// (`out`): `transposed` swaps the channel counts to match.
void tsr_conv_geometry_fill(const tsr_conv_params* params, bool transposed, const tsr_tensor_desc* in,
                            const tsr_tensor_desc* out, const int64_t* pads, struct tsr_conv_geometry* g);

/// Packs the op's weights for tsr_conv_data_gradient_run (transposed: a transposed convolution's
/// [in][out / groups][kernel...], else a convolution's [out][in / groups][kernel...]).
tsr_status tsr_conv_data_gradient_pack(struct tsr_conv_op* op, bool transposed, const char* where);

/// Frees the op's weights, bias and packed weights.
void tsr_conv_release(tsr_op* op);

#endif
