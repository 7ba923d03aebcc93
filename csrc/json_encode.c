/*
 * json_encode.c: the JSON encoder of xingtu.core (contract in json_encode.h).
 *
 * No C recursion: the tables being written form an explicit stack of frames (a Lua-owned userdata), each frame's
 * table and iteration state (the lua_next key, or for sorted objects the keys table and their order) sit in Lua stack
 * slots of their own, checked with lua_checkstack as each table is opened. So the encoder uses the same few hundred
 * bytes of C stack at any depth, and its Lua stack use grows by at most FRAME_SLOTS slots a level.
 *
 * Output goes into a growable buffer held in a userdata in a fixed stack slot, not a luaL_Buffer, because the
 * encoder pushes keys and values while it writes (STYLE pattern 13). An error message is written into that same
 * buffer (the output so far is dropped) and pushed as one string: the path to a bad value costs no stack slots
 * however deep it is. All memory is Lua's, so raising an error anywhere leaks nothing.
 */
#include "json_encode.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "float_format.h"
#include "utf8.h"

#define XT_JSON_ENCODE_DEPTH_CAP XT_MAX_DEPTH_CAP

/* Lua stack slots one level may hold: the table, up to three of iteration state, the member's value, and one for a
 * scratch buffer being replaced, a number key's string form or an error message. */
#define FRAME_SLOTS 7

#if LUA_VERSION_NUM >= 504
#define new_scratch(L, size) lua_newuserdatauv((L), (size), 0)
#else
#define new_scratch(L, size) lua_newuserdata((L), (size))
#endif

#if defined(__GNUC__)
#define XT_LIKELY(x)    __builtin_expect(!!(x), 1)
#define XT_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define XT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define XT_LIKELY(x)   (x)
#define XT_UNLIKELY(x) (x)
#define XT_PRINTF(f, a)
#endif

enum { F_ARRAY, F_OBJECT, F_SORTED };

/* Sort entry for sort_keys. */
typedef struct {
    const char *s;
    size_t len;
    int slot; /* position of the original key in the keys table */
} key_entry;

/*
 * One table being written. Its Lua stack slots, from `t` up:
 *   arrays:         [t] table, [t+1] the current element
 *   objects:        [t] table, [t+1] the current key (lua_next's), [t+2] its value
 *   sorted objects: [t] table, [t+1] keys table, [t+2] entries userdata, [t+3] the current key, [t+4] its value
 */
typedef struct {
    const void *table; /* for cycle detection */
    int t;
    int kind;
    int key_slot;   /* slot of the current member's key, 0 in arrays (the path uses `i` then) */
    lua_Integer i;  /* members started so far (arrays: the current index) */
    lua_Integer n;  /* members in all */
    key_entry *ent; /* sorted objects: the keys in order */
} frame;

typedef struct {
    lua_State *L;
    int buf_idx; /* stack slot of the output buffer userdata */
    char *buf;
    size_t len, cap;
    int fr_idx; /* stack slot of the frames userdata */
    frame *frames;
    int fr_cap;
    int depth; /* frames in use */
    int max_depth;
    int sort_keys;
    const char *indent; /* NULL: compact */
    size_t indent_len;
} encoder;

