/*
 * fuzz_envelope.c: libFuzzer target for the response path, from the bytes a server sends to the error a user sees.
 *
 * The input is a raw HTTP response. libcurl connects to a listening Unix socket of this process (abstract namespace,
 * CURLOPT_ABSTRACT_UNIX_SOCKET: no file, no TCP port, no TIME-WAIT), and once the connection stands (the
 * CURLOPT_PREREQFUNCTION callback, before the request is sent) the server side is accepted, given the input and shut
 * down for writing. So the whole C path runs as in production: libcurl's parser, the callbacks of transfer.c
 * (body buffer with its size cap, Content-Type / Retry-After / X-Request-Id capture), the decode of the body into the
 * result table (xt_xfer_push_result). The Lua layer then classifies that table exactly as the client does
 * (errors.classify from lua/xingtu/errors.lua, the envelope is read in Lua, not in C) and the retry policy decides on
 * the error (retry.lua: Retry-After as seconds or an HTTP date).
 *
 * Checked for every input: no sanitizer finding; no Lua error anywhere on the path (a server must not be able to make
 * a call raise); the result table's shape (see csrc/result.h); a success only for a 2xx answer whose body is an
 * envelope with code 0; a failure always an error table with a documented kind, a boolean `retryable`, `billed`
 * true/false/"unknown", the answer's HTTP status and a one-line tostring; the retry decision nil or a wait in
 * [0, backoff_max]; the token in the request URL never in the result.
 * Input larger than the socket buffers (about 200 KB; libFuzzer runs with -max_len=65536) would be cut short.
 *
 * Each input gets a fresh easy handle (curl_easy_duphandle of the configured one), as every request of a session or
 * a multi does: reusing one handle trips a bug of libcurl 7.88.1 (Debian 12) itself, found by this target. A response
 * whose first header line is a folded continuation (" x") is unfolded into the previous transfer's freed header
 * store (state.prevhead is left dangling): a heap-use-after-free inside libcurl, a segfault without ASan.
 * fuzz/envelope-seeds/folded-first-header.http is such a response; spec/reliability_sandbox_spec.lua has the
 * regression over a reused connection.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "options.h"
#include "result.h"
#include "transfer.h"

#ifndef XINGTU_LUA_DIR
#error "XINGTU_LUA_DIR (the repository's lua/ directory) must be defined"
#endif

#define FUZZ_TOKEN "fuzz-token-5ecret"
#define FUZZ_URL                                                                                                       \
    "http://127.0.0.1:9/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1?token=" FUZZ_TOKEN               \
    "&oAuthorId=6976442543234760712"
#define FUZZ_MAXBODY 32768 /* below -max_len, so the too_large path is reachable */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The checks in Lua, compiled once: a function (res, token) that raises on any violation. */
static const char CHECKER[] =
    "local errors = require 'xingtu.errors'\n"
    "local retry = require 'xingtu.retry'\n"
    "local KINDS = { invalid_token = 1, not_found = 1, collection_failed = 1, rate_limited = 1, quota_exceeded = 1,\n"
    "  invalid_params = 1, server_error = 1, permission_denied = 1, insufficient_balance = 1,\n"
    "  token_limit_exceeded = 1, api_error = 1, timeout = 1, network = 1, bad_response = 1 }\n"
    "local TRANSPORT = { timeout = 1, connect = 1, resolve = 1, send = 1, recv = 1, partial = 1, too_large = 1,\n"
    "  protocol = 1, tls = 1, other = 1 }\n"
    "local function check(ok, what) if not ok then error('invariant violated: ' .. what, 2) end end\n"
    "local random = function() return 0.5 end\n"
    "return function(res, token, max_body)\n"
    /* any integer: libcurl 7.88 reports e.g. -2072745074 for "HTTP/22222222222.2 429" (odd-version-status seed) */
    "  check(math.type(res.status) == 'integer', 'status ' .. tostring(res.status))\n"
    "  check(type(res.sent) == 'boolean', 'sent')\n"
    "  check(math.type(res.size) == 'integer' and res.size >= 0 and res.size <= max_body, 'size')\n"
    "  check(type(res.elapsed) == 'number' and res.elapsed >= 0, 'elapsed')\n"
    "  check(res.url == nil, 'no url in the result')\n"
    "  for _, k in ipairs { 'content_type', 'retry_after', 'request_id' } do\n"
    "    local v = res[k]\n"
    "    check(v == nil or (type(v) == 'string' and #v > 0 and not v:find('[%z\\1-\\31\\127]')), k)\n"
    "  end\n"
    "  if res.error then\n"
    "    check(TRANSPORT[res.error], 'error kind ' .. tostring(res.error))\n"
    "    check(type(res.error_message) == 'string', 'error_message')\n"
    "    check(not res.error_message:find(token, 1, true), 'token in error_message')\n"
    "    check(res.body == nil and res.json_error == nil, 'no body after a transport error')\n"
    "  elseif res.body == nil then\n"
    "    check(type(res.json_error) == 'string' and res.json_error:find(' at byte %d+$') or\n"
    "          res.json_error == 'empty body', 'json_error')\n"
    "    check(type(res.raw) == 'string' and #res.raw <= 512 and #res.raw <= res.size, 'raw')\n"
    "  else\n"
    "    check(res.json_error == nil and res.raw == nil, 'body xor json_error')\n"
    "  end\n"
    "  local data, meta = errors.classify(res, 'touch_distribution')\n"
    "  if errors.is_error(meta) then\n"
    "    check(data == nil, 'no data with an error')\n"
    "    check(KINDS[meta.kind], 'kind ' .. tostring(meta.kind))\n"
    "    check(meta.billed == true or meta.billed == false or meta.billed == 'unknown', 'billed')\n"
    "    check(type(meta.retryable) == 'boolean', 'retryable')\n"
    "    check(meta.http_status == res.status, 'http_status')\n"
    "    check(type(meta.message) == 'string', 'message')\n"
    "    if res.error then check(meta.kind == 'network' or meta.kind == 'timeout' or meta.kind == 'bad_response',\n"
    "      'transport failure kind') end\n"
    "    local line = tostring(meta)\n"
    "    check(type(line) == 'string' and not line:find('[\\r\\n]'), 'one-line tostring')\n"
    "    local policy = retry.new { retries = 3, backoff_base = 0.5, backoff_max = 20, retry_unknown = true,\n"
    "      random = random, wall_clock = function() return 1800000000 end }\n"
    "    local wait = policy:decide(meta, 1, res.retry_after)\n"
    "    check(wait == nil or (type(wait) == 'number' and wait >= 0 and wait <= 20), 'retry wait')\n"
    "    check(meta.retry_after == retry.parse_retry_after(res.retry_after, 1800000000), 'retry_after: the header')\n"
    "    if meta.retry_after ~= nil then check(type(meta.retry_after) == 'number' and meta.retry_after >= 0,\n"
    "      'retry_after') end\n"
    "  else\n"
    "    check(type(meta) == 'table' and meta.code == 0, 'success meta')\n"
    "    check(res.status >= 200 and res.status < 300, 'success only for 2xx')\n"
    "    check(type(res.body) == 'table' and res.body.code == 0 and data == res.body.data, 'success data')\n"
    "  end\n"
    "end\n";

