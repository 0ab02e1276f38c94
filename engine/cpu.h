/* CPU feature detection and the TESSERA_MAX_ISA cap, shared by every kernel dispatch table. */
#ifndef TSR_ENGINE_CPU_H
#define TSR_ENGINE_CPU_H

#include <stdbool.h>
#include <stddef.h>

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
/// suffix), else the highest cache level sysfs lists for cpu0, else the C library's L3 figure
/// capped by tsr_cpu_llc_plausible, else 32 MiB; read once. Outputs larger than this are written
/// with streaming stores.
size_t tsr_cpu_llc_bytes(void);

/// `reported` capped at 4 MiB per CPU of `cpus`, and at no less than 32 MiB: VMs may report the
/// host socket's whole L3 through CPUID.
size_t tsr_cpu_llc_plausible(size_t reported, uint32_t cpus);

#endif
