/* The fast convolution paths behind tsr_conv_create, chosen per layer at creation:
 * - gemm:   1x1, stride 1, no padding, one group: on NCHW the GEMM engine straight on the
 *           tensors (Y_n = W X_n with X_n read in place); on NHWC the igemm kernel with one tap
 *           (a GEMM whose A rows are the pixels, read in place; faster than the GEMM engine on
 *           10 of ResNet-50's 12 stride-1 1x1 layers and within 2% on the others,
 *           docs/PERFORMANCE.md);
 * - dwconv: depthwise (groups = channels, multiplier 1): the f32-dwrow kernel on each output
 *   row, whole for three taps at stride 1 or 2 along w (its sliding form skips the padding),
 *   otherwise on the row's interior (windows inside the input along w) with the f32-dwconv
 *   kernel per edge pixel;
 * - winograd: 2-D 3x3 stride-1 dilation-1 layers of one group, where the params allow it
 *   (tsr_conv_algorithm auto or winograd) and, under auto, the measured rule in conv-fast.c
 *   picks it: F(4x4, 3x3) transforms (f32-winograd) around 36 GEMMs on the igemm kernel;
 * - igemm:  everything else (any kernel, stride, dilation, padding, groups): indirect GEMM.
 * igemm, dwconv and winograd run on NHWC; a plain (NCHW) tensor is reordered to NHWC and back one batch
 * item at a time. Channel-blocked tensors (nChw4c/8c/16c) run, whatever the path, the blocked
 * direct convolution (conv-blocked.c): the igemm kernel over one pointer per tap and channel
 * block, its tiles stored block by block; depthwise layers the dwconv path over each channel
 * block as an NHWC image. The reference loop stays reachable with TESSERA_CONV=reference. */
#ifndef TSR_ENGINE_CONV_FAST_H
#define TSR_ENGINE_CONV_FAST_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/activation.h"
#include "engine/conv-indirection.h"
#include "kernels/f32-dwconv/f32-dwconv.h"
#include "kernels/f32-dwrow/f32-dwrow.h"
#include "kernels/f32-igemm/f32-igemm.h"
#include "kernels/f32-winograd/f32-winograd.h"
#include "kernels/microparams.h"
#include "kernels/reference/conv-reference.h"

enum tsr_conv_path {
  tsr_conv_path_reference,
  tsr_conv_path_gemm,
  tsr_conv_path_igemm,
  tsr_conv_path_dwconv,
  tsr_conv_path_winograd,
};

struct tsr_conv_fast {
  enum tsr_conv_path path;
  const char* kernel_name;
  char label[64];                   /* winograd's kernel_name: transforms + GEMM tile */
  tsr_isa isa;
  size_t mr, nr;                    /* igemm tile; dwconv: 1 x channel block */
  size_t kc, taps, group_out;       /* channels per group, kernel taps, output channels per group */
  tsr_f32_igemm_ukernel_fn igemm;
  tsr_f32_dwconv_ukernel_fn dwconv;
  tsr_f32_dwrow_ukernel_fn dwrow;   /* dwconv's row kernel (same packing), or NULL */
  const struct tsr_winograd_ukernels* winograd; /* winograd's transforms (its GEMM: igemm) */
  /* winograd chosen by auto on a layer whose U comes from memory (conv-winograd.c): the
     igemm path it hands runs with few tiles to, or NULL */
  struct tsr_conv_fast* direct;
  float* packed;                    /* igemm panels / dwconv blocks, bias included; winograd:
                                       igemm panels of U per point ξ, zero bias rows */
  float* zero;                      /* the padding row: kc (igemm, winograd) or channels (dwconv) zeros */
  const float* weights;             /* gemm: W as given ([oc][ic], the NCHW product's A) */
  const float* bias;                /* gemm, winograd: NULL or oc values */
  /* the blocked layouts' igemm panels, channels padded to whole blocks of 4, 8 and 16 (or C_in
     itself when it fits one block): packed on the first run that needs them, under the cache's
     lock (NULL until then; `packed` serves where no padding is needed) */
  float* blocked_packed[3];
  struct tsr_indirection_cache* cache;
  struct tsr_f32_conv_params params; /* the kernels' store: clamp bounds and sum scale */
  bool post;                         /* an activation the kernels cannot fuse: run after */
  struct tsr_activation_impl activation;
};

/// Whether TESSERA_CONV names `name` ("reference", "igemm", "winograd"): forces that path (read
/// at each op's creation).
bool tsr_conv_forced(const char* name);

/// Chooses the algorithm for `params` (TESSERA_CONV=reference, igemm or winograd forces one;
/// params->algorithm limits the choice) and prepares it: packs the weights (and bias) for the
/// chosen kernel. The gemm path keeps pointers to `weights` and `bias`, winograd to `bias`; they
/// must outlive the op (the op's own copies). Errors: unsupported_parameter (Winograd asked for
/// a layer it cannot run), out_of_memory.
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
/// igemm panels for `groups` groups (bias first, then taps x kc channels of NR weights; channels
/// at or past fast->kc hold zeros), 64-byte aligned; NULL when out of memory.
float* tsr_conv_igemm_pack_panels(const struct tsr_conv_fast* fast, size_t groups, const float* weights,
                                  const float* bias, size_t kc);
