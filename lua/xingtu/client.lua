--- The client: one token, one connection pool, every catalogue endpoint as a method.
--
-- A client is its public methods and nothing else: `Client:call`, `Client:get`, one method per catalogue endpoint
-- (`xingtu.endpoints`), `Client:each` and `Client:batch`, `Client:pages`, `Client:stats`, `Client:mask`,
-- `Client:url_for` and `Client:close`. What a call does (cache, spend guard, pacing, the transport, classifying,
-- retrying, counting, masking) is the call pipeline's (lua/xingtu/pipeline.lua), one explicit context per client
-- that this module builds from the options of `xingtu.new`; batches (lua/xingtu/batch.lua) and page loops
-- (lua/xingtu/pages.lua) run on the same pipeline. The transport is the C core's libcurl session unless the caller
-- hands in another object with the same `get` (specs hand in fakes; nginx hands in a non-blocking one).
--
-- Endpoint methods are made from the catalogue when this module loads. An endpoint whose name is one of the methods
-- above (or any other key of the class) raises then: a generated method never replaces a hand-written one.
-- @module xingtu.client

local batch = require "xingtu.batch"
local cache = require "xingtu.cache"
local catalogue = require "xingtu.catalogue"
local optschema = require "xingtu.options"
local pages = require "xingtu.pages"
local pipeline = require "xingtu.pipeline"
local ratelimit = require "xingtu.ratelimit"
local retry = require "xingtu.retry"
local stats = require "xingtu.stats"
local serial = require "xingtu.transport.serial"
local validate = require "xingtu.validate"

local _M = {}

local format, tostring, type = string.format, tostring, type
local pairs, ipairs, setmetatable, getmetatable, error, pcall = pairs, ipairs, setmetatable, getmetatable, error, pcall
local raise = optschema.raise

local DEFAULT_BASE_URL = "https://api.justoneapi.com"

---------------------------------------------------------------------------------------------------------------------
-- Options.

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
    { "cache", "custom", check = cache.accepts,
        expect = "true, false, a directory, a xingtu.cache object or { shared_dict = \"name\" }" },
    { "cache_ttl", "number", min = 0, max = 31536000, unit = "seconds" },
    { "offline", "boolean" },
    -- Shared stores (lua/xingtu/pipeline.lua's header has their contract): a lock per answer across processes, a
    -- pace and a spend budget shared by many. A lock needs a cache: its waiters read the holder's answer there.
    { "lock", "custom", check = optschema.object_with("acquire", "release"),
        expect = "a lock object with acquire(key, ttl) and release(handle) (xingtu.cache.shared_lock, a Redis lock)" },
    { "pace", "custom", check = optschema.object_with("take"),
        expect = "a pacer object with take() (a Redis pace)" },
    { "budget", "custom", check = optschema.object_with("reserve"),
        expect = "a budget object with reserve() (a Redis budget)" },
    { "transport", "custom", check = transport_value,
        expect = "\"curl\", \"ngx\" or an object with a get(url) method" },
})
_M.OPTIONS = OPTIONS

local function token_of(o)
    local token = o.token
    if token == nil then token = os.getenv("JUSTONEAPI_TOKEN") end
    if type(token) ~= "string" or token == "" then
        raise("xingtu.new: no API token: pass xingtu.new{ token = \"...\" } or set the JUSTONEAPI_TOKEN environment"
            .. " variable")
    end
    return token
end

