-- The nginx transport: HTTP/1.1 over nginx's non-blocking cosockets, for xingtu inside nginx (OpenResty or Debian's
-- libnginx-mod-http-lua), where a blocking libcurl call would stall every other request of the worker.
--
--   local t = require("xingtu.transport.ngx").new(core, { timeout = 60, connect_timeout = 10, max_body = ..., ... })
--   local r = t:get(url)          -- yields to nginx's event loop; the same result table as core.session():get()
--   local m = t:multi{ concurrency = 8 }   -- add(url, tag) / poll(timeout) / pending() / stats() / close()
--
-- xingtu.new picks it by itself inside nginx (or with `transport = "ngx"`). Connections go back to nginx's keepalive
-- pool of the worker after each complete response (`pool_size`, `keepalive_timeout` options), so consecutive calls
-- and the calls of concurrent requests reuse them. For https the server's certificate is always verified against
-- `lua_ssl_trusted_certificate` (nginx.conf), and host names are resolved with nginx's `resolver`.
--
-- The result is the transport result of lua/xingtu/result.lua (csrc/result.h's fields): status, sent, size,
-- elapsed, connects, error and error_message, body (decoded by core.decode) or json_error + raw, text with
-- keep_text, content_type, retry_after, request_id. The URL (it carries the token) is never copied into the
-- result, an error message or a log line.
--
-- `timeout` bounds one whole attempt (connect + TLS + send + the complete answer), as in the C core;
-- `connect_timeout` bounds the connection. A connection taken from the pool that turns out to have been closed by the
-- server before any byte of the answer came back is retried once on a new connection, as libcurl does.
--
-- Four files, one job each: this one is the transport (options, connections from the pool, one attempt, the
-- result); lua/xingtu/transport/ngx/http.lua the HTTP/1.1 framing; lua/xingtu/transport/ngx/failure.lua what each
-- failure means as the result's error name and message; lua/xingtu/transport/ngx/multi.lua the multi engine.

-- luacheck: read globals ngx

local failure = require "xingtu.transport.ngx.failure"
local http = require "xingtu.transport.ngx.http"
local result = require "xingtu.result"
local limits = require("xingtu.core").limits -- shared with the C core (csrc/xt_limits.h)

local _M = { _VERSION = require("xingtu.core").VERSION }

local tostring, type, setmetatable, error = tostring, type, setmetatable, error
local floor, min = math.floor, math.min
local format = string.format

local DEFAULT_TIMEOUT = limits.default_timeout
local DEFAULT_CONNECT_TIMEOUT = limits.default_connect_timeout
local DEFAULT_MAX_BODY = limits.default_max_body
local DEFAULT_POOL_SIZE = 64
local DEFAULT_KEEPALIVE = 60 -- seconds an idle pooled connection is kept
local MAX_CONCURRENCY = limits.concurrency_cap
local DEFAULT_CONCURRENCY = limits.default_concurrency
local RAW_MAX = limits.raw_max

local Transport = {}
Transport.__index = Transport
_M.Transport = Transport
_M.Multi = require("xingtu.transport.ngx.multi").Multi
_M.parse_url = http.parse_url

--- True when this code runs inside nginx's Lua module (cosockets and ngx.sleep exist).
function _M.available()
    local n = rawget(_G, "ngx")
    return type(n) == "table" and type(n.socket) == "table" and type(n.socket.tcp) == "function"
        and type(n.sleep) == "function" and type(n.get_phase) == "function"
end

-- Phases in which cosockets and ngx.sleep may yield.
local YIELDABLE = {
    rewrite = true, access = true, content = true, timer = true,
    ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true,
}

--- True when the current nginx phase allows cosockets (and ngx.sleep).
function _M.can_yield()
    return _M.available() and YIELDABLE[ngx.get_phase()] == true
end

--- A sleep for the client's retries and pacing: ngx.sleep where nginx allows it, else `fallback` (the core's).
function _M.sleeper(fallback)
    return function(seconds)
        if seconds <= 0 then return end
        if YIELDABLE[ngx.get_phase()] then return ngx.sleep(seconds) end
        return fallback(seconds)
    end
