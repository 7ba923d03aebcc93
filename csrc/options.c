/*
 * options.c: core.session's and core.multi's options, checked and applied to an easy handle (contract in
 * options.h), and the handle settings no option can change (TLS verification, no redirects, http and https only).
 */
#include "options.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "xt_limits.h"

#ifndef XINGTU_VERSION
#error "XINGTU_VERSION must be defined (CMake passes its project version)"
#endif

#define STR_(x) #x
#define STR(x)  STR_(x)

/* The option's value is on top of the stack; `expect` completes "bad option 'x' (... expected)". */
static double opt_number(lua_State *L, const char *key, double lo, double hi, int integral, const char *expect)
{
    double v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : NAN;
    if (!(v >= lo && v <= hi) || (integral && floor(v) != v))
        luaL_error(L, "bad option '%s' (%s expected)", key, expect);
    return v;
}

static const char *opt_string(lua_State *L, const char *key)
{
    size_t len;
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "bad option '%s' (string expected, got %s)", key, luaL_typename(L, -1));
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len)
        luaL_error(L, "bad option '%s' (string contains a NUL byte)", key);
    return s;
}

void xt_curl_must(lua_State *L, CURLcode rc, const char *what)
{
    if (rc != CURLE_OK)
        luaL_error(L, "libcurl refused %s: %s", what, curl_easy_strerror(rc));
}

static long secs_to_ms(double s)
{
    double ms = ceil(s * 1000.0);
    return ms < 1.0 ? 1L : (long)ms;
}

long xt_timeout_arg(lua_State *L, int idx, long fallback_ms)
{
    if (lua_isnoneornil(L, idx))
        return fallback_ms;
    double v = lua_type(L, idx) == LUA_TNUMBER ? (double)lua_tonumber(L, idx) : NAN;
    if (!(v > 0 && v <= (double)XT_TIMEOUT_CAP))
        luaL_argerror(L, idx, "timeout must be a number of seconds > 0");
    return secs_to_ms(v);
}

/* One option (key at -2, value at -1) into conf or onto the handle; returns 1 when it was user_agent. */
static int apply_one(lua_State *L, CURL *easy, xt_conf *conf, const char *extra_key)
{
    if (lua_type(L, -2) != LUA_TSTRING)
        luaL_error(L, "bad option key (string expected, got %s)", luaL_typename(L, -2));
    const char *key = lua_tostring(L, -2);
    if (strcmp(key, "timeout") == 0)
        conf->timeout_ms = secs_to_ms(opt_number(L, key, 0.001, XT_TIMEOUT_CAP, 0, "seconds > 0"));
    else if (strcmp(key, "connect_timeout") == 0)
        conf->connect_timeout_ms = secs_to_ms(opt_number(L, key, 0.001, XT_TIMEOUT_CAP, 0, "seconds > 0"));
    else if (strcmp(key, "max_body") == 0)
        conf->max_body = (size_t)opt_number(L, key, 1, (double)XT_MAX_BODY_CAP, 1, "positive integer");
    else if (strcmp(key, "max_depth") == 0)
        conf->max_depth = (int)opt_number(L, key, 1, XT_MAX_DEPTH_CAP, 1, "integer from 1 to " STR(XT_MAX_DEPTH_CAP));
    else if (strcmp(key, "user_agent") == 0) {
        xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_USERAGENT, opt_string(L, key)), "user_agent");
        return 1;
    } else if (strcmp(key, "ca_file") == 0)
        xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_CAINFO, opt_string(L, key)), "ca_file");
    else if (strcmp(key, "proxy") == 0)
        xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_PROXY, opt_string(L, key)), "proxy");
    else if (strcmp(key, "keep_text") == 0) {
        if (!lua_isboolean(L, -1))
            luaL_error(L, "bad option 'keep_text' (boolean expected, got %s)", luaL_typename(L, -1));
        conf->keep_text = lua_toboolean(L, -1);
    } else if (extra_key == NULL || strcmp(key, extra_key) != 0)
        luaL_error(L, "unknown option '%s'", key);
    return 0;
}

/* What every handle gets, whatever the options say. */
static void apply_fixed(lua_State *L, CURL *easy, const xt_conf *conf)
{
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L), "CURLOPT_NOSIGNAL");
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L), "CURLOPT_FOLLOWLOCATION");
#if LIBCURL_VERSION_NUM >= 0x075500
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR");
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "CURLOPT_REDIR_PROTOCOLS_STR");
#else
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)),
                 "CURLOPT_PROTOCOLS");
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)),
                 "CURLOPT_REDIR_PROTOCOLS");
#endif
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L), "CURLOPT_SSL_VERIFYPEER");
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L), "CURLOPT_SSL_VERIFYHOST");
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, conf->timeout_ms), "timeout");
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, conf->connect_timeout_ms), "connect_timeout");
    xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L), "CURLOPT_HTTPGET");
    /* Nice to have: a libcurl without zlib, keepalive or HTTP/2 still works. */
    (void)curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    (void)curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    (void)curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 60L);
    (void)curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 30L);
    (void)curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
}

void xt_options_apply(lua_State *L, int idx, CURL *easy, xt_conf *conf, const char *extra_key)
{
    int have_ua = 0;
    conf->timeout_ms = XT_DEFAULT_TIMEOUT * 1000L;
    conf->connect_timeout_ms = XT_DEFAULT_CONNECT_TIMEOUT * 1000L;
    conf->max_body = (size_t)XT_DEFAULT_MAX_BODY;
    conf->max_depth = XT_DEFAULT_MAX_DEPTH;
    conf->keep_text = 0;

    if (!lua_isnoneornil(L, idx)) {
        luaL_checktype(L, idx, LUA_TTABLE); /* idx > 0: no lua_absindex in Lua 5.1 */
        luaL_checkstack(L, 3, "options");
        lua_pushnil(L);
        while (lua_next(L, idx) != 0) { /* key value */
            have_ua |= apply_one(L, easy, conf, extra_key);
            lua_pop(L, 1); /* key */
        }
    }

    if (!have_ua) {
        char ua[128];
        const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
        snprintf(ua, sizeof ua, "xingtu/%s libcurl/%s", XINGTU_VERSION, vi && vi->version ? vi->version : "?");
        xt_curl_must(L, curl_easy_setopt(easy, CURLOPT_USERAGENT, ua), "user_agent");
    }
    apply_fixed(L, easy, conf);
}
