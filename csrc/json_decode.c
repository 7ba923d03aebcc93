/*
 * json_decode.c: the JSON decoder of xingtu.core (contract in json_decode.h).
 *
 * One pass straight into Lua values, without C recursion: the open containers are a stack of levels (the first
 * LOCAL_LEVELS in the decoder's C frame, deeper ones in a Lua-owned userdata), their partial tables and members on
 * the Lua stack, checked with lua_checkstack as each is entered (under Lua 5.4 with ROOM_EXTRA slots to spare, so
 * most containers find their room reserved). So the C stack use is the same (about 3.5 KB) at any depth; the depth
 * limit bounds the Lua stack (up to 2 * ITEM_CHUNK + 8 slots a level, plus ROOM_EXTRA and the KEY_CACHE_SIZE mirror
 * slots) and the levels array.
 *
 * Speed: what costs is Lua's own work (tables, strings, the collector, malloc), so the decoder makes as few Lua calls
 * and objects as it can. Container members are first collected on the Lua stack, up to a chunk of ITEM_CHUNK values
 * and on while the stack use stays within STACK_BUDGET, so the table is created with its final size (no rehash while
 * it fills), in a slot kept for it below the members (Lua 5.4; LuaJIT moves it there); only past the budget does a
 * table grow, a chunk at a time. Arrays are filled by popping their values from the top, one lua_rawseti each; so
 * are objects, one lua_rawset a pair, unless a key may repeat: a per-level mask of the keys' key cache entries flags
 * a possible duplicate (exact while no cache miss came since the object opened, else any key may repeat), and only
 * then are the pairs copied in input order so that the last one wins. Repeated object keys (up to KEY_CACHE_MAXLEN
 * bytes) come from a per-state key cache (4-way set associative) instead of being hashed and interned again, compared
 * by the 16-byte head kept in the entry and word loads (in texts of MIRROR_MIN_TEXT bytes or more from stack slots
 * mirroring its strings, one lua_pushvalue a key); repeated short string values (up to VALUE_CACHE_MAXLEN bytes, no
 * escapes) likewise from a value cache, which holds a string once its bytes were seen twice, so that a stream of unique
 * values evicts nothing that repeats. Strings (with escapes too) and runs of indenting spaces are scanned 16 bytes at a
 * time (SSE2; else 8, SWAR; a newline and its indentation, and a short key with its ':' and space, in one compare),
 * runs of the common three-byte UTF-8 form are validated five characters at a time, the rest of UTF-8 inline; number
 * digits are accumulated 8 at a time.
 *
 * Numbers: integers (no fraction, no exponent) that fit int64 are pushed exactly (Lua 5.4). Floats whose decimal
 * mantissa fits 2^53 with a power of ten up to 10^22 are computed exactly (one correctly rounded IEEE multiplication
 * or division); those with up to 19 digits and an exponent within +-19 (float_parse.c) by exact 128-bit integer
 * arithmetic. Every other number goes to strtod() on a NUL-terminated copy; since strtod() honours LC_NUMERIC, the
 * '.' of the copy is first replaced by the locale's decimal point (as Lua's own lua_str2number does), so a locale with
 * ',' as decimal separator cannot change the result.
 *
 * Memory: the scratch memory (for strings with escapes and for long numbers, and the levels beyond LOCAL_LEVELS) is
 * userdata kept in two reserved stack slots, so a Lua error (out of memory) in the middle of a decode leaks nothing.
 * The string caches are the one thing kept between decodes: a userdata in the registry (field "xingtu.json.keycache")
 * of KEY_CACHE_SIZE key and VALUE_CACHE_SIZE value entries (28 KB) whose uservalue is a table of at most as many
 * strings (12 KB of slots, keys up to KEY_CACHE_MAXLEN and values up to VALUE_CACHE_MAXLEN bytes: 52 KB of strings at
 * most), about 100 KB at most per Lua state; no configuration lives in it, so scripts sharing a VM (nginx) cannot
 * affect each other's results. Both caches are hints: an entry that does not match byte for byte is never used.
 *
 * Choices within the contract: duplicate object keys, the last one wins; "-0" is the integer 0 ("-0.0" stays a
 * float -0.0); a number beyond the double range (1e999; a 400-digit integer unless LuaJIT keeps its digits) is
 * rejected, so no infinity (which JSON cannot write back) ever enters decoded data, while one below it underflows
 * to 0 or the nearest subnormal as strtod rounds it; a UTF-8 BOM is rejected. Error messages: "empty input",
 * "unexpected end of input", "unexpected character 'x'", "unexpected byte 0xNN", "invalid literal", "invalid number",
 * "invalid number (leading zero)", "number out of range" (at its first byte), "unterminated string" (at the opening
 * quote), "control character 0xNN in string", "invalid UTF-8 in string", "invalid escape", "invalid \u escape", "lone
 * surrogate in \u escape", "nesting deeper than D" (at the bracket), "trailing garbage", each + " at byte N".
 * max_depth: in the C API <= 0 means the default and values above XT_JSON_DEPTH_CAP are clamped to it; core.decode
 * raises on a max_depth outside 1..XT_JSON_DEPTH_CAP (misuse).
 */
#include "json_decode.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "float_parse.h"
#include "utf8.h"
#include "xt_limits.h"

/* Ceiling for max_depth: bounds the Lua stack (a level holds up to 2 * ITEM_CHUNK + 8 slots) and the levels array. */
#define XT_JSON_DEPTH_CAP XT_MAX_DEPTH_CAP

/* Open containers tracked in the decoder's own C frame; deeper ones move to a userdata. */
#define LOCAL_LEVELS 16

/* Members collected on the Lua stack before they are moved into their table (values for arrays, pairs for objects). */
#define ITEM_CHUNK 32

/* Past each ITEM_CHUNK members a container keeps collecting on the stack, as long as the decode's stack use stays
 * below this many slots, so big containers are made at their final size too: growing a table step by step reallocates
 * it (malloc_consolidate and _int_malloc were 14% of a citm_catalog.json decode, almost all in such growth). Past the
 * budget, members go into the table a chunk at a time, which keeps the worst case (every open level full) at
 * STACK_BUDGET + depth * (2 * ITEM_CHUNK + 8) slots, well within Lua's stack limit. */
#if LUA_VERSION_NUM >= 504
#define STACK_BUDGET 65536 /* of LUAI_MAXSTACK = 1000000 */
#else
#define STACK_BUDGET 4096 /* LuaJIT's stack ends at 65500 slots: leave the depth its room */
#endif

/* The key cache: KEY_CACHE_WAYS entries in each of its sets (powers of two), and the longest key it holds. Several
 * ways: twitter.json's 94 distinct keys in 256 direct-mapped slots shared slots often enough that 13% of its keys
 * missed, each miss paying for hashing and interning the key again (2 ways still left 5%: four keys in one set). A
 * key's hash has KEY_HASH_BITS bits: the set is its top bits. */
