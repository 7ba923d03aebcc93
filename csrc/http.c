/*
 * http.c: `core.session(opts)`, one blocking libcurl easy handle per session, reused across calls so connections
 * are kept alive.
 *
 *   local s = core.session{ timeout = 60, connect_timeout = 10, user_agent = "...", ca_file = "/path",
 *                           proxy = "http://...", max_body = 33554432, max_depth = 1000,
 *                           keep_text = false }                                              -- all optional
 *   local r = s:get(url)   -- never raises for network/HTTP problems; raises on misuse, closed session, OOM
 *   s:stats()              --> { requests = n, connects = new connections opened by this session }
 *   s:close()              -- idempotent; also __gc and (5.4) __close
 *
 * Result r: status (0 when no response), error (nil or "timeout" | "connect" | "resolve" | "send" | "recv" |
 * "partial" | "too_large" | "protocol" | "tls" | "other"), error_message, sent (the request reached the wire, so
 * the call may have been billed), body (decoded JSON, when the transfer completed and the body is valid JSON),
 * json_error and raw (first 512 bytes) when it is not, size, content_type, retry_after, request_id, elapsed,
 * connects; with keep_text = true also text (the whole body as received, for the response cache; off by default so
 * the common path builds no extra string). The URL (it carries the token) is never copied into r.
 *
 * core.multi (the concurrent engine, multi.c) is registered from here too.
 *
 * Safety: TLS peer and host verification are always on, redirects are never followed, only http and https are
 * allowed. The libcurl callbacks never call Lua; they fill buffers inside the userdata, and the body is decoded
 * after curl_easy_perform returned.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_internal.h"
#include "json_decode.h"

#ifndef XINGTU_VERSION
#define XINGTU_VERSION "0.0.0"
#endif

#define SESSION_MT   "xingtu.Session"
#define XT_MAX_DEPTH 10000           /* upper bound for the max_depth option (the decoder recurses) */
#define XT_MAX_SECS  (7.0 * 86400.0) /* upper bound for timeouts */
#define XT_MAX_BODY  ((double)(1ULL << 40))

/* ---- process-wide libcurl initialisation: the only C global ---- */

static pthread_once_t xt_curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    /* A failure here shows up later as curl_easy_init() returning NULL, which raises. */
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

void xt_http_global_init(void)
{
    (void)pthread_once(&xt_curl_once, curl_init_once);
}

/* ---- libcurl callbacks (no Lua in here) ---- */

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    xt_xfer *x = ud;
    size_t n = size * nmemb;
    if (n == 0)
        return 0;
    /* invariant: x->len <= x->max_body */
    if (n > x->max_body - x->len) {
        x->too_large = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (n > x->cap - x->len) {
        size_t need = x->len + n;
        size_t ncap = x->cap ? x->cap : 16384;
        while (ncap < need)
            ncap *= 2; /* need <= max_body <= 2^40: no overflow */
        if (ncap > x->max_body)
            ncap = x->max_body;
        char *nb = realloc(x->body, ncap);
        if (nb == NULL) {
            x->oom = 1;
            return 0;
        }
        x->body = nb;
        x->cap = ncap;
    }
    memcpy(x->body + x->len, data, n);
    x->len += n;
    return n;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Does the header line start with `name` (lowercase) followed by ':'? Returns the offset after the colon or 0. */
static size_t header_is(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (n <= k || line[k] != ':')
        return 0;
    for (size_t i = 0; i < k; i++)
        if (ascii_lower((unsigned char)line[i]) != name[i])
            return 0;
    return k + 1;
}

/* Copies the value part of a header line, trimmed of blanks and CR/LF, control bytes dropped, truncated. */
static void header_copy(char *dst, size_t dstlen, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < dstlen; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            continue;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
}

static void clear_headers(xt_xfer *x)
{
    x->content_type[0] = '\0';
    x->retry_after[0] = '\0';
    x->request_id[0] = '\0';
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    xt_xfer *x = ud;
    size_t n = size * nmemb, off;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0)
        clear_headers(x); /* a new response starts (after 1xx, or a proxy's CONNECT reply) */
    else if ((off = header_is(line, n, "content-type")) != 0)
        header_copy(x->content_type, sizeof x->content_type, line + off, n - off);
    else if ((off = header_is(line, n, "retry-after")) != 0)
        header_copy(x->retry_after, sizeof x->retry_after, line + off, n - off);
    else if ((off = header_is(line, n, "x-request-id")) != 0)
        header_copy(x->request_id, sizeof x->request_id, line + off, n - off);
    return n;
}

