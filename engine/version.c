/* The version of the library actually linked (the header's macros give the compiled-against one). */
#include "tessera.h"

uint32_t tsr_version(void) { return TESSERA_VERSION; }

const char* tsr_version_string(void) { return TESSERA_VERSION_STRING; }