#define KEY_HASH_BITS    8
#define KEY_CACHE_WAYS   4
#define KEY_CACHE_SETS   ((1 << KEY_HASH_BITS) / KEY_CACHE_WAYS)
#define KEY_CACHE_SIZE   (KEY_CACHE_WAYS * KEY_CACHE_SETS)
#define KEY_CACHE_MAXLEN 64

/* Slots of the value cache (a power of two), and the longest string value it holds (32: push_value hashes 4 words). */
#define VALUE_CACHE_BITS   9
#define VALUE_CACHE_SIZE   (1 << VALUE_CACHE_BITS)
#define VALUE_CACHE_MAXLEN 32

/* Texts from this size on mirror the key cache's strings in stack slots of their own, filled as each entry is first
 * used: a cache hit is then one lua_pushvalue instead of a lua_rawgeti from the cache table (about 20 instructions a
 * key less), for the cost of KEY_CACHE_SIZE nil slots and a C array of their addresses per decode. An entry that a
 * finalizer's decode replaced in the middle of this one no longer matches its mirror: the mirror keeps the old
 * string alive, so the new one cannot have its address. */
#define MIRROR_MIN_TEXT 4096

/* Lua 5.4: containers reserve this many stack slots more than they need, so that most of them find the room there and
 * make no lua_checkstack call (what it grants stays: the frame's top only grows, and the collector shrinks no stack
 * below a frame's top). Not under LuaJIT, whose C frames are limited to LUAI_MAXCSTACK slots. */
#if LUA_VERSION_NUM >= 504
#define ROOM_EXTRA 256
#else
#define ROOM_EXTRA 0
#endif

/* Whether each open container keeps a stack slot for its table from the start. Not under LuaJIT: a C function there
 * has at most LUAI_MAXCSTACK (8000) slots, and a slot a level would make 10000 nested arrays exceed it. */
#if LUA_VERSION_NUM >= 504
#define TABLE_SLOT 1
#else
#define TABLE_SLOT 0
#endif

#if LUA_VERSION_NUM >= 504
#define new_scratch(L, size) lua_newuserdatauv((L), (size), 0)
typedef lua_Integer seq_index; /* the type of lua_rawseti's index */
#else
#define new_scratch(L, size) lua_newuserdata((L), (size))
typedef int seq_index;
#endif

/* An open array or object. Its members so far are on the Lua stack above `base`: its table at base + 1 (under Lua 5.4
 * that slot is kept, nil, until the table is made), then the values (arrays) or key/value pairs (objects) not yet
 * moved into it. */
typedef struct {
    int base;
    int have_table;
    int pending;
    int is_object;
    int maybe_dup;   /* objects: a key may repeat (its key cache entry was seen before, or it bypassed the cache) */
    seq_index n;     /* arrays: elements already in the table */
    uint64_t misses; /* objects: the key cache's miss count when the level opened (~0: no cache yet) */
    uint64_t slots[KEY_CACHE_SIZE / 64]; /* objects: the key cache entries of the keys so far */
} level;

/* A key cache entry: the Lua string in slot i + 1 of the cache table (which keeps its bytes alive), and its first 16
 * bytes zero padded, so that most keys compare with two word compares and no memcmp call. */
typedef struct {
    uint64_t head[2];
    const char *s;
    size_t len;
} cached_key;

/* A value cache entry: the bytes of a short string value zero padded; once seen twice (`held`), the Lua string with
 * those bytes is in slot KEY_CACHE_SIZE + i + 1 of the cache table. */
typedef struct {
    uint64_t w[VALUE_CACHE_MAXLEN / 8];
    uint32_t len;
    uint32_t held;
} cached_value;

/* The state's string caches, one userdata (so one registry lookup per decode). */
typedef struct {
    cached_key keys[KEY_CACHE_SIZE]; /* set i: entries KEY_CACHE_WAYS * i on */
    cached_value values[VALUE_CACHE_SIZE];
    unsigned char key_next[KEY_CACHE_SETS]; /* the way of each set that its next miss replaces (round robin) */
    uint64_t misses; /* key cache misses so far (any decode of the state): while it stands, no entry changed */
} string_cache;

typedef struct {
    lua_State *L;
    const unsigned char *start; /* first byte of the text (byte 1 in messages) */
    const unsigned char *end;   /* one past the last byte */
    const unsigned char *p;     /* the next byte to read */
    int depth;                  /* open containers: levels[0 .. depth-1] */
    int max_depth;
    int scratch_idx; /* stack slot holding the scratch userdata (nil until first needed) */
    unsigned char *scratch;
    size_t scratch_cap;
    level *levels; /* LOCAL_LEVELS in xt_json_decode's frame, then a userdata in slot scratch_idx + 1 */
    int lev_cap;
    int cache_idx;         /* stack slot of the cache table (the userdata in the next slot) */
    int mirror_idx;        /* big texts: first of KEY_CACHE_SIZE stack slots mirroring the cached keys (else 0) */
    const char **mirror_s; /* the bytes of the string in each mirror slot (NULL: none yet) */
    string_cache *cache;   /* the state's cache userdata */
    int cache_ready;       /* the cache table exists and the entries are cleared */
    int key_slot;          /* the key cache entry of the key parse_string pushed last, -1 if none */
    int stack_base;        /* the stack top when the decode started */
    int mt_idx;            /* stack slot of the array metatable (nil until the first empty array) */
    int have_mt;           /* it is there */
    int room;              /* the stack up to this index is ours (Lua 5.4: see ROOM_EXTRA) */
    char *err;
    size_t errlen;
} decoder;

/* Powers of ten that are exact in a double. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#define TWO_POW_53 9007199254740992ULL

#if defined(__GNUC__)
#define XT_LIKELY(x)    __builtin_expect(!!(x), 1)
#define XT_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define XT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define XT_LIKELY(x)   (x)
#define XT_UNLIKELY(x) (x)
#define XT_PRINTF(f, a)
#endif

/* Records "<what> at byte N" (N = at - start + 1) and returns 0, so callers can `return fail(...)`. */
static int fail(decoder *d, const unsigned char *at, const char *fmt, ...) XT_PRINTF(3, 4);
static int fail(decoder *d, const unsigned char *at, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (d->err == NULL || d->errlen == 0)
        return 0;
    va_start(ap, fmt);
    n = vsnprintf(d->err, d->errlen, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < d->errlen)
        snprintf(d->err + n, d->errlen - (size_t)n, " at byte %zu", (size_t)(at - d->start) + 1);
    return 0;
}

/* The error for a byte that cannot start/continue what the grammar expects here (or for the end of the input). */
static int fail_unexpected(decoder *d, const unsigned char *at)
{
    if (at >= d->end)
        return fail(d, at, "unexpected end of input");
    if (*at >= 0x20 && *at < 0x7f)
        return fail(d, at, "unexpected character '%c'", *at);
    return fail(d, at, "unexpected byte 0x%02X", (unsigned)*at);
}