/* ---- transfers ---- */

void xt_xfer_bind(xt_xfer *x)
{
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, (void *)x);
    curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, (void *)x);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
}

void xt_xfer_trim(xt_xfer *x)
{
    if (x->cap > XT_BUF_KEEP) {
        free(x->body);
        x->body = NULL;
        x->cap = 0;
    }
    x->len = 0;
}

CURLcode xt_xfer_prepare(xt_xfer *x, const char *url, long timeout_ms)
{
    xt_xfer_trim(x);
    x->too_large = 0;
    x->oom = 0;
    x->errbuf[0] = '\0';
    clear_headers(x);
    CURLcode rc = curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    return rc != CURLE_OK ? rc : curl_easy_setopt(x->easy, CURLOPT_URL, url);
}

void xt_xfer_free(xt_xfer *x)
{
    free(x->body);
    x->body = NULL;
    x->len = x->cap = 0;
    if (x->easy != NULL) {
        curl_easy_cleanup(x->easy);
        x->easy = NULL;
    }
}

long xt_xfer_connects(xt_xfer *x)
{
    long n = 0;
    if (curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &n) != CURLE_OK)
        n = 0;
    return n;
}

static const char *error_kind(const xt_xfer *x, CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return "timeout";
    case CURLE_COULDNT_CONNECT:
        return "connect";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "resolve";
    case CURLE_SEND_ERROR:
        return "send";
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return "recv";
    case CURLE_PARTIAL_FILE:
        return "partial";
    case CURLE_FILESIZE_EXCEEDED:
        return "too_large";
    case CURLE_WRITE_ERROR:
        return x->too_large ? "too_large" : "other";
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return "protocol";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
        return "tls";
    default:
        return "other";
    }
}

static void set_string(lua_State *L, const char *key, const char *value)
{
    if (value[0] != '\0') {
        lua_pushstring(L, value);
        lua_setfield(L, -2, key);
    }
}

/* Stack: pushes the decoded body, or sets json_error/raw; leaves r on top. */
static void decode_body(lua_State *L, xt_xfer *x, int max_depth)
{
    char err[160];
    if (x->len == 0) {
        lua_pushliteral(L, "empty body");
        lua_setfield(L, -2, "json_error");
        lua_pushliteral(L, "");
        lua_setfield(L, -2, "raw");
        return;
    }
    err[0] = '\0';
    if (xt_json_decode(L, x->body, x->len, max_depth, err, sizeof err)) { /* r body */
        lua_setfield(L, -2, "body");
        return;
    }
    err[sizeof err - 1] = '\0';
    lua_pushstring(L, err[0] ? err : "invalid JSON");
    lua_setfield(L, -2, "json_error");
    lua_pushlstring(L, x->body, x->len < XT_RAW_MAX ? x->len : XT_RAW_MAX);
    lua_setfield(L, -2, "raw");
}

