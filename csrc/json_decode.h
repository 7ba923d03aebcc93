/*
 * json_decode.h: JSON text straight into Lua values.
 *
 * Contract:
 * - xt_json_decode() parses exactly one JSON value (RFC 8259; surrounding whitespace allowed, nothing else) from
 *   `text` (`len` bytes, not necessarily NUL-terminated) and pushes it on the stack as native Lua values: objects and
 *   arrays become tables (rawset only), strings Lua strings (escapes decoded, invalid UTF-8 rejected), true/false
 *   booleans, null the light userdata NULL (== cjson.null). An empty array gets the metatable registered as
 *   XT_JSON_ARRAY_MT ({ __jsontype = "array" }, the module's `array_mt`), so that it encodes back as [], not {}.
 *   A number without fraction or exponent that fits in a
 *   64-bit signed integer becomes a Lua integer, exactly; any other number a float. (Under LuaJIT: integers beyond
 *   2^53 become strings holding the exact digits.)
 * - On success it pushes one value and returns 1. On invalid input it pushes nothing, writes "<what> at byte <N>"
 *   (N counted from 1) into err (always NUL-terminated) and returns 0. Nesting deeper than max_depth is invalid input.
 * - It raises a Lua error only when Lua itself runs out of memory; all scratch memory is owned by Lua, so even then
 *   nothing leaks. It never reads outside [text, text+len).
 * - Between decodes it keeps, per Lua state, caches of recent object keys and short string values (registry field
 *   "xingtu.json.keycache", about 100 KB at most); they only speed decoding up and never change a result.
 */
#ifndef XINGTU_JSON_DECODE_H
#define XINGTU_JSON_DECODE_H

#include "compat.h"
#include "xt_limits.h"
#include <stddef.h>

#define XT_JSON_DEFAULT_MAX_DEPTH XT_DEFAULT_MAX_DEPTH
#define XT_JSON_ARRAY_MT          "xingtu.json.array"

int xt_json_decode(lua_State *L, const char *text, size_t len, int max_depth, char *err, size_t errlen);

/* Adds `decode`, the `null` sentinel and `array_mt` (registering it) to the module table on top of the stack. */
void xt_json_register(lua_State *L);

#endif
