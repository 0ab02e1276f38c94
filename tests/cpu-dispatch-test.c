/* CPU detection and the TESSERA_MAX_ISA cap. CTest runs this once per cap value; each run checks
 * that the ISA in use is the detected one capped as the environment says, that ops pick kernels
 * of exactly that ISA, and that an unknown value is reported rather than obeyed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "tests/harness/harness.h"

static int tsr_rank(tsr_isa isa) { return isa == tsr_isa_avx512 ? 2 : isa == tsr_isa_scalar ? 0 : 1; }

int main(void) {
  const tsr_isa detected = tsr_cpu_detected_isa(), in_use = tsr_cpu_isa_in_use();
  const char* cap = getenv("TESSERA_MAX_ISA");
  printf("detected %s, in use %s, TESSERA_MAX_ISA=%s\n", tsr_isa_name(detected),
         tsr_isa_name(in_use), cap ? cap : "(unset)");
  tsr_check(tsr_isa_supported(detected), "detected", "detected ISA not supported");
  tsr_check(tsr_isa_supported(tsr_isa_scalar), "scalar", "scalar must always be supported");
#if TSR_ARCH_X86_64
  tsr_check(detected != tsr_isa_neon, "x86", "NEON detected on x86-64");
#elif TSR_ARCH_ARM64
  tsr_check(detected == tsr_isa_neon, "aarch64", "NEON not detected on AArch64");
#endif

  tsr_isa expected = detected;
  bool cap_known = cap == NULL || cap[0] == '\0';
  const tsr_isa all[] = {tsr_isa_scalar, tsr_isa_avx2, tsr_isa_avx512, tsr_isa_neon};
  for (int i = 0; i < 4 && cap && cap[0]; i++) {
    if (strcmp(cap, tsr_isa_name(all[i])) != 0) continue;
    cap_known = true;
    if (tsr_rank(all[i]) < tsr_rank(detected) && tsr_isa_supported(all[i])) expected = all[i];
    if (all[i] == tsr_isa_scalar) expected = tsr_isa_scalar;
  }
  tsr_check(in_use == expected, "isa in use", "%s, expected %s", tsr_isa_name(in_use),
            tsr_isa_name(expected));
  tsr_check((tsr_cpu_isa_cap_warning() == NULL) == cap_known, "cap warning",
            "warning '%s' for cap '%s'", tsr_cpu_isa_cap_warning() ? tsr_cpu_isa_cap_warning() : "",
            cap ? cap : "");
  for (int i = 0; i < 4; i++)
    tsr_check(tsr_isa_allowed(all[i]) == (tsr_isa_supported(all[i]) && tsr_rank(all[i]) <= tsr_rank(in_use)),
              "isa allowed", "%s", tsr_isa_name(all[i]));

  /* The skeleton op picks its kernel through the same mechanism every kernel family uses. */
  const tsr_activation relu = {tsr_activation_relu, 0, 0};
  tsr_op* op = NULL;
  if (tsr_check_status(tsr_eltwise_create(&relu, &op), tsr_status_success, "eltwise_create")) {
    char isa_tag[32];
    snprintf(isa_tag, sizeof(isa_tag), "isa=%s", tsr_isa_name(in_use));
    tsr_check(strstr(tsr_op_describe(op), isa_tag) != NULL, "op kernel", "'%s' should run on %s",
              tsr_op_describe(op), tsr_isa_name(in_use));
    printf("eltwise op: %s\n", tsr_op_describe(op));
    tsr_op_destroy(op);
  }
  tsr_check(tsr_cpu_count() >= 1, "cpu count", "%u", tsr_cpu_count());

  /* The L3 figure is believed up to 4 MiB per CPU, never capped below 32 MiB (hand-worked). */
  const size_t mib = (size_t)1 << 20;
  const struct { size_t reported; uint32_t cpus; size_t expected; } llc[] = {
      {508 * mib, 2, 32 * mib},   /* this project's VM: the host socket's figure */
      {16 * mib, 2, 16 * mib},    /* below the cap: as reported */
      {32 * mib, 1, 32 * mib},    {33 * mib, 8, 32 * mib}, {40 * mib, 9, 36 * mib},
      {105 * mib, 56, 105 * mib}, /* a 56-core part's shared L3 */
      {504 * mib, 16, 64 * mib},
      {300 * mib, 16, 64 * mib}}; /* a lent 16-vCPU Xeon VM: the socket's L3, in sysfs */
  for (size_t i = 0; i < sizeof(llc) / sizeof(llc[0]); i++)
    tsr_check(tsr_cpu_llc_plausible(llc[i].reported, llc[i].cpus) == llc[i].expected, "llc plausible",
              "%zu MiB on %u cpus -> %zu MiB, expected %zu", llc[i].reported / mib, llc[i].cpus,
              tsr_cpu_llc_plausible(llc[i].reported, llc[i].cpus) / mib, llc[i].expected / mib);
  return tsr_test_finish();
}