local function base_url_of(o)
    local base_url = o.base_url
    if base_url == nil then base_url = os.getenv("JUSTONEAPI_BASE_URL") end
    if base_url == nil or base_url == "" then base_url = DEFAULT_BASE_URL end
    -- A path prefix is fine (a proxy's /xingtu); a query or a fragment would swallow the endpoint's path.
    if not base_url:match("^[hH][tT][tT][pP][sS]?://[^/?#]+[^?#]*$") or base_url:find("[%z\1-\32\127]") then
        raise(format("xingtu.new: option base_url must be an http:// or https:// URL without a query, a fragment"
            .. " or blanks, got %s", optschema.describe(base_url)))
    end
    return (base_url:gsub("/+$", ""))
end

-- Waits (retries, pacing) use ngx.sleep inside nginx where the phase allows it: a blocking sleep there would stall
-- every request of the worker.
local function default_sleep(core)
    if not in_nginx() then return core.sleep end
    return require("xingtu.transport.ngx").sleeper(core.sleep)
end

-- The transport and the multi engine a batch opens when the transport has no multi() of its own: the core's for
-- the libcurl session (or any userdata handed in), one transfer at a time through get for any other object.
local function transport_of(core, o, transport_options)
    local choice = o.transport
    if choice == nil then choice = in_nginx() and "ngx" or "curl" end
    if choice == "ngx" and not in_nginx() then
        raise("xingtu.new: transport \"ngx\" needs nginx's Lua module (ngx.socket.tcp): not running inside nginx")
    end
    local transport
    if choice == "ngx" then
        transport = require("xingtu.transport.ngx").new(core, transport_options)
    elseif choice == "curl" then
        transport = core.session(transport_options)
    else
        transport = choice
    end
    if type(transport) == "table" then return transport, function() return serial.new(transport) end end
    return transport, core.multi
end

---------------------------------------------------------------------------------------------------------------------
-- The client.

--- A client of the Just One API (made by `xingtu.new`).
-- @type Client
local Client = {}
Client.__index = Client
_M.Client = Client

--- xingtu.new(opts) with the C core to use: see `xingtu.new`.
-- @local
function _M.new(core, opts)
    local o = OPTIONS:check(opts)
    local token = token_of(o)
    local base_url = base_url_of(o)
    local clock = o.clock or core.now
    -- The response cache (lua/xingtu/cache.lua): off unless `cache` (or `offline`) is given. The transport then
    -- also returns the raw body (keep_text), which is what the cache keeps.
    local the_cache = cache.from_options(o)
    if o.lock and not the_cache then
        raise("xingtu.new: option lock needs a cache (cache = true, a directory, a cache object or"
            .. " { shared_dict = \"name\" }): the lock's waiters read the holder's answer there")
    end
    local transport_options = {
        timeout = o.timeout,
        connect_timeout = o.connect_timeout,
        user_agent = o.user_agent,
        ca_file = o.ca_file,
        proxy = o.proxy,
        max_body = o.max_body,
        keep_text = the_cache and true or nil,
    }
    local transport, multi = transport_of(core, o, transport_options)
    local pipe = pipeline.new {
        transport = transport,
        multi = multi,
        transport_options = transport_options,
        policy = retry.new {
            retries = o.retries,
            backoff_base = o.backoff_base,
            backoff_max = o.backoff_max,
            retry_unknown = o.retry_unknown,
            random = o.random,
            wall_clock = o.wall_clock,
        },
        bucket = ratelimit.new({ rate = o.rate, burst = o.burst, adaptive = o.adaptive }, clock()),
        stats = stats.new(),
        cache = the_cache,
        account = the_cache and cache.account(token), -- keys are per account, by a one-way fingerprint
        token = token,
        base_url = base_url,
        clock = clock,
        sleep = o.sleep or default_sleep(core),
        timeout = o.timeout,
        deadline = o.deadline,
        max_calls = o.max_calls,
        waiter = in_nginx() and require("xingtu.transport.ngx").waiter or nil,
        lock = o.lock,
        pace = o.pace,
        budget = o.budget,
        null = core.null,
        encode = core.encode,
    }
    -- The pipeline is the client's state (nothing of the token is in either table); `cache` is the README's
    -- client.cache (its stats and last_error), the pipeline's own.
    return setmetatable({ pipeline = pipe, cache = the_cache }, Client)
end

function Client:__tostring()
    return format("xingtu.Client (%s, token ***)", self.pipeline.base_url)
end

-- After close nothing is sent: a call raises (it is a mistake in the caller's code) before anything else.
local function check_open(self, what)
    if type(self) ~= "table" or getmetatable(self) ~= Client then
        raise(format("xingtu: %s must be called as client:%s(...), on a client", what, what))
    end
    if self.pipeline.closed then raise(format("xingtu.%s: the client is closed", what)) end
end

local function call_endpoint(self, ep, params)
    check_open(self, ep.name)
    -- level 4: validate.fail -> validate.query -> call_endpoint -> method/call -> user code
    local query = validate.query(ep, params, 3)
    local pipe = self.pipeline
    return pipe:perform(pipe:new_call(ep.name, ep.path, query))
end

--- Any catalogue endpoint by name: `client:call("touch_distribution", params)` is
-- `client:touch_distribution(params)`. A mistake in the arguments raises before anything is sent.
-- @tparam string name a method of the catalogue (`xingtu.endpoint_names`)
-- @tparam[opt] table params its parameters, by snake_case or provider name
-- @return data (the envelope's `data`) and meta (code, message, request_id, record_time, http_status, elapsed,
--   attempts, rate, url with the token masked, cached, age); or nil and the error (see the README's error table)
function Client:call(name, params)
    check_open(self, "call")
    local ep = catalogue.by_name[name]
    if not ep then
        error(format("xingtu: unknown endpoint %s; valid endpoints: %s", tostring(name), catalogue.names_text()), 2)
    end
    return call_endpoint(self, ep, params)
end

-- A raw call's query: the parameters as given, each a string, a finite number or a boolean, sorted by name.
local function raw_query(params)
    local query = {}
    for key, value in pairs(params or {}) do
        local t = type(value)
        -- A NaN or an infinity would go out as "nan" or "inf": no parameter of the provider means that.
        if type(key) ~= "string" or (t ~= "string" and t ~= "number" and t ~= "boolean")
            or (t == "number" and not (value > -math.huge and value < math.huge)) then
            error(format("xingtu: get: parameter %s must be a string, a finite number or a boolean, got %s",
                type(key) == "string" and key or optschema.describe(key), optschema.describe(value)), 3)
        end
        if key == "token" then error("xingtu: get: the token is added by the client; do not pass it", 3) end
        if math.type and math.type(value) == "integer" then
            value = format("%d", value)
        elseif not math.type and t == "number" and value == math.floor(value) and math.abs(value) < 2 ^ 53 then
            value = format("%d", value) -- LuaJIT: an integral double, not "1e+15"
        end
        query[#query + 1] = { key, tostring(value) }
    end
    table.sort(query, function(a, b) return a[1] < b[1] end)
    return query
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
    local pipe = self.pipeline
    return pipe:perform(pipe:new_call(path, path, raw_query(params)))
end

--- Runs requests concurrently and yields each outcome as it completes:
-- `for i, data, meta_or_err in client:each(requests, opts) do ... end` (i: the request's index).
-- Every request yields exactly one outcome; `break`, an error in the loop body or the collector closes the batch.
-- @param requests an array of { method_name, params }, or an iterator function returning one per call and nil at
--   the end (pulled lazily: at most 2 x concurrency held); every request is checked before anything is sent
-- @tparam[opt] table opts
-- @tparam[opt=8] integer opts.concurrency transfers at once (1-256), over at most that many connections
-- @tparam[opt] function opts.on_progress on_progress(done, total, failed); total is nil for an iterator
-- @tparam[opt] function opts.on_wait on_wait() is called at least every 0.2 s while the batch waits for an
--   answer, a retry or the pace: where a caller checks for a signal or a deadline of its own and stops the batch
--   (`require("xingtu.batch").stop(handle, err [, abort])`) instead of waiting for the next outcome
-- @return an iterator, its state, nil and a to-be-closed value
function Client:each(requests, opts)
    check_open(self, "each")
    return batch.each(self.pipeline, requests, opts)
end

--- Runs requests concurrently and returns every outcome in input order.
-- @param requests as `Client:each`
-- @tparam[opt] table opts as `Client:each`
-- @treturn table an array in input order of { data =, meta = } or { err = }
function Client:batch(requests, opts)
    check_open(self, "batch")
    return batch.batch(self.pipeline, requests, opts)
end

--- Items across the pages of a paged endpoint: `for i, item, info in client:pages(method, params, opts)`. Each
-- page is a billed call. See `xingtu.pages.iterate` for the options.
-- @tparam string method a paged method (`xingtu.pages.paged_methods`)
-- @tparam[opt] table params its parameters (page: the first page, default 1)
-- @tparam[opt] table opts `max_pages` (default 10) and the like
-- @return an iterator, its state, nil and a to-be-closed value
function Client:pages(method, params, opts)
    check_open(self, "pages")
    local pipe = self.pipeline
    local source = {
        fetch = function(page_params) return self:call(method, page_params) end,
        closed = function() return pipe.closed end,
    }
    return pages.loop(source, method, params, opts)
end

--- Counters since the client was made.
-- @treturn table { sent, succeeded, failed, failed_by_kind = { kind = n }, retried, cache_hits, coalesced, billed,
--   billed_unknown, store_errors, retry_budget, rate } (lua/xingtu/stats.lua says what each counts)
function Client:stats()
    return self.pipeline:snapshot()
end

--- Hides this client's token in `text` by ***: raw, percent-encoded in any way, JSON- or HTML-escaped, and any
-- 6 bytes of it in a row (xingtu.secret).
-- @param text a string (anything else is returned as it is)
-- @return the masked text
function Client:mask(text)
    return self.pipeline:mask(text)
end

--- The URL to send and the one to show (token masked), made when asked for: nothing keeps the first.
-- @tparam string path the endpoint's path, e.g. "/api/douyin-xingtu/gw/api/aggregator/get_author_tags/v1"
-- @tparam table query an array of { name, value } strings, sent in this order after the token
-- @treturn string the URL with the token (never show it)
-- @treturn string the same URL with token=***
function Client:url_for(path, query)
    return self.pipeline:url_for(path, query)
end

--- Closes the client's connections (also `<close>`, and the garbage collector's). The client may not be used after.
function Client:close()
    self.pipeline:close()
end

Client.__close = Client.close

-- The catalogue's methods, made once. A name the class already has would replace a method (or shadow one, for the
-- metatable's own keys): that is a mistake in the catalogue, raised when this module loads.
for _, ep in ipairs(catalogue.entries) do
    if rawget(Client, ep.name) ~= nil then
        error(format("xingtu.catalogue: endpoint %s has the name of the client's own method Client:%s: rename it in"
            .. " lua/xingtu/endpoints.lua", ep.name, ep.name), 0)
    end
end
for _, ep in ipairs(catalogue.entries) do
    Client[ep.name] = function(self, params)
        return call_endpoint(self, ep, params)
    end
end

return _M
