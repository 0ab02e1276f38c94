/* Detects the CPU's instruction sets once (cpuid + xgetbv on x86-64, NEON is baseline on
 * AArch64) and applies the TESSERA_MAX_ISA cap, so each kernel path can be forced on one machine. */
#include "engine/cpu.h"
#include "kernels/ukernel-list.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if TSR_ARCH_X86_64
#include <cpuid.h>
#endif

static pthread_once_t tsr_cpu_once = PTHREAD_ONCE_INIT;
static bool tsr_cpu_supported[4];  /* indexed by tsr_isa */
static tsr_isa tsr_cpu_detected = tsr_isa_scalar;
static tsr_isa tsr_cpu_in_use = tsr_isa_scalar;
static const char* tsr_cpu_cap_warning = NULL;

/* Higher rank = more capable; a cap allows every ISA of equal or lower rank. NEON ranks with
 * AVX2 so that a cap meant for x86 (avx2/avx512) still allows NEON on AArch64. */
static int tsr_isa_rank(tsr_isa isa) {
  switch (isa) {
    case tsr_isa_scalar: return 0;
    case tsr_isa_avx2: return 1;
    case tsr_isa_neon: return 1;
    case tsr_isa_avx512: return 2;
  }
  return 0;
}

#if TSR_ARCH_X86_64
static uint64_t tsr_xgetbv0(void) {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
}

static void tsr_detect_x86(void) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return;
  const bool fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
  if (!osxsave || !avx) return;
  /* The OS must save the YMM state (XCR0 bits 1-2) and, for AVX-512, opmask and ZMM state
   * (bits 5-7); otherwise the registers are not preserved across context switches. */
  const uint64_t xcr0 = tsr_xgetbv0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6, os_zmm = (xcr0 & 0xE6) == 0xE6;
  if (__get_cpuid_max(0, NULL) < 7) return;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = (ebx >> 5) & 1;
  const bool avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1;
  const bool avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
  tsr_cpu_supported[tsr_isa_avx2] = os_ymm && avx2 && fma;
  tsr_cpu_supported[tsr_isa_avx512] = tsr_cpu_supported[tsr_isa_avx2] && os_zmm && avx512f &&
                                      avx512dq && avx512bw && avx512vl;
}
#endif

static void tsr_cpu_init(void) {
  tsr_cpu_supported[tsr_isa_scalar] = true;
#if TSR_ARCH_X86_64
  tsr_detect_x86();
#endif
#if TSR_ARCH_ARM64
  tsr_cpu_supported[tsr_isa_neon] = true; /* Advanced SIMD is mandatory in AArch64 */
#endif
  static const tsr_isa best_first[] = {tsr_isa_avx512, tsr_isa_avx2, tsr_isa_neon};
  for (size_t i = 0; i < sizeof(best_first) / sizeof(best_first[0]); i++) {
    if (tsr_cpu_supported[best_first[i]]) {
      tsr_cpu_detected = best_first[i];
      break;
    }
  }
  tsr_cpu_in_use = tsr_cpu_detected;

  const char* cap = getenv("TESSERA_MAX_ISA");
  if (cap == NULL || cap[0] == '\0') return;
  static const tsr_isa all[] = {tsr_isa_scalar, tsr_isa_avx2, tsr_isa_avx512, tsr_isa_neon};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    if (strcmp(cap, tsr_isa_name(all[i])) == 0) {
      if (tsr_isa_rank(tsr_cpu_in_use) > tsr_isa_rank(all[i])) tsr_cpu_in_use = all[i];
      /* On AArch64 a cap of avx2/avx512 names no ISA of this CPU: NEON stays. */
      if (!tsr_cpu_supported[tsr_cpu_in_use]) tsr_cpu_in_use = tsr_cpu_detected;
      return;
    }
  }
  tsr_cpu_cap_warning =
      "TESSERA_MAX_ISA is not one of scalar, avx2, avx512, neon: ignored, no cap applied";
}

bool tsr_isa_supported(tsr_isa isa) {
  pthread_once(&tsr_cpu_once, tsr_cpu_init);
  return (unsigned)isa < 4 && tsr_cpu_supported[isa];
}

bool tsr_isa_allowed(tsr_isa isa) {
  pthread_once(&tsr_cpu_once, tsr_cpu_init);
  return tsr_isa_supported(isa) && tsr_isa_rank(isa) <= tsr_isa_rank(tsr_cpu_in_use);
}

tsr_isa tsr_cpu_detected_isa(void) {
  pthread_once(&tsr_cpu_once, tsr_cpu_init);
  return tsr_cpu_detected;
}

tsr_isa tsr_cpu_isa_in_use(void) {
  pthread_once(&tsr_cpu_once, tsr_cpu_init);
  return tsr_cpu_in_use;
}