static lua_State *fuzz_L;
static xt_xfer fuzz_x;
static CURL *fuzz_tmpl; /* configured once; every input runs on a duplicate */
static xt_conf fuzz_conf;
static int fuzz_listener = -1;   /* the "server": a listening Unix socket in the abstract namespace */
static const uint8_t *fuzz_data; /* the input, for the prereq callback */
static size_t fuzz_size;
static int fuzz_served = -1; /* the accepted server side of the current transfer */

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_envelope: invariant violated: %s (%s)\n", what, strerror(errno));
        abort();
    }
}

/* Connection established, request not yet sent: accept it and put the whole response on the wire. */
static int prereq_cb(void *clientp, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    (void)clientp;
    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    check(fuzz_served < 0, "one connection per transfer");
    fuzz_served = accept4(fuzz_listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    check(fuzz_served >= 0, "accept");
    for (size_t off = 0; off < fuzz_size;) { /* what does not fit in the socket buffer is cut off */
        ssize_t n = write(fuzz_served, fuzz_data + off, fuzz_size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    check(shutdown(fuzz_served, SHUT_WR) == 0, "shutdown");
    return CURL_PREREQFUNC_OK;
}

static void listen_abstract(void)
{
    struct sockaddr_un addr;
    char name[64];
    snprintf(name, sizeof name, "xingtu-fuzz-envelope-%ld", (long)getpid());
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path + 1, name, strlen(name)); /* sun_path[0] == 0: abstract */
    fuzz_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    check(fuzz_listener >= 0, "socket");
    check(bind(fuzz_listener, (struct sockaddr *)&addr,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))) == 0,
          "bind");
    check(listen(fuzz_listener, 4) == 0, "listen");
    check(curl_easy_setopt(fuzz_tmpl, CURLOPT_ABSTRACT_UNIX_SOCKET, name) == CURLE_OK, "unix socket");
}