end

local has_sema, semaphore = pcall(require, "ngx.semaphore")

--- waiter() -> nil outside a phase that may wait (init_worker, timers' ...), else { wait = f(seconds) -> true when
--  woken, false at the timeout; wake = f() }: how a light thread waits for another's call in flight (the pipeline's
--  coalescing). ngx.semaphore (lua-resty-core) when it loads; else a poll with ngx.sleep, as fine-grained as 10 ms.
function _M.waiter()
    if not YIELDABLE[ngx.get_phase()] then return nil end
    if has_sema then
        local sema = semaphore.new()
        local woken = false
        return {
            wait = function(seconds)
                if woken then return true end
                local ok = sema:wait(seconds)
                return ok and true or woken
            end,
            wake = function() woken = true; sema:post(1) end,
        }
    end
    local woken = false
    return {
        wait = function(seconds)
            local until_ = ngx.now() + seconds
            while not woken and ngx.now() < until_ do
                ngx.sleep(0.01)
                ngx.update_time()
            end
            return woken
        end,
        wake = function() woken = true end,
    }
end

-- ---- options ----

local function check_option(opts, key, lo, hi, default)
    local v = opts[key]
    if v == nil then return default end
    if type(v) ~= "number" or not (v >= lo and v <= hi) then
        error(format("bad option '%s' (number from %s to %s expected)", key, tostring(lo), tostring(hi)), 4)
    end
    return v
end

local KNOWN = {
    timeout = true, connect_timeout = true, max_body = true, max_depth = true, user_agent = true, ca_file = true,
    proxy = true, concurrency = true, pool_size = true, keepalive_timeout = true, keep_text = true,
}

-- The options that are not numbers: raise at the caller of new (level 3) on what nginx cannot do or a wrong type.
local function check_other_options(opts)
    for key in pairs(opts) do
        if not KNOWN[key] then error(format("unknown option '%s'", tostring(key)), 3) end
    end
    if opts.proxy ~= nil then
        error("option 'proxy' is not supported by the nginx transport (cosockets connect directly)", 3)
    end
    if opts.ca_file ~= nil then
        error("option 'ca_file' is not supported by the nginx transport: set lua_ssl_trusted_certificate in"
            .. " nginx.conf", 3)
    end
    if opts.keep_text ~= nil and type(opts.keep_text) ~= "boolean" then
        error("bad option 'keep_text' (boolean expected)", 3)
    end
    if opts.user_agent ~= nil and type(opts.user_agent) ~= "string" then
        error("bad option 'user_agent' (string expected)", 3)
    end
end

local function default_user_agent(core)
    return format("xingtu/%s lua-nginx-module/%s", tostring(core.VERSION),
        tostring(rawget(_G, "ngx") and ngx.config and ngx.config.ngx_lua_version or "?"))
end

-- The checked settings of a transport (check_option raises at level 4: the caller of new).
local function settings(core, opts)
    local max_body = check_option(opts, "max_body", 1, limits.max_body_cap, DEFAULT_MAX_BODY)
    local options_copy = {}
    for k, v in pairs(opts) do options_copy[k] = v end
    return {
        core = core,
        timeout = check_option(opts, "timeout", 0.001, limits.timeout_cap, DEFAULT_TIMEOUT),
        connect_timeout = check_option(opts, "connect_timeout", 0.001, limits.timeout_cap, DEFAULT_CONNECT_TIMEOUT),
        max_body = floor(max_body),
        max_depth = check_option(opts, "max_depth", 1, limits.max_depth_cap, nil),
        user_agent = opts.user_agent or default_user_agent(core),
        pool_size = check_option(opts, "pool_size", 1, 10000, DEFAULT_POOL_SIZE),
        keep_text = opts.keep_text == true,
        keepalive_ms = floor(check_option(opts, "keepalive_timeout", 0, 86400, DEFAULT_KEEPALIVE) * 1000),
        requests = 0,
        connects = 0,
        options = options_copy,
    }
