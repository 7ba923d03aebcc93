/*
 * json_encode.c: the JSON encoder of xingtu.core (contract in json_encode.h).
 *
 * Output goes into a growable buffer held in a userdata in a fixed stack slot, not a luaL_Buffer, because the
 * encoder pushes keys and values while it writes (STYLE pattern 13). The ancestors of the table being written (for
 * cycle detection and for the path in error messages) live in a second userdata. All memory is Lua's, so raising an
 * error anywhere leaks nothing.
 */
#include "json_encode.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XT_JSON_ENCODE_DEPTH_CAP XT_MAX_DEPTH_CAP

#if LUA_VERSION_NUM >= 504
#define new_scratch(L, size) lua_newuserdatauv((L), (size), 0)
#else
#define new_scratch(L, size) lua_newuserdata((L), (size))
#endif

/* One table being written: `key_slot` is the stack slot of the current object key (0 in arrays, then `index`). */
typedef struct {
    const void *table;
    int key_slot;
    lua_Integer index;
} level;

typedef struct {
    lua_State *L;
    int buf_idx; /* stack slot of the output buffer userdata */
    char *buf;
    size_t len, cap;
    int lev_idx; /* stack slot of the levels userdata */
    level *levels;
    int lev_cap;
    int depth;
    int max_depth;
    int sort_keys;
    const char *indent; /* NULL: compact */
    size_t indent_len;
} encoder;

/* Sort entry for sort_keys. */
typedef struct {
    const char *s;
    size_t len;
    int slot; /* position of the original key in the keys table */
} key_entry;

static void encode_value(encoder *e, int idx);

static void reserve(encoder *e, size_t extra)
{
    if (e->cap - e->len < extra) {
        size_t cap = e->cap * 2;
        char *nb;
        if (cap - e->len < extra)
            cap = e->len + extra;
        nb = (char *)new_scratch(e->L, cap);
        memcpy(nb, e->buf, e->len);
        lua_replace(e->L, e->buf_idx);
        e->buf = nb;
        e->cap = cap;
    }
}

static inline void put(encoder *e, const char *s, size_t n)
{
    reserve(e, n);
    memcpy(e->buf + e->len, s, n);
    e->len += n;
}

static inline void put_char(encoder *e, char c)
{
    reserve(e, 1);
    e->buf[e->len++] = c;
}

static int is_identifier(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Raises "cannot encode <what> at <path>". Pushes the path pieces and concatenates them; never returns. */
static int fail(encoder *e, const char *what)
{
    lua_State *L = e->L;
    int i, n = 2;

    lua_checkstack(L, 8);
    lua_pushfstring(L, "cannot encode %s at ", what);
    lua_pushliteral(L, "$");
    for (i = 0; i < e->depth; i++) {
        const level *lv = &e->levels[i];
        if (e->depth > 40 && i == 20) { /* a deep path: its first and last 20 steps */
            lua_pushliteral(L, "...");
            n++;
            i = e->depth - 20;
            lv = &e->levels[i];
        }
        if (lv->key_slot == 0) {
            lua_pushfstring(L, "[%d]", (int)lv->index);
        } else if (lua_type(L, lv->key_slot) == LUA_TSTRING) {
            size_t len;
            const char *k = lua_tolstring(L, lv->key_slot, &len);
            if (is_identifier(k, len))
                lua_pushfstring(L, ".%s", k);
            else
                lua_pushfstring(L, "[\"%s\"]", k);
        } else {
            lua_pushvalue(L, lv->key_slot);
            lua_pushfstring(L, "[%s]", lua_tostring(L, -1)); /* a number key: converting the copy is harmless */
            lua_remove(L, -2);
        }
        if (++n >= 40) { /* keep the stack small on deep paths */
            lua_concat(L, n);
            n = 1;
        }
    }
    lua_concat(L, n);
    return lua_error(L);
}

/* A key JSON cannot hold: the path names the table. */
static void fail_key(encoder *e, int k)
{
    e->depth--;
    lua_pushfstring(e->L, "a key of type %s", luaL_typename(e->L, k));
    fail(e, lua_tostring(e->L, -1));
}

static void put_integer(encoder *e, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + (u % 10));
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    put(e, p, (size_t)(tmp + sizeof tmp - p));
}

