/* PReLU forward and backward: against the formula (exact), plain and nhwc, one shared slope,
 * in place, 1 to 3 threads; dslope against central finite differences; against oneDNN's prelu
 * forward and backward; and the argument checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#ifdef TSR_HAVE_ONEDNN
#include "tests/harness/onednn.h"
#endif

enum { N = 3, C = 5, H = 4, W = 3, TOTAL = N * C * H * W };

static size_t tsr_channel(size_t i, bool nhwc) { return nhwc ? i % C : (i / (H * W)) % C; }

int main(void) {
  tsr_rng rng = tsr_rng_seeded(99);
  float x[TOTAL], dy[TOTAL], y[TOTAL], dx[TOTAL], slopes[C], dslope[C], expected[TOTAL], expected_dx[TOTAL];
  const int64_t dims[] = {N, C, H, W}, cd[] = {C};
  for (uint32_t threads = 1; threads <= 3; threads++) {
    tsr_threadpool* pool = NULL;
    tsr_threadpool_create(threads, &pool);
    for (int layout = 0; layout < 2; layout++)
      for (int shared = 0; shared < 2; shared++) {
        tsr_fill_uniform(&rng, x, TOTAL, -3, 3);
        tsr_fill_uniform(&rng, dy, TOTAL, -1, 1);
        tsr_fill_uniform(&rng, slopes, C, -0.5f, 0.5f);
        const size_t channels = shared ? 1 : C;
        double expected_dslope[C] = {0};
        for (size_t i = 0; i < TOTAL; i++) {
          const size_t c = shared ? 0 : tsr_channel(i, layout);
          expected[i] = x[i] > 0 ? x[i] : slopes[c] * x[i];
          expected_dx[i] = x[i] > 0 ? dy[i] : slopes[c] * dy[i];
          if (!(x[i] > 0)) expected_dslope[c] += (double)dy[i] * x[i];
        }
        tsr_tensor tx = {.data = x}, ty = {.data = y}, tdy = {.data = dy}, tdx = {.data = dx}, ts = {.data = dslope};
        tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, layout ? tsr_layout_nhwc : tsr_layout_plain, 4, dims);
        ty.desc = tdy.desc = tdx.desc = tx.desc;
        tsr_tensor_desc_init(&ts.desc, tsr_dtype_f32, tsr_layout_plain, 1, shared ? (const int64_t[]){1} : cd);
        tsr_op *fwd = NULL, *bwd = NULL;
        tsr_prelu_create((int64_t)channels, slopes, &fwd);
        tsr_prelu_backward_create((int64_t)channels, slopes, &bwd);
        char what[120];
        snprintf(what, sizeof(what), "%s %s threads %u", tsr_op_describe(fwd), tsr_layout_name(tx.desc.layout), threads);
        tsr_fill_nan(y, TOTAL);
        tsr_check_status(tsr_op_run(fwd, 1, &tx, 1, &ty, pool), tsr_status_success, what);
        tsr_check_close(what, y, expected, TOTAL, 0, 0);
        tsr_tensor ins[2] = {tx, tdy}, outs[2] = {tdx, ts};
        tsr_fill_nan(dx, TOTAL);
        tsr_check_status(tsr_op_run(bwd, 2, ins, 2, outs, pool), tsr_status_success, what);
        tsr_check_close("prelu backward dx", dx, expected_dx, TOTAL, 0, 0);
        size_t bad = 0;
        for (size_t c = 0; c < channels; c++) { /* dslope by central differences of sum(dy * y) */
          const double h = 1e-3;
          double up = 0, down = 0;
          for (size_t i = 0; i < TOTAL; i++) {
            if ((shared ? 0 : tsr_channel(i, layout)) != c || x[i] > 0) continue;
            up += dy[i] * (slopes[c] + h) * x[i];
            down += dy[i] * (slopes[c] - h) * x[i];
          }
          bad += fabs(dslope[c] - (up - down) / (2 * h)) > 1e-4 + 1e-4 * fabs(expected_dslope[c]);
        }
        tsr_check(bad == 0, "prelu dslope", "%zu slopes differ from finite differences", bad);
        memcpy(dx, dy, sizeof(dy)); /* in place: dx over dy */
        tsr_tensor in_place[2] = {tx, tdx};
        tsr_op_run(bwd, 2, in_place, 1, &tdx, pool);
        tsr_check_close("prelu backward in place", dx, expected_dx, TOTAL, 0, 0);
        tsr_op_destroy(fwd);
        tsr_op_destroy(bwd);
      }
    tsr_threadpool_destroy(pool);
  }
