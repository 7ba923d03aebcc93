--- The client: one token, one connection pool, every catalogue endpoint as a method.
--
-- A call goes: validate the arguments against the catalogue (raise on mistakes, nothing sent) -> build the URL ->
-- spend guard -> pace (rate limit) -> one attempt through the transport -> classify the answer -> retry or return.
-- The transport is the C core's libcurl session unless the caller hands in another object with the same `get`
-- (specs hand in fakes; nginx hands in a non-blocking one).
--
-- Every method of the catalogue is a method of the client (see `xingtu.endpoints`); batches are `Client:each` and
-- `Client:batch` (`xingtu.batch`). Made by `xingtu.new`.
-- @module xingtu.client

local errors = require "xingtu.errors"
local validate = require "xingtu.validate"
local optschema = require "xingtu.options"
local retry = require "xingtu.retry"
local ratelimit = require "xingtu.ratelimit"
local catalogue = require "xingtu.catalogue"
local secret = require "xingtu.secret"

local _M = {}

local concat, format, tostring, type = table.concat, string.format, tostring, type
local pairs, ipairs, setmetatable, error, pcall = pairs, ipairs, setmetatable, error, pcall
local raise = optschema.raise

local DEFAULT_BASE_URL = "https://api.justoneapi.com"
local MASK = "***"

-- Tokens live outside the client table, so printing or serialising a client can never reveal one:
-- secrets[client] = { encoded = <the token percent-encoded, as it travels in the query>,
--                     mask = <xingtu.secret's masker: the token hidden in any form, whole or in part>,
--                     mask_body = <the same for the token whole only: for bodies kept as data> }.
local secrets = setmetatable({}, { __mode = "k" })

--- A client of the Just One API (made by `xingtu.new`).
-- @type Client
local Client = {}
Client.__index = Client
_M.Client = Client

local by_name = catalogue.by_name

local function percent_encode(value)
    return (value:gsub("[^%w%-%._~]", function(c) return format("%%%02X", c:byte()) end))
end
_M.percent_encode = percent_encode

