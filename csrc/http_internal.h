/*
 * http_internal.h: what http.c (single session) and multi.c (concurrent engine) share.
 *
 * A transfer (xt_xfer) is one libcurl easy handle plus everything its callbacks write to: the body buffer, the
 * recorded headers and the error text. The callbacks never touch Lua. An xt_xfer lives inside a Lua userdata (the
 * session, or one slot of a multi), so the userdata's single cleanup frees the malloc'd body buffer and the handle;
 * a Lua error raised while a result is being built leaks nothing.
 */
#ifndef XINGTU_HTTP_INTERNAL_H
#define XINGTU_HTTP_INTERNAL_H

#include <curl/curl.h>
#include <stddef.h>

#include "compat.h"

#define XT_DEFAULT_TIMEOUT_MS         60000L
#define XT_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define XT_DEFAULT_MAX_BODY           ((size_t)32 * 1024 * 1024)
#define XT_RAW_MAX                    512               /* bytes of a non-JSON body returned as r.raw */
#define XT_BUF_KEEP                   ((size_t)1 << 20) /* a body buffer bigger than this is freed after use */
#define XT_HDR_SMALL                  64                /* Retry-After */
#define XT_HDR_LARGE                  256               /* Content-Type, X-Request-Id */

/* Options common to sessions and multis, parsed from the Lua table (strings are set on a handle at once). */
typedef struct xt_conf {
    long timeout_ms;
    long connect_timeout_ms;
    size_t max_body;
    int max_depth;
    int keep_text; /* also return the raw body as r.text (for the response cache) */
} xt_conf;

typedef struct xt_xfer {
    CURL *easy;
    char *body; /* malloc'd; owned by the enclosing userdata */
    size_t len;
    size_t cap;
    size_t max_body;
    int too_large; /* the write callback refused bytes over max_body */
    int oom;       /* the write callback could not grow the buffer */
    char errbuf[CURL_ERROR_SIZE];
    char content_type[XT_HDR_LARGE];
    char request_id[XT_HDR_LARGE];
    char retry_after[XT_HDR_SMALL];
} xt_xfer;

/* curl_global_init exactly once per process (pthread_once). */
void xt_http_global_init(void);

/*
 * Reads the options table at index idx (or none when idx's value is nil), validates every known key, raises on an
 * unknown key or a bad value, fills conf and applies the options to easy (a fresh handle, already owned by a
 * userdata so a raise leaks nothing). When extra_key is not NULL a key of that name is tolerated (the caller
 * reads it). Returns nothing; raises on misuse or when libcurl refuses a security-relevant option.
 */
void xt_http_configure(lua_State *L, int idx, CURL *easy, xt_conf *conf, const char *extra_key);

/* Points the handle's callbacks and error buffer at x (call again after curl_easy_duphandle). */
void xt_xfer_bind(xt_xfer *x);

/* Per-request reset: empty the body (keep a modest capacity), clear headers and the error text, set the URL and the
 * whole-attempt timeout (milliseconds; set on every request, as handles are duplicated from the previous one). */
CURLcode xt_xfer_prepare(xt_xfer *x, const char *url, long timeout_ms);

/* The optional per-request timeout argument at idx (seconds > 0, or none/nil: the configured `fallback_ms`), in
 * milliseconds. Raises on a bad value. */
long xt_timeout_arg(lua_State *L, int idx, long fallback_ms);

/* Frees the body buffer when it grew past XT_BUF_KEEP. */
void xt_xfer_trim(xt_xfer *x);

/* Frees the body buffer and cleans up the easy handle (idempotent). */
void xt_xfer_free(xt_xfer *x);

/* Number of new connections the last transfer of x opened (CURLINFO_NUM_CONNECTS). */
long xt_xfer_connects(xt_xfer *x);

/*
 * Pushes the result table of a finished transfer (see http.c for its fields), decoding the body with conf's
 * max_depth and, with conf->keep_text, adding the body text as r.text. May raise only on Lua memory errors;
 * everything it reads stays owned by x, so a raise leaks nothing.
 */
void xt_xfer_push_result(lua_State *L, xt_xfer *x, CURLcode rc, const xt_conf *conf);

/* Pushes a { requests = , connects = } table. */
void xt_http_push_stats(lua_State *L, unsigned long requests, unsigned long connects);

/* Adds `multi` to the module table on top of the stack (multi.c). */
void xt_multi_register(lua_State *L);

#endif