void xt_xfer_push_result(lua_State *L, xt_xfer *x, CURLcode rc, const xt_conf *conf)
{
    long status = 0, request_size = 0, connects = 0;
    double elapsed = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &elapsed);
    /* libcurl passes through what a garbled status line claims ("HTTP/22222222222.2 429" gives a negative number):
     * anything outside the three-digit range is reported as no status at all. */
    if (status < 100 || status > 999)
        status = 0;

    luaL_checkstack(L, 4, "result");
    lua_createtable(L, 0, 12); /* r */
    lua_pushinteger(L, (lua_Integer)status);
    lua_setfield(L, -2, "status");
    if (rc != CURLE_OK) {
        const char *kind = error_kind(x, rc);
        lua_pushstring(L, kind);
        lua_setfield(L, -2, "error");
        x->errbuf[sizeof x->errbuf - 1] = '\0';
        if (strcmp(kind, "too_large") == 0) {
            char msg[96];
            snprintf(msg, sizeof msg, "response body larger than max_body (%zu bytes)", x->max_body);
            lua_pushstring(L, msg);
        } else if (x->oom)
            lua_pushliteral(L, "out of memory while receiving the body");
        else
            lua_pushstring(L, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
        lua_setfield(L, -2, "error_message");
    }
    lua_pushboolean(L, request_size > 0);
    lua_setfield(L, -2, "sent");
    lua_pushinteger(L, (lua_Integer)x->len);
    lua_setfield(L, -2, "size");
    set_string(L, "content_type", x->content_type);
    set_string(L, "retry_after", x->retry_after);
    set_string(L, "request_id", x->request_id);
    lua_pushnumber(L, (lua_Number)elapsed);
    lua_setfield(L, -2, "elapsed");
    lua_pushinteger(L, (lua_Integer)connects);
    lua_setfield(L, -2, "connects");
    if (rc == CURLE_OK) {
        decode_body(L, x, conf->max_depth);
        if (conf->keep_text) {
            lua_pushlstring(L, x->body != NULL ? x->body : "", x->len); /* r text */
            lua_setfield(L, -2, "text");
        }
    }
}

void xt_http_push_stats(lua_State *L, unsigned long requests, unsigned long connects)
{
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)requests);
    lua_setfield(L, -2, "requests");
    lua_pushinteger(L, (lua_Integer)connects);
    lua_setfield(L, -2, "connects");
}

/* ---- options ---- */

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

static void must(lua_State *L, CURLcode rc, const char *what)
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
    if (!(v > 0 && v <= 7 * 86400.0))
        luaL_argerror(L, idx, "timeout must be a number of seconds > 0");
    return secs_to_ms(v);
}

