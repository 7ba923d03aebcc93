/*
 * core.c: luaopen_xingtu_core, the only exported symbol of the C core.
 *
 * The module table holds the JSON functions (json_decode.c) and the HTTP session constructor (http.c). The core
 * keeps no mutable C globals: every setting lives in the objects it creates, so several Lua states in one process
 * (nginx workers' VMs, threads) can use it at once.
 */
#include <curl/curl.h>

#include "compat.h"
#include "http.h"
#include "json_decode.h"

#ifndef XINGTU_VERSION
#define XINGTU_VERSION "0.0.0"
#endif

__attribute__((visibility("default"))) int luaopen_xingtu_core(lua_State *L);

int luaopen_xingtu_core(lua_State *L)
{
    lua_newtable(L);
    lua_pushliteral(L, XINGTU_VERSION);
    lua_setfield(L, -2, "VERSION");
    lua_pushstring(L, curl_version());
    lua_setfield(L, -2, "curl_version");
    xt_json_register(L);
    xt_http_register(L);
    return 1;
}
