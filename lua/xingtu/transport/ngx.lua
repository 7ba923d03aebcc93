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
-- The result table has the fields of csrc/result.h: status (0 without a response), error ("timeout", "connect",
-- "resolve", "send", "recv", "partial", "too_large", "protocol", "tls", "other") with error_message, sent (the
-- request was written to the socket, so the call may have been billed), body (decoded by core.decode) or
-- json_error + raw (first 512 bytes), size, content_type, retry_after, request_id, elapsed, connects. The URL (it
-- carries the token) is never copied into the result, an error message or a log line.
--
-- `timeout` bounds one whole attempt (connect + TLS + send + the complete answer), as in the C core;
-- `connect_timeout` bounds the connection. A connection taken from the pool that turns out to have been closed by the
-- server before any byte of the answer came back is retried once on a new connection, as libcurl does.

-- luacheck: read globals ngx

local result = require "xingtu.result"
local limits = require("xingtu.core").limits -- shared with the C core (csrc/xt_limits.h)

local _M = { _VERSION = require("xingtu.core").VERSION }

local tonumber, tostring, type, setmetatable, pcall, error = tonumber, tostring, type, setmetatable, pcall, error
local concat, remove = table.concat, table.remove
local floor, max, min = math.floor, math.max, math.min
local format, lower = string.format, string.lower

local DEFAULT_TIMEOUT = limits.default_timeout
local DEFAULT_CONNECT_TIMEOUT = limits.default_connect_timeout
local DEFAULT_MAX_BODY = limits.default_max_body
local DEFAULT_POOL_SIZE = 64
local DEFAULT_KEEPALIVE = 60 -- seconds an idle pooled connection is kept
local MAX_CONCURRENCY = limits.concurrency_cap
local DEFAULT_CONCURRENCY = limits.default_concurrency
local RAW_MAX = limits.raw_max
local HEADER_MAX = limits.header_max

local Transport = {}
Transport.__index = Transport
_M.Transport = Transport

local Multi = {}
Multi.__index = Multi
_M.Multi = Multi

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

local function check_option(opts, key, lo, hi, default)
    local v = opts[key]
    if v == nil then return default end
    if type(v) ~= "number" or not (v >= lo and v <= hi) then
        error(format("bad option '%s' (number from %s to %s expected)", key, tostring(lo), tostring(hi)), 3)
    end
    return v
end

local KNOWN = {
    timeout = true, connect_timeout = true, max_body = true, max_depth = true, user_agent = true, ca_file = true,
    proxy = true, concurrency = true, pool_size = true, keepalive_timeout = true, keep_text = true,
}

--- new(core, opts): opts as core.session's (timeout, connect_timeout, max_body, max_depth, user_agent), plus
--  pool_size and keepalive_timeout for nginx's connection pool, and keep_text (also return the whole body as
--  r.text, for the response cache). ca_file and proxy raise: in nginx TLS trust comes from
--  lua_ssl_trusted_certificate, and cosockets connect directly.
function _M.new(core, opts)
    opts = opts or {}
    for key in pairs(opts) do
        if not KNOWN[key] then error(format("unknown option '%s'", tostring(key)), 2) end
    end
    if opts.proxy ~= nil then
        error("option 'proxy' is not supported by the nginx transport (cosockets connect directly)", 2)
    end
    if opts.ca_file ~= nil then
        error("option 'ca_file' is not supported by the nginx transport: set lua_ssl_trusted_certificate in"
            .. " nginx.conf", 2)
    end
    if opts.keep_text ~= nil and type(opts.keep_text) ~= "boolean" then
        error("bad option 'keep_text' (boolean expected)", 2)
    end
    if opts.user_agent ~= nil and type(opts.user_agent) ~= "string" then
        error("bad option 'user_agent' (string expected)", 2)
    end
    local max_body = check_option(opts, "max_body", 1, limits.max_body_cap, DEFAULT_MAX_BODY)
    local options_copy = {}
    for k, v in pairs(opts) do options_copy[k] = v end
    return setmetatable({
        core = core,
        timeout = check_option(opts, "timeout", 0.001, limits.timeout_cap, DEFAULT_TIMEOUT),
        connect_timeout = check_option(opts, "connect_timeout", 0.001, limits.timeout_cap, DEFAULT_CONNECT_TIMEOUT),
        max_body = floor(max_body),
        max_depth = check_option(opts, "max_depth", 1, limits.max_depth_cap, nil),
        user_agent = opts.user_agent or format("xingtu/%s lua-nginx-module/%s", tostring(core.VERSION),
            tostring(rawget(_G, "ngx") and ngx.config and ngx.config.ngx_lua_version or "?")),
        pool_size = check_option(opts, "pool_size", 1, 10000, DEFAULT_POOL_SIZE),
        keep_text = opts.keep_text == true,
        keepalive_ms = floor(check_option(opts, "keepalive_timeout", 0, 86400, DEFAULT_KEEPALIVE) * 1000),
        requests = 0,
        connects = 0,
        options = options_copy,
    }, Transport)
