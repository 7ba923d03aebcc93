/*
 * json_encode.c: the JSON encoder of xingtu.core (contract in json_encode.h).
 *
 * No C recursion: the tables being written form an explicit stack of frames (a Lua-owned userdata), each frame's
 * table and iteration state (the lua_next key, or for sorted objects the keys table and their order) sit in Lua stack
 * slots of their own, made sure of with lua_checkstack before each table is opened (for several levels at once). So
 * the encoder uses the same few hundred bytes of C stack at any depth, and its Lua stack use grows by at most
 * FRAME_SLOTS slots a level.
 *
 * Each table is walked once: lua_next's first key tells an object (a string) from a sequence (1, and nothing after
 * #t), and a sequence is checked key by key as it is written (F_SEQUENCE). Each kind of table has a loop of its own
 * in encode_value that writes members until one is a table (opened as a new frame) or there are none (closed); an
 * empty table is written whole as it is opened, its frame dropped at once.
 *
 * Per table, besides lua_next: a metatable is asked for __jsontype once per metatable (the last one is remembered),
 * and the cycle check compares the frames' tables only when a 64-bit summary of the open tables has both bits of
 * this one (table_bits). Per member, besides lua_next and the lua_type/lua_tolstring of key and value:
 * - short keys already written as they are come from a cache by address (key_cache: keys repeat), copied without
 *   a scan, with their comma, quotes and colon in one move;
 * - other strings are scanned and copied 16 bytes at a time (SSE2; 8 with a word scan elsewhere), runs of CJK text
 *   five 3-byte characters a load;
 * - integers below 10^8 as one word of eight digits made side by side, floats in place (float_format.h).
 * Each update of the output length is a store the next write must wait for, so the hot paths update it once per
 * piece they write; and where a loop goes on, its pointer moves by a constant (the CJK run: five characters, else
 * one), so that the branch predictor, not each load, sets the pace.
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

/* Strings are scanned a word at a time where words are little-endian, 16 bytes at a time with SSE2. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XT_SCAN_SWAR 1
#if defined(__SSE2__)
#include <emmintrin.h>
#define XT_SCAN_SSE2 1
#endif
#endif

/* Output bytes a string scan may store beyond what it keeps (it copies whole 16- or 8-byte blocks). */
#define SCAN_SLACK 16

#define XT_JSON_ENCODE_DEPTH_CAP XT_MAX_DEPTH_CAP

/* Lua stack slots one level may hold: the table, up to three of iteration state, the member's value, and one for a
 * scratch buffer being replaced, a number key's string form or an error message. */
#define FRAME_SLOTS 7

/* Stack slots made sure of at once (lua_checkstack raises the C function's stack limit, which never comes down
 * while it runs, so they stay there for the levels opened later). */
#define STACK_AHEAD (8 * FRAME_SLOTS)

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

/* F_SEQUENCE: a table taken for an array while lua_next hands out the keys 1, 2, 3, ... in order (how Lua keeps an
 * array part); written in that one pass, and rewritten as F_ARRAY or F_OBJECT when another key turns up. */
enum { F_ARRAY, F_OBJECT, F_SORTED, F_SEQUENCE };

/* Sort entry for sort_keys. */
typedef struct {
    const char *s;
    size_t len;
    int slot; /* position of the original key in the keys table */
} key_entry;

/*
 * One table being written. Its Lua stack slots, from `t` up:
 *   arrays:         [t] table, [t+1] the current element
 *   objects and sequences: [t] table, [t+1] the current key (lua_next's), [t+2] its value
 *   sorted objects: [t] table, [t+1] keys table, [t+2] entries userdata, [t+3] the current key, [t+4] its value
 */
typedef struct {
    const void *table; /* for cycle detection */
    int t;
    int kind;
    int key_slot;   /* slot of the current member's key, 0 in arrays (the path uses `i` then) */
    lua_Integer i;  /* members started so far (arrays: the current index) */
    lua_Integer n;  /* members in all (arrays and sorted objects) */
    key_entry *ent; /* sorted objects: the keys in order */
    size_t mark;    /* sequences: the output length before '[' */
    int pending;    /* objects and sequences: the first member is already on the stack (lua_next'ed when opened) */
    int relaid;     /* written again after a wrong guess of a sequence: no guesses below it */
    uint64_t open;  /* two bits for each table open here and above, by a hash of its address (table_bits) */
} frame;