#ifdef TSR_HAVE_ONEDNN
  {
    tsr_fill_uniform(&rng, x, TOTAL, -3, 3);
    tsr_fill_uniform(&rng, dy, TOTAL, -1, 1);
    tsr_fill_uniform(&rng, slopes, C, -0.5f, 0.5f);
    float theirs[TOTAL], their_dx[TOTAL], their_dslope[C];
    const int64_t wd[] = {1, C, 1, 1};
    tsr_tensor tx = {.data = x}, ty = {.data = y}, tdy = {.data = dy}, tdx = {.data = dx}, tw = {.data = slopes};
    tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, dims);
    ty.desc = tdy.desc = tdx.desc = tx.desc;
    tsr_tensor_desc_init(&tw.desc, tsr_dtype_f32, tsr_layout_plain, 4, wd);
    tsr_tensor tt = {tx.desc, theirs}, ttdx = {tx.desc, their_dx}, ttw = {tw.desc, their_dslope}, ts = {.data = dslope};
    tsr_tensor_desc_init(&ts.desc, tsr_dtype_f32, tsr_layout_plain, 1, cd);
    tsr_op *fwd = NULL, *bwd = NULL;
    tsr_prelu_create(C, slopes, &fwd);
    tsr_prelu_backward_create(C, slopes, &bwd);
    tsr_op_run(fwd, 1, &tx, 1, &ty, NULL);
    tsr_tensor ins[2] = {tx, tdy}, outs[2] = {tdx, ts};
    tsr_op_run(bwd, 2, ins, 2, outs, NULL);
    dnnl_memory_desc_t md, wmd;
    tsr_onednn_md(&tx.desc, &md);
    tsr_onednn_md(&tw.desc, &wmd);
    dnnl_prelu_desc_t forward, backward;
    dnnl_prelu_forward_desc_init(&forward, dnnl_forward_training, &md, &wmd);
    dnnl_prelu_backward_desc_init(&backward, &md, &wmd, &md, &wmd);
    tsr_onednn_call call;
    const tsr_onednn_arg fargs[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_WEIGHTS, &tw}, {DNNL_ARG_DST, &tt}};
    if (tsr_check(tsr_onednn_call_create(&call, &forward, NULL, 3, fargs) == 0, "oneDNN prelu", "not created")) {
      tsr_onednn_call_execute(&call);
      tsr_check_close("prelu vs oneDNN", y, theirs, TOTAL, 0, 0);
      tsr_onednn_call_destroy(&call);
    }
    const tsr_onednn_arg bargs[] = {{DNNL_ARG_SRC, &tx}, {DNNL_ARG_WEIGHTS, &tw}, {DNNL_ARG_DIFF_DST, &tdy},
                                    {DNNL_ARG_DIFF_SRC, &ttdx}, {DNNL_ARG_DIFF_WEIGHTS, &ttw}};
    if (tsr_check(tsr_onednn_call_create_backward(&call, &backward, &forward, 5, bargs) == 0, "oneDNN prelu backward", "not created")) {
      tsr_onednn_call_execute(&call);
      tsr_check_close("prelu backward dx vs oneDNN", dx, their_dx, TOTAL, 1e-6, 1e-6);
      tsr_check_close("prelu backward dslope vs oneDNN", dslope, their_dslope, C, 1e-5, 1e-4);
      tsr_onednn_call_destroy(&call);
    }
    tsr_op_destroy(fwd);
    tsr_op_destroy(bwd);
  }
#endif
  tsr_op* op = (tsr_op*)0x1;
  tsr_check_status(tsr_prelu_create(0, slopes, &op), tsr_status_invalid_parameter, "prelu channels 0");
  tsr_check_status(tsr_prelu_create(3, NULL, &op), tsr_status_invalid_parameter, "prelu slopes NULL");
  tsr_check_status(tsr_prelu_backward_create(3, slopes, NULL), tsr_status_invalid_parameter, "prelu backward op NULL");
  tsr_check(op == (tsr_op*)0x1, "prelu create failures", "op written");
  tsr_prelu_create(4, slopes, &op); /* x has 5 channels */
  tsr_tensor tx = {.data = x}, ty = {.data = y};
  tsr_tensor_desc_init(&tx.desc, tsr_dtype_f32, tsr_layout_plain, 4, dims);
  ty.desc = tx.desc;
  tsr_fill_nan(y, TOTAL);
  tsr_check_status(tsr_op_run(op, 1, &tx, 1, &ty, NULL), tsr_status_invalid_parameter, "prelu 5 channels vs 4");
  tsr_check(isnan(y[0]), "prelu mismatch", "output written");
  tsr_op_destroy(op);
  return tsr_test_finish();
}