end

--- new(core, opts): opts as core.session's (timeout, connect_timeout, max_body, max_depth, user_agent), plus
--  pool_size and keepalive_timeout for nginx's connection pool, and keep_text (also return the whole body as
--  r.text, for the response cache). ca_file and proxy raise: in nginx TLS trust comes from
--  lua_ssl_trusted_certificate, and cosockets connect directly.
function _M.new(core, opts)
    opts = opts or {}
    check_other_options(opts)
    return setmetatable(settings(core, opts), Transport)
end

function Transport.__tostring()
    return "xingtu.NgxTransport"
end

-- ---- one attempt ----

-- Sends the request and reads the answer on a connected socket. Fills `r` (sent, status, headers) and returns the
-- body text and whether the connection may be kept; or nil (r.error set) and whether the failure came before any
-- byte of the answer.
local function exchange(self, sock, request, r, deadline, limit)
    local sent, err = http.send(sock, request, deadline)
    if not sent then
        failure.send(r, err)
        return nil, true
    end
    r.sent = true
    local status, headers, version = http.read_head(sock, deadline)
    if not status then
        local got_any = version
        failure.head(r, headers, got_any, limit)
        return nil, not got_any
    end
    r.status = status
    r.content_type = headers["content-type"] and http.trimmed(headers["content-type"]) or nil
    r.retry_after = headers["retry-after"] and http.trimmed(headers["retry-after"]) or nil
    r.request_id = headers["x-request-id"] and http.trimmed(headers["x-request-id"]) or nil
    for _, key in ipairs({ "content_type", "retry_after", "request_id" }) do
        if r[key] == "" then r[key] = nil end
    end
    local body, keep_or_why, info = http.read_body(sock, deadline, status, headers, self.max_body)
    if body == nil then
        failure.body(r, keep_or_why, info, limit, self.max_body)
        return nil, false
    end
    return body, keep_or_why and http.keepalive(headers, version)
end

-- A connected cosocket from nginx's pool or a new one (`fresh`: never a pooled one), TLS done. Returns it and
-- whether it was reused; or nil with r.error set.
local function connect(self, target, r, deadline, fresh)
    local sock, serr = ngx.socket.tcp()
    if not sock then
        failure.no_socket(r, serr)
        return nil
    end
    local pool = format("xingtu:%s:%s:%d", target.scheme, target.host, target.port)
    local left = http.left_ms(deadline)
    sock:settimeouts(min(left, floor(self.connect_timeout * 1000 + 0.5)), http.left_ms(deadline),
        http.left_ms(deadline))
    local ok, err = sock:connect(target.host, target.port, { pool = pool, pool_size = self.pool_size })
    if not ok then
        failure.connect(r, err, target.host, target.port)
        return nil
    end
    local reused = (sock:getreusedtimes() or 0) > 0
    if fresh and reused then
        -- A pooled connection was handed back although a fresh one was wanted: drop it, take another.
        sock:close()
        return connect(self, target, r, deadline, fresh)
    end
    if not reused then
        self.connects = self.connects + 1
        r.connects = r.connects + 1
    end
    if target.scheme == "https" and not reused then
        sock:settimeout(http.left_ms(deadline))
        local session, herr = sock:sslhandshake(nil, target.host, true)
        if not session then
            sock:close()
            failure.tls(r, herr, target.host)
            return nil
        end
    end
    return sock, reused
end

-- One attempt on one connection (pooled or new). Returns the body text; or nil (r.error set) and whether to try
-- again on a fresh connection.
local function attempt(self, target, r, deadline, limit, fresh)
    local sock, reused = connect(self, target, r, deadline, fresh)
    if not sock then return nil end
    local body, keep_or_early = exchange(self, sock, target.request, r, deadline, limit)
    if body == nil then
        sock:close()
        -- The server closed an idle pooled connection just as we used it: nothing reached it, try a new one.
        if reused and keep_or_early and (r.error == "recv" or r.error == "send") and ngx.now() < deadline then
            return nil, true
        end
        return nil
    end
    if keep_or_early then
        sock:setkeepalive(self.keepalive_ms, self.pool_size)
    else
        sock:close()
    end
    return body
