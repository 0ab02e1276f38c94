/* Lets a kernel tester include a family's .inc list and keep only the entries this build can
 * run. The tester defines TSR_TEST_UKERNEL(isa, ukernel, tile) and includes the .inc after this
 * header (TSR_TEST_UKERNEL gets the tsr_isa value, then the list's other arguments). The native build keeps every entry of its architecture (the tester skips, at run time,
 * an ISA the CPU lacks); the SIMDe build (TSR_TEST_SIMDE_AVX512) keeps only the AVX-512
 * entries, compiled against SIMDe's emulation. */
#ifndef TSR_TESTS_UKERNEL_FILTER_H
#define TSR_TESTS_UKERNEL_FILTER_H

#include "engine/cpu.h"

#if defined(TSR_TEST_SIMDE_AVX512)
#define TSR_TEST_ISA_scalar(...)
#define TSR_TEST_ISA_avx2(...)
#define TSR_TEST_ISA_neon(...)
#define TSR_TEST_ISA_avx512(...) TSR_TEST_UKERNEL(tsr_isa_avx512, __VA_ARGS__)
/* Emulated: runs wherever the SIMDe build itself runs. */
#define tsr_test_isa_runs(isa) 1
#define TSR_TEST_ISA_NOTE " via SIMDe"
#else
#define TSR_TEST_ISA_scalar(...) TSR_TEST_UKERNEL(tsr_isa_scalar, __VA_ARGS__)
#define TSR_TEST_ISA_avx2(...) TSR_TEST_UKERNEL(tsr_isa_avx2, __VA_ARGS__)
#define TSR_TEST_ISA_neon(...) TSR_TEST_UKERNEL(tsr_isa_neon, __VA_ARGS__)
#define TSR_TEST_ISA_avx512(...) TSR_TEST_UKERNEL(tsr_isa_avx512, __VA_ARGS__)
#define tsr_test_isa_runs(isa) tsr_isa_supported(isa)
#define TSR_TEST_ISA_NOTE ""
#endif

/* Every family's list macro, whatever its other arguments. */
#define TSR_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_GEMM_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_FLASH_UKERNELS(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_IGEMM_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_DWCONV_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_DWROW_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_WINOGRAD_UKERNELS(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_VUNARY_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_POOL_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_POOL_ROW_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_VAFFINE_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_VBINARY_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)
#define TSR_VLERP_UKERNEL(isa, ...) TSR_TEST_ISA_##isa(__VA_ARGS__)

#endif
