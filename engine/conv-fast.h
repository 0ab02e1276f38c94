/* The fast convolution paths behind tsr_conv_create, chosen per layer at creation:
 * - gemm:   1x1, stride 1, no padding, one group: on NCHW the GEMM engine straight on the
 *           tensors (Y_n = W X_n with X_n read in place); on NHWC the igemm kernel with one tap
 *           (a GEMM whose A rows are the pixels, read in place; faster than the GEMM engine on
 *           10 of ResNet-50's 12 stride-1 1x1 layers and within 2% on the others,
 *           docs/PERFORMANCE.md);
 * - dwconv: depthwise (groups = channels, multiplier 1): the f32-dwrow kernel on each output
 *   row's interior (windows inside the input along w), the f32-dwconv kernel per edge pixel;
 * - igemm:  everything else (any kernel, stride, dilation, padding, groups): indirect GEMM.
 * igemm and dwconv run on NHWC; a plain (NCHW) tensor is reordered to NHWC and back one batch
 * item at a time. The reference loop stays reachable with TESSERA_CONV=reference. */
#ifndef TSR_ENGINE_CONV_FAST_H
#define TSR_ENGINE_CONV_FAST_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/activation.h"
#include "engine/conv-indirection.h"
#include "kernels/f32-dwconv/f32-dwconv.h"
#include "kernels/f32-dwrow/f32-dwrow.h"
#include "kernels/f32-igemm/f32-igemm.h"
#include "kernels/microparams.h"
#include "kernels/reference/conv-reference.h"

enum tsr_conv_algorithm {
  tsr_conv_algorithm_reference,
  tsr_conv_algorithm_gemm,
  tsr_conv_algorithm_igemm,
  tsr_conv_algorithm_dwconv,
};

struct tsr_conv_fast {
  enum tsr_conv_algorithm algorithm;
  const char* kernel_name;
  tsr_isa isa;
  size_t mr, nr;                    /* igemm tile; dwconv: 1 x channel block */
  size_t kc, taps, group_out;       /* channels per group, kernel taps, output channels per group */
  tsr_f32_igemm_ukernel_fn igemm;
  tsr_f32_dwconv_ukernel_fn dwconv;
  tsr_f32_dwrow_ukernel_fn dwrow;   /* dwconv's row kernel (same packing), or NULL */
  float* packed;                    /* igemm panels / dwconv blocks, bias included */
  float* zero;                      /* the padding row: kc (igemm) or channels (dwconv) zeros */
  const float* weights;             /* gemm: W as given ([oc][ic], the NCHW product's A) */
  const float* bias;                /* gemm: NULL or oc values */
  struct tsr_indirection_cache* cache;
  struct tsr_f32_conv_params params; /* the kernels' store: clamp bounds and sum scale */
  bool post;                         /* an activation the kernels cannot fuse: run after */
  struct tsr_activation_impl activation;
};

/// Chooses the algorithm for `params` (TESSERA_CONV=reference forces the reference) and
/// prepares it: packs the weights (and bias) for the chosen kernel. The gemm path keeps
/// pointers to `weights` and `bias`, which must outlive the op (the op's own copies).
tsr_status tsr_conv_fast_init(struct tsr_conv_fast* fast, const tsr_conv_params* params,
                              const float* weights, const float* bias, const char* where);
void tsr_conv_fast_release(struct tsr_conv_fast* fast);

/// Runs the prepared algorithm on checked tensors described by g (plain or nhwc, `nhwc` says
/// which). Errors: out_of_memory.
tsr_status tsr_conv_fast_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                             bool nhwc, const float* x, float* y, tsr_threadpool* pool,
                             const char* where);

/// The algorithms' runs (igemm and dwconv: dense NHWC x and y described by g; gemm: NCHW) and
/// their weight packing.
tsr_status tsr_conv_igemm_pack(struct tsr_conv_fast* fast, const tsr_conv_params* params,
                               const float* weights, const float* bias);
tsr_status tsr_conv_igemm_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                              const float* x, float* y, tsr_threadpool* pool);
tsr_status tsr_conv_dwconv_pack(struct tsr_conv_fast* fast, const tsr_conv_params* params,
                                const float* weights, const float* bias);
tsr_status tsr_conv_dwconv_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                               const float* x, float* y, tsr_threadpool* pool);
tsr_status tsr_conv_gemm_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                             const float* x, float* y, tsr_threadpool* pool, const char* where);

#endif
