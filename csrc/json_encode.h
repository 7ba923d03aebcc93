/*
 * json_encode.h: Lua values to JSON text.
 *
 * Lua: core.encode(value [, opts]) -> string; raises "cannot encode <what> at <path>" for what JSON cannot hold
 * (functions, threads, userdata other than the null sentinel, NaN and infinities, cycles, tables nested deeper than
 * opts.max_depth, keys other than strings and numbers). <path> is "$" for the value itself, then ".key" or
 * '["key"]' for object members and "[i]" (1-based, as in Lua) for array elements, e.g. "$.data.video_touch[2].name".
 *
 * - nil and the null sentinel (light userdata NULL, == cjson.null) -> null; booleans -> true/false.
 * - Integers -> exact decimal digits. Floats -> the shortest of %.15g/%.16g/%.17g that reads back as the same double,
 *   always with a '.' as decimal point (whatever the C locale) and with ".0" appended when it would otherwise look
 *   like an integer, so a float stays a float through decode. (LuaJIT: integral numbers below 2^63 print as integers.)
 * - Strings: well-formed UTF-8 passes through unescaped; only '"', '\\' and control characters (< 0x20) are escaped;
 *   each maximal ill-formed subpart (an invalid byte, a truncated or overlong sequence, a surrogate) is replaced by
 *   U+FFFD, as Python's errors="replace" does, so the output is always valid JSON (UTF-8). Keys alike.
 * - A table whose keys are exactly 1..n (n >= 1) is an array; any other table an object, numeric keys written as
 *   strings. An empty table is {} unless its metatable has __jsontype = "array". __jsontype = "array" also forces
 *   array encoding of the elements 1..#t (other keys are ignored); __jsontype = "object" forces an object.
 * - opts.sort_keys (boolean): object members in bytewise order of their keys (deterministic output).
 *   opts.indent (number of spaces, or a string of spaces and tabs): pretty-printed, one member per line, ": " after
 *   keys. opts.max_depth (1..10000, default 1000): deepest table nesting allowed.
 *
 * The encoder does not recurse in C: its C stack use is the same small amount at any depth (a 128 KB thread stack is
 * plenty); each level of nesting costs up to 7 Lua stack slots instead, checked as it is entered.
 */
#ifndef XINGTU_JSON_ENCODE_H
#define XINGTU_JSON_ENCODE_H

#include "compat.h"
#include "xt_limits.h"

#define XT_JSON_ENCODE_DEFAULT_MAX_DEPTH XT_DEFAULT_MAX_DEPTH

/* Adds `encode` to the module table on top of the stack. */
void xt_json_encode_register(lua_State *L);

#endif
