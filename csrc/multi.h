/*
 * multi.h: core.multi(opts), the concurrent engine for batches (the xingtu.Multi class).
 *
 *   local m = core.multi{ <session options, see options.h>, concurrency = 8 }   -- 1..XT_CONCURRENCY_CAP
 *   m:add(url, tag, timeout_s)
 *                       -- queue one GET; tag (any Lua value) comes back as r.tag; timeout_s (optional) bounds this
 *                       -- transfer instead of the configured timeout
 *   m:poll(timeout_s, at_most)
 *                       -- drive transfers up to timeout_s seconds (0: don't wait; nil: until one completes or
 *                       -- nothing is left); returns an array of completed results (possibly empty), each shaped
 *                       -- like session:get()'s result (result.h) plus r.tag, oldest completion first and at most
 *                       -- `at_most` of them (nil: all); each added transfer is returned exactly once. at_most = 0
 *                       -- only puts queued requests on the wire and moves running transfers on, without waiting.
 *                       -- While more completed results wait to be returned than new requests wait to be sent,
 *                       -- those requests may be held back (at most 1 ms, at most 16 of them) to go out together
 *   m:pending()         -- transfers added and not yet returned by poll
 *   m:stats()           -- { requests = , connects = }
 *   m:close()           -- aborts everything in flight; idempotent; also __gc and (5.4) __close
 */
#ifndef XINGTU_MULTI_H
#define XINGTU_MULTI_H

#include "compat.h"

/* Registers the class and adds `multi` to the module table on top of the stack. */
void xt_multi_open(lua_State *L);

#endif
