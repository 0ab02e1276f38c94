/* Reference recurrent cells and layers (see rnn-reference.h). */
#include "kernels/reference/rnn-reference.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static double tsr_sigmoid_f64(double x) { return 1.0 / (1.0 + exp(-x)); }

/* sum_k w[row][k] * v[k] + bias[row], in double. */
static double tsr_row_dot(const float* w, size_t row, size_t k, const float* v, const float* bias) {
  double sum = bias != NULL ? bias[row] : 0.0;
  for (size_t i = 0; i < k; i++) sum += (double)w[row * k + i] * v[i];
  return sum;
}

int tsr_reference_rnn_cell_f32(tsr_rnn_cell_kind cell, size_t batch, size_t input_size,
                               size_t hidden, const float* x, size_t ldx, const float* h,
                               const float* c, const tsr_rnn_weights* w, float* h_out,
                               float* c_out) {
  const size_t gates = (size_t)tsr_rnn_cell_gates(cell), H = hidden;
  /* Per row: the input part and the hidden part of every gate, then the new states. */
  double* gi = malloc(sizeof(double) * gates * H * 2 + sizeof(float) * H);
  if (gi == NULL) return -1;
  double* gh = gi + gates * H;
  float* rh = (float*)(gh + gates * H);
  for (size_t b = 0; b < batch; b++) {
    const float* xb = x + b * ldx;
    const float* hb = h + b * H;
    for (size_t g = 0; g < gates * H; g++) {
      gi[g] = tsr_row_dot(w->w_ih, g, input_size, xb, w->b_ih);
      gh[g] = tsr_row_dot(w->w_hh, g, H, hb, w->b_hh);
    }
    if (cell == tsr_rnn_cell_gru) {
      /* n's hidden part multiplies r * h, not h. */
      for (size_t j = 0; j < H; j++) rh[j] = (float)(tsr_sigmoid_f64(gi[j] + gh[j]) * hb[j]);
      for (size_t j = 0; j < H; j++) gh[2 * H + j] = tsr_row_dot(w->w_hh, 2 * H + j, H, rh, w->b_hh);
    }
    for (size_t j = 0; j < H; j++) {
      double h_new = 0.0;
      switch (cell) {
        case tsr_rnn_cell_tanh: h_new = tanh(gi[j] + gh[j]); break;
        case tsr_rnn_cell_relu: h_new = fmax(gi[j] + gh[j], 0.0); break;
        case tsr_rnn_cell_lstm: {
          const double i = tsr_sigmoid_f64(gi[j] + gh[j]);
          const double f = tsr_sigmoid_f64(gi[H + j] + gh[H + j]);
          const double g = tanh(gi[2 * H + j] + gh[2 * H + j]);
          const double o = tsr_sigmoid_f64(gi[3 * H + j] + gh[3 * H + j]);
          const float c_new = (float)(f * c[b * H + j] + i * g);
          c_out[b * H + j] = c_new;
          h_new = o * tanh((double)c_new);
          break;
        }
        case tsr_rnn_cell_gru:
        case tsr_rnn_cell_gru_linear_before_reset: {
          const double r = tsr_sigmoid_f64(gi[j] + gh[j]);
          const double z = tsr_sigmoid_f64(gi[H + j] + gh[H + j]);
          const double n = cell == tsr_rnn_cell_gru ? tanh(gi[2 * H + j] + gh[2 * H + j])
                                                    : tanh(gi[2 * H + j] + r * gh[2 * H + j]);
          h_new = (1.0 - z) * n + z * hb[j];
          break;
        }
      }
      h_out[b * H + j] = (float)h_new;
    }
  }
  free(gi);
  return 0;
}

int tsr_reference_rnn_f32(const tsr_rnn_params* p, const tsr_rnn_weights* weights, size_t batch,
                          size_t time, const float* x, const float* h0, const float* c0, float* y,
                          float* h_n, float* c_n) {
  const size_t H = (size_t)p->hidden_size, B = batch, T = time;
  const bool bidirectional =
      p->direction == tsr_rnn_bidirectional_concat || p->direction == tsr_rnn_bidirectional_sum;
  const size_t D = bidirectional ? 2 : 1;
  const size_t width = p->direction == tsr_rnn_bidirectional_concat ? 2 * H : H;
  const size_t in0 = (size_t)p->input_size;
  const size_t max_in = in0 > width ? in0 : width;
  /* Time-major copies: seq (this layer's input), out (its output); states per direction. */
  float* seq = malloc(sizeof(float) * T * B * max_in);
  float* out = malloc(sizeof(float) * T * B * width);
  float* state = malloc(sizeof(float) * 2 * D * B * H);
  if (seq == NULL || out == NULL || state == NULL) {
    free(seq), free(out), free(state);
    return -1;
  }
  for (size_t t = 0; t < T; t++)
    for (size_t b = 0; b < B; b++)
      memcpy(seq + (t * B + b) * in0, x + (p->batch_first ? b * T + t : t * B + b) * in0,
             sizeof(float) * in0);
  size_t in = in0;
  int status = 0;
  for (size_t l = 0; l < (size_t)p->num_layers && status == 0; l++) {
    for (size_t d = 0; d < D && status == 0; d++) {
      const size_t unit = l * D + d;
      float* h = state + d * 2 * B * H;
      float* c = h + B * H;
      const bool reverse = p->direction == tsr_rnn_reverse || d == 1;
      for (size_t i = 0; i < B * H; i++) {
        h[i] = h0 != NULL ? h0[unit * B * H + i] : 0.0f;
        c[i] = c0 != NULL ? c0[unit * B * H + i] : 0.0f;
      }
      for (size_t s = 0; s < T && status == 0; s++) {
        const size_t t = reverse ? T - 1 - s : s;
        status = tsr_reference_rnn_cell_f32(p->cell, B, in, H, seq + t * B * in, in, h, c,
                                            &weights[unit], h, c);
        for (size_t b = 0; b < B; b++)
          for (size_t j = 0; j < H; j++) {
            float* o = out + (t * B + b) * width + j;
            if (p->direction == tsr_rnn_bidirectional_concat) o[d * H] = h[b * H + j];
            else if (d == 0) *o = h[b * H + j];
            else *o += h[b * H + j];
          }
      }
      if (h_n != NULL) memcpy(h_n + unit * B * H, h, sizeof(float) * B * H);
      if (c_n != NULL && p->cell == tsr_rnn_cell_lstm) memcpy(c_n + unit * B * H, c, sizeof(float) * B * H);
    }
    memcpy(seq, out, sizeof(float) * T * B * width);
    in = width;
  }
  if (status == 0 && p->return_sequences) {
    for (size_t t = 0; t < T; t++)
      for (size_t b = 0; b < B; b++)
        memcpy(y + (p->batch_first ? b * T + t : t * B + b) * width, out + (t * B + b) * width,
               sizeof(float) * width);
  } else if (status == 0) {
    /* The final state of each direction of the top layer. */
    for (size_t b = 0; b < B; b++)
      for (size_t d = 0; d < D; d++)
        for (size_t j = 0; j < H; j++) {
          const float v = state[d * 2 * B * H + b * H + j];
          if (p->direction == tsr_rnn_bidirectional_concat) y[b * width + d * H + j] = v;
          else if (d == 0) y[b * width + j] = v;
          else y[b * width + j] += v;
        }
  }
  free(seq), free(out), free(state);
  return status;
}