const char* tsr_cpu_isa_cap_warning(void) {
  pthread_once(&tsr_cpu_once, tsr_cpu_init);
  return tsr_cpu_cap_warning;
}

const char* tsr_isa_name(tsr_isa isa) {
  switch (isa) {
    case tsr_isa_scalar: return "scalar";
    case tsr_isa_avx2: return "avx2";
    case tsr_isa_avx512: return "avx512";
    case tsr_isa_neon: return "neon";
  }
  return "unknown";
}

uint32_t tsr_cpu_count(void) {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1u : (uint32_t)n;
}

/* The largest cache level sysfs lists for cpu0 (what this CPU's cores share: a VM's slice of a
 * large part reports its own L3 there, while CPUID, which sysconf reads on x86, may give the
 * whole socket's); 0 if sysfs says nothing. */
static size_t tsr_sysfs_llc_bytes(void) {
  size_t best = 0;
  int best_level = 0;
  for (int index = 0; index < 8; index++) {
    char path[96];
    int level = 0;
    unsigned long size = 0;
    char unit = 0;
    snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
    FILE* f = fopen(path, "r");
    if (f == NULL) continue;
    const int got_level = fscanf(f, "%d", &level);
    fclose(f);
    snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
    f = fopen(path, "r");
    if (f == NULL) continue;
    const int got_size = fscanf(f, "%lu%c", &size, &unit);
    fclose(f);
    if (got_level != 1 || got_size < 1 || level < best_level) continue;
    best_level = level;
    best = (size_t)size * (unit == 'K' ? 1024u : unit == 'M' ? 1048576u : 1u);
  }
  return best;
}

/* TESSERA_LLC_BYTES: a size in bytes with an optional K, M or G suffix; 0 if unset or not
 * such a size. Some VMs report the whole host's L3 (this project's 2-vCPU CI VM says 508 MiB),
 * which puts every streaming-store threshold out of reach, and the tests that cross it would
 * otherwise allocate gigabytes. */
static size_t tsr_env_llc_bytes(void) {
  const char* value = getenv("TESSERA_LLC_BYTES");
  if (value == NULL || value[0] < '0' || value[0] > '9') return 0;
  char* end = NULL;
  const unsigned long long number = strtoull(value, &end, 10);
  const unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
  if (shift != 0) end++;
  if (*end != '\0' || number == 0 || number > (SIZE_MAX >> shift)) return 0;
  return (size_t)number << shift;
}

/* A reported L3 is believed up to 4 MiB per online CPU (Zen 4 has 4 MiB a core, Intel parts
 * 1.25-2.5), and at least 32 MiB. The C library's figure on x86 is CPUID's, which a VM may fill
 * with the whole host socket's cache: this project's 2-vCPU VM says 508 MiB, while a single
 * thread's reads drop from 99 to 57 GB/s between 16 and 32 MiB buffers (its CCD's 32 MiB), so
 * every streaming threshold sat out of reach (batch norm on 51 MB of NHWC data, 1 thread:
 * 1197-1220 µs without streaming stores, 955-990 with, oneDNN 1164-1394 in the same runs).
 * sysfs can say the same: a lent 16-vCPU Xeon VM listed the socket's 300 MiB L3 there, and
 * believing it kept 103 MB pooling and 51 MB batch norm on their in-cache paths, 2-3x slower
 * on 1 thread (docs/PERFORMANCE.md, "Lent 16-vCPU Xeon"). */
size_t tsr_cpu_llc_plausible(size_t reported, uint32_t cpus) {
  const size_t per_cpu = (size_t)4 << 20, floor = (size_t)32 << 20;
  const size_t cap = cpus > floor / per_cpu ? (size_t)cpus * per_cpu : floor;
  return reported < cap ? reported : cap;
}

size_t tsr_cpu_llc_bytes(void) {
  static _Atomic size_t cached = 0;
  size_t bytes = atomic_load_explicit(&cached, memory_order_relaxed);
  if (bytes == 0) {
    bytes = tsr_env_llc_bytes();
    if (bytes == 0) {
      size_t reported = tsr_sysfs_llc_bytes();
#ifdef _SC_LEVEL3_CACHE_SIZE
      if (reported == 0) {
        const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
        reported = l3 > 0 ? (size_t)l3 : 0;
      }
#endif
      bytes = reported > 0 ? tsr_cpu_llc_plausible(reported, tsr_cpu_count()) : (size_t)32 << 20;
    }
    atomic_store_explicit(&cached, bytes, memory_order_relaxed);
  }
  return bytes;
}

bool tsr_cpu_from_memory(size_t bytes) { return bytes > tsr_cpu_llc_bytes() / 2; }

const struct tsr_ukernel_entry* tsr_ukernel_pick(const struct tsr_ukernel_entry* list,
                                                 size_t count) {
  for (size_t i = 0; i < count; i++)
    if (tsr_isa_allowed(list[i].isa)) return &list[i];
  return NULL;
}