/* Replaces the output buffer by one with room for `extra` more bytes (needs one free stack slot a moment). */
static void grow(encoder *e, size_t extra)
{
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

static inline void reserve(encoder *e, size_t extra)
{
    if (XT_UNLIKELY(e->cap - e->len < extra))
        grow(e, extra);
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

/* Appends the path step of frame f: "[i]", ".key", '["key"]' or "[number]". Pushes nothing. */
static void put_step(encoder *e, const frame *f)
{
    lua_State *L = e->L;
    char tmp[48];
    int n;

    if (f->key_slot == 0) {
        n = snprintf(tmp, sizeof tmp, "[%lld]", (long long)f->i);
    } else if (lua_type(L, f->key_slot) == LUA_TSTRING) {
        size_t len;
        const char *k = lua_tolstring(L, f->key_slot, &len);
        int ident = is_identifier(k, len);
        put(e, ident ? "." : "[\"", ident ? 1 : 2);
        put(e, k, len);
        if (!ident)
            put(e, "\"]", 2);
        return;
    } else {
#if XT_HAVE_INTEGERS
        if (lua_isinteger(L, f->key_slot))
            n = snprintf(tmp, sizeof tmp, "[%lld]", (long long)lua_tointeger(L, f->key_slot));
        else
#endif
            n = snprintf(tmp, sizeof tmp, "[%.14g]", (double)lua_tonumber(L, f->key_slot)); /* as tostring does */
    }
    if (n > 0)
        put(e, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/*
 * Raises "cannot encode <what> at <path>", the path made of the first `steps` frames (all of them for a bad value,
 * one less when the table itself is named). The message replaces the output in the buffer and is pushed as one
 * string, so it needs one stack slot (FRAME_SLOTS keeps one free) whatever the depth. Never returns.
 */
static int fail(encoder *e, int steps, const char *fmt, ...) XT_PRINTF(3, 4);
static int fail(encoder *e, int steps, const char *fmt, ...)
{
    char what[128];
    va_list ap;
    int i, n;

    va_start(ap, fmt);
    n = vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    e->len = 0;
    put(e, "cannot encode ", 14);
    put(e, what, (size_t)n < sizeof what ? (size_t)n : sizeof what - 1);
    put(e, " at $", 5);
    for (i = 0; i < steps; i++) {
        if (steps > 40 && i == 20) { /* a deep path: its first and last 20 steps */
            put(e, "...", 3);
            i = steps - 20;
        }
        put_step(e, &e->frames[i]);
    }
    lua_pushlstring(e->L, e->buf, e->len);
    return lua_error(e->L);
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
        fail(e, e->depth, "number NaN");
    if (isinf(d))
        fail(e, e->depth, d > 0 ? "number inf" : "number -inf");
    /* The common case without printf and strtod; the same bytes as the loop below would write. */
    n = (int)xt_format_short_fixed(d, tmp);
    for (prec = 15; n == 0 && prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (prec == 17 || strtod(tmp, NULL) == d)
            break; /* snprintf and strtod agree on the locale's decimal point */
        n = 0;
    }
    if (n < 0 || (size_t)n >= sizeof tmp - 2)
        fail(e, e->depth, "number"); /* cannot happen with %.17g */
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

/*
 * A string as JSON: '"', '\\' and control characters escaped, well-formed UTF-8 copied as it is, and each maximal
 * ill-formed subpart replaced by U+FFFD (utf8.h), so the output is always UTF-8, as RFC 8259 requires of JSON text.
 * Plain runs are copied in one go.
 */
static void put_string(encoder *e, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;

    reserve(e, len + 2);
    e->buf[e->len++] = '"';
    for (;;) {
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        unsigned c;

        while (p < end && !xt_utf8_stop[*p])
            p++;
        if (p >= end)
            break;
        c = *p;
        if (c >= 0x80) {
            size_t seq;
            while ((seq = xt_utf8_seq(p, end)) != 0) { /* a run of non-ASCII characters (CJK text) */
                p += seq;
                if (p >= end || *p < 0x80)
                    break;
            }
            if (XT_LIKELY(seq != 0))
                continue; /* stays in the run */
            put(e, (const char *)run, (size_t)(p - run));
            put(e, XT_UTF8_REPLACEMENT, XT_UTF8_REPLACEMENT_LEN);
            p += xt_utf8_invalid_len(p, end);
            run = p;
            continue;
        }
        put(e, (const char *)run, (size_t)(p - run));
        switch (c) {
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
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        put(e, esc, n);
        run = ++p;
    }
    put(e, (const char *)run, (size_t)(p - run));
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
        fail(e, e->depth - 1, "a key of type %s", luaL_typename(L, k)); /* the path names the table */
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
        fail(e, e->depth - 1, "a key of type %s", luaL_typename(L, k));
    }
}

/* Sets up frame f of an object with `count` keys for sorted output: [t+1] keys table, [t+2] entries. */
static void open_sorted(encoder *e, frame *f, int count)
{
    lua_State *L = e->L;
    int t = f->t, keys, i = 0, j;
    key_entry *ent;

    /* keys[2i-1] = key as written, keys[2i] = original key */
    lua_createtable(L, 2 * count, 0);
    keys = t + 1;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        i++;
        push_key_string(e, lua_gettop(L));
        lua_rawseti(L, keys, 2 * i - 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, 2 * i);
    }
    ent = (key_entry *)new_scratch(L, sizeof(key_entry) * (size_t)count);
    for (j = 0; j < i; j++) {
        lua_rawgeti(L, keys, 2 * j + 1);
        ent[j].s = lua_tolstring(L, -1, &ent[j].len); /* stays valid: keys anchors the string */
        ent[j].slot = 2 * j + 2;
        lua_pop(L, 1);
    }
    qsort(ent, (size_t)i, sizeof *ent, key_cmp);
    f->ent = ent;
    f->n = i;
}

static void put_scalar(encoder *e, int idx, int type);

/* Opens the table at slot t, the top of the stack: checks it, pushes its frame and writes '[' or '{'. */
static void open_table(encoder *e, int t)
{
    lua_State *L = e->L;
    const void *self = lua_topointer(L, t);
    int i, forced = 0; /* 1 array, 2 object */
    lua_Integer n = 0, max = 0, count = 0;
    frame *f;

    for (i = 0; i < e->depth; i++) {
        if (e->frames[i].table == self)
            fail(e, e->depth, "a cycle (a table that contains itself)");
    }
    if (e->depth >= e->max_depth)
        fail(e, e->depth, "tables nested deeper than %d", e->max_depth);
    if (!lua_checkstack(L, FRAME_SLOTS))
        fail(e, e->depth, "a table (out of Lua stack space)"); /* the slot kept free at this level is enough */
    if (e->depth >= e->fr_cap) {
        int cap = e->fr_cap * 2;
        frame *nf = (frame *)new_scratch(L, sizeof(frame) * (size_t)cap);
        memcpy(nf, e->frames, sizeof(frame) * (size_t)e->fr_cap);
        lua_replace(L, e->fr_idx);
        e->frames = nf;
        e->fr_cap = cap;
    }
    f = &e->frames[e->depth++];
    f->table = self;
    f->t = t;
    f->key_slot = 0;
    f->i = 0;
    f->ent = NULL;

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
        f->kind = F_ARRAY;
        f->n = n;
        put_char(e, '[');
        return;
    }
    put_char(e, '{');
    if (count > 0 && e->sort_keys) {
        if (count > INT32_MAX / 2)
            fail(e, e->depth - 1, "a table (too many keys to sort)");
        f->kind = F_SORTED;
        open_sorted(e, f, (int)count);
    } else {
        f->kind = F_OBJECT;
        f->n = count;
        lua_pushnil(L); /* [t+1]: the first lua_next key */
    }
}

/* Writes what comes before frame f's next member (comma, newline, key) and pushes the member's value; 0 when f has
 * no more members (nothing pushed). On entry the stack holds f's own slots up to its key, nothing above. */
static int next_member(encoder *e, frame *f)
{
    lua_State *L = e->L;

    switch (f->kind) {
    case F_ARRAY:
        if (f->i >= f->n)
            return 0;
        if (f->i++ > 0)
            put_char(e, ',');
        newline(e);
        lua_rawgeti(L, f->t, f->i);
        return 1;
    case F_OBJECT:
        if (!lua_next(L, f->t)) /* [t+1] key -> [t+1] key, [t+2] value */
            return 0;
        if (f->i++ > 0)
            put_char(e, ',');
        newline(e);
        f->key_slot = f->t + 1;
        put_key(e, f->t + 1);
        return 1;
    default: { /* F_SORTED */
        const key_entry *k;
        lua_settop(L, f->t + 2); /* drops the previous key */
        if (f->i >= f->n)
            return 0;
        k = &f->ent[f->i];
        if (f->i++ > 0)
            put_char(e, ',');
        newline(e);
        lua_rawgeti(L, f->t + 1, k->slot); /* [t+3] the original key */
        f->key_slot = f->t + 3;
        put_string(e, k->s, k->len);
        if (e->indent != NULL)
            put(e, ": ", 2);
        else
            put_char(e, ':');
        lua_pushvalue(L, f->t + 3);
        lua_rawget(L, f->t); /* [t+4] the value */
        return 1;
    }
    }
}

/* Writes the closing bracket of the innermost table and drops its slots (the table included). */
static void close_table(encoder *e)
{
    frame *f = &e->frames[--e->depth];
    if (f->n > 0)
        newline(e);
    put_char(e, f->kind == F_ARRAY ? ']' : '}');
    lua_settop(e->L, f->t - 1);
}

/* Writes the value at absolute stack index idx, a table or anything else, without recursion. */
static void encode_value(encoder *e, int idx)
{
    lua_State *L = e->L;

    int type = lua_type(L, idx);

    if (type != LUA_TTABLE) {
        put_scalar(e, idx, type);
        return;
    }
    lua_pushvalue(L, idx); /* the root's own slot, dropped when it closes */
    open_table(e, lua_gettop(L));
    while (e->depth > 0) {
        int v;
        if (!next_member(e, &e->frames[e->depth - 1])) {
            close_table(e);
            continue;
        }
        v = lua_gettop(L);
        type = lua_type(L, v);
        if (type == LUA_TTABLE) {
            open_table(e, v); /* the value's slot becomes the new frame's table slot */
        } else {
            put_scalar(e, v, type);
            lua_pop(L, 1);
        }
    }
}

/* Writes the value at idx, of Lua type `type`: anything but a table. */
static void put_scalar(encoder *e, int idx, int type)
{
    lua_State *L = e->L;
    switch (type) {
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
        fail(e, e->depth, "light userdata (only the null sentinel is allowed)");
        break;
    default:
        fail(e, e->depth, "a %s", luaL_typename(L, idx));
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

    /* [3] = output buffer, [4] = frames */
    e.cap = 256;
    e.buf = (char *)new_scratch(L, e.cap);
    e.buf_idx = 3;
    e.fr_cap = 16;
    e.frames = (frame *)new_scratch(L, sizeof(frame) * (size_t)e.fr_cap);
    e.fr_idx = 4;

    encode_value(&e, 1);
    lua_pushlstring(L, e.buf, e.len);
    return 1;
}

void xt_json_encode_register(lua_State *L)
{
    lua_pushcfunction(L, l_encode);
    lua_setfield(L, -2, "encode");
}
