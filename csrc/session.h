/*
 * session.h: core.session(opts), the blocking HTTP client of xingtu.core (the xingtu.Session class).
 *
 *   local s = core.session{ <options, see options.h> }   -- all optional
 *   local r = s:get(url [, timeout_s])   -- the result table of result.h; never raises for network/HTTP problems;
 *                                        -- raises on misuse, a closed session, out of memory
 *   s:stats()                            --> { requests = n, connects = new connections opened by this session }
 *   s:close()                            -- idempotent; also __gc and (5.4) __close
 *
 * Connections (and DNS answers and TLS sessions) are kept alive from one get to the next.
 */
#ifndef XINGTU_SESSION_H
#define XINGTU_SESSION_H

#include "compat.h"

/* Registers the class and adds `session` to the module table on top of the stack. */
void xt_session_open(lua_State *L);

#endif