-- Transport selection. `transport` is an object with get(url), or "curl" (the C core's libcurl session) or "ngx"
-- (nginx cosockets, xingtu/transport/ngx.lua). Left out, it is "ngx" whenever the code runs inside nginx's Lua module,
-- whatever the phase the client is made in (a client made in init_worker_by_lua still serves requests without
-- blocking the worker), else "curl".
local function in_nginx()
    local n = rawget(_G, "ngx")
    return type(n) == "table" and type(n.socket) == "table" and type(n.socket.tcp) == "function"
        and type(n.get_phase) == "function"
end

-- An object's get, looked up without raising: indexing a userdata without __index (xingtu.null) raises.
local function method_of(value, name)
    local t = type(value)
    if t ~= "table" and t ~= "userdata" then return nil end
    local ok, f = pcall(function() return value[name] end)
    return ok and f or nil
end

local function transport_value(value)
    if value == "curl" or value == "ngx" then return value end
    if type(method_of(value, "get")) == "function" then return value end
    return nil
end

-- The options of xingtu.new and their ranges (the README's options table says the same). Times are bounded to a
-- day (the C core takes up to 7; nothing the provider does needs more than minutes); retries to 100 (the retry
-- budget of 500 tokens allows no more at 5 a retry); counts to what a client can ever send.
local DAY = 86400
local LIMITS = require("xingtu.core").limits
local OPTIONS = optschema.schema("xingtu.new", {
    { "token", "custom", check = function(v) return type(v) == "string" and v ~= "" and v or nil end,
        expect = "a non-empty string", secret = true },
    { "base_url", "custom", check = function(v) return type(v) == "string" and v or nil end,
        expect = "an http:// or https:// URL" },
    { "timeout", "number", min = 0.001, max = DAY, unit = "seconds", default = LIMITS.default_timeout },
    { "connect_timeout", "number", min = 0.001, max = DAY, unit = "seconds", default = LIMITS.default_connect_timeout },
    { "deadline", "number", min = 0.001, max = DAY, unit = "seconds" },
    { "user_agent", "string" },
    { "ca_file", "string" },
    { "proxy", "string" },
    { "max_body", "integer", min = 1, max = 1073741824, unit = "bytes" },
    { "retries", "integer", min = 0, max = 100, default = 3 },
    { "backoff_base", "number", min = 0, max = 3600, unit = "seconds", default = 0.5 },
    { "backoff_max", "number", min = 0, max = DAY, unit = "seconds", default = 20 },
    { "retry_unknown", "boolean", default = false },
    { "rate", "number", min = 0.001, max = 100000, unit = "requests a second" },
    -- A request takes one whole token: a bucket smaller than one would never send.
    { "burst", "number", min = 1, max = 100000, unit = "requests" },
    { "adaptive", "boolean", default = false },
    { "max_calls", "integer", min = 0, max = 1000000000 },
    { "clock", "function" },
    { "sleep", "function" },
    { "random", "function", default = math.random },
    { "wall_clock", "function", default = os.time },
    { "cache", "custom", check = function(v) return require("xingtu.cache").accepts(v) end,
        expect = "true, false, a directory, a xingtu.cache object or { shared_dict = \"name\" }" },
    { "cache_ttl", "number", min = 0, max = 31536000, unit = "seconds" },
    { "offline", "boolean" },
    { "transport", "custom", check = transport_value,
        expect = "\"curl\", \"ngx\" or an object with a get(url) method" },
})
_M.OPTIONS = OPTIONS

local function open_transport(core, choice, options)
    if choice == "ngx" then return require("xingtu.transport.ngx").new(core, options) end
    return core.session(options)
end

-- Waits (retries, pacing) use ngx.sleep inside nginx where the phase allows it: a blocking sleep there would stall
-- every request of the worker.
local function default_sleep(core)
    if not in_nginx() then return core.sleep end
    return require("xingtu.transport.ngx").sleeper(core.sleep)
end

--- xingtu.new(opts) with the C core to use: see `xingtu.new`.
-- @local
function _M.new(core, opts)
    local o = OPTIONS:check(opts)

    local token = o.token
    if token == nil then token = os.getenv("JUSTONEAPI_TOKEN") end
    if type(token) ~= "string" or token == "" then
        raise("xingtu.new: no API token: pass xingtu.new{ token = \"...\" } or set the JUSTONEAPI_TOKEN environment"
            .. " variable")
    end

    local base_url = o.base_url
    if base_url == nil then base_url = os.getenv("JUSTONEAPI_BASE_URL") end
    if base_url == nil or base_url == "" then base_url = DEFAULT_BASE_URL end
    -- A path prefix is fine (a proxy's /xingtu); a query or a fragment would swallow the endpoint's path.
    if not base_url:match("^[hH][tT][tT][pP][sS]?://[^/?#]+[^?#]*$") or base_url:find("[%z\1-\32\127]") then
        raise(format("xingtu.new: option base_url must be an http:// or https:// URL without a query, a fragment"
            .. " or blanks, got %s", optschema.describe(base_url)))
    end
    base_url = base_url:gsub("/+$", "")

    local self = setmetatable({
        base_url = base_url,
        timeout = o.timeout,
        connect_timeout = o.connect_timeout,
        deadline = o.deadline,
        max_calls = o.max_calls,
        clock = o.clock or core.now,
        sleep = o.sleep or default_sleep(core),
        stats_ = { sent = 0, succeeded = 0, failed = 0, retried = 0, failed_by_kind = {} },
    }, Client)
    secrets[self] = { encoded = percent_encode(token), mask = secret.masker(token),
        mask_body = secret.masker(token, { whole = true }) }

    self.policy = retry.new {
        retries = o.retries,
        backoff_base = o.backoff_base,
        backoff_max = o.backoff_max,
        retry_unknown = o.retry_unknown,
        random = o.random,
        wall_clock = o.wall_clock,
    }
    self.bucket = ratelimit.new({ rate = o.rate, burst = o.burst, adaptive = o.adaptive }, self.clock())

    -- Kept for the batch engine, which opens a core.multi with the same settings.
    self.transport_options = {
        timeout = self.timeout,
        connect_timeout = self.connect_timeout,
        user_agent = o.user_agent,
        ca_file = o.ca_file,
        proxy = o.proxy,
        max_body = o.max_body,
    }
    self.core = core
    -- The response cache (lua/xingtu/cache.lua): off unless `cache` (or `offline`) is given. Its session also
    -- returns the raw body (keep_text), which is what the cache stores.
    local cache = require("xingtu.cache")
    self.cache = cache.from_options(o)
    if self.cache then
        self.from_cache, self.to_cache = cache.from_cache, cache.to_cache
        self.cache_account = cache.account(token) -- keys are per account, by a one-way fingerprint of the token
    end
    -- Both the session and the batch engine (open_multi) then return the raw body as well.
    if self.cache then self.transport_options.keep_text = true end
    local choice = o.transport
    if choice == nil then choice = in_nginx() and "ngx" or "curl" end
    if choice == "ngx" and not in_nginx() then
        raise("xingtu.new: transport \"ngx\" needs nginx's Lua module (ngx.socket.tcp): not running inside nginx")
    end
    if type(choice) ~= "string" then
        self.transport = choice
    else
        self.transport = open_transport(core, choice, self.transport_options)
    end
    return self
end

--- A multi-request engine (add/poll/pending/close, see csrc/multi.c) for `concurrency` transfers at once. A
--  transport handed to xingtu.new may provide its own `multi(options)`; otherwise the C core's is used.
-- @local
function Client:open_multi(concurrency)
    local options = { concurrency = concurrency }
    for k, v in pairs(self.transport_options) do options[k] = v end
    if self.transport.multi then return self.transport:multi(options) end
    return self.core.multi(options)
end

-- Cache seam: the response cache replaces these when enabled. from_cache returns nil (go on and send), or "hit",
-- data, meta, or "fail", err (e.g. offline and not cached); to_cache sees every successful transport result.
function Client.from_cache() return nil end
function Client.to_cache() end

function Client:__tostring()
    return format("xingtu.Client (%s, token %s)", self.base_url, MASK)
end

--- Hides this client's token in `text` by ***: raw, percent-encoded in any way, JSON- or HTML-escaped, and any
-- 6 bytes of it in a row (xingtu.secret).
-- @param text a string (anything else is returned as it is)
-- @return the masked text
function Client:mask(text)
    return secrets[self].mask(text)
end

--- Hides this client's token where it appears whole, in any encoding, in a successful body that is kept (the
-- cache's entries): such a body is data and was not cut, and 6 bytes of a token may be 6 bytes of the data too.
-- @local
function Client:mask_body(text)
    return secrets[self].mask_body(text)
end

-- A call keeps the URL to show (token masked) and the two halves of the URL to send around the token. The URL
-- with the token is made when an attempt is handed to the transport (wire_url) and kept by nobody, so no call
-- table (a batch holds hundreds, and hands them to the multi as tags) ever carries the token.
local function url_parts(self, path, query)
    local items = {}
    for i, pair in ipairs(query) do
        items[i] = percent_encode(pair[1]) .. "=" .. percent_encode(pair[2])
    end
    local rest = #items > 0 and "&" .. concat(items, "&") or ""
    return self.base_url .. path .. "?token=", rest
end

--- The URL to send and the one to show (token masked), made when asked for: nothing keeps the first.
-- @tparam string path the endpoint's path, e.g. "/api/douyin-xingtu/gw/api/aggregator/get_author_tags/v1"
-- @tparam table query an array of { name, value } strings, sent in this order after the token
-- @treturn string the URL with the token (never show it)
-- @treturn string the same URL with token=***
function Client:url_for(path, query)
    local head, tail = url_parts(self, path, query)
    return head .. secrets[self].encoded .. tail, head .. MASK .. tail
end

--- The URL to send for a call (token included): for the transport only, at send time.
-- @local
function Client:wire_url(call)
    return call.url_head .. secrets[self].encoded .. call.url_tail
end

local function count_failure(stats, kind)
    stats.failed = stats.failed + 1
    stats.failed_by_kind[kind] = (stats.failed_by_kind[kind] or 0) + 1
end

-- A fresh per-call state, shared by the single-call loop and the batch engine.
function Client:new_call(endpoint, path, query)
    local head, tail = url_parts(self, path, query)
    -- query (the { name, value } pairs sent) is what the response cache keys the call by.
    return { endpoint = endpoint, url_head = head, url_tail = tail, shown_url = head .. MASK .. tail, query = query,
        attempts = 0, started = self.clock() }
end

-- The error of a call whose deadline comes before its next attempt could end: its last real failure when it had one.
local function deadline_error(call, why)
    local err = call.last_error or errors.new { kind = "timeout", billed = false, endpoint = call.endpoint,
        message = why }
    err.deadline_exceeded = true
    return err
end

--- What the call should do now: "send" plus the attempt's timeout (nil: the client's), "wait" plus seconds
--  (pacing), or "fail" plus an error (spend guard, deadline).
-- @local
function Client:before_attempt(call)
    if self.max_calls and self.stats_.sent >= self.max_calls then
        return "fail", errors.new {
            kind = "budget_exceeded",
            billed = false,
            endpoint = call.endpoint,
            message = format("max_calls (%d) spent: nothing sent", self.max_calls),
            previous = call.last_error,
        }
    end
    local now = self.clock()
    local left
    if self.deadline then
        left = call.started + self.deadline - now
        if left <= 0 then return "fail", deadline_error(call, "deadline passed: nothing sent") end
    end
    local wait = self.bucket:take(now)
    if wait > 0 then
        if left and wait > left then
            return "fail", deadline_error(call, "deadline would pass while waiting for the rate limit: nothing sent")
        end
        return "wait", wait
    end
    self.stats_.sent = self.stats_.sent + 1
    call.attempts = call.attempts + 1
    call.sent_at = now -- adaptive pacing tells refusals of requests sent before its last decrease by it
    -- The deadline bounds the whole call: an attempt gets only what is left of it.
    call.capped = left ~= nil and left < self.timeout
    return "send", call.capped and left or nil
end

-- The provider's own strings in a meta or an error (it may echo the query, token included) with the token masked.
function Client:mask_answer(meta)
    meta.message = self:mask(meta.message)
    meta.request_id = self:mask(meta.request_id)
    meta.record_time = self:mask(meta.record_time)
    return meta
end

--- Classifies one transport result. Returns "done", data, meta; or "retry", seconds; or "fail", err.
-- @local
function Client:after_attempt(call, res, null)
    local data, meta = errors.classify(res, call.endpoint, secrets[self].mask)
    self:mask_answer(meta) -- before the error is kept as call.last_error (err.previous) or returned
    if not errors.is_error(meta) then
        if data == nil then data = null end
        self:to_cache(call, res)
        self.policy:on_success()
        self.bucket:on_success()
        meta.url = call.shown_url
        meta.attempts = call.attempts
        meta.elapsed = self.clock() - call.started
        meta.rate = self.bucket:current()
        self.stats_.succeeded = self.stats_.succeeded + 1
        return "done", data, meta
    end
    local err = meta
    if err.kind == "rate_limited" then self.bucket:on_rate_limited(self.clock(), call.sent_at) end
    local wait = self.policy:decide(err, call.attempts, res.retry_after)
    if err.kind == "timeout" and call.capped then
        err.deadline_exceeded = true -- cut short by the deadline: nothing is left for another attempt
        wait = nil
    elseif wait and self.deadline and self.clock() + wait > call.started + self.deadline then
        err.deadline_exceeded = true
        wait = nil
    end
    if wait then
        self.stats_.retried = self.stats_.retried + 1
        call.last_error = err
        return "retry", wait
    end
    return "fail", err
end

--- Finishes a failed call: attempts recorded, token masked, counted.
-- @local
function Client:failed(call, err)
    err.attempts = call.attempts
    err.message = self:mask(err.message)
    err.url = call.shown_url
    count_failure(self.stats_, err.kind)
    return nil, err
end

-- One call, start to end, blocking.
function Client:perform(call)
    local null = _M.null
    local cached, a, b = self:from_cache(call)
    if cached == "hit" then return a, b end
    if cached == "fail" then return self:failed(call, a) end
    while true do
        local action, value = self:before_attempt(call)
        if action == "fail" then
            return self:failed(call, value)
        elseif action == "wait" then
            self.sleep(value)
        else
            local res = self.transport:get(self:wire_url(call), value)
            local outcome, result, meta = self:after_attempt(call, res, null)
            if outcome == "done" then return result, meta end
            if outcome == "fail" then return self:failed(call, result) end
            self.sleep(result)
        end
    end
end

-- After close nothing is sent: a call raises (it is a mistake in the caller's code) before anything else.
local function check_open(self, what)
    if type(self) ~= "table" or getmetatable(self) ~= Client then
        raise(format("xingtu: %s must be called as client:%s(...), on a client", what, what))
    end
    if self.closed then raise(format("xingtu.%s: the client is closed", what)) end
end

local function call_endpoint(self, ep, params)
    check_open(self, ep.name)
    -- level 4: validate.fail -> validate.query -> call_endpoint -> method/call -> user code
    local query = validate.query(ep, params, 3)
    return self:perform(self:new_call(ep.name, ep.path, query))
end

--- Any catalogue endpoint by name: `client:call("touch_distribution", params)` is
-- `client:touch_distribution(params)`. A mistake in the arguments raises before anything is sent.
-- @tparam string name a method of the catalogue (`xingtu.endpoint_names`)
-- @tparam[opt] table params its parameters, by snake_case or provider name
-- @return data (the envelope's `data`) and meta (code, message, request_id, record_time, http_status, elapsed,
--   attempts, rate, url with the token masked, cached, age); or nil and the error (see the README's error table)
function Client:call(name, params)
    check_open(self, "call")
    local ep = by_name[name]
    if not ep then
        error(format("xingtu: unknown endpoint %s; valid endpoints: %s", tostring(name), catalogue.names_text()), 2)
    end
    return call_endpoint(self, ep, params)
end

for _, ep in ipairs(catalogue.entries) do
    Client[ep.name] = function(self, params)
        return call_endpoint(self, ep, params)
    end
end

--- The raw escape hatch: any path, for endpoints newer than this library. Parameters are sent as given (the
--  provider's names), nothing is checked but their types; the answer is classified like any other call.
-- @tparam string path the path under the base URL
-- @tparam[opt] table params name -> string, number or boolean
-- @return data, meta; or nil, err (as `Client:call`)
function Client:get(path, params)
    check_open(self, "get")
    if type(path) ~= "string" or path:sub(1, 1) ~= "/" then
        error("xingtu: get: path must be a string starting with /, got " .. tostring(path), 2)
    end
    if params ~= nil and type(params) ~= "table" then
        error("xingtu: get: params must be a table of parameters, got " .. optschema.describe(params), 2)
    end
    local query = {}
    for key, value in pairs(params or {}) do
        local t = type(value)
        -- A NaN or an infinity would go out as "nan" or "inf": no parameter of the provider means that.
        if type(key) ~= "string" or (t ~= "string" and t ~= "number" and t ~= "boolean")
            or (t == "number" and not (value > -math.huge and value < math.huge)) then
            error(format("xingtu: get: parameter %s must be a string, a finite number or a boolean, got %s",
                type(key) == "string" and key or optschema.describe(key), optschema.describe(value)), 2)
        end
        if key == "token" then error("xingtu: get: the token is added by the client; do not pass it", 2) end
        if math.type and math.type(value) == "integer" then
            value = format("%d", value)
        elseif not math.type and t == "number" and value == math.floor(value) and math.abs(value) < 2 ^ 53 then
            value = format("%d", value) -- LuaJIT: an integral double, not "1e+15"
        end
        query[#query + 1] = { key, tostring(value) }
    end
    table.sort(query, function(a, b) return a[1] < b[1] end)
    return self:perform(self:new_call(path, path, query))
end

--- Counters since the client was made.
-- @treturn table { sent, succeeded, failed, failed_by_kind = { kind = n }, retried, retry_budget, rate }
function Client:stats()
    local s = self.stats_
    local by_kind = {}
    for kind, n in pairs(s.failed_by_kind) do by_kind[kind] = n end
    return {
        sent = s.sent,
        succeeded = s.succeeded,
        failed = s.failed,
        failed_by_kind = by_kind,
        retried = s.retried,
        retry_budget = self.policy.budget,
        rate = self.bucket:current(),
    }
end

--- Closes the client's connections (also `<close>`, and the garbage collector's). The client may not be used after.
function Client:close()
    self.closed = true
    if self.transport and self.transport.close then self.transport:close() end
end

Client.__close = Client.close

--- Items across the pages of a paged endpoint: `for i, item, info in client:pages(method, params, opts)`. Each
-- page is a billed call. See `xingtu.pages.iterate` for the options.
-- @tparam string method a paged method (`xingtu.pages.paged_methods`)
-- @tparam[opt] table params its parameters (page: the first page, default 1)
-- @tparam[opt] table opts `max_pages` (default 10) and the like
-- @return an iterator, its state, nil and a to-be-closed value
function Client:pages(method, params, opts)
    check_open(self, "pages")
    return require("xingtu.pages").iterate(self, method, params, opts)
end

-- client:batch and client:each (lua/xingtu/batch.lua), built on the seams above.
require("xingtu.batch").install(Client)

return _M
