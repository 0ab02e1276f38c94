#!/usr/bin/env python3
"""Writes the f32 GEMM microkernels of kernels/f32-gemm/ (one file per tile and ISA), and the
SIMD variants of the families built on the same vector vocabulary: f32-gemv, f32-igemm
(indirect GEMM for convolution) and f32-dwconv (depthwise convolution); see each function.

The variants differ only in vector width, tile and intrinsic names, so they are generated from
one template: run `python3 kernels/f32-gemm/generate.py` after changing it, and commit both.

Each kernel computes one full MR x NR tile of C over kc steps of k:
  acc = init ? broadcast(init[0..NR)) : C tile;  acc += A_panel x B_panel;  clamp;  store.
A panel: kc groups of MR floats (k-major, MR-interleaved). B panel: kc rows of NR floats,
ldb apart (NR when packed; a plain B's row stride when read in place). The 1xNR (GEMV) kernels split k four ways into independent
accumulators so the FMA latency is hidden with a single row.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

ISAS = {
    "avx2": dict(suffix="avx2", width=8, vec="__m256", include="#include <immintrin.h>",
                 load="_mm256_load_ps({})", loadu="_mm256_loadu_ps({})", storeu="_mm256_storeu_ps({}, {})",
                 stream="_mm256_stream_ps({}, {})",
                 bcast="_mm256_broadcast_ss({})", fma="_mm256_fmadd_ps({a}, {b}, {acc})",
                 add="_mm256_add_ps({}, {})", max="_mm256_max_ps({}, {})", min="_mm256_min_ps({}, {})",
                 set1="_mm256_set1_ps({})", zero="_mm256_setzero_ps()", isa="avx2"),
    "avx512f": dict(suffix="avx512f", width=16, vec="__m512", include='#include "kernels/simd-x86.h"',
                    load="_mm512_load_ps({})", loadu="_mm512_loadu_ps({})", storeu="_mm512_storeu_ps({}, {})",
                    stream="_mm512_stream_ps({}, {})",
                    bcast="_mm512_set1_ps(*({}))", fma="_mm512_fmadd_ps({a}, {b}, {acc})",
                    add="_mm512_add_ps({}, {})", max="_mm512_max_ps({}, {})", min="_mm512_min_ps({}, {})",
                    set1="_mm512_set1_ps({})", zero="_mm512_setzero_ps()", isa="avx512"),
    "neon": dict(suffix="neon", width=4, vec="float32x4_t", include="#include <arm_neon.h>",
                 load="vld1q_f32({})", loadu="vld1q_f32({})", storeu="vst1q_f32({}, {})",
                 bcast="vld1q_dup_f32({})", fma="vfmaq_f32({acc}, {a}, {b})",
                 add="vaddq_f32({}, {})", max="vmaxq_f32({1}, {0})", min="vminq_f32({1}, {0})",
                 set1="vdupq_n_f32({})", zero="vdupq_n_f32(0.0f)", isa="neon"),
}

LANES = "0123456789ABCDEFGHIJKLMNOPQRSTUV"


def lanes(v, w):
    return LANES[v * w:(v + 1) * w] if w <= 16 else f"v{v}"


def kernel(isa, mr, nr, ksplit):
    p = ISAS[isa]
    w = p["width"]
    nv = nr // w
    name = f"tsr_f32_gemm_minmax_ukernel_{mr}x{nr}__{p['suffix']}"
    acc = lambda r, v, s=0: f"vacc{r}x{lanes(v, w)}" + (f"_k{s}" if s else "")
    out = []
    o = out.append
    o(p["include"])
    o("")
    o('#include "kernels/f32-gemm/f32-gemm.h"')
    o("")
    o(f"void {name}(size_t kc, const float* restrict a, const float* restrict b, size_t ldb,")
    o(f"    float* restrict c, size_t ldc, const float* restrict init,")
    o(f"    const struct tsr_f32_minmax_params* clamp) {{")
    for r in range(mr):
        for v in range(nv):
            o(f"  {p['vec']} {acc(r, v)};")
    o("  if (init != NULL) {")
    for v in range(nv):
        o(f"    {acc(0, v)} = {p['loadu'].format(f'init + {v * w}')};")
    for r in range(1, mr):
        for v in range(nv):
            o(f"    {acc(r, v)} = {acc(0, v)};")
    o("  } else {")
    for r in range(mr):
        for v in range(nv):
            o(f"    {acc(r, v)} = {p['loadu'].format(f'c + {r} * ldc + {v * w}')};")
    o("  }")
    if ksplit > 1:
        for s in range(1, ksplit):
            for v in range(nv):
                o(f"  {p['vec']} {acc(0, v, s)} = {p['zero']};")
        o(f"  for (; kc >= {ksplit}; kc -= {ksplit}) {{")
        for s in range(ksplit):
            for v in range(nv):
                o(f"    const {p['vec']} vb{lanes(v, w)}_k{s} = {p['loadu'].format(f'b + {s} * ldb + {v * w}')};")
            o(f"    const {p['vec']} va0_k{s} = {p['bcast'].format(f'a + {s}')};")
            for v in range(nv):
                o(f"    {acc(0, v, s)} = {p['fma'].format(a=f'va0_k{s}', b=f'vb{lanes(v, w)}_k{s}', acc=acc(0, v, s))};")
        o(f"    a += {ksplit};")
        o(f"    b += {ksplit} * ldb;")
        o("  }")
        for v in range(nv):
            o(f"  {acc(0, v)} = {p['add'].format(p['add'].format(acc(0, v), acc(0, v, 1)), p['add'].format(acc(0, v, 2), acc(0, v, 3)))};")
    o("  for (; kc != 0; kc--) {")
    for v in range(nv):
        o(f"    const {p['vec']} vb{lanes(v, w)} = {p['loadu'].format(f'b + {v * w}')};")
    for r in range(mr):
        o(f"    const {p['vec']} va{r} = {p['bcast'].format(f'a + {r}')};")
        for v in range(nv):
            o(f"    {acc(r, v)} = {p['fma'].format(a=f'va{r}', b=f'vb{lanes(v, w)}', acc=acc(r, v))};")
    o(f"    a += {mr};")
    o(f"    b += ldb;")
    o("  }")
    o("  if (clamp != NULL) {")
    o(f"    const {p['vec']} vmin = {p['set1'].format('clamp->min')};")
    o(f"    const {p['vec']} vmax = {p['set1'].format('clamp->max')};")
    o("    /* x second: a NaN result stays NaN */")
    for r in range(mr):
        for v in range(nv):
            o(f"    {acc(r, v)} = {p['min'].format('vmax', p['max'].format('vmin', acc(r, v)))};")
    o("  }")
    for r in range(mr):
        for v in range(nv):
            o(f"  {p['storeu'].format(f'c + {r} * ldc + {v * w}', acc(r, v))};")
    o("}")
    fname = f"f32-gemm-{mr}x{nr}-minmax-{p['suffix']}.c"
    with open(os.path.join(HERE, fname), "w") as f:
        f.write("/* Generated by kernels/f32-gemm/generate.py: edit the generator, not this file. */\n")
        f.write("\n".join(out) + "\n")


def scalar(mr, nr):
    name = f"tsr_f32_gemm_minmax_ukernel_{mr}x{nr}__scalar"
    body = f"""/* Generated by kernels/f32-gemm/generate.py: edit the generator, not this file. */
