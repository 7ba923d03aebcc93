/*
 * jobfile.h: `core.jobfile`, a batch's output file where every record is written whole or not at all.
 *
 *   local f, err = core.jobfile.open(path [, truncate_to])
 *       -- opens (creates 0644) for appending and takes an exclusive flock without waiting: a second run on the
 *       -- same file gets nil, "<path> is in use by another run". truncate_to (bytes) first cuts the file there
 *       -- (a resumed run drops a last line an older crash left half-written).
 *   f:append(text) -> true | nil, reason    -- one write() of the whole text; when it cannot be written whole
 *                                            -- (ENOSPC, EFBIG under ulimit -f, EIO) the file is cut back to its
 *                                            -- size before the call, so it always ends at a whole record
 *   f:size()       -> bytes
 *   f:close()      -- also __gc/__close; releases the lock
 *
 * Why not io.open: stdio cuts a long line into several write()s at its buffer size, and a SIGTERM between two of
 * them left the half line the issue reported; and Lua cannot truncate or flock.
 */
#ifndef XINGTU_JOBFILE_H
#define XINGTU_JOBFILE_H

#include "compat.h"

void xt_jobfile_register(lua_State *L);

#endif