static inline int is_ws(unsigned c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline uint64_t load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* Word-at-a-time scans (little-endian 64-bit targets; others read byte by byte). */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && UINT64_MAX == SIZE_MAX
#define XT_SWAR  1
#define BYTES(b) (0x0101010101010101ULL * (b))

/* High bit set in each byte of w that is zero; bytes above the first such byte may be flagged falsely (borrows), so
 * only the lowest flag is to be trusted. */
static inline uint64_t zero_bytes(uint64_t w)
{
    return (w - BYTES(0x01)) & ~w & BYTES(0x80);
}
#else
#define XT_SWAR 0
#endif

/* SSE2 is part of x86-64 itself: no run-time check needed. */
#if XT_SWAR && defined(__SSE2__)
#include <emmintrin.h>
#define XT_SSE2 1
#else
#define XT_SSE2 0
#endif

/* Skips whitespace from p on: one whitespace byte, then the spaces after it in bulk (pretty-printed input such as
 * citm_catalog.json and twitter.json is mostly a newline and a run of indenting spaces), and again. */
static void skip_ws_run(decoder *d, const unsigned char *p)
{
    const unsigned char *end = d->end;
    while (p < end && is_ws(*p)) {
        p++;
#if XT_SSE2
        while (end - p >= 16) {
            unsigned mask = (unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), _mm_set1_epi8(' ')));
            if (mask != 0xFFFF) {
                p += __builtin_ctz(~mask);
                goto next;
            }
            p += 16;
        }
#endif
#if XT_SWAR
        while (end - p >= 8) {
            uint64_t w = load8(p) ^ BYTES(' ');
            if (w != 0) {
                p += __builtin_ctzll(w) >> 3;
                goto next;
            }
            p += 8;
        }
#endif
        while (p < end && *p == ' ')
            p++;
#if XT_SWAR
    next:;
#endif
    }
    d->p = p;
}

static inline void skip_ws(decoder *d)
{
    const unsigned char *p = d->p;
    if (XT_LIKELY(p<d->end && * p> ' '))
        return; /* compact input: no whitespace at all */
    if (d->end - p >= 2 && p[0] == ' ' && p[1] > ' ') {
        d->p = p + 1; /* the one space after a ':' or ',' */
        return;
    }
#if XT_SSE2
    if (d->end - p >= 17 && p[0] == '\n') {
        /* a newline and its indentation, up to 15 spaces, in one compare (without the call to skip_ws_run) */
        unsigned n = (unsigned)__builtin_ctz(~(unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 1)), _mm_set1_epi8(' '))));
        if (n < 16 && p[1 + n] > ' ') {
            d->p = p + 1 + n;
            return;
        }
    }
#endif
    skip_ws_run(d, p);
}

/* Makes the scratch buffer at least `need` bytes; its old content is not kept. May raise (out of memory). */
static unsigned char *scratch_reserve(decoder *d, size_t need)
{
    if (need > d->scratch_cap) {
        size_t cap = d->scratch_cap * 2;
        if (cap < need)
            cap = need;
        if (cap < 256)
            cap = 256;
        d->scratch = (unsigned char *)new_scratch(d->L, cap);
        d->scratch_cap = cap;
        lua_replace(d->L, d->scratch_idx); /* the old buffer (if any) becomes garbage */
    }
    return d->scratch;
}

static inline long hex4(const unsigned char *p)
{
    long v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        unsigned c = p[i];
        if (c >= '0' && c <= '9')
            c -= '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            c = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = (v << 4) | (long)c;
    }
    return v;
}

static inline unsigned char *utf8_put(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xC0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xE0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (unsigned char)(0xF0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/*
 * The slow path of parse_string, from the first backslash `bs` on; `s` is the first byte of the string's content.
 * Finds the closing quote first (so the decoded length is bounded by the raw length), then decodes into the scratch
 * buffer. Pushes the string.
 */
static int parse_string_escaped(decoder *d, const unsigned char *s, const unsigned char *bs)
{
    const unsigned char *end = d->end, *q = bs, *p;
    unsigned char *buf, *o;

    for (;;) {
#if XT_SSE2
        while (end - q >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
            unsigned mask = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
            if (mask != 0) {
                q += __builtin_ctz(mask);
                break;
            }
            q += 16;
        }
#endif
        while (q < end && *q != '"' && *q != '\\')
            q++;
        if (q >= end || *q == '"')
            break;
        q += end - q < 2 ? 1 : 2; /* a backslash and the byte it escapes */
    }
    if (q >= end)
        return fail(d, s - 1, "unterminated string");

    buf = scratch_reserve(d, (size_t)(q - s) + 1);
    memcpy(buf, s, (size_t)(bs - s)); /* already validated by parse_string */
    o = buf + (bs - s);
    p = bs;
    while (p < q) {
        unsigned c = *p;
        if (!xt_utf8_stop[c]) {
#if XT_SSE2
            /* a run of plain bytes, 16 at a time: o + 16 stays within the buffer, since o - buf <= p - s and
             * p + 16 <= q */
            if (q - p >= 16) {
                do {
                    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
                    unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                        _mm_cmplt_epi8(v, _mm_set1_epi8(' '))));
                    _mm_storeu_si128((__m128i *)(void *)o, v);
                    if (mask != 0) {
                        unsigned k = (unsigned)__builtin_ctz(mask);
                        o += k;
                        p += k;
                        goto next;
                    }
                    o += 16;
                    p += 16;
                } while (q - p >= 16);
                continue; /* fewer than 16 bytes left: on byte by byte from p */
            }
#endif
            *o++ = (unsigned char)c;
            p++;
#if XT_SSE2
        next:;
#endif
        } else if (c == '\\') {
            /* p + 1 < q: the quote search above stepped over the byte after every backslash */
            switch (p[1]) {
            case '"':
            case '\\':
            case '/':
                *o++ = p[1];
                break;
            case 'b':
                *o++ = '\b';
                break;
            case 'f':
                *o++ = '\f';
                break;
            case 'n':
                *o++ = '\n';
                break;
            case 'r':
                *o++ = '\r';
                break;
            case 't':
                *o++ = '\t';
                break;
            case 'u': {
                long cp, lo;
                if (q - p < 6 || (cp = hex4(p + 2)) < 0)
                    return fail(d, p, "invalid \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    /* a high surrogate must be followed by an escaped low surrogate */
                    if (q - p < 12 || p[6] != '\\' || p[7] != 'u' || (lo = hex4(p + 8)) < 0xDC00 || lo > 0xDFFF)
                        return fail(d, p, "lone surrogate in \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail(d, p, "lone surrogate in \\u escape");
                }
                o = utf8_put(o, (unsigned long)cp);
                p += 4; /* plus the 2 below */
                break;
            }
            default:
                return fail(d, p, "invalid escape");
            }
            p += 2;
        } else if (c >= 0x80) {
            size_t n = xt_utf8_seq(p, q), k;
            if (n == 0)
                return fail(d, p, "invalid UTF-8 in string");
            for (k = 0; k < n; k++) /* 2 to 4 bytes: no memcpy call */
                o[k] = p[k];
            o += n;
            p += n;
        } else {
            return fail(d, p, "control character 0x%02X in string", c);
        }
    }
    lua_pushlstring(d->L, (const char *)buf, (size_t)(o - buf));
    d->p = q + 1;
    return 1;
}

/* Registry field of the key cache: a userdata of KEY_CACHE_SIZE entries whose uservalue is the table of the strings. */
#define KEY_CACHE_REG "xingtu.json.keycache"

/* Finds (or makes) the state's key cache, puts its table in the cache slot: once per decode, at its first key. Kept
 * across decodes, so a stream of bodies of one shape (each API response) hits from its first key on and no decode
 * pays for making a cache. Safe if a finalizer decodes in the middle of a decode: an entry and its table slot are
 * always updated together with nothing that can allocate between them. May raise (out of memory). */
static void key_cache_init(decoder *d)
{
    lua_State *L = d->L;
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_CACHE_REG);
    if (lua_type(L, -1) != LUA_TUSERDATA || xt_rawlen(L, -1) != sizeof(string_cache)) {
        lua_pop(L, 1);
        d->cache = (string_cache *)xt_newuserdata(L, sizeof(string_cache));
        memset(d->cache, 0, sizeof(string_cache));
        lua_createtable(L, KEY_CACHE_SIZE + VALUE_CACHE_SIZE, 0);
        xt_setuservalue(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, KEY_CACHE_REG);
    } else {
        d->cache = (string_cache *)lua_touserdata(L, -1);
    }
    xt_getuservalue(L, -1);
    lua_replace(L, d->cache_idx);
    /* the entries live in the userdata: it stays on the stack too, so even a registry emptied by a finalizer in the
     * middle of this decode cannot free them under us */
    lua_replace(L, d->cache_idx + 1);
    d->cache_ready = 1;
}

