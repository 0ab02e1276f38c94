/* Lets a kernel tester include a family's .inc list and keep only the entries this build can
 * run. The tester defines TSR_TEST_UKERNEL(isa, ukernel, tile) and includes the .inc after this
 * header. The native build keeps every entry of its architecture (the tester skips, at run time,
 * an ISA the CPU lacks); the SIMDe build (TSR_TEST_SIMDE_AVX512) keeps only the AVX-512
 * entries, compiled against SIMDe's emulation. */
#ifndef TSR_TESTS_UKERNEL_FILTER_H
#define TSR_TESTS_UKERNEL_FILTER_H

#include "engine/cpu.h"

#if defined(TSR_TEST_SIMDE_AVX512)
#define TSR_TEST_ISA_scalar(ukernel, tile)
#define TSR_TEST_ISA_avx2(ukernel, tile)
#define TSR_TEST_ISA_neon(ukernel, tile)
#define TSR_TEST_ISA_avx512(ukernel, tile) TSR_TEST_UKERNEL(tsr_isa_avx512, ukernel, tile)
/* Emulated: runs wherever the SIMDe build itself runs. */
#define tsr_test_isa_runs(isa) 1
#define TSR_TEST_ISA_NOTE " via SIMDe"
#else
#define TSR_TEST_ISA_scalar(ukernel, tile) TSR_TEST_UKERNEL(tsr_isa_scalar, ukernel, tile)
#define TSR_TEST_ISA_avx2(ukernel, tile) TSR_TEST_UKERNEL(tsr_isa_avx2, ukernel, tile)
#define TSR_TEST_ISA_neon(ukernel, tile) TSR_TEST_UKERNEL(tsr_isa_neon, ukernel, tile)
#define TSR_TEST_ISA_avx512(ukernel, tile) TSR_TEST_UKERNEL(tsr_isa_avx512, ukernel, tile)
#define tsr_test_isa_runs(isa) tsr_isa_supported(isa)
#define TSR_TEST_ISA_NOTE ""
#endif

#define TSR_UKERNEL(isa, ukernel, tile) TSR_TEST_ISA_##isa(ukernel, tile)

#endif
