/*
 * fnv.c: `core.fnv1a64(text)` -> FNV-1a 64 of `text` (any bytes) as 16 lowercase hex digits.
 *
 * Why it is in C: the response cache checks every entry it reads against the checksum kept in its header, so a
 * cache hit hashes the whole body. In Lua 5.4 the byte loop cost about 40 ns a byte (0.4 ms for a 10 KB answer,
 * most of a hit); here it is about 1 ns. The digits are those of lua/xingtu/cache.lua's Lua and LuaJIT versions
 * (kept as fallbacks), so entries written by either are read by the other. Not cryptographic: the account's
 * fingerprint is core.sha256. Never raises except for a non-string argument.
 */
#include <stdint.h>

#include "fnv.h"

static int core_fnv1a64(lua_State *L)
{
    size_t len, i;
    const unsigned char *p = (const unsigned char *)luaL_checklstring(L, 1, &len);
    static const char hex[] = "0123456789abcdef";
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    char out[16];
    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    for (i = 0; i < 16; i++)
        out[i] = hex[(h >> (60 - 4 * i)) & 15];
    lua_pushlstring(L, out, sizeof out);
    return 1;
}

void xt_fnv_register(lua_State *L)
{
    lua_pushcfunction(L, core_fnv1a64);
    lua_setfield(L, -2, "fnv1a64");
}
