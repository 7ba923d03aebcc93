/*
 * fsutil.h: `core.fs`, the few file operations pure Lua cannot do safely (the response cache's directory backend).
 *
 * Adds the table `fs` to the module table on top of the stack; see fsutil.c for the Lua-visible contract.
 */
#ifndef XINGTU_FSUTIL_H
#define XINGTU_FSUTIL_H

#include "compat.h"

void xt_fs_register(lua_State *L);

#endif