void xt_http_configure(lua_State *L, int idx, CURL *easy, xt_conf *conf, const char *extra_key)
{
    int have_ua = 0;
    conf->timeout_ms = XT_DEFAULT_TIMEOUT_MS;
    conf->connect_timeout_ms = XT_DEFAULT_CONNECT_TIMEOUT_MS;
    conf->max_body = XT_DEFAULT_MAX_BODY;
    conf->max_depth = XT_JSON_DEFAULT_MAX_DEPTH;
    conf->keep_text = 0;

    if (!lua_isnoneornil(L, idx)) {
        luaL_checktype(L, idx, LUA_TTABLE); /* idx > 0: no lua_absindex in Lua 5.1 */
        luaL_checkstack(L, 3, "options");
        lua_pushnil(L);
        while (lua_next(L, idx) != 0) { /* key value */
            if (lua_type(L, -2) != LUA_TSTRING)
                luaL_error(L, "bad option key (string expected, got %s)", luaL_typename(L, -2));
            const char *key = lua_tostring(L, -2);
            if (strcmp(key, "timeout") == 0)
                conf->timeout_ms = secs_to_ms(opt_number(L, key, 0.001, XT_MAX_SECS, 0, "seconds > 0"));
            else if (strcmp(key, "connect_timeout") == 0)
                conf->connect_timeout_ms = secs_to_ms(opt_number(L, key, 0.001, XT_MAX_SECS, 0, "seconds > 0"));
            else if (strcmp(key, "max_body") == 0)
                conf->max_body = (size_t)opt_number(L, key, 1, XT_MAX_BODY, 1, "positive integer");
            else if (strcmp(key, "max_depth") == 0)
                conf->max_depth = (int)opt_number(L, key, 1, XT_MAX_DEPTH, 1, "integer from 1 to 10000");
            else if (strcmp(key, "user_agent") == 0) {
                must(L, curl_easy_setopt(easy, CURLOPT_USERAGENT, opt_string(L, key)), "user_agent");
                have_ua = 1;
            } else if (strcmp(key, "ca_file") == 0)
                must(L, curl_easy_setopt(easy, CURLOPT_CAINFO, opt_string(L, key)), "ca_file");
            else if (strcmp(key, "proxy") == 0)
                must(L, curl_easy_setopt(easy, CURLOPT_PROXY, opt_string(L, key)), "proxy");
            else if (strcmp(key, "keep_text") == 0) {
                if (!lua_isboolean(L, -1))
                    luaL_error(L, "bad option 'keep_text' (boolean expected, got %s)", luaL_typename(L, -1));
                conf->keep_text = lua_toboolean(L, -1);
            } else if (extra_key == NULL || strcmp(key, extra_key) != 0)
                luaL_error(L, "unknown option '%s'", key);
            lua_pop(L, 1); /* key */
        }
    }

    if (!have_ua) {
        char ua[128];
        const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
        snprintf(ua, sizeof ua, "xingtu/%s libcurl/%s", XINGTU_VERSION, vi && vi->version ? vi->version : "?");
        must(L, curl_easy_setopt(easy, CURLOPT_USERAGENT, ua), "user_agent");
    }
    must(L, curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L), "CURLOPT_NOSIGNAL");
    must(L, curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L), "CURLOPT_FOLLOWLOCATION");
#if LIBCURL_VERSION_NUM >= 0x075500
    must(L, curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR");
    must(L, curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "CURLOPT_REDIR_PROTOCOLS_STR");
#else
    must(L, curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)), "CURLOPT_PROTOCOLS");
    must(L, curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)),
         "CURLOPT_REDIR_PROTOCOLS");
#endif
    must(L, curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L), "CURLOPT_SSL_VERIFYPEER");
    must(L, curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L), "CURLOPT_SSL_VERIFYHOST");
    must(L, curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, conf->timeout_ms), "timeout");
    must(L, curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, conf->connect_timeout_ms), "connect_timeout");
    must(L, curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L), "CURLOPT_HTTPGET");
    /* Nice to have: a libcurl without zlib, keepalive or HTTP/2 still works. */
    (void)curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    (void)curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    (void)curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 60L);
    (void)curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 30L);
    (void)curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
}

/* ---- the Session userdata ---- */

typedef struct xt_session {
    xt_xfer x;     /* x.easy == NULL once closed */
    CURLSH *share; /* connections, DNS and TLS sessions: they outlive each request's easy handle */
    int used;      /* x.easy has made a request: the next one gets a fresh duplicate (see fresh_handle) */
    xt_conf conf;
    unsigned long requests;
    unsigned long connects;
} xt_session;

static xt_session *check_session(lua_State *L)
{
    xt_session *s = luaL_checkudata(L, 1, SESSION_MT);
    if (s->x.easy == NULL)
        luaL_error(L, "session is closed");
    return s;
}

static int session_new(lua_State *L)
{
    lua_settop(L, 1);
    xt_session *s = xt_newuserdata(L, sizeof *s); /* opts s */
    memset(s, 0, sizeof *s);
    luaL_getmetatable(L, SESSION_MT);
    lua_setmetatable(L, -2);
    /* From here on __gc owns whatever the session holds, so the raises below leak nothing. */
    xt_http_global_init();
    s->x.easy = curl_easy_init();
    s->share = curl_share_init();
    if (s->x.easy == NULL || s->share == NULL)
        return luaL_error(L, "libcurl initialisation failed");
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    must(L, curl_easy_setopt(s->x.easy, CURLOPT_SHARE, s->share), "CURLOPT_SHARE");
    xt_http_configure(L, 1, s->x.easy, &s->conf, NULL);
    s->x.max_body = s->conf.max_body;
    xt_xfer_bind(&s->x);
    return 1;
}