end

-- The body into the result: decoded (r.body), or r.json_error and the first RAW_MAX bytes (r.raw).
local function decode_into(self, r, body)
    r.size = #body
    if self.keep_text then r.text = body end
    if #body == 0 then
        r.json_error, r.raw = "empty body", ""
        return
    end
    local value, err
    if self.max_depth then
        value, err = self.core.decode(body, self.max_depth)
    else
        value, err = self.core.decode(body)
    end
    if err == nil then
        r.body = value
    else
        r.json_error = err
        r.raw = body:sub(1, RAW_MAX)
    end
end

local function check_get(url, timeout)
    if type(url) ~= "string" then error("bad argument #1 to 'get' (string expected, got " .. type(url) .. ")", 3) end
    if url:find("\0", 1, true) then error("bad argument #1 to 'get' (URL contains a NUL byte)", 3) end
    if timeout ~= nil and (type(timeout) ~= "number" or timeout ~= timeout or timeout <= 0) then
        error("bad argument #2 to 'get' (timeout must be a number of seconds > 0)", 3)
    end
    if not _M.can_yield() then
        error("xingtu: the nginx transport needs a phase that allows cosockets (rewrite, access, content, timer); "
            .. "this is " .. (_M.available() and ngx.get_phase() or "not nginx"), 3)
    end
end

--- t:get(url, timeout) -> result table (see the top of this file); `timeout` (optional) bounds this attempt instead
--  of the transport's. Raises only on misuse or when not inside nginx.
function Transport:get(url, timeout)
    check_get(url, timeout)
    ngx.update_time()
    local started = ngx.now()
    local limit = timeout and min(timeout, self.timeout) or self.timeout
    local deadline = started + limit
    local r = result.new()
    self.requests = self.requests + 1
    local scheme, host, port, path, host_header = http.parse_url(url)
    if not scheme then
        failure.url(r, host)
    else
        local target = { scheme = scheme, host = host, port = port,
            request = http.request(path, host_header, self.user_agent) }
        local body, again = attempt(self, target, r, deadline, limit, false)
        if body == nil and again then
            result.forget_answer(r)
            body = attempt(self, target, r, deadline, limit, true)
        end
        if body ~= nil then decode_into(self, r, body) end
    end
    ngx.update_time()
    r.elapsed = ngx.now() - started
    return r
end

--- t:stats() -> { requests = , connects = } (new connections this transport opened).
function Transport:stats()
    return { requests = self.requests, connects = self.connects }
end

--- Nothing to release: connections belong to nginx's pool.
function Transport.close() end

--- t:multi{ concurrency = n, <transport options> } -> a Multi with the interface of core.multi (csrc/multi.c):
--  add(url, tag), poll(timeout) -> array of results (each with r.tag), pending(), stats(), close(). At most
--  `concurrency` requests run at once, each in its own light thread (ngx.thread) of the calling request
--  (lua/xingtu/transport/ngx/multi.lua).
function Transport:multi(options)
    options = options or {}
    local concurrency = options.concurrency
    if concurrency == nil then concurrency = DEFAULT_CONCURRENCY end
    if type(concurrency) ~= "number" or concurrency < 1 or concurrency > MAX_CONCURRENCY
        or concurrency ~= floor(concurrency) then
        error(format("bad option 'concurrency' (integer from 1 to %d expected)", MAX_CONCURRENCY), 2)
    end
    -- The multi's own transport: this one's settings, overridden by the options given.
    local own, changed = {}, false
    for k, v in pairs(self.options) do own[k] = v end
    for k, v in pairs(options) do
        if k ~= "concurrency" and own[k] ~= v then own[k], changed = v, true end
    end
    local transport = changed and _M.new(self.core, own) or self
    return require("xingtu.transport.ngx.multi").new(transport, concurrency)
end

return _M
