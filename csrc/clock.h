/*
 * clock.h: time for the Lua layer's retries and rate limits, and for the multi engine's poll deadline.
 *
 * Adds to the module table: core.now() -> seconds from CLOCK_MONOTONIC (an arbitrary fixed point; never jumps with
 * the wall clock; Lua's own os.clock measures CPU time), and core.sleep(seconds), which blocks the calling thread for
 * the whole time (resuming after signals) and returns at once for seconds <= 0 or NaN.
 */
#ifndef XINGTU_CLOCK_H
#define XINGTU_CLOCK_H

#include "compat.h"

/* Seconds from CLOCK_MONOTONIC, for C callers. */
double xt_clock_now(void);

/* Adds `now` and `sleep` to the module table on top of the stack. */
void xt_clock_open(lua_State *L);

#endif