end

function Transport.__tostring()
    return "xingtu.NgxTransport"
end

-- ---- URLs ----

-- scheme, host, port, target ("/path?query") of an http(s) URL; nil, message when it is not one.
local function parse_url(url)
    local scheme, rest = url:match("^(%a[%w+.-]*)://(.*)$")
    if not scheme then return nil, "malformed URL" end
    scheme = lower(scheme)
    if scheme ~= "http" and scheme ~= "https" then return nil, "unsupported protocol '" .. scheme .. "'" end
    local authority, target = rest:match("^([^/?#]*)(.*)$")
    if authority == "" or authority:find("@", 1, true) then return nil, "malformed URL (host)" end
    local host, port = authority:match("^%[([^%]]+)%]:?(%d*)$") -- [IPv6]:port
    if not host then host, port = authority:match("^([^:]+):?(%d*)$") end
    if not host then return nil, "malformed URL (host)" end
    port = port ~= "" and tonumber(port) or (scheme == "https" and 443 or 80)
    if port < 1 or port > 65535 then return nil, "malformed URL (port)" end
    target = target:gsub("#.*$", "")
    if target == "" then target = "/" end
    if target:sub(1, 1) == "?" then target = "/" .. target end
    if target:find("[%c ]") then return nil, "malformed URL (control character or space)" end
    local default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    local host_header = authority:match("^%[") and ("[" .. host .. "]") or host
    if not default_port then host_header = host_header .. ":" .. port end
    return scheme, host, port, target, host_header
end
_M.parse_url = parse_url

-- ---- one exchange ----

-- The error kinds of csrc/result.h for what a cosocket reports.
local function connect_kind(err)
    if err == "timeout" then return "timeout" end
    if err:find("resolv", 1, true) or err:find("no resolver", 1, true) then return "resolve" end
    return "connect"
end

local function trimmed(value)
    value = value:gsub("^[ \t]+", ""):gsub("[ \t\r\n]+$", ""):gsub("[%c]", "")
    if #value > HEADER_MAX - 1 then value = value:sub(1, HEADER_MAX - 1) end
    return value
end

-- Milliseconds left before `deadline` (ngx.now() seconds), at least 1.
local function left_ms(deadline)
    ngx.update_time()
    return max(1, floor((deadline - ngx.now()) * 1000 + 0.5))
end