#include "kernels/f32-gemm/f32-gemm.h"

void {name}(size_t kc, const float* restrict a, const float* restrict b, size_t ldb,
    float* restrict c, size_t ldc, const float* restrict init,
    const struct tsr_f32_minmax_params* clamp) {{
  float acc[{mr}][{nr}];
  for (size_t r = 0; r < {mr}; r++)
    for (size_t j = 0; j < {nr}; j++) acc[r][j] = init != NULL ? init[j] : c[r * ldc + j];
  for (; kc != 0; kc--, a += {mr}, b += ldb)
    for (size_t r = 0; r < {mr}; r++)
      for (size_t j = 0; j < {nr}; j++) acc[r][j] += a[r] * b[j];
  for (size_t r = 0; r < {mr}; r++)
    for (size_t j = 0; j < {nr}; j++) {{
      float v = acc[r][j];
      if (clamp != NULL) {{ /* compares, not fminf/fmaxf, so that NaN stays NaN */
        v = v < clamp->min ? clamp->min : v;
        v = v > clamp->max ? clamp->max : v;
      }}
      c[r * ldc + j] = v;
    }}
}}
"""
    with open(os.path.join(HERE, f"f32-gemm-{mr}x{nr}-minmax-scalar.c"), "w") as f:
        f.write(body)


kernel("avx2", 6, 16, 1)
kernel("avx2", 1, 16, 4)
kernel("avx512f", 14, 32, 1)
kernel("avx512f", 1, 32, 4)
kernel("neon", 8, 12, 1)
kernel("neon", 1, 12, 4)
scalar(4, 4)
scalar(1, 4)


def gemv(isa):
    """Row-streaming GEMV: y[0..n) += sum_p a[p] * b[p * ldb + 0..n), four rows of B at a time,
    so B streams row by row (what a single-row problem with plain B needs: each element is read
    once, in address order)."""
    p = ISAS[isa]
    w = p["width"]
    name = f"tsr_f32_gemv_ukernel_4r__{p['suffix']}"
    o = []
    o.append("/* Generated by kernels/f32-gemm/generate.py: edit the generator, not this file. */")
    o.append(p["include"])
    o.append("")
    o.append('#include "kernels/f32-gemv/f32-gemv.h"')
    o.append("")
    o.append(f"void {name}(size_t k, size_t n, const float* restrict a, const float* restrict b,")
    o.append("    size_t ldb, float* restrict y) {")
    o.append("  for (; k >= 4; k -= 4, a += 4, b += 4 * ldb) {")
    for r in range(4):
        o.append(f"    const {p['vec']} va{r} = {p['set1'].format(f'a[{r}]')};")
        o.append(f"    const float* b{r} = b + {r} * ldb;")
    o.append("    size_t j = 0;")
    o.append(f"    for (; j + {w} <= n; j += {w}) {{")
    o.append(f"      {p['vec']} vy = {p['loadu'].format('y + j')};")
    for r in range(4):
        o.append(f"      vy = {p['fma'].format(a=f'va{r}', b=p['loadu'].format(f'b{r} + j'), acc='vy')};")
    o.append(f"      {p['storeu'].format('y + j', 'vy')};")
    o.append("    }")
    o.append("    for (; j < n; j++) y[j] = y[j] + a[0] * b0[j] + a[1] * b1[j] + a[2] * b2[j] + a[3] * b3[j];")
    o.append("  }")
    o.append("  for (; k != 0; k--, a++, b += ldb)")
    o.append("    for (size_t j = 0; j < n; j++) y[j] += a[0] * b[j];")
    o.append("}")
    with open(os.path.join(HERE, "..", "f32-gemv", f"f32-gemv-4r-{p['suffix']}.c"), "w") as f:
        f.write("\n".join(o) + "\n")


gemv("avx2")
gemv("avx512f")
gemv("neon")
with open(os.path.join(HERE, "..", "f32-gemv", "f32-gemv-4r-scalar.c"), "w") as f:
    f.write("""/* Generated by kernels/f32-gemm/generate.py: edit the generator, not this file. */
