/* Checking a user's tsr_activation and lowering it to kernel parameters. */
#ifndef TSR_ENGINE_ACTIVATION_H
#define TSR_ENGINE_ACTIVATION_H

#include "kernels/microparams.h"
#include "tessera.h"

/// Checks kind and parameters; `where` names the call and argument for the message.
tsr_status tsr_activation_check(const tsr_activation* activation, const char* where);

/// The clamp bounds that implement a none / relu / clamp activation.
struct tsr_f32_minmax_params tsr_activation_minmax(const tsr_activation* activation);

/// "relu", "clamp[0,6]", ... for op descriptions.
void tsr_activation_describe(const tsr_activation* activation, char* text, size_t size);

#endif