/* The first 16 bytes of [s, s + len) zero padded, as two little-endian words (host order elsewhere). Reads 16 bytes
 * on little-endian targets when `avail` (the readable bytes from s on) allows it, else only the string's own bytes. */
static inline void head16(const unsigned char *s, size_t len, size_t avail, uint64_t head[2])
{
    if (XT_SWAR && XT_LIKELY(avail >= 16)) {
        uint64_t a = load8(s), b = load8(s + 8);
        if (len < 16) {
            if (len <= 8) {
                a &= ~0ULL >> (64 - 8 * len);
                b = 0;
            } else {
                b &= ~0ULL >> (64 - 8 * (len - 8));
            }
        }
        head[0] = a;
        head[1] = b;
    } else {
        unsigned char buf[16] = {0};
        memcpy(buf, s, len < 16 ? len : 16);
        head[0] = load8(buf);
        head[1] = load8(buf + 8);
    }
}

/* Slot of a key (1 <= len <= 64) in a cache of 2^bits slots: a multiplicative hash of its head, its length and (past
 * 16 bytes) its last 8 bytes, so keys sharing a long prefix (twitter.json's "profile_background_...") spread. */
static inline unsigned cache_slot(const uint64_t head[2], const unsigned char *s, size_t len, unsigned bits)
{
    uint64_t x = head[0] ^ (head[1] * 0x9E3779B97F4A7C15ULL) ^ len;
    if (len > 16)
        x ^= load8(s + len - 8) * 0xC2B2AE3D27D4EB4FULL;
    x *= 0xFF51AFD7ED558CCDULL;
    return (unsigned)(x >> (64 - bits));
}

/* Whether bytes 16 .. len-1 of two strings of len > 16 bytes are equal, a word at a time (both have len bytes). */
static inline int tail_equal(const char *a, const unsigned char *b, size_t len)
{
    size_t k;
    for (k = 16; k + 8 <= len; k += 8)
        if (load8((const unsigned char *)a + k) != load8(b + k))
            return 0;
    return load8((const unsigned char *)a + len - 8) == load8(b + len - 8);
}

/* Pushes the object key [s, s + len) (no escapes, validated): the cached string when the same bytes were a key
 * recently, else a new one that takes the slot. A hit skips lua_pushlstring's hashing and interning (and for long
 * keys its allocation and copy), which is most of the cost of the few dozen keys a document repeats thousands of
 * times. A miss replaces the entries of its set in turn (and counts in cache->misses): the cache is a hint, never a
 * correctness matter. Returns the key's entry, or -1 for a key the cache does not hold: while no miss comes between
 * them, two keys have the same entry exactly when their bytes are equal. */
static inline int push_key(decoder *d, const unsigned char *s, size_t len)
{
    lua_State *L = d->L;
    unsigned h, way, i;
    cached_key *e;
    uint64_t head[2];

    if (XT_UNLIKELY(len == 0 || len > KEY_CACHE_MAXLEN)) {
        lua_pushlstring(L, (const char *)s, len);
        return -1;
    }
    if (XT_UNLIKELY(!d->cache_ready))
        key_cache_init(d);
    head16(s, len, (size_t)(d->end - s), head);
    h = cache_slot(head, s, len, KEY_HASH_BITS);
    e = &d->cache->keys[(h / KEY_CACHE_WAYS) * KEY_CACHE_WAYS];
    for (way = 0; way < KEY_CACHE_WAYS; way++, e++) {
        if (e->len == len && e->head[0] == head[0] && e->head[1] == head[1] &&
            (len <= 16 || tail_equal(e->s, s, len))) {
            i = (unsigned)(e - d->cache->keys);
            if (d->mirror_idx != 0) {
                if (XT_LIKELY(d->mirror_s[i] == e->s)) {
                    lua_pushvalue(L, d->mirror_idx + (int)i);
                    return (int)i;
                }
                lua_rawgeti(L, d->cache_idx, (seq_index)i + 1);
                lua_copy(L, -1, d->mirror_idx + (int)i);
                d->mirror_s[i] = e->s;
                return (int)i;
            }
            lua_rawgeti(L, d->cache_idx, (seq_index)i + 1);
            return (int)i;
        }
    }
    lua_pushlstring(L, (const char *)s, len); /* returns void in Lua 5.1 (LuaJIT) */
    /* nothing that can allocate (and so run a finalizer that decodes) from here to the rawseti */
    way = d->cache->key_next[h / KEY_CACHE_WAYS];
    d->cache->key_next[h / KEY_CACHE_WAYS] = (unsigned char)((way + 1) % KEY_CACHE_WAYS);
    i = (h / KEY_CACHE_WAYS) * KEY_CACHE_WAYS + way % KEY_CACHE_WAYS;
    e = &d->cache->keys[i];
    d->cache->misses++;
    e->s = lua_tolstring(L, -1, NULL);
    e->len = len;
    e->head[0] = head[0];
    e->head[1] = head[1];
    lua_pushvalue(L, -1);
    lua_rawseti(L, d->cache_idx, (seq_index)i + 1);
    if (d->mirror_idx != 0) {
        lua_copy(L, -1, d->mirror_idx + (int)i);
        d->mirror_s[i] = e->s;
    }
    return (int)i;
}