#include "kernels/f32-gemv/f32-gemv.h"

void tsr_f32_gemv_ukernel_4r__scalar(size_t k, size_t n, const float* restrict a,
    const float* restrict b, size_t ldb, float* restrict y) {
  for (; k >= 4; k -= 4, a += 4, b += 4 * ldb)
    for (size_t j = 0; j < n; j++)
      y[j] = y[j] + a[0] * b[j] + a[1] * b[ldb + j] + a[2] * b[2 * ldb + j] + a[3] * b[3 * ldb + j];
  for (; k != 0; k--, a++, b += ldb)
    for (size_t j = 0; j < n; j++) y[j] += a[0] * b[j];
}
""")


def igemm(isa, mr, nr):
    """Indirect GEMM (convolution without im2col): C[mr x nc] = bias + sum over ks taps and kc
    channels of A[t][r][k] x W[t][k][0..NR), where A row r of tap t is the pointer a[t * MR + r]
    (an input pixel's channels, or the zero row). Writes kernels/f32-igemm/."""
    p = ISAS[isa]
    w = p["width"]
    nv = nr // w
    name = f"tsr_f32_igemm_minmax_ukernel_{mr}x{nr}__{p['suffix']}"
    acc = lambda r, v: f"vacc{r}x{lanes(v, w)}"
    out = []
    o = out.append
    o("/* Generated by kernels/f32-gemm/generate.py: edit the generator, not this file. */")
    o(p["include"])
    o("#include <stdint.h>")
    o("")
    o('#include "kernels/f32-igemm/f32-igemm.h"')
    o("")
    o(f"void {name}(size_t mr, size_t nc, size_t kc, size_t ks,")
    o("    const float* const* restrict a, const float* restrict w, float* restrict c, size_t ldc,")
    o("    size_t a_offset, const float* zero, const struct tsr_f32_conv_params* params) {")
    for v in range(nv):
        o(f"  {p['vec']} {acc(0, v)} = {p['loadu'].format(f'w + {v * w}')};")
    for r in range(1, mr):
        for v in range(nv):
            o(f"  {p['vec']} {acc(r, v)} = {acc(0, v)};")
    o(f"  w += {nr};")
    o("  do {")
    for r in range(mr):
        o(f"    const float* restrict a{r} = a[{r}];")
        o(f"    if (a{r} != zero) a{r} = (const float*)((uintptr_t)a{r} + a_offset);")
    o(f"    a += {mr};")
    o("    /* rows indexed by k (no per-row pointer increments: the loop is FMA-bound) */")
    o("    for (size_t k = 0; k < kc; k++) {")
    for v in range(nv):
        o(f"      const {p['vec']} vw{lanes(v, w)} = {p['loadu'].format(f'w + {v * w}')};")
    for r in range(mr):
        o(f"      const {p['vec']} va{r} = {p['bcast'].format(f'a{r} + k')};")
        for v in range(nv):
            o(f"      {acc(r, v)} = {p['fma'].format(a=f'va{r}', b=f'vw{lanes(v, w)}', acc=acc(r, v))};")
    o(f"      w += {nr};")
    o("    }")
    o("  } while (--ks != 0);")
    o(f"  if (mr == {mr} && nc == {nr}) {{")
    o("    if (params->sum_scale != 0.0f) {")
    o(f"      const {p['vec']} vsum = {p['set1'].format('params->sum_scale')};")
    for r in range(mr):
        for v in range(nv):
            o(f"      {acc(r, v)} = {p['fma'].format(a='vsum', b=p['loadu'].format(f'c + {r} * ldc + {v * w}'), acc=acc(r, v))};")
    o("    }")
    o(f"    const {p['vec']} vmin = {p['set1'].format('params->min')};")
    o(f"    const {p['vec']} vmax = {p['set1'].format('params->max')};")
    o("    /* x second: a NaN result stays NaN */")
    for r in range(mr):
        for v in range(nv):
            o(f"    {acc(r, v)} = {p['min'].format('vmax', p['max'].format('vmin', acc(r, v)))};")
    if "stream" in p:
        o("    if (params->stream) { /* around the caches: C is aligned (see f32-igemm.h) */")
        for r in range(mr):
            for v in range(nv):
                o(f"      {p['stream'].format(f'c + {r} * ldc + {v * w}', acc(r, v))};")
        o("      return;")
        o("    }")
    for r in range(mr):
        for v in range(nv):
            o(f"    {p['storeu'].format(f'c + {r} * ldc + {v * w}', acc(r, v))};")
    o("    return;")
    o("  }")
    if isa == "avx512f":
        # Masked stores: an edge tile (the last column tile of 144 output channels in 7x32, every
        # tile of 24) then costs about what a full one does, not a scalar loop over a copy.
        o("  /* an edge tile: rows < mr, each vector's columns < nc through a mask */")
        for v in range(nv):
            o(f"  const size_t n{v} = nc > {v * w} ? nc - {v * w} : 0;")
            o(f"  const __mmask16 m{v} = _cvtu32_mask16(n{v} >= 16 ? 0xFFFFu : (1u << n{v}) - 1u);")
        o(f"  const {p['vec']} vsum = {p['set1'].format('params->sum_scale')};")
        o(f"  const {p['vec']} vmin = {p['set1'].format('params->min')};")
        o(f"  const {p['vec']} vmax = {p['set1'].format('params->max')};")
        o("  const int sum = params->sum_scale != 0.0f;")
        o("  /* whole vectors of a streamed tile (the 16 channels past 128 of 144) go around the caches too */")
        for v in range(nv):
            o(f"  const int s{v} = params->stream && n{v} >= 16;")
        for r in range(mr):
            o(f"  if (mr > {r}) {{")
            for v in range(nv):
                cc = f"c + {r} * ldc + {v * w}"
                o(f"    if (sum) {acc(r, v)} = {p['fma'].format(a='vsum', b=f'_mm512_maskz_loadu_ps(m{v}, {cc})', acc=acc(r, v))};")
                o(f"    {acc(r, v)} = {p['min'].format('vmax', p['max'].format('vmin', acc(r, v)))};")
                o(f"    if (s{v}) _mm512_stream_ps({cc}, {acc(r, v)});")
                o(f"    else _mm512_mask_storeu_ps({cc}, m{v}, {acc(r, v)});")
            o("  }")
        o("}")
    else:
        o("  /* an edge tile: through a local tile, then only rows < mr and columns < nc */")
        o(f"  float tile[{mr}][{nr}];")
        for r in range(mr):
            for v in range(nv):
                o(f"  {p['storeu'].format(f'&tile[{r}][{v * w}]', acc(r, v))};")
        o(f"  tsr_f32_igemm_store_edge(mr, nc, &tile[0][0], {nr}, c, ldc, params);")
        o("}")
    fname = f"f32-igemm-{mr}x{nr}-minmax-{p['suffix']}.c"
    with open(os.path.join(HERE, "..", "f32-igemm", fname), "w") as f:
        f.write("\n".join(out) + "\n")


igemm("avx2", 6, 16)
igemm("avx512f", 7, 32)
igemm("avx512f", 14, 16)
igemm("neon", 8, 8)


def dwconv(isa, cb):
    """Depthwise convolution of one output pixel: for each block of CB channels, bias + the sum
    over ks taps of x_t[c] * w[t][c], where tap t's input pixel is the pointer a[t] (or the zero
    row). Two accumulator sets (even and odd taps) keep twice as many FMA chains in flight.
    Channels past the last whole block take the family's scalar tail. Writes kernels/f32-dwconv/."""
    p = ISAS[isa]
    w = p["width"]
    nv = cb // w
    name = f"tsr_f32_dwconv_minmax_ukernel_c{cb}__{p['suffix']}"
    o = []
    o.append("/* Generated by kernels/f32-gemm/generate.py: edit the generator, not this file. */")
    o.append(p["include"])
    o.append("#include <stdint.h>")
    o.append("")
    o.append('#include "kernels/f32-dwconv/f32-dwconv.h"')
    o.append("")
    o.append(f"void {name}(size_t channels, size_t ks, const float* const* restrict a,")
    o.append("    const float* restrict w, float* restrict c, size_t a_offset, const float* zero,")
    o.append("    const struct tsr_f32_conv_params* params) {")
    o.append(f"  const {p['vec']} vmin = {p['set1'].format('params->min')};")
    o.append(f"  const {p['vec']} vmax = {p['set1'].format('params->max')};")
    o.append(f"  const {p['vec']} vsum = {p['set1'].format('params->sum_scale')};")
    o.append("  const int sum = params->sum_scale != 0.0f;")
    o.append("  size_t c0 = 0;")
    o.append(f"  for (; channels - c0 >= {cb}; c0 += {cb}) {{")
    for v in range(nv):
        o.append(f"    {p['vec']} vacc{v} = {p['loadu'].format(f'w + {v * w}')};")
        o.append(f"    {p['vec']} vodd{v} = {p['zero']};")
    o.append(f"    const float* restrict wt = w + {cb};")
    o.append("    size_t t = 0;")
    o.append("    for (; t + 2 <= ks; t += 2) {")
    for s in range(2):
        o.append(f"      const float* restrict x{s} = a[t + {s}] == zero ? zero + c0 : (const float*)((uintptr_t)a[t + {s}] + a_offset) + c0;")
    for s, accname in ((0, "vacc"), (1, "vodd")):
        for v in range(nv):
            o.append(f"      {accname}{v} = {p['fma'].format(a=p['loadu'].format(f'x{s} + {v * w}'), b=p['loadu'].format(f'wt + {s * cb + v * w}'), acc=f'{accname}{v}')};")
    o.append(f"      wt += {2 * cb};")
    o.append("    }")
    o.append("    if (t < ks) {")
    o.append("      const float* restrict x0 = a[t] == zero ? zero + c0 : (const float*)((uintptr_t)a[t] + a_offset) + c0;")
    for v in range(nv):
        o.append(f"      vacc{v} = {p['fma'].format(a=p['loadu'].format(f'x0 + {v * w}'), b=p['loadu'].format(f'wt + {v * w}'), acc=f'vacc{v}')};")
    o.append("    }")
    for v in range(nv):
        o.append(f"    vacc{v} = {p['add'].format(f'vacc{v}', f'vodd{v}')};")
        o.append(f"    if (sum) vacc{v} = {p['fma'].format(a='vsum', b=p['loadu'].format(f'c + c0 + {v * w}'), acc=f'vacc{v}')};")
        o.append(f"    {p['storeu'].format(f'c + c0 + {v * w}', p['min'].format('vmax', p['max'].format('vmin', f'vacc{v}')))};")
    o.append(f"    w += {cb} * (ks + 1);")
    o.append("  }")
    o.append(f"  if (c0 < channels) tsr_f32_dwconv_tail(channels - c0, {cb}, ks, a, w, c + c0, a_offset, c0, zero, params);")
    o.append("}")
    with open(os.path.join(HERE, "..", "f32-dwconv", f"f32-dwconv-c{cb}-minmax-{p['suffix']}.c"), "w") as f:
        f.write("\n".join(o) + "\n")


dwconv("avx2", 16)
dwconv("avx512f", 32)
dwconv("neon", 8)