/* Writes a finite double with '.' as decimal point, round-tripping, marked as a float (".0") where needed. */
static void put_float(encoder *e, double d, int mark_float)
{
    char tmp[40];
    int prec, n = 0, has_mark = 0, i;
    char point = localeconv()->decimal_point[0];

    if (isnan(d))
        fail(e, "number NaN");
    if (isinf(d))
        fail(e, d > 0 ? "number inf" : "number -inf");
    for (prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (prec == 17 || strtod(tmp, NULL) == d)
            break; /* snprintf and strtod agree on the locale's decimal point */
    }
    if (n < 0 || (size_t)n >= sizeof tmp - 2)
        fail(e, "number"); /* cannot happen with %.17g */
    for (i = 0; i < n; i++) {
        if (tmp[i] == point && point != '.')
            tmp[i] = '.';
        if (tmp[i] == '.' || tmp[i] == 'e')
            has_mark = 1;
    }
    if (mark_float && !has_mark) {
        tmp[n++] = '.';
        tmp[n++] = '0';
    }
    put(e, tmp, (size_t)n);
}

static void put_number(encoder *e, int idx)
{
#if XT_HAVE_INTEGERS
    if (lua_isinteger(e->L, idx)) {
        put_integer(e, (int64_t)lua_tointeger(e->L, idx));
        return;
    }
    put_float(e, (double)lua_tonumber(e->L, idx), 1);
#else
    double d = (double)lua_tonumber(e->L, idx);
    if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 && !(d == 0 && signbit(d))) {
        put_integer(e, (int64_t)d);
        return;
    }
    put_float(e, d, 0);
#endif
}

/* Bytes that need an escape: '"', '\\' and control characters. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static void put_string(encoder *e, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    reserve(e, len + 2);
    e->buf[e->len++] = '"';
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && !needs_escape[*p])
            p++;
        if (p > run)
            put(e, (const char *)run, (size_t)(p - run));
        if (p < end) {
            char esc[6] = {'\\', 0, 0, 0, 0, 0};
            size_t n = 2;
            switch (*p) {
            case '"':
                esc[1] = '"';
                break;
            case '\\':
                esc[1] = '\\';
                break;
            case '\b':
                esc[1] = 'b';
                break;
            case '\f':
                esc[1] = 'f';
                break;
            case '\n':
                esc[1] = 'n';
                break;
            case '\r':
                esc[1] = 'r';
                break;
            case '\t':
                esc[1] = 't';
                break;
            default:
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hex[*p >> 4];
                esc[5] = hex[*p & 15];
                n = 6;
            }
            put(e, esc, n);
            p++;
        }
    }
    put_char(e, '"');
}

static void newline(encoder *e)
{
    int i;
    if (e->indent == NULL)
        return;
    reserve(e, 1 + e->indent_len * (size_t)e->depth);
    e->buf[e->len++] = '\n';
    for (i = 0; i < e->depth; i++) {
        memcpy(e->buf + e->len, e->indent, e->indent_len);
        e->len += e->indent_len;
    }
}

/* Writes the key at stack slot `k` (a string, or a number written as a string). */
static void put_key(encoder *e, int k)
{
    lua_State *L = e->L;
    size_t len;
    const char *s;

    if (lua_type(L, k) == LUA_TSTRING) {
        s = lua_tolstring(L, k, &len);
        put_string(e, s, len);
    } else if (lua_type(L, k) == LUA_TNUMBER) {
        put_char(e, '"');
        put_number(e, k);
        put_char(e, '"');
    } else {
        fail_key(e, k);
    }
    if (e->indent != NULL)
        put(e, ": ", 2);
    else
        put_char(e, ':');
}