/* Pushes the string value [s, s + len) (no escapes, validated): a short one that was seen recently comes from the value
 * cache, like keys (category names, languages, dates repeat across the bodies of one API), else it is made anew. A
 * string is held only when its bytes come again while they still sit in the entry, so a stream of unique values (ids,
 * texts) costs the cache a few stores each and evicts nothing that repeats. */
static inline void push_value(decoder *d, const unsigned char *s, size_t len)
{
    lua_State *L = d->L;
    uint64_t w[VALUE_CACHE_MAXLEN / 8], x;
    cached_value *e;
    unsigned i, j;

    if (XT_UNLIKELY(len == 0 || len > VALUE_CACHE_MAXLEN)) {
        lua_pushlstring(L, (const char *)s, len);
        return;
    }
    if (XT_UNLIKELY(!d->cache_ready))
        key_cache_init(d);
    if (XT_SWAR && XT_LIKELY((size_t)(d->end - s) >= VALUE_CACHE_MAXLEN)) {
        for (j = 0; j < VALUE_CACHE_MAXLEN / 8; j++) {
            long r = (long)len - 8 * (long)j; /* bytes of the string in word j */
            uint64_t v = load8(s + 8 * j);
            w[j] = r >= 8 ? v : r <= 0 ? 0 : v & (~0ULL >> (64 - 8 * r));
        }
    } else {
        unsigned char buf[VALUE_CACHE_MAXLEN] = {0};
        memcpy(buf, s, len);
        for (j = 0; j < VALUE_CACHE_MAXLEN / 8; j++)
            w[j] = load8(buf + 8 * j);
    }
    x = w[0] ^ (w[1] * 0x9E3779B97F4A7C15ULL) ^ (w[2] * 0xC2B2AE3D27D4EB4FULL) ^ (w[3] * 0x165667B19E3779F9ULL) ^ len;
    x *= 0xFF51AFD7ED558CCDULL;
    i = (unsigned)(x >> (64 - VALUE_CACHE_BITS));
    e = &d->cache->values[i];
    if (e->len == len && e->w[0] == w[0] && e->w[1] == w[1] && e->w[2] == w[2] && e->w[3] == w[3]) {
        if (XT_LIKELY(e->held)) {
            lua_rawgeti(L, d->cache_idx, (seq_index)(KEY_CACHE_SIZE + i + 1));
            return;
        }
        lua_pushlstring(L, (const char *)s, len);
        /* a finalizer run by that allocation may have decoded and reused the entry: it is written whole again, and
         * nothing that can allocate comes between that and the rawseti */
        memcpy(e->w, w, sizeof e->w);
        e->len = (uint32_t)len;
        e->held = 1;
        lua_pushvalue(L, -1);
        lua_rawseti(L, d->cache_idx, (seq_index)(KEY_CACHE_SIZE + i + 1));
        return;
    }
    /* the first sight of these bytes: remembered, not held (the slot's string, if any, stays until replaced) */
    memcpy(e->w, w, sizeof e->w);
    e->len = (uint32_t)len;
    e->held = 0;
    lua_pushlstring(L, (const char *)s, len);
}

/* d->p is at the opening quote. Pushes the string (through the key cache if is_key). */
static inline int parse_string(decoder *d, int is_key)
{
    const unsigned char *s = d->p + 1, *p = s, *end = d->end;

    for (;;) {
        unsigned c;
#if XT_SSE2
        /* 16 bytes at a time: a signed compare below ' ' flags control characters and non-ASCII bytes at once */
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                _mm_cmplt_epi8(v, _mm_set1_epi8(' '))));
            if (mask != 0) {
                p += __builtin_ctz(mask);
                goto stopped;
            }
            p += 16;
        }
#endif
#if XT_SWAR
        /* 8 bytes at a time up to the first '"', '\\', control character or non-ASCII byte */
        while (end - p >= 8) {
            uint64_t w = load8(p);
            uint64_t stop = (w & BYTES(0x80)) | ((w - BYTES(0x20)) & ~w & BYTES(0x80)) | zero_bytes(w ^ BYTES('"')) |
                            zero_bytes(w ^ BYTES('\\'));
            if (stop != 0) {
                p += __builtin_ctzll(stop) >> 3;
                goto stopped;
            }
            p += 8;
        }
#endif
        while (p < end && !xt_utf8_stop[*p])
            p++;
        if (XT_UNLIKELY(p >= end))
            return fail(d, s - 1, "unterminated string");
#if XT_SWAR
    stopped:
#endif
        c = *p;
        if (XT_LIKELY(c == '"'))
            break;
        if (c >= 0x80) {
            /* a run of non-ASCII text (twitter.json's CJK) is validated sequence by sequence without going back to
             * the ASCII scan between characters */
            do {
                size_t n;
                unsigned lead = *p;
#if XT_SSE2
                /* five three-byte characters of that form at once (a CJK run): leads at bytes 0, 3, 6, 9 and 12,
                 * continuation bytes between them; byte 15 is left to the next step */
                while (end - p >= 16 && p[15] >= 0x80) { /* (a short name ends before: not worth the try) */
                    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
                    unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-64)));
                    unsigned lead3 = (unsigned)_mm_movemask_epi8(
                        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(-32)), _mm_cmplt_epi8(v, _mm_set1_epi8(-16))));
                    unsigned ed = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xED)));
                    if ((cont & 0x6DB6u) != 0x6DB6u || (lead3 & 0x1249u) != 0x1249u || (ed & 0x1249u) != 0)
                        break;
                    p += 15;
                }
                if (p >= end || *p < 0x80)
                    break;
                lead = *p;
#endif
                /* the common three-byte form (U+1000..U+CFFF, U+E000..U+FFFF: CJK) without the range checks that
                 * only E0 (overlongs) and ED (surrogates) need */
                if (lead >= 0xE1 && lead != 0xED && lead <= 0xEF && end - p >= 3 && (p[1] & 0xC0) == 0x80 &&
                    (p[2] & 0xC0) == 0x80) {
                    p += 3;
                    continue;
                }
                n = xt_utf8_seq(p, end);
                if (n == 0)
                    return fail(d, p, "invalid UTF-8 in string");
                p += n;
            } while (p < end && *p >= 0x80);
        } else if (c == '\\') {
            d->key_slot = -1;
            return parse_string_escaped(d, s, p);
        } else {
            return fail(d, p, "control character 0x%02X in string", c);
        }
    }
    if (is_key)
        d->key_slot = push_key(d, s, (size_t)(p - s));
    else
        push_value(d, s, (size_t)(p - s));
    d->p = p + 1;
    return 1;
}

