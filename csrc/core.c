/*
 * core.c: luaopen_xingtu_core, the only exported symbol of the C core, and the one list of its parts.
 *
 * The module table is built by opening every part of `parts` in turn (luasocket's registrar table): each part's
 * open function finds the module table on top of the stack, adds its functions and values to it (and registers the
 * metatables it needs), and leaves the stack as it found it. No part opens another. A new part is one entry here,
 * one file and one line in CMakeLists.txt's source list.
 *
 * This file's own entry adds what describes the module as a whole: VERSION (CMake's project version, the only
 * version string; xingtu.VERSION and the Lua modules' _VERSION read it), curl_version, and `limits`, the shared
 * limits and defaults of xt_limits.h as a table for the Lua layer:
 *
 *   core.limits = { concurrency_cap = 256, default_concurrency = 8, default_timeout = 60,
 *                   default_connect_timeout = 10, timeout_cap = 604800, default_max_body = 33554432,
 *                   max_body_cap = 2^40, default_max_depth = 1000, max_depth_cap = 10000, raw_max = 512,
 *                   header_max = 256 }
 *
 * (a fresh table per Lua state; changing it changes nothing in the core). The core keeps no mutable C globals:
 * every setting lives in the objects it creates, so several Lua states in one process (nginx workers' VMs, threads)
 * can use it at once.
 */
#include <curl/curl.h>

#include "clock.h"
#include "compat.h"
#include "fnv.h"
#include "fsutil.h"
#include "jobfile.h"
#include "json_decode.h"
#include "json_encode.h"
#include "multi.h"
#include "pool_alloc.h"
#include "session.h"
#include "sha256.h"
#include "signal.h"
#include "xt_limits.h"

#ifndef XINGTU_VERSION
#error "XINGTU_VERSION must be defined (CMake passes its project version)"
#endif

__attribute__((visibility("default"))) int luaopen_xingtu_core(lua_State *L);

/* Stack: t on top; t[key] = n. */
static void set_limit(lua_State *L, const char *key, long long n)
{
#if XT_HAVE_INTEGERS
    lua_pushinteger(L, (lua_Integer)n);
#else
    lua_pushnumber(L, (lua_Number)n); /* exact: every limit is below 2^53 */
#endif
    lua_setfield(L, -2, key);
}

static void push_limits(lua_State *L)
{
    lua_createtable(L, 0, 11);
    set_limit(L, "concurrency_cap", XT_CONCURRENCY_CAP);
    set_limit(L, "default_concurrency", XT_DEFAULT_CONCURRENCY);
    set_limit(L, "default_timeout", XT_DEFAULT_TIMEOUT);
    set_limit(L, "default_connect_timeout", XT_DEFAULT_CONNECT_TIMEOUT);
    set_limit(L, "timeout_cap", XT_TIMEOUT_CAP);
    set_limit(L, "default_max_body", XT_DEFAULT_MAX_BODY);
    set_limit(L, "max_body_cap", XT_MAX_BODY_CAP);
    set_limit(L, "default_max_depth", XT_DEFAULT_MAX_DEPTH);
    set_limit(L, "max_depth_cap", XT_MAX_DEPTH_CAP);
    set_limit(L, "raw_max", XT_RAW_MAX);
    set_limit(L, "header_max", XT_HEADER_MAX);
}

static void module_open(lua_State *L)
{
    lua_pushliteral(L, XINGTU_VERSION);
    lua_setfield(L, -2, "VERSION");
    lua_pushstring(L, curl_version_info(CURLVERSION_NOW)->version);
    lua_setfield(L, -2, "curl_version");
    push_limits(L);
    lua_setfield(L, -2, "limits");
}

static const struct {
    const char *name;
    void (*open)(lua_State *L);
} parts[] = {
    {"module", module_open},                  /* VERSION, curl_version, limits */
    {"clock", xt_clock_open},                 /* now, sleep */
    {"json_decode", xt_json_register},        /* decode, null, array_mt */
    {"json_encode", xt_json_encode_register}, /* encode */
    {"session", xt_session_open},             /* session (xingtu.Session) */
    {"multi", xt_multi_open},                 /* multi (xingtu.Multi) */
    {"fs", xt_fs_register},                   /* fs (the cache directory's safe file access) */
    {"sha256", xt_sha256_register},           /* sha256 */
    {"fnv", xt_fnv_register},                 /* fnv1a64 (cache entry names, checksums) */
    {"jobfile", xt_jobfile_register},         /* jobfile (a batch's whole-record output) */
    {"signal", xt_signal_register},           /* signal (a batch's clean stop) */
    {"pool_alloc", xt_pool_register},         /* use_pool_allocator */
};

int luaopen_xingtu_core(lua_State *L)
{
    lua_newtable(L);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        luaL_checkstack(L, 8, parts[i].name);
        parts[i].open(L);
    }
    return 1;
}
