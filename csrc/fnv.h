/*
 * fnv.h: `core.fnv1a64(text)`, FNV-1a 64 as 16 lowercase hex digits: the response cache's entry names and body
 * checksums (see fnv.c).
 */
#ifndef XINGTU_FNV_H
#define XINGTU_FNV_H

#include "compat.h"

void xt_fnv_register(lua_State *L);

#endif