/* strtod() on [s, e) as a NUL-terminated copy whose '.' is the locale's decimal point. */
static double number_strtod(decoder *d, const unsigned char *s, const unsigned char *e)
{
    char local[64];
    size_t n = (size_t)(e - s);
    char *buf = (n < sizeof local) ? local : (char *)scratch_reserve(d, n + 1);
    char point = localeconv()->decimal_point[0];
    size_t i;

    memcpy(buf, s, n);
    buf[n] = '\0';
    if (point != '.' && point != '\0') {
        for (i = 0; i < n; i++) {
            if (buf[i] == '.') {
                buf[i] = point;
                break;
            }
        }
    }
    return strtod(buf, NULL);
}

/* Whether the 8 bytes at p (8 readable) are all digits; if so *v is their value (simdjson's SWAR conversion). */
static inline int eight_digits(const unsigned char *p, uint64_t *v)
{
#if XT_SWAR
    uint64_t w = load8(p);
    if ((((w & BYTES(0xF0)) | (((w + BYTES(0x06)) & BYTES(0xF0)) >> 4)) != BYTES(0x33)))
        return 0;
    w -= BYTES('0');
    w = (w * 10) + (w >> 8); /* each 16-bit lane: the value of its two digits in its low byte */
    w = (((w & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
         (((w >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
        32;
    *v = (uint32_t)w;
    return 1;
#else
    (void)p;
    (void)v;
    return 0;
#endif
}

/* d->p is at '-' or a digit. Pushes the number. */
static int parse_number(decoder *d)
{
    const unsigned char *s = d->p, *p = s, *end = d->end;
    uint64_t m = 0;   /* up to 19 significant digits */
    int ndig = 0;     /* digits in m (leading zeros not counted) */
    int inexact = 0;  /* digits beyond the 19th were dropped */
    int is_float = 0; /* fraction or exponent present */
    long exp10 = 0;   /* value = m * 10^exp10 (when !inexact) */
    int neg = 0;

    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9')
        return p >= end ? fail_unexpected(d, p) : fail(d, p, "invalid number");
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return fail(d, p - 1, "invalid number (leading zero)");
    } else {
        uint64_t v8;
        /* no leading zeros here: every digit counts */
        while (end - p >= 8 && ndig <= 11 && eight_digits(p, &v8)) {
            m = m * 100000000 + v8;
            ndig += 8;
            p += 8;
        }
        while (p < end && *p >= '0' && *p <= '9') {
            if (ndig < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                ndig++;
            } else {
                inexact = 1;
            }
            p++;
        }
    }
    if (p < end && *p == '.') {
        is_float = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return p >= end ? fail_unexpected(d, p) : fail(d, p, "invalid number");
        if (m != 0) {
            /* past the leading zeros (there are none once m != 0) every digit counts */
            uint64_t v8;
            while (end - p >= 8 && ndig <= 11 && eight_digits(p, &v8)) {
                m = m * 100000000 + v8;
                ndig += 8;
                exp10 -= 8;
                p += 8;
            }
        }
        while (p < end && *p >= '0' && *p <= '9') {
            if (XT_LIKELY(ndig < 19)) {
                /* a leading zero of the fraction (m still 0) is not significant: no digit of m; counted without a
                 * branch on the digit, which mispredicts on every '0' of canada.json's fractions */
                m = m * 10 + (uint64_t)(*p - '0');
                ndig += m != 0;
                exp10--;
            } else {
                inexact = 1; /* (ndig counts from m's first non-zero digit on: m != 0 here) */
            }
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        long ev = 0;
        int eneg = 0;
        is_float = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = (*p == '-');
            p++;
        }
        if (p >= end || *p < '0' || *p > '9')
            return p >= end ? fail_unexpected(d, p) : fail(d, p, "invalid number");
        while (p < end && *p >= '0' && *p <= '9') {
            if (ev < 1000000)
                ev = ev * 10 + (*p - '0');
            p++;
        }
        exp10 += eneg ? -ev : ev;
    }
    d->p = p;

    if (!is_float && !inexact) {
#if XT_HAVE_INTEGERS
        if (!neg) {
            if (m <= (uint64_t)INT64_MAX) {
                lua_pushinteger(d->L, (lua_Integer)m);
                return 1;
            }
        } else if (m <= (uint64_t)INT64_MAX) {
            lua_pushinteger(d->L, -(lua_Integer)m);
            return 1;
        } else if (m == (uint64_t)INT64_MAX + 1) {
            lua_pushinteger(d->L, (lua_Integer)INT64_MIN);
            return 1;
        }
#else
        if (m <= TWO_POW_53) {
            lua_pushnumber(d->L, neg && m ? -(double)m : (double)m);
            return 1;
        }
#endif
    }
#if !XT_HAVE_INTEGERS
    if (!is_float) {
        /* LuaJIT: an integer beyond 2^53 has no exact number; keep its digits */
        lua_pushlstring(d->L, (const char *)s, (size_t)(p - s));
        return 1;
    }
#endif
    if (!inexact && m <= TWO_POW_53 && exp10 >= -22 && exp10 <= 22) {
        /* exact: both operands are exact doubles, so the one rounding is the correct one */
        double v = (double)m;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
        lua_pushnumber(d->L, neg ? -v : v);
        return 1;
    }
    if (m == 0 && !inexact) {
        lua_pushnumber(d->L, neg ? -0.0 : 0.0);
        return 1;
    }
    if (!inexact) {
        /* up to 19 digits with a small exponent (canada.json's coordinates): exact integer arithmetic */
        double v;
        if (xt_decimal_to_double(m, exp10, &v)) {
            lua_pushnumber(d->L, neg ? -v : v);
            return 1;
        }
    }
    {
        double x = number_strtod(d, s, p);
        if (XT_UNLIKELY(isinf(x)))
            return fail(d, s, "number out of range");
        lua_pushnumber(d->L, x);
    }
    return 1;
}

/* The first flush of a container makes its table, of the size of the members so far, at base + 1 below them: in
 * the slot open_level kept for it (Lua 5.4: no member has to move), or (LuaJIT) moved there with lua_insert. */
static inline void make_table(lua_State *L, int base, int *have_table, int narr, int nrec)
{
    if (!*have_table) {
        lua_createtable(L, narr, nrec);
        if (TABLE_SLOT)
            lua_replace(L, base + 1);
        else
            lua_insert(L, base + 1);
        *have_table = 1;
    }
}

/* Moves `pending` values from the stack into the array being built: [base+1] = table, [base+2 .. base+1+pending] =
 * values -> [base+1] = table (before the first flush, see make_table). */
static void array_flush(lua_State *L, int base, int *have_table, seq_index *n, int pending)
{
    int i;
    if (!*have_table) {
        /* popped into the table of exactly that size from the last one, one API call each */
        make_table(L, base, have_table, pending, 0);
        for (i = pending; i > 0; i--)
            lua_rawseti(L, base + 1, i);
        *n = pending;
        return;
    }
    /* past the stack budget: filled in ascending order so that the array part grows as it should */
    for (i = 0; i < pending; i++) {
        lua_pushvalue(L, base + 2 + i);
        lua_rawseti(L, base + 1, *n + i + 1);
    }
    lua_settop(L, base + 1);
    *n += pending;
}

/* Moves `pending` key/value pairs from the stack into the object being built, as if in input order (last key wins):
 * [base+1] = table, [base+2 .. base+1+2*pending] = k1, v1, ... -> [base+1] = table (see make_table). Without a
 * possible duplicate the order does not matter, and the pairs are popped into the table from the top, one API call
 * each; otherwise they are copied in input order. */
static void object_flush(lua_State *L, int base, int *have_table, int pending, int maybe_dup)
{
    int i;
    make_table(L, base, have_table, 0, pending);
    if (!maybe_dup) {
        for (i = 0; i < pending; i++)
            lua_rawset(L, base + 1);
        return;
    }
    for (i = 0; i < pending; i++) {
        lua_pushvalue(L, base + 2 + 2 * i);
        lua_pushvalue(L, base + 3 + 2 * i);
        lua_rawset(L, base + 1);
    }
    lua_settop(L, base + 1);
}

static int parse_literal(decoder *d, const char *word, size_t len)
{
    if ((size_t)(d->end - d->p) < len || memcmp(d->p, word, len) != 0)
        return fail(d, d->p, "invalid literal");
    d->p += len;
    return 1;
}

/* d->p is at '[' or '{'. Counts the level and steps over the bracket. */
static int enter(decoder *d)
{
    if (++d->depth > d->max_depth)
        return fail(d, d->p, "nesting deeper than %d", d->max_depth);
    d->p++;
    return 1;
}

/* The level of the non-empty container entered at `bracket` (depth counts it already): makes room on the Lua stack
 * for one chunk of its members (plus the table), deeper levels checking for themselves; under Lua 5.4 pushes the slot
 * of its table. An empty container needs no such room: its table (and the metatable pushed to set on it) fit in the
 * slack of its parent's room (or the 5 slots xt_json_decode keeps free at the top level). Returns NULL (error set)
 * if Lua's stack cannot grow; may raise (out of memory) when the levels move to a bigger userdata. */
static level *open_level(decoder *d, int is_object, const unsigned char *bracket)
{
    level *lv;
    int top = lua_gettop(d->L);
    if (XT_UNLIKELY(top + 2 * ITEM_CHUNK + 8 > d->room)) {
        if (ROOM_EXTRA > 0 && lua_checkstack(d->L, 2 * ITEM_CHUNK + 8 + ROOM_EXTRA)) {
            d->room = top + 2 * ITEM_CHUNK + 8 + ROOM_EXTRA;
        } else if (!lua_checkstack(d->L, 2 * ITEM_CHUNK + 8)) {
            fail(d, bracket, "out of Lua stack space");
            return NULL;
        }
    }
    if (XT_UNLIKELY(d->depth > d->lev_cap)) {
        int cap = d->lev_cap * 2;
        level *nl = (level *)new_scratch(d->L, sizeof(level) * (size_t)cap);
        memcpy(nl, d->levels, sizeof(level) * (size_t)d->lev_cap);
        lua_replace(d->L, d->scratch_idx + 1); /* the old array (if a userdata) becomes garbage */
        d->levels = nl;
        d->lev_cap = cap;
    }
    lv = &d->levels[d->depth - 1];
    lv->base = top;
    if (TABLE_SLOT)
        lua_pushnil(d->L); /* the slot of its table */
    lv->have_table = 0;
    lv->pending = 0;
    lv->is_object = is_object;
    lv->maybe_dup = 0;
    lv->n = 0;
    if (is_object) {
        lv->misses = d->cache_ready ? d->cache->misses : ~0ULL;
        memset(lv->slots, 0, sizeof lv->slots);
    }
    return lv;
}

/* Moves the pending members of lv into its table (made on the first call). An object's keys had distinct entries: they
 * are distinct keys unless a key cache miss since the object opened (its own, a nested one's, a finalizer's decode)
 * may have moved a key to another entry. */
static inline void flush(decoder *d, level *lv)
{
    lua_State *L = d->L;
    if (lv->is_object)
        object_flush(L, lv->base, &lv->have_table, lv->pending,
                     lv->maybe_dup || !d->cache_ready || lv->misses != d->cache->misses);
    else
        array_flush(L, lv->base, &lv->have_table, &lv->n, lv->pending);
    lv->pending = 0;
}

/*
 * Parses one value (whitespace before it skipped, after it not) and pushes it. A state machine over the open
 * containers instead of recursion: `value` reads one value; a scalar, or a container just closed, goes to `member`,
 * which adds it to the innermost open container and reads what follows it (',' then the next value or key, or the
 * closing bracket); `key` reads an object member's key and its ':'. lv is the innermost open container, NULL at the
 * top level.
 */
static int parse_value(decoder *d)
{
    lua_State *L = d->L;
    level *lv = NULL;
    const unsigned char *bracket;

value:
    skip_ws(d);
value_here: /* at the value's first byte (or the end) */
    if (XT_UNLIKELY(d->p >= d->end))
        return fail_unexpected(d, d->p);
    switch (*d->p) {
    case '"':
        if (!parse_string(d, 0))
            return 0;
        break;
    case '{':
        bracket = d->p;
        if (!enter(d))
            return 0;
        skip_ws(d);
        if (d->p < d->end && *d->p == '}') {
            d->p++;
            lua_createtable(L, 0, 0);
            d->depth--;
            break;
        }
        if ((lv = open_level(d, 1, bracket)) == NULL)
            return 0;
        goto key;
    case '[':
        bracket = d->p;
        if (!enter(d))
            return 0;
        skip_ws(d);
        if (d->p < d->end && *d->p == ']') {
            d->p++;
            /* Marked, or it would encode back as {} (an empty table is an object unless it says otherwise). */
            lua_createtable(L, 0, 0);
            if (XT_UNLIKELY(!d->have_mt)) {
                luaL_getmetatable(L, XT_JSON_ARRAY_MT); /* once per decode: a registry lookup by name costs a strcmp */
                lua_replace(L, d->mt_idx);
                d->have_mt = 1;
            }
            lua_pushvalue(L, d->mt_idx);
            lua_setmetatable(L, -2);
            d->depth--;
            break;
        }
        if ((lv = open_level(d, 0, bracket)) == NULL)
            return 0;
        goto value;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        if (!parse_number(d))
            return 0;
        break;
    case 't':
        if (!parse_literal(d, "true", 4))
            return 0;
        lua_pushboolean(L, 1);
        break;
    case 'f':
        if (!parse_literal(d, "false", 5))
            return 0;
        lua_pushboolean(L, 0);
        break;
    case 'n':
        if (!parse_literal(d, "null", 4))
            return 0;
        lua_pushlightuserdata(L, NULL);
        break;
    default:
        return fail_unexpected(d, d->p);
    }

member: /* a value was pushed */
    if (lv == NULL)
        return 1;
    if (XT_UNLIKELY((++lv->pending & (ITEM_CHUNK - 1)) == 0) &&
        (lua_gettop(L) - d->stack_base >= STACK_BUDGET || !lua_checkstack(L, 2 * ITEM_CHUNK + 8)))
        flush(d, lv);
    skip_ws(d);
    if (XT_LIKELY(d->p < d->end)) {
        unsigned c = *d->p;
        if (c == ',') {
            d->p++;
            if (!lv->is_object)
                goto value;
            skip_ws(d);
            goto key;
        }
        if (c == (lv->is_object ? '}' : ']')) {
            d->p++;
            flush(d, lv); /* the finished table is now the top of the stack: the parent's new member */
            lv = --d->depth > 0 ? &d->levels[d->depth - 1] : NULL;
            goto member;
        }
    }
    return fail_unexpected(d, d->p);

key : /* in an object, at the key of a member */
{
    int slot;
#if XT_SSE2
    /* pretty-printed input's usual `"name": `: a key under 16 bytes of plain ASCII, its ':' right after it and
     * one space found by one compare, without the general string scan */
    const unsigned char *s = d->p + 1;
    if (XT_LIKELY(d->end - s >= 19 && s[-1] == '"')) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned n = (unsigned)__builtin_ctz(
            0x10000u | (unsigned)_mm_movemask_epi8(_mm_or_si128(
                           _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                           _mm_cmplt_epi8(v, _mm_set1_epi8(' ')))));
        if (XT_LIKELY(n < 16 && s[n] == '"' && s[n + 1] == ':')) {
            slot = push_key(d, s, n);
            d->p = s + n + 2;
            if (XT_LIKELY(s[n + 2] == ' ' && s[n + 3] > ' '))
                d->p++;
            else
                skip_ws(d);
            goto have_key;
        }
    }
#endif
    if (XT_UNLIKELY(d->p >= d->end || *d->p != '"'))
        return fail_unexpected(d, d->p);
    if (!parse_string(d, 1))
        return 0;
    slot = d->key_slot;
    skip_ws(d);
    if (XT_UNLIKELY(d->p >= d->end || *d->p != ':'))
        return fail_unexpected(d, d->p);
    d->p++;
    skip_ws(d);
#if XT_SSE2
have_key:
#endif
    /* an entry seen before in this object flags a possible duplicate (see flush) */
    if (XT_LIKELY(slot >= 0)) {
        uint64_t bit = 1ULL << (slot & 63);
        lv->maybe_dup |= (lv->slots[slot >> 6] & bit) != 0;
        lv->slots[slot >> 6] |= bit;
    } else {
        lv->maybe_dup = 1;
    }
}
    goto value_here;
}

int xt_json_decode(lua_State *L, const char *text, size_t len, int max_depth, char *err, size_t errlen)
{
    decoder d;
    level local_levels[LOCAL_LEVELS];
    const char *mirror_s[KEY_CACHE_SIZE];
    int base;

    d.L = L;
    d.start = (const unsigned char *)text;
    d.end = d.start + len;
    d.p = d.start;
    d.depth = 0;
    d.max_depth = max_depth <= 0 ? XT_JSON_DEFAULT_MAX_DEPTH : max_depth;
    if (d.max_depth > XT_JSON_DEPTH_CAP)
        d.max_depth = XT_JSON_DEPTH_CAP;
    d.scratch = NULL;
    d.scratch_cap = 0;
    d.levels = local_levels;
    d.lev_cap = LOCAL_LEVELS;
    d.cache = NULL;
    d.err = err;
    d.errlen = errlen;
    if (err != NULL && errlen > 0)
        err[0] = '\0';

    if (!lua_checkstack(L, 10))
        return fail(&d, d.start, "out of Lua stack space");
    base = lua_gettop(L);
    lua_pushnil(L); /* [base+1]: slot for the scratch userdata */
    lua_pushnil(L); /* [base+2]: slot for the levels userdata */
    d.scratch_idx = base + 1;
    lua_pushnil(L); /* [base+3]: slot for the key cache table, fetched at the first key */
    d.cache_idx = base + 3;
    d.cache_ready = 0;
    lua_pushnil(L); /* [base+4]: slot for the key cache userdata */
    lua_pushnil(L); /* [base+5]: slot for the array metatable */
    d.mt_idx = base + 5;
    d.have_mt = 0;
    d.room = 0;
    d.stack_base = base;
    d.mirror_idx = 0;
    d.mirror_s = mirror_s;
    if (len >= MIRROR_MIN_TEXT && lua_checkstack(L, KEY_CACHE_SIZE + 10)) {
        memset(mirror_s, 0, sizeof mirror_s);
        lua_settop(L, base + 5 + KEY_CACHE_SIZE); /* [base+6 ..]: the mirror slots, nil */
        d.mirror_idx = base + 6;
    }

    skip_ws(&d);
    if (d.p >= d.end) {
        fail(&d, d.p, "empty input");
    } else if (parse_value(&d)) {
        skip_ws(&d);
        if (d.p == d.end) {
            lua_replace(L, base + 1); /* the value takes the scratch slot: exactly one value pushed */
            lua_settop(L, base + 1);
            return 1;
        }
        fail(&d, d.p, "trailing garbage");
    }
    lua_settop(L, base);
    return 0;
}

/* core.decode(s [, max_depth]) -> value | nil, "<what> at byte N" */
static int l_decode(lua_State *L)
{
    size_t len;
    const char *s;
    lua_Integer max_depth;
    char err[128];

    luaL_checktype(L, 1, LUA_TSTRING);
    s = lua_tolstring(L, 1, &len);
    max_depth = luaL_optinteger(L, 2, XT_JSON_DEFAULT_MAX_DEPTH);
    luaL_argcheck(L, max_depth >= 1 && max_depth <= XT_JSON_DEPTH_CAP, 2, "max_depth must be in 1..10000");
    lua_settop(L, 1); /* keeps s alive */
    if (xt_json_decode(L, s, len, (int)max_depth, err, sizeof err))
        return 1;
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
}

void xt_json_register(lua_State *L)
{
    lua_pushcfunction(L, l_decode);
    lua_setfield(L, -2, "decode");
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    if (luaL_newmetatable(L, XT_JSON_ARRAY_MT)) { /* mod mt */
        lua_pushliteral(L, "array");
        lua_setfield(L, -2, "__jsontype");
    }
    lua_setfield(L, -2, "array_mt");
}
