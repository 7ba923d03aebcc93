/*
 * result.c: a finished transfer's buffers and libcurl's account of it, as the Lua result table (contract in
 * result.h). The body is decoded here, after the transfer, never inside a libcurl callback.
 */
#include "result.h"

#include <stdio.h>
#include <string.h>

#include "json_decode.h"
#include "xt_limits.h"

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

/* Stack: r on top; sets r.error and r.error_message. */
static void set_error(lua_State *L, xt_xfer *x, CURLcode rc)
{
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

/* Stack: r on top; sets r.body, or r.json_error and r.raw. */
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
    if (rc != CURLE_OK)
        set_error(L, x, rc);
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

void xt_push_stats(lua_State *L, unsigned long requests, unsigned long connects)
{
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)requests);
    lua_setfield(L, -2, "requests");
    lua_pushinteger(L, (lua_Integer)connects);
    lua_setfield(L, -2, "connects");
}