/*
 * Every request runs on a fresh easy handle (a duplicate of the configured one); connections stay alive in the
 * share. Reusing one handle is unsafe with libcurl 7.88 (Debian 12): a response whose first header line is a folded
 * continuation is unfolded into the previous response's freed header store (state.prevhead is left dangling),
 * a heap-use-after-free that a server can trigger (found by fuzz/fuzz_envelope.c; spec/reliability_sandbox_spec.lua
 * has the regression). Raises only on memory exhaustion; the session stays usable (the old handle is kept).
 */
static void fresh_handle(lua_State *L, xt_session *s)
{
    if (!s->used)
        return;
    CURL *fresh = curl_easy_duphandle(s->x.easy);
    if (fresh == NULL)
        luaL_error(L, "out of memory (curl_easy_duphandle)");
    curl_easy_cleanup(s->x.easy);
    s->x.easy = fresh;
    (void)curl_easy_setopt(fresh, CURLOPT_SHARE, s->share);
    xt_xfer_bind(&s->x);
    s->used = 0;
}

static int session_get(lua_State *L)
{
    xt_session *s = check_session(L);
    size_t ulen;
    const char *url = luaL_checklstring(L, 2, &ulen);
    if (strlen(url) != ulen)
        return luaL_argerror(L, 2, "URL contains a NUL byte");
    long timeout_ms = xt_timeout_arg(L, 3, s->conf.timeout_ms);
    lua_settop(L, 2);
    fresh_handle(L, s);
    if (xt_xfer_prepare(&s->x, url, timeout_ms) != CURLE_OK)
        return luaL_error(L, "out of memory");
    s->used = 1;
    CURLcode rc = curl_easy_perform(s->x.easy);
    s->requests++;
    s->connects += (unsigned long)xt_xfer_connects(&s->x);
    xt_xfer_push_result(L, &s->x, rc, &s->conf); /* url r */
    xt_xfer_trim(&s->x);
    return 1;
}

static int session_stats(lua_State *L)
{
    xt_session *s = check_session(L);
    xt_http_push_stats(L, s->requests, s->connects);
    return 1;
}

static int session_close(lua_State *L)
{
    xt_session *s = luaL_checkudata(L, 1, SESSION_MT);
    xt_xfer_free(&s->x);
    if (s->share != NULL) {
        curl_share_cleanup(s->share); /* after the handle that used it */
        s->share = NULL;
    }
    return 0;
}

static int session_tostring(lua_State *L)
{
    xt_session *s = luaL_checkudata(L, 1, SESSION_MT);
    if (s->x.easy == NULL)
        lua_pushliteral(L, "xingtu.Session (closed)");
    else
        lua_pushfstring(L, "xingtu.Session (%p)", (void *)s);
    return 1;
}

static const luaL_Reg session_methods[] = {
    {"get", session_get},
    {"stats", session_stats},
    {"close", session_close},
    {NULL, NULL},
};

static const luaL_Reg session_meta[] = {
    {"__gc", session_close},
#if LUA_VERSION_NUM >= 504
    {"__close", session_close},
#endif
    {"__tostring", session_tostring},
    {NULL, NULL},
};

void xt_http_register(lua_State *L)
{
    xt_http_global_init();
    luaL_checkstack(L, 3, "xingtu.core");
    if (luaL_newmetatable(L, SESSION_MT)) { /* mod mt */
        xt_setfuncs(L, session_meta);
        lua_createtable(L, 0, 3); /* mod mt methods */
        xt_setfuncs(L, session_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, session_new);
    lua_setfield(L, -2, "session");
    xt_multi_register(L);
}