/// Floats in one NR-column panel of kc channels a tap.
size_t tsr_conv_igemm_panel_floats(const struct tsr_conv_fast* fast, size_t kc);
/// Whether a run stores y with streaming stores (struct tsr_f32_conv_params.stream): x and y
/// together past half the last-level cache (tsr_cpu_from_memory), so y would not stay there for
/// the next layer and each store that misses would first read its line; and y and every one of
/// its strides 64-byte aligned, as the streaming kernels require of the vectors they store (the
/// caller adds its own conditions).
bool tsr_conv_output_streams(const struct tsr_conv_geometry* g, const float* y);

/// The igemm task grid (conv-igemm.c's scheduling rule): pixel tiles and NR panels a task for
/// `items` independent images of `tiles` tiles.
void tsr_conv_igemm_grid(const struct tsr_conv_fast* fast, size_t panel_floats, size_t items, size_t tiles,
                         size_t threads, size_t* tile_block, size_t* panel_block);
tsr_status tsr_conv_igemm_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                              const float* x, float* y, tsr_threadpool* pool);
tsr_status tsr_conv_dwconv_pack(struct tsr_conv_fast* fast, const tsr_conv_params* params,
                                const float* weights, const float* bias);
tsr_status tsr_conv_dwconv_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                               const float* x, float* y, tsr_threadpool* pool);
/// dwconv over g->n NHWC images whose channels differ by image: image n takes its packed
/// weights at packed + (n % blocks) x packed_stride (a blocked tensor's channel blocks).
tsr_status tsr_conv_dwconv_run_images(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                                      const float* packed, size_t blocks, size_t packed_stride, const float* x,
                                      float* y, tsr_threadpool* pool);
/// Whether Winograd F(4x4, 3x3) can run the layer: 2-D, 3x3, stride 1, dilation 1, one group.
bool tsr_conv_winograd_eligible(const tsr_conv_params* params);
/// Whether the layer's transformed weights U are too large to stay in the last-level cache, so
/// that runs with few tiles are better on the direct path (fast->direct).
bool tsr_conv_winograd_wide(const tsr_conv_params* params);
tsr_status tsr_conv_winograd_pack(struct tsr_conv_fast* fast, const float* weights);
tsr_status tsr_conv_winograd_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                                 const float* x, float* y, tsr_threadpool* pool);
/// Whether a run of g's shape goes to fast->direct instead (too few tiles for a wide layer).
bool tsr_conv_winograd_hands_to_direct(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                                       size_t threads);
/// Winograd over channel blocks: x's channels in blocks of x_block, x_block_stride floats
/// apart (g's pixel strides within a block), y's likewise (NHWC: one block of all channels).
tsr_status tsr_conv_winograd_run_blocks(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                                        size_t x_block, size_t x_block_stride, size_t y_block,
                                        size_t y_block_stride, const float* x, float* y, tsr_threadpool* pool);
/// g's shapes with dense channel-last strides: x_lanes floats a pixel of x, y_lanes of y (NHWC:
/// the channel counts; one plane of a blocked layout: the block), a batch item (or plane)
/// pixels x lanes floats long.
void tsr_conv_geometry_channels_last(const struct tsr_conv_geometry* g, size_t x_lanes, size_t y_lanes,
                                     struct tsr_conv_geometry* h);
/// Whether the blocked direct convolution can run the op: one group and an igemm kernel (every
/// path but the reference loop and depthwise), or the depthwise path.
bool tsr_conv_blocked_supported(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g);
/// Runs it on channel-blocked x and y of `block` channels a block, g describing the shapes (its
/// strides play no part). Fuses bias, clamp and sum and applies any other activation; the
/// padding lanes of y's last block are left for the caller to zero. Errors: out_of_memory.
tsr_status tsr_conv_blocked_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g, size_t block,
                                const float* x, float* y, tsr_threadpool* pool);
/// The first layer of a blocked chain: x plain (NCHW) or nhwc, y channel-blocked (`block` lanes).
/// Supported where the blocked run is, depthwise layers aside. x runs as ONE block of all C_in
/// channels: nhwc in place, plain through a reorder to NHWC one batch item at a time (in the
/// calling thread's scratch), so a 3-channel image is read as 3 lanes a pixel, never padded to
/// a block. Applies the activation pass as tsr_conv_blocked_run; y's padding lanes are left
/// for the caller to zero. Errors: out_of_memory.
bool tsr_conv_first_layer_supported(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g);
tsr_status tsr_conv_first_layer_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g, bool nhwc,
                                    size_t block, const float* x, float* y, tsr_threadpool* pool);
tsr_status tsr_conv_gemm_run(const struct tsr_conv_fast* fast, const struct tsr_conv_geometry* g,
                             const float* x, float* y, tsr_threadpool* pool, const char* where);

#endif
