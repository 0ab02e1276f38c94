/* Softmax cross-entropy: a value worked by hand; random batches against a double computation
 * written here; the gradient against central finite differences of that double loss; NaN
 * propagation; a label out of range refused with nothing written; and the tensor checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"

static double tsr_loss_double(const double* logits, const int32_t* labels, size_t n, size_t c) {
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    double max = -INFINITY, sum = 0.0;
    for (size_t j = 0; j < c; j++) max = fmax(max, logits[i * c + j]);
    for (size_t j = 0; j < c; j++) sum += exp(logits[i * c + j] - max);
    total += max + log(sum) - logits[i * c + labels[i]];
  }
  return total / (double)n;
}

static tsr_status tsr_run_loss(tsr_op* op, float* logits, int32_t* labels, size_t n, size_t c, float* loss, float* grad) {
  const int64_t ld[] = {(int64_t)n, (int64_t)c}, nd[] = {(int64_t)n}, one[] = {1};
  tsr_tensor ins[2] = {{.data = logits}, {.data = labels}}, outs[2] = {{.data = loss}, {.data = grad}};
  tsr_tensor_desc_init(&ins[0].desc, tsr_dtype_f32, tsr_layout_plain, 2, ld);
  tsr_tensor_desc_init(&ins[1].desc, tsr_dtype_s32, tsr_layout_plain, 1, nd);
  tsr_tensor_desc_init(&outs[0].desc, tsr_dtype_f32, tsr_layout_plain, 1, one);
  outs[1].desc = ins[0].desc;
  return tsr_op_run(op, 2, ins, grad ? 2 : 1, outs, NULL);
}

int main(void) {
  tsr_op* op = NULL;
  tsr_check_status(tsr_softmax_cross_entropy_create(&op), tsr_status_success, "create");
  /* By hand: logits (1, 2, 3), label 2: log(e + e^2 + e^3) - 3 = 0.40760596444437... */
  {
    float logits[3] = {1, 2, 3}, loss, grad[3];
    int32_t label = 2;
    tsr_run_loss(op, logits, &label, 1, 3, &loss, grad);
    const double s = exp(1) + exp(2) + exp(3);
    tsr_check(fabs(loss - 0.40760596444437) < 1e-7, "loss by hand", "%.9g", (double)loss);
    const float expected[3] = {(float)(exp(1) / s), (float)(exp(2) / s), (float)(exp(3) / s - 1)};
    tsr_check_close("gradient by hand", grad, expected, 3, 1e-7, 1e-6);
  }
  /* Random batches: loss against the double computation; gradient against finite differences. */
  tsr_rng rng = tsr_rng_seeded(12);
  const size_t shapes[][2] = {{1, 1}, {4, 10}, {17, 1000}, {64, 3}};
  for (size_t s = 0; s < 4; s++) {
    const size_t n = shapes[s][0], c = shapes[s][1];
    float* logits = tsr_guarded_alloc(n * c * sizeof(float));
    float* grad = tsr_guarded_alloc(n * c * sizeof(float));
    double* exact = tsr_guarded_alloc(n * c * sizeof(double));
    int32_t* labels = tsr_guarded_alloc(n * sizeof(int32_t));
    tsr_fill_uniform(&rng, logits, n * c, -5, 5);
    for (size_t i = 0; i < n; i++) labels[i] = (int32_t)tsr_rng_below(&rng, c);
    for (size_t i = 0; i < n * c; i++) exact[i] = logits[i];
    float loss;
    tsr_fill_nan(grad, n * c);
    tsr_run_loss(op, logits, labels, n, c, &loss, grad);
    char what[80];
    snprintf(what, sizeof(what), "cross-entropy %zux%zu", n, c);
    const double reference = tsr_loss_double(exact, labels, n, c);
    tsr_check(fabs(loss - reference) <= 1e-6 * fmax(1.0, fabs(reference)), what, "loss %.9g, exact %.12g", (double)loss, reference);
    size_t bad = 0;
    for (size_t k = 0; k < n * c; k += (n * c > 200 ? 37 : 1)) { /* central differences in double */
      const double h = 1e-5, saved = exact[k];
      exact[k] = saved + h;
      const double up = tsr_loss_double(exact, labels, n, c);
      exact[k] = saved - h;
      const double down = tsr_loss_double(exact, labels, n, c);
      exact[k] = saved;
      const double numeric = (up - down) / (2 * h);
      bad += fabs(grad[k] - numeric) > 1e-6 + 1e-4 * fabs(numeric);
    }
    tsr_check(bad == 0, what, "%zu gradient entries differ from central differences", bad);
    tsr_guarded_free(logits);
    tsr_guarded_free(grad);
    tsr_guarded_free(exact);
    tsr_guarded_free(labels);
  }
  /* NaN logits give a NaN loss; a bad label is refused before anything is written. */
  {
    float logits[4] = {0, NAN, 1, 2}, loss = 0, grad[4];
    int32_t labels[2] = {0, 1};
    tsr_run_loss(op, logits, labels, 2, 2, &loss, grad);
    tsr_check(isnan(loss), "NaN logits", "loss %g", (double)loss);
    labels[1] = 2;
    loss = -7.0f;
    tsr_fill_nan(grad, 4);
    tsr_check_status(tsr_run_loss(op, logits, labels, 2, 2, &loss, grad), tsr_status_invalid_parameter, "label 2 of 2");
    tsr_check(strstr(tsr_last_error_message(), "element 1") != NULL && loss == -7.0f && isnan(grad[0]),
              "bad label", "'%s', loss %g", tsr_last_error_message(), (double)loss);
    labels[1] = -1;
    tsr_check_status(tsr_run_loss(op, logits, labels, 2, 2, &loss, NULL), tsr_status_invalid_parameter, "label -1");
  }
  tsr_op_destroy(op);
  tsr_check_status(tsr_softmax_cross_entropy_create(NULL), tsr_status_invalid_parameter, "create(NULL)");
  return tsr_test_finish();
}
