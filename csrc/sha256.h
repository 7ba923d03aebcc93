/*
 * sha256.h: `core.sha256(text)`, SHA-256 (FIPS 180-4) as 64 lowercase hex digits.
 *
 * The response cache keys its entries by a one-way fingerprint of the account (the token), never the token; see
 * sha256.c.
 */
#ifndef XINGTU_SHA256_H
#define XINGTU_SHA256_H

#include "compat.h"

void xt_sha256_register(lua_State *L);

#endif