/*
 * Keys of up to CACHE_MAX_LEN bytes that were written as they are (nothing escaped or replaced), by the address of
 * their bytes: a hit is copied without a scan. Keys repeat (twitter.json has 13345 keys, 94 of them distinct);
 * values much less (1519 distinct of 4754 there), and a cache of them measured slower than scanning them (its
 * misses, and the cache lines it takes from the tables being read). CACHE_WAYS slots a set, the newest first.
 * An entry counts only in the generation it was made in: the address names the same immutable string only while
 * that string lives, and every key seen stays reachable from the value being encoded until Lua code or the
 * collector runs (a finalizer may change the tables), which only happens when the encoder allocates (a bigger
 * buffer, more frames, sorting) or looks up __jsontype in a metatable that has a metatable of its own (__index);
 * each of those starts a new generation (forget_keys). An encode starts one too: the cache is kept between
 * encodes only to save its allocation.
 */
#define CACHE_SET_BITS 8
#define CACHE_WAYS     2
#define CACHE_SLOTS    (CACHE_WAYS << CACHE_SET_BITS)
#define CACHE_MAX_LEN  40

typedef struct {
    const char *s;
    size_t gen;
} cache_slot;

typedef struct {
    size_t gen;
    cache_slot slot[CACHE_SLOTS];
} key_cache;

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
    size_t wasted;       /* output bytes of sequences rewritten */
    int open_sequences;  /* frames of kind F_SEQUENCE */
    int relaid;          /* frames being written again after a wrong guess */
    int stack_room;      /* the Lua stack has slots up to this index */
    key_cache *kc;       /* keys known to be written as they are (see put_key_string) */
    const void *mt_seen; /* the last metatable looked up (with no metatable of its own), in generation mt_gen */
    size_t mt_gen;
    int mt_forced; /* what its __jsontype asks for: 0, 1 array, 2 object */
} encoder;

/*
 * What a wrong guess of a sequence may cost. A guess is checked first (the last index, #t, must be the last key in
 * lua_next's order), so it is wrong only for a table with holes or built oddly, and then the table is written again
 * without guesses below it. A table is so written at most once for each sequence guessed around it, and at most
 * MAX_OPEN_SEQUENCES are open at once: at worst (MAX_OPEN_SEQUENCES + 1) times the work, however the tables are
 * built. And once the output thrown away passes SEQUENCE_WASTE_ALLOWANCE plus the output kept, no more guesses.
 */
#define MAX_OPEN_SEQUENCES       8
#define SEQUENCE_WASTE_ALLOWANCE 65536

/* Starts a new generation of the key cache (and of the metatable looked up last). */
static void forget_keys(encoder *e)
{
    e->kc->gen++;
}

