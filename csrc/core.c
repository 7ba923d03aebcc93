/*
 * core.c: luaopen_xingtu_core, the only exported symbol of the C core.
 *
 * The module table holds the JSON functions (json_decode.c), the HTTP engines (http.c) and two clock helpers the
 * Lua layer's retries and rate limits need (a monotonic clock and a sleep; Lua's own os.clock measures CPU time).
 * The core keeps no mutable C globals: every setting lives in the objects it creates, so several Lua states in one
 * process (nginx workers' VMs, threads) can use it at once.
 */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <errno.h>
#include <time.h>

#include "compat.h"
#include "fsutil.h"
#include "http.h"
#include "json_decode.h"
#include "sha256.h"

#ifndef XINGTU_VERSION
#define XINGTU_VERSION "0.0.0"
#endif

__attribute__((visibility("default"))) int luaopen_xingtu_core(lua_State *L);

/* now() -> seconds since an arbitrary fixed point, from CLOCK_MONOTONIC (never jumps with the wall clock). */
static int core_now(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
    return 1;
}

/* sleep(seconds): blocks the calling thread; resumes after signals until the whole time has passed. */
static int core_sleep(lua_State *L)
{
    lua_Number seconds = luaL_checknumber(L, 1);
    struct timespec want;
    if (!(seconds > 0)) /* also rejects NaN */
        return 0;
    if (seconds > 86400.0 * 365)
        return luaL_argerror(L, 1, "sleep longer than a year");
    want.tv_sec = (time_t)seconds;
    want.tv_nsec = (long)((seconds - (lua_Number)want.tv_sec) * 1e9);
    if (want.tv_nsec > 999999999L)
        want.tv_nsec = 999999999L;
    while (nanosleep(&want, &want) != 0 && errno == EINTR) {
    }
    return 0;
}

int luaopen_xingtu_core(lua_State *L)
{
    static const luaL_Reg clock_functions[] = {{"now", core_now}, {"sleep", core_sleep}, {NULL, NULL}};
    lua_newtable(L);
    lua_pushliteral(L, XINGTU_VERSION);
    lua_setfield(L, -2, "VERSION");
    lua_pushstring(L, curl_version_info(CURLVERSION_NOW)->version);
    lua_setfield(L, -2, "curl_version");
    xt_setfuncs(L, clock_functions);
    xt_json_register(L);
    xt_http_register(L);
    xt_fs_register(L);
    xt_sha256_register(L);
    return 1;
}