static int key_cmp(const void *a, const void *b)
{
    const key_entry *x = (const key_entry *)a, *y = (const key_entry *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : (x->len > y->len);
}

/* The string form of the key at slot k, pushed (numbers as the encoder writes them). */
static void push_key_string(encoder *e, int k)
{
    lua_State *L = e->L;
    if (lua_type(L, k) == LUA_TSTRING) {
        lua_pushvalue(L, k);
    } else if (lua_type(L, k) == LUA_TNUMBER) {
        /* encode the number into the output buffer, copy it out, and take it back */
        size_t mark = e->len;
        put_number(e, k);
        lua_pushlstring(L, e->buf + mark, e->len - mark);
        e->len = mark;
    } else {
        fail_key(e, k);
    }
}

/* Object members in sorted key order. t: the table; count: its number of keys. */
static void put_object_sorted(encoder *e, int t, int count)
{
    lua_State *L = e->L;
    int keys, i = 0, j;
    key_entry *ent;

    /* keys[2i-1] = key as written, keys[2i] = original key */
    lua_createtable(L, 2 * count, 0);
    keys = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        i++;
        push_key_string(e, lua_gettop(L));
        lua_rawseti(L, keys, 2 * i - 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, 2 * i);
    }
    ent = (key_entry *)new_scratch(L, sizeof(key_entry) * (size_t)(count > 0 ? count : 1));
    for (j = 0; j < i; j++) {
        lua_rawgeti(L, keys, 2 * j + 1);
        ent[j].s = lua_tolstring(L, -1, &ent[j].len); /* stays valid: keys anchors the string */
        ent[j].slot = 2 * j + 2;
        lua_pop(L, 1);
    }
    qsort(ent, (size_t)i, sizeof *ent, key_cmp);
    for (j = 0; j < i; j++) {
        if (j > 0)
            put_char(e, ',');
        newline(e);
        lua_rawgeti(L, keys, ent[j].slot); /* original key */
        e->levels[e->depth - 1].key_slot = lua_gettop(L);
        put_string(e, ent[j].s, ent[j].len);
        if (e->indent != NULL)
            put(e, ": ", 2);
        else
            put_char(e, ':');
        lua_pushvalue(L, -1);
        lua_rawget(L, t);
        encode_value(e, lua_gettop(L));
        lua_pop(L, 2);
    }
    lua_pop(L, 2); /* keys, entries */
}

static void put_table(encoder *e, int t)
{
    lua_State *L = e->L;
    const void *self = lua_topointer(L, t);
    int i, forced = 0; /* 1 array, 2 object */
    lua_Integer n = 0, max = 0, count = 0;
    level *lv;

    for (i = 0; i < e->depth; i++) {
        if (e->levels[i].table == self)
            fail(e, "a cycle (a table that contains itself)");
    }
    if (e->depth >= e->max_depth) {
        lua_pushfstring(L, "tables nested deeper than %d", e->max_depth);
        fail(e, lua_tostring(L, -1));
    }
    if (!lua_checkstack(L, 12))
        fail(e, "a table (out of Lua stack space)");
    if (e->depth >= e->lev_cap) {
        int cap = e->lev_cap * 2;
        level *nl = (level *)new_scratch(L, sizeof(level) * (size_t)cap);
        memcpy(nl, e->levels, sizeof(level) * (size_t)e->lev_cap);
        lua_replace(L, e->lev_idx);
        e->levels = nl;
        e->lev_cap = cap;
    }
    lv = &e->levels[e->depth++];
    lv->table = self;
    lv->key_slot = 0;
    lv->index = 0;

    if (lua_getmetatable(L, t)) {
        lua_getfield(L, -1, "__jsontype");
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *jt = lua_tostring(L, -1);
            if (strcmp(jt, "array") == 0)
                forced = 1;
            else if (strcmp(jt, "object") == 0)
                forced = 2;
        }
        lua_pop(L, 2);
    }

    if (forced == 1) {
        n = (lua_Integer)xt_rawlen(L, t);
    } else {
        int is_array = (forced == 0);
        lua_pushnil(L);
        while (lua_next(L, t)) {
            lua_pop(L, 1);
            count++;
            if (is_array) {
#if XT_HAVE_INTEGERS
                if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
                    lua_Integer k = lua_tointeger(L, -1);
#else
                if (lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) >= 1 &&
                    lua_tonumber(L, -1) == floor(lua_tonumber(L, -1))) {
                    lua_Integer k = (lua_Integer)lua_tonumber(L, -1);
#endif
                    if (k > max)
                        max = k;
                } else {
                    is_array = 0;
                }
            }
        }
        if (is_array && count > 0 && max == count)
            n = count;
        else
            forced = 2;
    }

    if (forced != 2) {
        /* array: elements 1..n */
        lua_Integer k;
        put_char(e, '[');
        for (k = 1; k <= n; k++) {
            if (k > 1)
                put_char(e, ',');
            newline(e);
            e->levels[e->depth - 1].index = k;
            lua_rawgeti(L, t, k);
            encode_value(e, lua_gettop(L));
            lua_pop(L, 1);
        }
        e->depth--;
        if (n > 0)
            newline(e);
        put_char(e, ']');
        return;
    }

    put_char(e, '{');
    if (count > 0 && e->sort_keys) {
        if (count > INT32_MAX / 2)
            fail(e, "a table (too many keys to sort)");
        put_object_sorted(e, t, (int)count);
    } else {
        int first = 1;
        lua_pushnil(L);
        while (lua_next(L, t)) {
            /* stack: key, value */
            int k = lua_gettop(L) - 1;
            if (!first)
                put_char(e, ',');
            first = 0;
            newline(e);
            e->levels[e->depth - 1].key_slot = k;
            put_key(e, k);
            encode_value(e, k + 1);
            lua_pop(L, 1);
        }
    }
    e->depth--;
    if (count > 0)
        newline(e);
    put_char(e, '}');
}