/* Replaces the output buffer by one with room for `extra` more bytes (needs one free stack slot a moment). */
static void grow(encoder *e, size_t extra)
{
    size_t cap = e->cap * 2;
    char *nb;
    forget_keys(e); /* an allocation: the collector may run */
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

#if XT_SCAN_SWAR
/* The 8 decimal digits of u < 10^8, leading zeros included, as the bytes of a word (the first digit lowest): its
 * halves and their halves are divided apart side by side, not one division waiting for the last. */
static inline uint64_t eight_digits(uint32_t u)
{
    uint32_t hi = u / 10000, lo = u % 10000;
    uint16_t a, b, c, d;
    memcpy(&a, xt_digit_pairs + 2 * (hi / 100), 2);
    memcpy(&b, xt_digit_pairs + 2 * (hi % 100), 2);
    memcpy(&c, xt_digit_pairs + 2 * (lo / 100), 2);
    memcpy(&d, xt_digit_pairs + 2 * (lo % 100), 2);
    return (uint64_t)a | (uint64_t)b << 16 | (uint64_t)c << 32 | (uint64_t)d << 48;
}

/* Writes the digits in place: below 10^8 as one word shifted past its leading zeros, above it the low 8 digits so
 * and the rest two a division (float_format.h). */
static void put_integer(encoder *e, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, w;
    char *o;

    reserve(e, 21);
    o = e->buf + e->len;
    *o = '-';
    o += v < 0;
    if (u < 100000000) {
        int zeros = u == 0 ? 7 : __builtin_ctzll(eight_digits((uint32_t)u) - 0x3030303030303030ULL) >> 3;
        w = eight_digits((uint32_t)u) >> (8 * zeros);
        memcpy(o, &w, 8); /* the bytes past the digits land in the room reserved */
        o += 8 - zeros;
    } else {
        uint64_t high = u / 100000000;
        int n = xt_decimal_digits(high);
        xt_put_digits(o + n, high, n);
        w = eight_digits((uint32_t)(u % 100000000));
        memcpy(o + n, &w, 8);
        o += n + 8;
    }
    e->len = (size_t)(o - e->buf);
}
#else
/* Writes the digits in place, two a division (float_format.h). */
static void put_integer(encoder *e, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = xt_decimal_digits(u);
    char *o;

    reserve(e, 21);
    o = e->buf + e->len;
    if (v < 0)
        *o++ = '-';
    xt_put_digits(o + n, u, n);
    e->len = (size_t)(o + n - e->buf);
}
#endif

/* Writes a finite double with '.' as decimal point, round-tripping, marked as a float (".0") where needed. */
static void put_float(encoder *e, double d, int mark_float)
{
    char tmp[40];
    int prec, n = 0, has_mark = 0, i;
    char point;

    /* The common case without printf, strtod or the locale, straight into the output: the same bytes as the loop
     * below would write (a fraction always has its '.'). */
    reserve(e, XT_FLOAT_FIXED_MAX + 2);
    n = (int)xt_format_short_fixed(d, e->buf + e->len);
    if (XT_LIKELY(n > 0)) {
        char *s = e->buf + e->len;
        e->len += (size_t)n;
        if (mark_float && memchr(s, '.', (size_t)n) == NULL) {
            e->buf[e->len++] = '.';
            e->buf[e->len++] = '0';
        }
        return;
    }
    if (isnan(d))
        fail(e, e->depth, "number NaN");
    if (isinf(d))
        fail(e, e->depth, d > 0 ? "number inf" : "number -inf");
    point = localeconv()->decimal_point[0];
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

/* Makes room for `extra` bytes at o, a position in the output buffer; returns o, moved if the buffer was. */
static char *room_at(encoder *e, char *o, size_t extra)
{
    if (XT_UNLIKELY((size_t)(e->buf + e->cap - o) < extra)) {
        e->len = (size_t)(o - e->buf);
        grow(e, extra);
        o = e->buf + e->len;
    }
    return o;
}

#if XT_SCAN_SWAR
/* The lowest byte of x that is '"', '\\', < 0x20 or >= 0x80 has its high bit set in the result (higher bytes may be
 * set falsely by borrows, never the lowest: only the first flagged byte is used). */
static inline uint64_t swar_stops(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & high;
}

static inline uint32_t swar_stops32(uint32_t x)
{
    const uint32_t ones = 0x01010101U, high = 0x80808080U;
    uint32_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & high;
}

/* How many of the rem < 16 bytes at p need no care: two word loads that stay inside the string (the second ends at
 * its end, and the bytes it shares with the first were found clean, so they cannot flag falsely), not a byte loop:
 * most keys and values are short. */
static inline size_t clean_prefix_short(const unsigned char *p, size_t rem)
{
    size_t i = 0;
    if (rem >= 8) {
        uint64_t x, m;
        memcpy(&x, p, 8);
        if ((m = swar_stops(x)) != 0)
            return (size_t)__builtin_ctzll(m) >> 3;
        memcpy(&x, p + rem - 8, 8);
        if ((m = swar_stops(x)) != 0)
            return rem - 8 + ((size_t)__builtin_ctzll(m) >> 3);
        return rem;
    }
    if (rem >= 4) {
        uint32_t x, m;
        memcpy(&x, p, 4);
        if ((m = swar_stops32(x)) != 0)
            return (size_t)__builtin_ctz(m) >> 3;
        memcpy(&x, p + rem - 4, 4);
        if ((m = swar_stops32(x)) != 0)
            return rem - 4 + ((size_t)__builtin_ctz(m) >> 3);
        return rem;
    }
    while (i < rem && !xt_utf8_stop[p[i]])
        i++;
    return i;
}

/* Copies n < 16 bytes in at most two overlapping moves of a fixed size. */
static inline void copy_short(char *o, const unsigned char *p, size_t n)
{
    if (n >= 8) {
        memcpy(o, p, 8);
        memcpy(o + n - 8, p + n - 8, 8);
    } else if (n >= 4) {
        memcpy(o, p, 4);
        memcpy(o + n - 4, p + n - 4, 4);
    } else if (n >= 2) {
        memcpy(o, p, 2);
        memcpy(o + n - 2, p + n - 2, 2);
    } else if (n == 1) {
        *o = (char)*p;
    }
}
#endif

/*
 * A string as JSON: '"', '\\' and control characters escaped, well-formed UTF-8 copied as it is, and each maximal
 * ill-formed subpart replaced by U+FFFD (utf8.h), so the output is always UTF-8, as RFC 8259 requires of JSON text.
 *
 * Plain ASCII is scanned and copied 16 bytes at a time (SSE2, the x86-64 baseline; 8 with a portable word scan
 * elsewhere): each block is stored whole and the output advances by its clean prefix. Runs of non-ASCII characters
 * are checked and copied in one go. Room: at every step o has (end - p) + 1 + SCAN_SLACK bytes free, as many as the
 * rest needs unescaped with the closing quote and a block store; an escape or a replacement makes its extra room
 * first.
 */
static int put_string_scan(encoder *e, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    char *o;
    int as_is = 1;
#if XT_SCAN_SSE2
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
#endif

    reserve(e, len + 2 + SCAN_SLACK);
    o = e->buf + e->len;
    *o++ = '"';
    for (;;) {
        unsigned c;

#if XT_SCAN_SSE2
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            /* signed: bytes >= 0x80 are negative, so one comparison finds them and the control characters */
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(v, space)));
            _mm_storeu_si128((__m128i *)(void *)o, v);
            if (mask != 0) {
                unsigned z = (unsigned)__builtin_ctz(mask);
                p += z;
                o += z;
                goto stop;
            }
            p += 16;
            o += 16;
        }
#elif XT_SCAN_SWAR
        while (end - p >= 16) {
            uint64_t x, m;
            memcpy(&x, p, 8);
            memcpy(o, &x, 8);
            m = swar_stops(x);
            if (m != 0) {
                unsigned z = (unsigned)__builtin_ctzll(m) >> 3;
                p += z;
                o += z;
                goto stop;
            }
            p += 8;
            o += 8;
        }
#endif
#if XT_SCAN_SWAR
        {
            size_t n = clean_prefix_short(p, (size_t)(end - p));
            copy_short(o, p, n);
            o += n;
            p += n;
        }
#else
        while (p < end && !xt_utf8_stop[*p])
            *o++ = (char)*p++;
#endif
        if (p >= end)
            break;
#if XT_SCAN_SSE2 || XT_SCAN_SWAR
    stop:
#endif
        c = *p;
        if (c >= 0x80) {
            const unsigned char *run = p;
            size_t seq, i;
            do { /* a run of non-ASCII characters (CJK text) */
#if XT_SCAN_SSE2
                if (end - p >= 16) {
                    /* five characters of the common 3-byte form (see below) in one load, stored whole: bit i of
                     * `at` says one starts at i. All five or none, so that p moves by a constant the branch
                     * predictor can run ahead with, not by a count that each load would wait for. */
                    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
                    __m128i x = _mm_sub_epi8(v, _mm_set1_epi8((char)0xE1));
                    unsigned lead = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                        _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(11)), x),
                        _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xFE)), _mm_set1_epi8((char)0xEE))));
                    unsigned cont = (unsigned)_mm_movemask_epi8(
                        _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xC0)), _mm_set1_epi8((char)0x80)));
                    if ((lead & (cont >> 1) & (cont >> 2) & 0x1249U) == 0x1249U) { /* at 0, 3, 6, 9 and 12 */
                        _mm_storeu_si128((__m128i *)(void *)(o + (p - run)), v);
                        p += 15;
                        seq = 3;
                        continue;
                    }
                }
