/*
 * signal.h: `core.signal`, the least a batch needs to stop cleanly on SIGINT, SIGTERM and SIGHUP.
 *
 *   signal.watch()    -> true   -- SIGINT, SIGTERM, SIGHUP now only set a flag (the previous handlers are kept)
 *   signal.pending()  -> name, count | nil  -- "INT" | "TERM" | "HUP": the first signal caught since watch(), and
 *                                            -- how many were caught in all (a second one means "abort now")
 *   signal.restore()  -> true   -- the handlers of before watch() back; the flag cleared
 *
 * Why in C: Lua 5.4 has no signal binding in Debian 12 (lua-posix is built for 5.1-5.3 only) and the stand-alone
 * interpreter's own SIGINT handler raises "interrupted!" wherever the program happens to be, which is how a
 * record ended half-written. The handler does nothing but store into two sig_atomic_t: the batch loop polls them.
 * They are process-wide by nature (a signal is delivered to the process), the one exception to "no C statics";
 * watch() is not for nginx (its master owns the signals) and the ngx transport never calls it.
 */
#ifndef XINGTU_SIGNAL_H
#define XINGTU_SIGNAL_H

#include "compat.h"

void xt_signal_register(lua_State *L);

#endif
