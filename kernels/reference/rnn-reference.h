/* Reference recurrent cells and layers: every gate of every step summed and activated in double
 * precision, each state rounded to float once per step (as a float network stores it). The
 * ground truth for tsr_rnn_cell_create and tsr_rnn_create. */
#ifndef TSR_KERNELS_REFERENCE_RNN_H
#define TSR_KERNELS_REFERENCE_RNN_H

#include <stddef.h>

#include "tessera.h"

/// One step for `batch` rows: x row b at x + b * ldx (input_size values), h and c rows at
/// b * hidden; writes h_out (and c_out for LSTM) rows at b * hidden. Outputs may alias h / c.
/// Biases may be NULL. Returns 0, or -1 when out of memory.
int tsr_reference_rnn_cell_f32(tsr_rnn_cell_kind cell, size_t batch, size_t input_size,
                               size_t hidden, const float* x, size_t ldx, const float* h,
                               const float* c, const tsr_rnn_weights* weights, float* h_out,
                               float* c_out);

/// The whole layer as tsr_rnn_create defines it, with tensors as its run takes them: x
/// (batch_first or time-major), h0 / c0 [layers x directions, batch, hidden] or NULL for zeros,
/// y, and h_n / c_n (NULL to skip). Returns 0, or -1 when out of memory.
int tsr_reference_rnn_f32(const tsr_rnn_params* params, const tsr_rnn_weights* weights,
                          size_t batch, size_t time, const float* x, const float* h0,
                          const float* c0, float* y, float* h_n, float* c_n);

#endif
