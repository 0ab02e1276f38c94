/* CPU feature detection and the TESSERA_MAX_ISA cap, shared by every kernel dispatch table. */
#ifndef TSR_ENGINE_CPU_H
#define TSR_ENGINE_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

#if defined(__x86_64__) || defined(_M_X64)
#define TSR_ARCH_X86_64 1
#else
#define TSR_ARCH_X86_64 0
#endif
#if defined(__aarch64__)
#define TSR_ARCH_ARM64 1
#else
#define TSR_ARCH_ARM64 0
#endif

/// True if kernels for `isa` may run: the CPU supports it and TESSERA_MAX_ISA allows it.
/// Dispatch tables walk their kernel list best-first and take the first allowed entry.
bool tsr_isa_allowed(tsr_isa isa);

/// True if the CPU and OS support `isa`, ignoring the cap (for testers that run every variant).
bool tsr_isa_supported(tsr_isa isa);

/// The last-level cache's size in bytes: TESSERA_LLC_BYTES if set (bytes, or with a K, M or G
/// suffix), else the highest cache level sysfs lists for cpu0 or else the C library's L3 figure,
/// either capped by tsr_cpu_llc_plausible, else 32 MiB; read once. The ops compare against it through
/// tsr_cpu_from_memory.
size_t tsr_cpu_llc_bytes(void);

/// Whether a run that touches `bytes` (its inputs and outputs together) works from memory: more
/// than half the last-level cache, which other cores, tenants and the surrounding layers share
/// (on the Zen 4 VM of docs/PERFORMANCE.md the 32 MiB L3 behaved like 10-15 MiB: a depthwise
/// layer's time per image jumped 5x between 9 and 18 MB). Decides every op's streaming stores
/// (activations, binary ops, batch and layer norm, convolution, pooling) and the software prefetch of
/// pooling and depthwise convolution (tsr_prefetch_span).
bool tsr_cpu_from_memory(size_t bytes);

/// `reported` capped at 4 MiB per CPU of `cpus`, and at no less than 32 MiB: VMs may report the
/// host socket's whole L3, through CPUID and through sysfs alike.
size_t tsr_cpu_llc_plausible(size_t reported, uint32_t cpus);

/// Asks for [p, p + bytes) in the cache, a 64-byte line at a time, for reading soon: into L1
/// (prefetcht0) or only the outer levels (prefetcht2, for spans too large for L1 that the caller
/// reaches a little at a time). For input streams from memory that the hardware prefetchers do
/// not keep ahead of (see the callers). Always inlined: a kernel that called it out of line lost
/// every prefetch, as GCC 12 finds the function free of side effects ("looping const") and
/// drops the calls.
static inline __attribute__((always_inline)) void tsr_prefetch_span(const void* p, size_t bytes, bool into_l1) {
  const char* line = (const char*)((uintptr_t)p & ~(uintptr_t)63);
  const char* end = (const char*)p + bytes;
  if (into_l1)
    for (; line < end; line += 64) __builtin_prefetch(line, 0, 3);
  else
    for (; line < end; line += 64) __builtin_prefetch(line, 0, 1);
}

/// Whether streaming stores may write a 5-d output y: y aligned to `vector_bytes` (the storing
/// kernel's vector, or 64 for whole lines), and its image stride y_n and its three spatial strides
/// y_s (in floats) whole multiples of it, so every whole vector a kernel stores is aligned (the
/// x86 stream instructions fault otherwise). Convolution (whole lines) and pooling (the kernel's
/// vector) ask.
static inline bool tsr_stream_aligned(const float* y, size_t y_n, const size_t y_s[3], size_t vector_bytes) {
  const size_t floats = vector_bytes / sizeof(float);
  return (uintptr_t)y % vector_bytes == 0 && y_n % floats == 0 && y_s[0] % floats == 0 && y_s[1] % floats == 0 &&
         y_s[2] % floats == 0;
}

/// Orders this thread's non-temporal (streaming) stores before its later stores, so a thread
/// that sees the task done sees the data (x86 SFENCE; nothing elsewhere, where no kernel streams).
static inline void tsr_store_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_sfence();
#endif
}

#endif
