/*
 * fuzz_json.c: libFuzzer target for the JSON decoder (and the encoder on whatever the decoder accepts).
 *
 * For every input, under lua_pcall in one long-lived lua_State:
 * - xt_json_decode either pushes exactly one value and returns 1, or pushes nothing and writes "<what> at byte N"
 *   with 1 <= N <= size + 1;
 * - a second decode gives the same result (deep-equal value or the same message);
 * - an accepted value encodes (core.encode) to text that decodes back to a deep-equal value, and encoding that
 *   again gives the same text: no encode error is allowed (the decoder rejects numbers beyond the double range, so
 *   no infinity reaches the encoder);
 * - the encoder's error path at every depth: a value nested D deep (D >= 2) encoded with max_depth = D - 1 raises
 *   "cannot encode tables nested deeper than D-1 at $..." (with the path up to the table that is one too deep), in
 *   compact, sorted or indented mode as the input's length picks.
 * Any violation aborts, which libFuzzer reports as a crash. Seeds of our own are in fuzz/json-seeds/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "json_decode.h"

#define FUZZ_MAX_DEPTH 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lua_State *fuzz_L;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_json: invariant violated: %s\n", what);
        abort();
    }
}

/* Deep equality of the values at a and b (absolute indices); integer and float subtypes must match too. */
static int deep_equal(lua_State *L, int a, int b, int depth)
{
    int n = 0;
    if (lua_type(L, a) != lua_type(L, b))
        return 0;
    if (lua_type(L, a) == LUA_TNUMBER) {
        if (lua_isinteger(L, a) != lua_isinteger(L, b))
            return 0;
        return lua_rawequal(L, a, b);
    }
    if (lua_type(L, a) != LUA_TTABLE)
        return lua_rawequal(L, a, b);
    if (depth > FUZZ_MAX_DEPTH + 1 || !lua_checkstack(L, 6))
        return 0;
    lua_pushnil(L);
    while (lua_next(L, a)) {
        int eq;
        /* stack: key, value */
        lua_pushvalue(L, -2);
        lua_rawget(L, b); /* key, value, b[key] */
        eq = deep_equal(L, lua_gettop(L) - 1, lua_gettop(L), depth + 1);
        lua_pop(L, 2);
        if (!eq) {
            lua_pop(L, 1);
            return 0;
        }
        n++;
    }
    lua_pushnil(L);
    while (lua_next(L, b)) {
        lua_pop(L, 1);
        n--;
    }
    return n == 0;
}

/* Pushes encode(value at idx [, {sort_keys = true}]); any encode error fails the fuzzer. */
static void encode_at(lua_State *L, int idx, int sorted)
{
    lua_getfield(L, lua_upvalueindex(1), "encode");
    lua_pushvalue(L, idx);
    if (sorted) {
        lua_createtable(L, 0, 1);
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "sort_keys");
    }
    if (lua_pcall(L, sorted ? 2 : 1, 1, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "fuzz_json: encode failed: %s\n", msg ? msg : "?");
        check(0, "an accepted value encodes");
    }
    check(lua_type(L, -1) == LUA_TSTRING, "encode returns a string");
}

/* Nesting depth of the value at idx: 0 for a scalar, 1 for a table of scalars. */
static int depth_of(lua_State *L, int idx, int level)
{
    int deepest = 0;
    if (lua_type(L, idx) != LUA_TTABLE)
        return 0;
    check(level <= FUZZ_MAX_DEPTH && lua_checkstack(L, 3), "decoded nesting within FUZZ_MAX_DEPTH");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int d = depth_of(L, lua_gettop(L), level + 1);
        if (d > deepest)
            deepest = d;
        lua_pop(L, 1);
    }
    return deepest + 1;
}

/* The encoder's error path: the value at v, D >= 2 deep, with max_depth = D - 1 must raise the depth error. */
static void check_depth_error(lua_State *L, int v, size_t size)
{
    char want[64];
    const char *msg;
    int depth = depth_of(L, v, 1), top = lua_gettop(L);

    if (depth < 2)
        return;
    lua_getfield(L, lua_upvalueindex(1), "encode");
    lua_pushvalue(L, v);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, depth - 1);
    lua_setfield(L, -2, "max_depth");
    lua_pushboolean(L, (int)(size & 1));
    lua_setfield(L, -2, "sort_keys");
    if (size & 2) {
        lua_pushinteger(L, 1);
        lua_setfield(L, -2, "indent");
    }
    check(lua_pcall(L, 2, 1, 0) != LUA_OK, "encode with max_depth below the depth fails");
    msg = lua_tostring(L, -1);
    snprintf(want, sizeof want, "cannot encode tables nested deeper than %d at $", depth - 1);
    if (msg == NULL || strncmp(msg, want, strlen(want)) != 0) {
        fprintf(stderr, "fuzz_json: depth error: %s\n", msg ? msg : "?");
        check(0, "the depth error names the limit and a path");
    }
    lua_settop(L, top);
}