#endif
#if XT_SCAN_SWAR
                if (end - p >= 4) {
                    /* the common 3-byte form (lead E1..EC or EE..EF, where any continuation is valid) in one load,
                     * stored whole: the 4th byte lands in the room the rest of the string needs anyway */
                    uint32_t w;
                    unsigned b0;
                    memcpy(&w, p, 4);
                    b0 = w & 0xFF;
                    if ((w & 0x00C0C000U) == 0x00808000U && ((b0 - 0xE1U) < 12U || (b0 & 0xFEU) == 0xEEU)) {
                        memcpy(o + (p - run), &w, 4);
                        p += 3;
                        seq = 3;
                        continue;
                    }
                }
#endif
                seq = xt_utf8_seq(p, end);
                for (i = 0; i < seq; i++)
                    o[(p - run) + (ptrdiff_t)i] = (char)p[i];
                p += seq;
            } while (seq != 0 && p < end && *p >= 0x80);
            o += p - run;
            if (XT_UNLIKELY(seq == 0)) {
                as_is = 0;
                o = room_at(e, o, (size_t)(end - p) + 1 + SCAN_SLACK + XT_UTF8_REPLACEMENT_LEN);
                memcpy(o, XT_UTF8_REPLACEMENT, XT_UTF8_REPLACEMENT_LEN);
                o += XT_UTF8_REPLACEMENT_LEN;
                p += xt_utf8_invalid_len(p, end);
            }
            continue;
        }
        as_is = 0;
        o = room_at(e, o, (size_t)(end - p) + 1 + SCAN_SLACK + 5);
        *o++ = '\\';
        switch (c) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '\b':
            *o++ = 'b';
            break;
        case '\f':
            *o++ = 'f';
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        p++;
    }
    *o++ = '"';
    e->len = (size_t)(o - e->buf);
    return as_is;
}

