/*
 * http.h: the libcurl transport of xingtu.core.
 *
 * Adds `session(opts)` to the module table on top of the stack; see http.c for the Lua-visible contract.
 */
#ifndef XINGTU_HTTP_H
#define XINGTU_HTTP_H

#include "compat.h"

void xt_http_register(lua_State *L);

#endif