/* decode(text at t) must succeed and be deep-equal to the value at v. Leaves the stack as it was. */
static void roundtrip(lua_State *L, int v, int t)
{
    size_t len;
    const char *s = lua_tolstring(L, t, &len);
    char err[128];
    if (!xt_json_decode(L, s, len, FUZZ_MAX_DEPTH, err, sizeof err)) {
        fprintf(stderr, "fuzz_json: re-decoding the encoded text failed: %s\n", err);
        check(0, "encoded text decodes");
    }
    check(deep_equal(L, v, lua_gettop(L), 0), "decode(encode(v)) equals v");
    lua_pop(L, 1);
}

/* decode_and_check(data, size): all checks; errors other than our own aborts only come from running out of memory. */
static int decode_and_check(lua_State *L)
{
    const char *data = (const char *)lua_touserdata(L, 1);
    size_t size = (size_t)lua_tointeger(L, 2);
    char err[128], err2[128];
    int top = lua_gettop(L);

    if (xt_json_decode(L, data, size, FUZZ_MAX_DEPTH, err, sizeof err)) {
        int v = top + 1;
        check(lua_gettop(L) == v, "success pushes exactly one value");
        check(xt_json_decode(L, data, size, FUZZ_MAX_DEPTH, err2, sizeof err2), "decoding is deterministic");
        check(deep_equal(L, v, v + 1, 0), "two decodes give equal values");
        lua_settop(L, v);

        lua_getfield(L, lua_upvalueindex(1), "encode");
        if (lua_isfunction(L, -1)) {
            size_t len1, len2;
            const char *s1, *s2;
            lua_pop(L, 1);
            /* [v+1] = encode(v), [v+2] = encode(v, sorted) */
            encode_at(L, v, 0);
            encode_at(L, v, 1);
            roundtrip(L, v, v + 1);
            roundtrip(L, v, v + 2);
            /* with sorted keys the text is canonical: encode(decode(encode(v))) == encode(v) */
            s1 = lua_tolstring(L, v + 2, &len1);
            check(xt_json_decode(L, s1, len1, FUZZ_MAX_DEPTH, err2, sizeof err2), "sorted text decodes");
            encode_at(L, lua_gettop(L), 1);
            s2 = lua_tolstring(L, -1, &len2);
            check(len1 == len2 && memcmp(s1, s2, len1) == 0, "sorted encoding is stable");
            check_depth_error(L, v, size);
        }
    } else {
        const char *at = strstr(err, " at byte ");
        unsigned long long pos;
        check(lua_gettop(L) == top, "failure pushes nothing");
        check(at != NULL, "message contains ' at byte '");
        pos = strtoull(at + 9, NULL, 10);
        check(pos >= 1 && pos <= (unsigned long long)size + 1, "byte position within 1..size+1");
        check(!xt_json_decode(L, data, size, FUZZ_MAX_DEPTH, err2, sizeof err2), "rejection is deterministic");
        check(strcmp(err, err2) == 0, "the same message twice");
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_State *L = fuzz_L;
    if (L == NULL) {
        L = fuzz_L = luaL_newstate();
        check(L != NULL, "luaL_newstate");
        luaL_openlibs(L);
        lua_newtable(L);
        xt_json_register(L); /* [1] = module table with decode, null and encode, for the whole run */
    }
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, decode_and_check, 1);
    lua_pushlightuserdata(L, (void *)data);
    lua_pushinteger(L, (lua_Integer)size);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        fprintf(stderr, "fuzz_json: Lua error: %s\n", lua_tostring(L, -1));
        abort();
    }
    lua_settop(L, 1);
    /* Free this input's garbage now, so that a run ends with as many frees as mallocs: otherwise libFuzzer follows
     * it with a whole LeakSanitizer scan. */
    lua_gc(L, LUA_GCCOLLECT, 0);
    return 0;
}