/* Under lua_pcall, once: the checker, the transfer's options (the same code path as core.session). */
static int setup(lua_State *L)
{
    const char *dir = getenv("XINGTU_FUZZ_LUA_DIR"); /* another tree's Lua layer, e.g. to replay against it */
    lua_getglobal(L, "package");
    lua_pushfstring(L, "%s/?.lua", dir != NULL && dir[0] != '\0' ? dir : XINGTU_LUA_DIR);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
    if (luaL_loadbuffer(L, CHECKER, sizeof CHECKER - 1, "=fuzz_envelope_checker") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1); /* checker */
    lua_createtable(L, 0, 4);
    lua_pushnumber(L, 2);
    lua_setfield(L, -2, "timeout");
    lua_pushnumber(L, 2);
    lua_setfield(L, -2, "connect_timeout");
    lua_pushinteger(L, FUZZ_MAXBODY);
    lua_setfield(L, -2, "max_body");
    lua_pushinteger(L, 64);
    lua_setfield(L, -2, "max_depth"); /* checker opts */
    xt_curl_global_init();
    fuzz_tmpl = curl_easy_init();
    check(fuzz_tmpl != NULL, "curl_easy_init");
    xt_options_apply(L, lua_gettop(L), fuzz_tmpl, &fuzz_conf, NULL);
    fuzz_x.max_body = fuzz_conf.max_body;
    listen_abstract();
    curl_easy_setopt(fuzz_tmpl, CURLOPT_PREREQFUNCTION, prereq_cb);
    curl_easy_setopt(fuzz_tmpl, CURLOPT_FORBID_REUSE, 1L); /* a fresh connection, i.e. a fresh input, each time */
    curl_easy_setopt(fuzz_tmpl, CURLOPT_FRESH_CONNECT, 1L);
    if (getenv("XINGTU_FUZZ_VERBOSE") != NULL)
        curl_easy_setopt(fuzz_tmpl, CURLOPT_VERBOSE, 1L);
    lua_pop(L, 1); /* checker */
    return 1;
}

/* Under lua_pcall: (checker, rc) -> builds the result table and runs the checker on it. */
static int build_and_check(lua_State *L)
{
    CURLcode rc = (CURLcode)lua_tointeger(L, 2);
    lua_settop(L, 1);
    xt_xfer_push_result(L, &fuzz_x, rc, &fuzz_conf); /* checker r */
    lua_pushliteral(L, FUZZ_TOKEN);
    lua_pushinteger(L, FUZZ_MAXBODY);
    lua_call(L, 3, 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_State *L = fuzz_L;
    if (L == NULL) {
        L = fuzz_L = luaL_newstate();
        check(L != NULL, "luaL_newstate");
        luaL_openlibs(L);
        lua_pushcfunction(L, setup);
        if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
            fprintf(stderr, "fuzz_envelope: setup failed: %s\n", lua_tostring(L, -1));
            abort();
        }
        /* [1] = checker, for the whole run */
    }
    lua_settop(L, 1);

    fuzz_data = data;
    fuzz_size = size;
    fuzz_x.easy = curl_easy_duphandle(fuzz_tmpl);
    check(fuzz_x.easy != NULL, "curl_easy_duphandle");
    xt_xfer_bind(&fuzz_x);
    check(xt_xfer_prepare(&fuzz_x, FUZZ_URL, fuzz_conf.timeout_ms) == CURLE_OK, "prepare");
    CURLcode rc = curl_easy_perform(fuzz_x.easy);
    check(fuzz_served >= 0, "libcurl connected to the fuzz server");
    close(fuzz_served);
    fuzz_served = -1;

    lua_pushcfunction(L, build_and_check);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, (lua_Integer)rc);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        fprintf(stderr, "fuzz_envelope: Lua error: %s\n", lua_tostring(L, -1));
        abort();
    }
    lua_settop(L, 1);
    xt_xfer_trim(&fuzz_x);
    curl_easy_cleanup(fuzz_x.easy);
    fuzz_x.easy = NULL;
    /* Free this input's garbage now: an input that ends with more mallocs than frees makes libFuzzer run a whole
     * LeakSanitizer scan after it, which took three quarters of the run time (about 90 inputs a second). */
    lua_gc(L, LUA_GCCOLLECT, 0);
    return 0;
}