-- Reads the status line and the headers. Returns status, headers (lower-case name -> value), http_version; or
-- nil, err, got_any (whether a status line arrived before the failure).
local function read_head(sock, deadline)
    local status, headers, version
    while true do -- skips 1xx interim answers
        sock:settimeout(left_ms(deadline))
        local line, err = sock:receive("*l")
        if not line then return nil, err, status ~= nil end
        version, status = line:match("^HTTP/(%d%.%d) (%d%d%d)")
        if not status then return nil, "invalid HTTP status line", true end
        status = tonumber(status)
        headers = {}
        while true do
            sock:settimeout(left_ms(deadline))
            local h, herr = sock:receive("*l")
            if not h then return nil, herr, true end
            if h == "" then break end
            local name, value = h:match("^([^:]+):(.*)$")
            if name then
                name = lower(name)
                if headers[name] and name ~= "content-type" then
                    headers[name] = headers[name] .. ", " .. value
                else
                    headers[name] = value
                end
            end
        end
        if status >= 200 or status < 100 then break end
    end
    return status, headers, version
end

-- Reads a chunked body into `parts`. Returns true, or nil, err, too_large.
local function read_chunked(sock, deadline, parts, limit)
    local size = 0
    while true do
        sock:settimeout(left_ms(deadline))
        local line, err = sock:receive("*l")
        if not line then return nil, err end
        local n = tonumber(line:match("^%s*(%x+)"), 16)
        if not n then return nil, "invalid chunk size" end
        if n == 0 then
            repeat -- trailers up to the empty line
                sock:settimeout(left_ms(deadline))
                line, err = sock:receive("*l")
                if not line then return nil, err end
            until line == ""
            return true
        end
        if size + n > limit then return nil, "too large", true end
        sock:settimeout(left_ms(deadline))
        local data, derr, partial = sock:receive(n)
        if not data then
            if partial and partial ~= "" then parts[#parts + 1] = partial end
            return nil, derr
        end
        parts[#parts + 1] = data
        size = size + n
        sock:settimeout(left_ms(deadline))
        local crlf, cerr = sock:receive(2)
        if crlf ~= "\r\n" then return nil, cerr or "invalid chunk end" end
    end
end

-- Sends one GET and reads the answer on a connected socket. Fills `r` (status, headers) and returns the body text,
-- keepalive; or nil plus r.error / r.error_message set, and whether the failure happened before any answer byte.
local function exchange(self, sock, request, r, deadline)
    sock:settimeout(left_ms(deadline))
    local bytes, err = sock:send(request)
    if not bytes then
        r.error = err == "timeout" and "timeout" or "send"
        r.error_message = "sending the request failed: " .. tostring(err)
        return nil, false, true
    end
    r.sent = true
    local status, headers, version = read_head(sock, deadline)
    if not status then
        local got_any
        err, got_any = headers, version
        if err == "timeout" then
            r.error, r.error_message = "timeout", format("no answer within %g seconds", r.limit)
        elseif err == "invalid HTTP status line" then
            r.error, r.error_message = "other", "the server's answer is not HTTP (invalid status line)"
        else
            r.error = "recv"
            r.error_message = got_any and ("connection failed while reading the headers: " .. tostring(err))
                or ("the server closed the connection without an answer: " .. tostring(err))
        end
        return nil, false, not got_any
    end
    r.status = status
    if headers["content-type"] then r.content_type = trimmed(headers["content-type"]) end
    if headers["retry-after"] then r.retry_after = trimmed(headers["retry-after"]) end
    if headers["x-request-id"] then r.request_id = trimmed(headers["x-request-id"]) end
    for _, key in ipairs({ "content_type", "retry_after", "request_id" }) do
        if r[key] == "" then r[key] = nil end
    end

    local connection = lower(headers["connection"] or "")
    local keepalive = not connection:find("close", 1, true)
        and (version == "1.1" or connection:find("keep-alive", 1, true) ~= nil)
    local limit = self.max_body
    local parts = {}
    local te = lower(headers["transfer-encoding"] or "")
    local length = headers["content-length"] and tonumber(trimmed(headers["content-length"]))
    if status == 204 or status == 304 then
        return "", keepalive
    elseif te ~= "" and te ~= "identity" then
        if not te:find("chunked", 1, true) then
            r.error, r.error_message = "other", "unsupported transfer encoding: " .. trimmed(te)
            return nil, false
        end
        local ok, cerr, too_large = read_chunked(sock, deadline, parts, limit)
        if not ok then
            r.size = #concat(parts)
            if too_large then
                r.error = "too_large"
                r.error_message = format("response body larger than max_body (%d bytes)", limit)
            elseif cerr == "timeout" then
                r.error, r.error_message = "timeout", format("no complete answer within %g seconds", r.limit)
            elseif cerr == "closed" then
                r.error, r.error_message = "partial", "the connection closed before the end of the body"
            else
                r.error, r.error_message = "recv", "reading the body failed: " .. tostring(cerr)
            end
            return nil, false
        end
        return concat(parts), keepalive
    elseif length then
        if length > limit then
            r.error = "too_large"
            r.error_message = format("response body larger than max_body (%d bytes)", limit)
            return nil, false
        end
        if length == 0 then return "", keepalive end
        sock:settimeout(left_ms(deadline))
        local data, rerr, partial = sock:receive(length)
        if not data then
            r.size = partial and #partial or 0
            if rerr == "timeout" then
                r.error, r.error_message = "timeout", format("no complete answer within %g seconds", r.limit)
            elseif rerr == "closed" then
                r.error = "partial"
                r.error_message = format("the connection closed after %d of %d body bytes", r.size, length)
            else
                r.error, r.error_message = "recv", "reading the body failed: " .. tostring(rerr)
            end
            return nil, false
        end
        return data, keepalive
    else
        -- No length: the body ends when the server closes the connection.
        while true do
            sock:settimeout(left_ms(deadline))
            local data, rerr, partial = sock:receive(65536)
            local piece = data or partial
            if piece and piece ~= "" then
                parts[#parts + 1] = piece
                limit = limit - #piece
                if limit < 0 then
                    r.error = "too_large"
                    r.error_message = format("response body larger than max_body (%d bytes)", self.max_body)
                    return nil, false
                end
            end
            if not data then
                if rerr == "closed" then return concat(parts), false end
                r.size = #concat(parts)
                if rerr == "timeout" then
                    r.error, r.error_message = "timeout", format("no complete answer within %g seconds", r.limit)
                else
                    r.error, r.error_message = "recv", "reading the body failed: " .. tostring(rerr)
                end
                return nil, false
            end
        end
    end
end

-- One attempt on one connection (pooled or new). Returns the body text and whether the connection was reused, or
-- nil plus r.error set and a flag "retry on a fresh connection".
local function attempt(self, scheme, host, port, host_header, request, r, deadline, fresh)
    local sock, serr = ngx.socket.tcp()
    if not sock then
        r.error, r.error_message = "other", "cannot create a cosocket: " .. tostring(serr)
        return nil
    end
    local pool = format("xingtu:%s:%s:%d", scheme, host, port)
    sock:settimeouts(min(left_ms(deadline), floor(self.connect_timeout * 1000 + 0.5)), left_ms(deadline),
        left_ms(deadline))
    local ok, err = sock:connect(host, port, { pool = pool, pool_size = self.pool_size })
    if not ok then
        r.error = connect_kind(err)
        if r.error == "timeout" then
            r.error_message = format("connecting to %s:%d timed out", host, port)
        else
            r.error_message = format("connecting to %s:%d failed: %s", host, port, tostring(err))
        end
        return nil
    end
    local reused = (sock:getreusedtimes() or 0) > 0
    if fresh and reused then
        -- A pooled connection was handed back although a fresh one was wanted: drop it, take another.
        sock:close()
        return attempt(self, scheme, host, port, host_header, request, r, deadline, fresh)
    end
    if not reused then
        self.connects = self.connects + 1
        r.connects = (r.connects or 0) + 1
    end
    if scheme == "https" and not reused then
        sock:settimeout(left_ms(deadline))
        local session, herr = sock:sslhandshake(nil, host, true)
        if not session then
            sock:close()
            r.error = herr == "timeout" and "timeout" or "tls"
            r.error_message = "TLS handshake with " .. host .. " failed: " .. tostring(herr)
            return nil
        end
    end
    local body, keepalive, before_answer = exchange(self, sock, request, r, deadline)
    if body == nil then
        sock:close()
        -- The server closed an idle pooled connection just as we used it: nothing reached it, try a new one.
        if reused and before_answer and (r.error == "recv" or r.error == "send") and ngx.now() < deadline then
            return nil, true
        end
        return nil
    end
    if keepalive then
        sock:setkeepalive(self.keepalive_ms, self.pool_size)
    else
        sock:close()
    end
    return body
end

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

--- t:get(url, timeout) -> result table (see the top of this file); `timeout` (optional) bounds this attempt instead
--  of the transport's. Raises only on misuse or when not inside nginx.
function Transport:get(url, timeout)
    if type(url) ~= "string" then error("bad argument #1 to 'get' (string expected, got " .. type(url) .. ")", 2) end
    if url:find("\0", 1, true) then error("bad argument #1 to 'get' (URL contains a NUL byte)", 2) end
    if timeout ~= nil and (type(timeout) ~= "number" or timeout ~= timeout or timeout <= 0) then
        error("bad argument #2 to 'get' (timeout must be a number of seconds > 0)", 2)
    end
    if not _M.can_yield() then
        error("xingtu: the nginx transport needs a phase that allows cosockets (rewrite, access, content, timer); "
            .. "this is " .. (_M.available() and ngx.get_phase() or "not nginx"), 2)
    end
    ngx.update_time()
    local started = ngx.now()
    local limit = timeout and min(timeout, self.timeout) or self.timeout
    local deadline = started + limit
    local r = result.new { limit = limit } -- limit: for the messages only
    self.requests = self.requests + 1
    local scheme, host, port, target, host_header = parse_url(url)
    if not scheme then
        r.error, r.error_message = "protocol", host
    else
        local request = concat({
            "GET ", target, " HTTP/1.1\r\n",
            "Host: ", host_header, "\r\n",
            "User-Agent: ", self.user_agent, "\r\n",
            "Accept: application/json\r\n",
            "Connection: keep-alive\r\n\r\n",
        })
        local body, again = attempt(self, scheme, host, port, host_header, request, r, deadline, false)
        if body == nil and again then
            result.forget_answer(r)
            body = attempt(self, scheme, host, port, host_header, request, r, deadline, true)
        end
        if body ~= nil then decode_into(self, r, body) end
    end
    ngx.update_time()
    r.elapsed = ngx.now() - started
    r.limit = nil
    return r
end

--- t:stats() -> { requests = , connects = } (new connections this transport opened).
function Transport:stats()
    return { requests = self.requests, connects = self.connects }
end

--- Nothing to release: connections belong to nginx's pool.
function Transport.close() end

-- ---- concurrency: a multi engine on ngx.thread ----

--- t:multi{ concurrency = n, <transport options> } -> a Multi with the interface of core.multi (csrc/multi.c):
--  add(url, tag), poll(timeout) -> array of results (each with r.tag), pending(), stats(), close(). At most
--  `concurrency` requests run at once, each in its own light thread (ngx.thread) of the calling request.
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
    local semaphore = require("ngx.semaphore")
    return setmetatable({
        transport = transport,
        concurrency = concurrency,
        queue = {},   -- { url, tag } not started
        done = {},    -- results not yet returned by poll
        threads = {}, -- thread -> true while it runs or is unreaped
        running = 0,
        pending_ = 0,
        requests = 0,
        connects_before = transport.connects,
        sema = semaphore.new(0),
        closed = false,
    }, Multi)
end

local function check_open(m)
    if m.closed then error("multi is closed", 3) end
end

local function run_one(m, url, tag, timeout)
    local ok, r = pcall(m.transport.get, m.transport, url, timeout)
    if not ok then r = result.failure("other", "transport failure: " .. tostring(r)) end
    m.running = m.running - 1
    if m.closed then return end
    r.tag = tag
    m.done[#m.done + 1] = r
    if m.sema:count() < 0 then m.sema:post(1) end -- wake a waiting poll; nobody waits: nothing to count
end

local function start_queued(m)
    while m.running < m.concurrency and #m.queue > 0 do
        local item = remove(m.queue, 1)
        m.running = m.running + 1
        local th, err = ngx.thread.spawn(run_one, m, item[1], item[2], item[3])
        if not th then
            m.running = m.running - 1
            m.done[#m.done + 1] = result.failure("other", "cannot start a light thread: " .. tostring(err),
                { tag = item[2] })
        else
            m.threads[th] = true
        end
    end
end

--- m:add(url, tag, timeout): queues one GET (timeout, optional: bounds this transfer); it starts at once when a
--  slot is free.
function Multi:add(url, tag, timeout)
    check_open(self)
    if type(url) ~= "string" then error("bad argument #1 to 'add' (string expected, got " .. type(url) .. ")", 2) end
    if url:find("\0", 1, true) then error("bad argument #1 to 'add' (URL contains a NUL byte)", 2) end
    self.queue[#self.queue + 1] = { url, tag, timeout }
    self.pending_ = self.pending_ + 1
    start_queued(self)
end

-- Reaps finished light threads (they are dead; ngx.thread.wait returns at once). Only the spawning coroutine may
-- wait on a thread, so failures are ignored: nginx collects the rest when the request ends.
local function reap(m)
    for th in pairs(m.threads) do
        if coroutine.status(th) == "dead" then
            m.threads[th] = nil
            pcall(ngx.thread.wait, th)
        end
    end
end

--- m:poll(timeout, at_most): waits up to `timeout` seconds (0: only what is already done; nil: until one completes or
--  nothing is left) and returns the completed results, oldest first, at most `at_most` of them (nil: all), each exactly
--  once. poll(0, 0) only lets queued requests start.
function Multi:poll(timeout, at_most)
    check_open(self)
    if timeout ~= nil and (type(timeout) ~= "number" or timeout ~= timeout or timeout < 0) then
        error("bad argument #1 to 'poll' (timeout must be >= 0)", 2)
    end
    if at_most ~= nil and (type(at_most) ~= "number" or at_most < 0 or at_most ~= floor(at_most)) then
        error("bad argument #2 to 'poll' (at_most must be an integer >= 0)", 2)
    end
    start_queued(self)
    if #self.done == 0 and self.pending_ > 0 then
        if timeout == nil then
            self.sema:wait(7 * 86400) -- woken by the first light thread that finishes
        elseif timeout > 0 then
            self.sema:wait(timeout)
        else
            ngx.sleep(0) -- give light threads that are ready a turn
        end
    end
    local out = self.done
    if at_most and #out > at_most then
        local rest = {}
        for k = at_most + 1, #out do
            rest[k - at_most] = out[k]
            out[k] = nil
        end
        self.done = rest
    else
        self.done = {}
    end
    self.pending_ = self.pending_ - #out
    self.requests = self.requests + #out
    reap(self)
    start_queued(self)
    return out
end

--- m:pending(): added and not yet returned by poll.
function Multi:pending()
    check_open(self)
    return self.pending_
end

function Multi:stats()
    check_open(self)
    return { requests = self.requests, connects = self.transport.connects - self.connects_before }
end

--- m:close(): forgets everything queued and kills the running light threads; idempotent.
function Multi:close()
    if self.closed then return end
    self.closed = true
    for th in pairs(self.threads) do
        pcall(ngx.thread.kill, th)
    end
    self.threads, self.queue, self.done = {}, {}, {}
    self.pending_ = 0
end

Multi.__close = Multi.close

function Multi:__tostring()
    return self.closed and "xingtu.NgxMulti (closed)" or "xingtu.NgxMulti"
end

return _M
