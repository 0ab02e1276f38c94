/* Reorders to and from the channel-blocked layouts (nChw4c / nChw8c / nChw16c): identity's
 * path when either side is blocked, so a chain of layers can enter the blocked layout once,
 * stay in it (conv, pooling, batch norm, elementwise ops run there) and leave it once. */
#ifndef TSR_ENGINE_REORDER_BLOCKED_H
#define TSR_ENGINE_REORDER_BLOCKED_H

#include "tessera.h"

/// y = x element for element, x and y f32 of the same dims, each plain, nhwc or blocked (at
/// least one blocked); y's padding lanes are set to zero. The caller has checked the descs.
void tsr_reorder_blocked_f32(const tsr_tensor_desc* x, const float* x_data, const tsr_tensor_desc* y,
                             float* y_data, tsr_threadpool* pool);

#endif