/* Writes the value at absolute stack index idx. */
static void encode_value(encoder *e, int idx)
{
    lua_State *L = e->L;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        put(e, "null", 4);
        break;
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, idx))
            put(e, "true", 4);
        else
            put(e, "false", 5);
        break;
    case LUA_TNUMBER:
        put_number(e, idx);
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        put_string(e, s, len);
        break;
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL) {
            put(e, "null", 4);
            break;
        }
        fail(e, "light userdata (only the null sentinel is allowed)");
        break;
    case LUA_TTABLE:
        put_table(e, idx);
        break;
    default: {
        lua_pushfstring(L, "a %s", luaL_typename(L, idx));
        fail(e, lua_tostring(L, -1));
    }
    }
}

/* core.encode(value [, opts]) -> string */
static int l_encode(lua_State *L)
{
    encoder e;
    lua_Integer max_depth = XT_JSON_ENCODE_DEFAULT_MAX_DEPTH;

    lua_settop(L, 2);
    memset(&e, 0, sizeof e);
    e.L = L;
    if (!lua_isnil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "sort_keys");
        e.sort_keys = lua_toboolean(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, 2, "max_depth");
        if (!lua_isnil(L, -1)) {
            luaL_argcheck(L, lua_type(L, -1) == LUA_TNUMBER, 2, "opts.max_depth must be a number");
            max_depth = (lua_Integer)lua_tonumber(L, -1);
            luaL_argcheck(L, max_depth >= 1 && max_depth <= XT_JSON_ENCODE_DEPTH_CAP, 2,
                          "opts.max_depth must be in 1..10000");
        }
        lua_pop(L, 1);
        lua_getfield(L, 2, "indent");
        if (lua_type(L, -1) == LUA_TNUMBER) {
            static const char spaces[] = "                "; /* 16 */
            lua_Integer n = (lua_Integer)lua_tonumber(L, -1);
            luaL_argcheck(L, n >= 0 && n <= 16, 2, "opts.indent must be 0..16 spaces or a string of blanks");
            e.indent = spaces;
            e.indent_len = (size_t)n;
        } else if (lua_type(L, -1) == LUA_TSTRING) {
            size_t i;
            e.indent = lua_tolstring(L, -1, &e.indent_len);
            for (i = 0; i < e.indent_len; i++)
                luaL_argcheck(L, e.indent[i] == ' ' || e.indent[i] == '\t', 2,
                              "opts.indent must be 0..16 spaces or a string of blanks");
            lua_replace(L, 2); /* keep the indent string anchored in slot 2 (opts is no longer needed) */
        } else if (!lua_isnil(L, -1) && lua_toboolean(L, -1)) {
            luaL_argerror(L, 2, "opts.indent must be 0..16 spaces or a string of blanks");
        }
        lua_settop(L, 2);
    }
    e.max_depth = (int)max_depth;

    /* [3] = output buffer, [4] = levels */
    e.cap = 256;
    e.buf = (char *)new_scratch(L, e.cap);
    e.buf_idx = 3;
    e.lev_cap = 16;
    e.levels = (level *)new_scratch(L, sizeof(level) * (size_t)e.lev_cap);
    e.lev_idx = 4;

    encode_value(&e, 1);
    lua_pushlstring(L, e.buf, e.len);
    return 1;
}

void xt_json_encode_register(lua_State *L)
{
    lua_pushcfunction(L, l_encode);
    lua_setfield(L, -2, "encode");
}
