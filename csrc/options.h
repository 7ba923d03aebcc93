/*
 * options.h: the options table of core.session and core.multi, read and applied to an easy handle.
 *
 *   { timeout = 60, connect_timeout = 10, user_agent = "...", ca_file = "/path", proxy = "http://...",
 *     max_body = 33554432, max_depth = 1000, keep_text = false }              -- all optional (defaults: xt_limits.h)
 *
 * Every key is checked: an unknown key or a bad value raises "unknown option 'k'" / "bad option 'k' (... expected)".
 * Whatever the options say, the handle verifies TLS peers and host names, never follows redirects and speaks only
 * http and https.
 */
#ifndef XINGTU_OPTIONS_H
#define XINGTU_OPTIONS_H

#include <curl/curl.h>
#include <stddef.h>

#include "compat.h"

/* What the options say beyond the handle itself (strings are set on the handle at once). */
typedef struct xt_conf {
    long timeout_ms;
    long connect_timeout_ms;
    size_t max_body;
    int max_depth;
    int keep_text; /* also return the raw body as r.text (for the response cache) */
} xt_conf;

/*
 * Reads the options table at index idx (> 0; or none when idx's value is nil), fills conf and applies the options
 * to easy (a fresh handle, already owned by a userdata so a raise leaks nothing). When extra_key is not NULL a key
 * of that name is tolerated (the caller reads it). Raises on misuse or when libcurl refuses an option.
 */
void xt_options_apply(lua_State *L, int idx, CURL *easy, xt_conf *conf, const char *extra_key);

/* The optional per-request timeout argument at idx (seconds > 0, or none/nil: `fallback_ms`), in milliseconds.
 * Raises on a bad value. */
long xt_timeout_arg(lua_State *L, int idx, long fallback_ms);

/* Raises "libcurl refused <what>: <reason>" unless rc is CURLE_OK. */
void xt_curl_must(lua_State *L, CURLcode rc, const char *what);

#endif