/* Copies n <= CACHE_MAX_LEN bytes in at most three moves of 16 (or copy_short's), none past o + n. */
static inline void copy_upto40(char *o, const char *p, size_t n)
{
#if XT_SCAN_SWAR
    if (n >= 16) {
        memcpy(o, p, 16);
        if (n > 32)
            memcpy(o + 16, p + 16, 16);
        memcpy(o + n - 16, p + n - 16, 16);
    } else {
        copy_short(o, (const unsigned char *)p, n);
    }
#else
    memcpy(o, p, n);
#endif
}

/* The set of CACHE_WAYS slots for the string at s (a Fibonacci hash: its high bits depend on all of the address). */
static inline cache_slot *cache_set(cache_slot *slots, const char *s)
{
    return slots + CACHE_WAYS * (size_t)(((uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15ULL) >> (64 - CACHE_SET_BITS));
}

static inline int in_set(const cache_slot *c, const char *s, size_t gen)
{
    return (c[0].s == s && c[0].gen == gen) || (c[1].s == s && c[1].gen == gen);
}

/* A key as JSON: from the key cache when it was written as it is before, else by put_string_scan. */
static void put_key_string(encoder *e, const char *s, size_t len)
{
    cache_slot *c;

    if (len > CACHE_MAX_LEN) {
        put_string_scan(e, s, len);
        return;
    }
    c = cache_set(e->kc->slot, s);
    if (in_set(c, s, e->kc->gen)) {
        char *o;
        reserve(e, len + 2);
        o = e->buf + e->len;
        o[0] = '"';
        copy_upto40(o + 1, s, len);
        o[len + 1] = '"';
        e->len += len + 2;
        return;
    }
    if (put_string_scan(e, s, len)) { /* first in its set, the one that was first second, the second dropped */
        c[1] = c[0];
        c[0].s = s;
        c[0].gen = e->kc->gen;
    }
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

/*
 * Writes what comes before an object member's value: its comma (unless it is the first), newline, the key at stack
 * slot `k` of Lua type `type` (a string, or a number written as a string) and the colon. A cached key without indent
 * is written in one move, the output length set once: each update of it waits for the last.
 */
static void put_key(encoder *e, int k, int type, int comma)
{
    lua_State *L = e->L;
    size_t len;
    const char *s;

    if (XT_LIKELY(type == LUA_TSTRING)) {
        s = lua_tolstring(L, k, &len);
        if (XT_LIKELY(e->indent == NULL && len <= CACHE_MAX_LEN) && in_set(cache_set(e->kc->slot, s), s, e->kc->gen)) {
            char *o;
            reserve(e, len + 4);
            o = e->buf + e->len;
            o[0] = ',';
            o += comma;
            o[0] = '"';
            copy_upto40(o + 1, s, len);
            o[len + 1] = '"';
            o[len + 2] = ':';
            e->len = (size_t)(o + len + 3 - e->buf);
            return;
        }
        if (comma)
            put_char(e, ',');
        newline(e);
        put_key_string(e, s, len);
    } else if (type == LUA_TNUMBER) {
        if (comma)
            put_char(e, ',');
        newline(e);
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

    forget_keys(e); /* allocations: the collector may run */
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

/* Whether the key at slot k is the integer i. */
static inline int key_is_index(lua_State *L, int k, lua_Integer i)
{
#if XT_HAVE_INTEGERS
    return lua_isinteger(L, k) && lua_tointeger(L, k) == i;
#else
    return lua_type(L, k) == LUA_TNUMBER && lua_tonumber(L, k) == (lua_Number)i;
#endif
}

/*
 * Sets up frame f for its table at slot t (the top of the stack) from a pass over all its keys, and writes '[' or
 * '{': an array when the keys are exactly 1..n (forced 0), or an object (forced 2), sorted if asked.
 */
static void layout_table(encoder *e, frame *f, int forced)
{
    lua_State *L = e->L;
    int t = f->t;
    lua_Integer max = 0, count = 0;

    f->pending = 0;
    if (forced == 0 || e->sort_keys) {
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
        if (is_array && count > 0 && max == count) {
            f->kind = F_ARRAY;
            f->n = count;
            put_char(e, '[');
            return;
        }
    }
    put_char(e, '{');
    if (count > 0 && e->sort_keys) {
        if (count > INT32_MAX / 2)
            fail(e, e->depth - 1, "a table (too many keys to sort)");
        f->kind = F_SORTED;
        open_sorted(e, f, (int)count);
    } else {
        f->kind = F_OBJECT;
        lua_pushnil(L); /* [t+1]: the first lua_next key */
    }
}

/* Two of 64 bits for a table's address, from two fields of a Fibonacci hash (its high bits depend on all of the
 * address's): at depth 8 a table not open has both bits set by the others one time in 20, one bit one time in 8. */
static inline uint64_t table_bits(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL;
    return (uint64_t)1 << (h >> 58) | (uint64_t)1 << ((h >> 52) & 63);
}

/* Writes an empty table opened at slot t whole, and drops its frame and its slot: as open_table and close_table
 * would, so the frame below goes on. */
static void drop_empty(encoder *e, int t, const char *brackets)
{
    e->depth--;
    lua_settop(e->L, t - 1);
    put(e, brackets, 2);
}

/* Opens the table at slot t, the top of the stack: checks it, pushes its frame and writes '[' or '{'. */
static void open_table(encoder *e, int t)
{
    lua_State *L = e->L;
    const void *self = lua_topointer(L, t);
    uint64_t bits = table_bits(self), open = e->depth > 0 ? e->frames[e->depth - 1].open : 0;
    int i, forced = 0; /* 1 array, 2 object */
    frame *f;

    if (XT_UNLIKELY((open & bits) == bits)) { /* the frames' tables are searched only when one may be this one */
        for (i = 0; i < e->depth; i++) {
            if (e->frames[i].table == self)
                fail(e, e->depth, "a cycle (a table that contains itself)");
        }
    }
    if (e->depth >= e->max_depth)
        fail(e, e->depth, "tables nested deeper than %d", e->max_depth);
    if (t + FRAME_SLOTS > e->stack_room) {
        /* room for several levels at once, so most tables need no check; else exactly this level's */
        if (lua_checkstack(L, STACK_AHEAD))
            e->stack_room = t + STACK_AHEAD;
        else if (lua_checkstack(L, FRAME_SLOTS))
            e->stack_room = t + FRAME_SLOTS;
        else
            fail(e, e->depth, "a table (out of Lua stack space)"); /* the slot kept free at this level is enough */
    }
    if (e->depth >= e->fr_cap) {
        int cap = e->fr_cap * 2;
        forget_keys(e);
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
    f->n = 0;
    f->ent = NULL;
    f->pending = 0;
    f->relaid = 0;
    f->open = open | bits;

    if (lua_getmetatable(L, t)) {
        const void *mt = lua_topointer(L, -1);
        if (mt == e->mt_seen && e->mt_gen == e->kc->gen) {
            forced = e->mt_forced;
        } else {
            int plain = !lua_getmetatable(L, -1); /* else its __index may run Lua code */
            if (!plain) {
                lua_pop(L, 1);
                forget_keys(e);
            }
            lua_getfield(L, -1, "__jsontype");
            if (lua_type(L, -1) == LUA_TSTRING) {
                const char *jt = lua_tostring(L, -1);
                if (strcmp(jt, "array") == 0)
                    forced = 1;
                else if (strcmp(jt, "object") == 0)
                    forced = 2;
            }
            lua_pop(L, 1);
            if (plain) {
                e->mt_seen = mt;
                e->mt_gen = e->kc->gen;
                e->mt_forced = forced;
            }
        }
        lua_pop(L, 1);
    }

    if (forced == 1) {
        f->kind = F_ARRAY;
        f->n = (lua_Integer)xt_rawlen(L, t);
        if (f->n == 0) { /* [] now (decoded empty arrays): its frame goes again, its loop need not run */
            drop_empty(e, t, "[]");
            return;
        }
        put_char(e, '[');
        return;
    }
    if (!e->sort_keys && (forced == 2 || (e->relaid == 0 && e->open_sequences < MAX_OPEN_SEQUENCES &&
                                          e->wasted <= SEQUENCE_WASTE_ALLOWANCE + e->len))) {
        /* One pass: the first key tells a sequence (1) or an object (a string, or any key when forced) */
        lua_pushnil(L);
        if (!lua_next(L, t)) { /* empty: {} now */
            drop_empty(e, t, "{}");
            return;
        }
        f->pending = 1;
        if (lua_type(L, t + 1) == LUA_TSTRING) {
            f->pending = 2; /* its key is a string: no second lua_type */
            f->kind = F_OBJECT;
            put_char(e, '{');
            return;
        }
        if (forced == 2) {
            f->kind = F_OBJECT;
            put_char(e, '{');
            return;
        }
        if (key_is_index(L, t + 1, 1)) {
            lua_pushinteger(L, (lua_Integer)xt_rawlen(L, t)); /* [t+3]: t[#t] is not nil, so a key */
            if (!lua_next(L, t)) {                            /* nothing after #t: a sequence unless it has holes */
                f->kind = F_SEQUENCE;
                f->mark = e->len;
                e->open_sequences++;
                put_char(e, '[');
                return;
            }
        }
        lua_settop(L, t);
    }
    layout_table(e, f, forced);
}

/* Writes the closing bracket of the innermost table and drops its slots (the table included). */
static void close_table(encoder *e)
{
    frame *f = &e->frames[--e->depth];
    if (f->kind == F_SEQUENCE)
        e->open_sequences--;
    e->relaid -= f->relaid;
    if (f->i > 0)
        newline(e);
    put_char(e, f->kind == F_ARRAY || f->kind == F_SEQUENCE ? ']' : '}');
    lua_settop(e->L, f->t - 1);
}

/* Writes what comes before a member (its comma, its newline). */
static inline void begin_member(encoder *e, frame *f)
{
    if (f->i++ > 0)
        put_char(e, ',');
    newline(e);
}

/* Sets up frame f again as an array or object, after its guess of a sequence failed at the key on top. */
static void relay(encoder *e, frame *f)
{
    e->wasted += e->len - f->mark;
    e->len = f->mark;
    e->open_sequences--;
    e->relaid++;
    f->relaid = 1;
    lua_settop(e->L, f->t);
    f->i = 0;
    layout_table(e, f, 0); /* f is no sequence now */
}

#if LUA_VERSION_NUM >= 503
#define rawgeti_type(L, t, i) lua_rawgeti((L), (t), (i))
#else
static inline int rawgeti_type(lua_State *L, int t, lua_Integer i)
{
    lua_rawgeti(L, t, (int)i);
    return lua_type(L, -1);
}
#endif

/*
 * Writes the value at absolute stack index idx, a table or anything else, without recursion. Each kind of table has
 * a loop of its own that writes its members until one is a table, which is opened as a frame above (its value slot
 * becomes the new frame's table slot), or until there are no more, when the table is closed; then the innermost
 * frame's loop goes on. A member's value is pushed above the frame's own slots and dropped once written.
 */
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
        frame *f = &e->frames[e->depth - 1];
        int t = f->t;

        switch (f->kind) {
        case F_ARRAY: /* [t+1] the element */
            while (f->i < f->n) {
                begin_member(e, f);
                type = rawgeti_type(L, t, f->i);
                if (type == LUA_TTABLE)
                    goto descend;
                put_scalar(e, t + 1, type);
                lua_pop(L, 1);
            }
            break;
        case F_OBJECT: { /* [t+1] the key, [t+2] its value */
            int kt;
            if (f->pending) { /* the first member, from open_table */
                kt = f->pending == 2 ? LUA_TSTRING : lua_type(L, t + 1);
                f->pending = 0;
            } else if (lua_next(L, t)) {
                kt = lua_type(L, t + 1);
            } else {
                break;
            }
            f->key_slot = t + 1;
            for (;;) {
                put_key(e, t + 1, kt, f->i++ > 0);
                type = lua_type(L, t + 2);
                if (type == LUA_TTABLE)
                    goto descend;
                put_scalar(e, t + 2, type);
                lua_pop(L, 1);
                if (!lua_next(L, t))
                    break;
                kt = lua_type(L, t + 1);
            }
            break;
        }
        case F_SEQUENCE: /* [t+1] the key, [t+2] its value */
            if (f->pending) {
                f->pending = 0;
            } else if (!lua_next(L, t)) {
                break;
            } else if (XT_UNLIKELY(!key_is_index(L, t + 1, f->i + 1))) {
                relay(e, f); /* not the next index: not a plain sequence, so start this table again */
                goto again;
            }
            for (;;) {
                begin_member(e, f);
                type = lua_type(L, t + 2);
                if (type == LUA_TTABLE)
                    goto descend;
                put_scalar(e, t + 2, type);
                lua_pop(L, 1);
                if (!lua_next(L, t))
                    break;
                if (XT_UNLIKELY(!key_is_index(L, t + 1, f->i + 1))) {
                    relay(e, f);
                    goto again;
                }
            }
            break;
        default: /* F_SORTED: [t+1] keys table, [t+2] entries, [t+3] the original key, [t+4] its value */
            for (;;) {
                const key_entry *k;
                lua_settop(L, t + 2); /* drops the previous key */
                if (f->i >= f->n)
                    break;
                k = &f->ent[f->i];
                begin_member(e, f);
                lua_rawgeti(L, t + 1, k->slot);
                f->key_slot = t + 3;
                put_key_string(e, k->s, k->len);
                if (e->indent != NULL)
                    put(e, ": ", 2);
                else
                    put_char(e, ':');
                lua_pushvalue(L, t + 3);
                lua_rawget(L, t);
                type = lua_type(L, t + 4);
                if (type == LUA_TTABLE)
                    goto descend;
                put_scalar(e, t + 4, type);
            }
            break;
        }
        close_table(e);
        continue;
    descend:
        open_table(e, lua_gettop(L));
    again:;
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
        put_string_scan(e, s, len);
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

/*
 * The scratch userdata (output buffer, frames, key cache) of the last encode that ended well stay in upvalues of
 * encode for the next one, up to SCRATCH_KEEP bytes each: no growing from 256 bytes and no garbage for the collector in
 * every call. An encode takes them out (a false upvalue meanwhile), so one that raises, or one started from inside
 * another (a metatable's __index run by the __jsontype lookup), makes new ones and nothing is ever shared.
 */
#define SCRATCH_KEEP ((size_t)1 << 20)

/* Pushes upvalue u's scratch userdata, or a new one of `size` bytes (zeroed if `zero`); its size in *got. */
static void *take_scratch(lua_State *L, int u, size_t size, size_t *got, int zero)
{
    void *p;
    if (lua_type(L, lua_upvalueindex(u)) == LUA_TUSERDATA) {
        lua_pushvalue(L, lua_upvalueindex(u));
        lua_pushboolean(L, 0);
        lua_replace(L, lua_upvalueindex(u));
        *got = (size_t)xt_rawlen(L, -1);
        return lua_touserdata(L, -1);
    }
    p = new_scratch(L, size);
    if (zero)
        memset(p, 0, size);
    *got = size;
    return p;
}

/* Puts the scratch userdata at idx (of `size` bytes) back into upvalue u, unless it is too big to keep. */
static void keep_scratch(lua_State *L, int u, int idx, size_t size)
{
    if (size > SCRATCH_KEEP)
        return;
    lua_pushvalue(L, idx);
    lua_replace(L, lua_upvalueindex(u));
}

/* core.encode(value [, opts]) -> string */
static int l_encode(lua_State *L)
{
    encoder e;
    lua_Integer max_depth = XT_JSON_ENCODE_DEFAULT_MAX_DEPTH;
    size_t size;

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

    /* [3] = output buffer, [4] = frames, [5] = key cache */
    e.buf = (char *)take_scratch(L, 1, 256, &e.cap, 0);
    e.buf_idx = 3;
    e.frames = (frame *)take_scratch(L, 2, 16 * sizeof(frame), &size, 0);
    e.fr_cap = (int)(size / sizeof(frame));
    e.fr_idx = 4;
    e.kc = (key_cache *)take_scratch(L, 3, sizeof(key_cache), &size, 1); /* zeroed: no slot matches by chance */
    e.kc->gen++;

    encode_value(&e, 1);
    lua_pushlstring(L, e.buf, e.len);
    keep_scratch(L, 1, e.buf_idx, e.cap);
    keep_scratch(L, 2, e.fr_idx, sizeof(frame) * (size_t)e.fr_cap);
    keep_scratch(L, 3, 5, sizeof(key_cache));
    return 1;
}

void xt_json_encode_register(lua_State *L)
{
    lua_pushboolean(L, 0); /* no scratch yet: see take_scratch */
    lua_pushboolean(L, 0);
    lua_pushboolean(L, 0);
    lua_pushcclosure(L, l_encode, 3);
    lua_setfield(L, -2, "encode");
}
