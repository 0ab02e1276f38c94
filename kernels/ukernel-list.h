/* A kernel family's variants, listed best ISA first, as its <family>.inc X-macro list gives
 * them. Ops pick from the list at creation; testers and benchmarks walk all of it. */
#ifndef TSR_KERNELS_UKERNEL_LIST_H
#define TSR_KERNELS_UKERNEL_LIST_H

#include <stddef.h>

#include "tessera.h"

typedef void (*tsr_ukernel_fn)(void); /* cast to the family's signature before calling */

struct tsr_ukernel_entry {
  tsr_isa isa;
  tsr_ukernel_fn function;
  const char* name;
  size_t tile; /* elements (or rows) per main-loop iteration, for testers' edge sweeps */
};

/// The first entry whose ISA the CPU supports and TESSERA_MAX_ISA allows. Every list ends with
/// a scalar entry, so the result is never NULL for a well-formed list.
const struct tsr_ukernel_entry* tsr_ukernel_pick(const struct tsr_ukernel_entry* list,
                                                 size_t count);

#endif
