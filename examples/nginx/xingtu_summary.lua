-- GET /creators/<id>/summary[?platform=SHORT_VIDEO&range=DAY_30]: a JSON summary of where a creator's audience is
-- reached (touch distribution) and how it converts, from two provider calls made concurrently.
--
-- Used by examples/nginx/nginx.conf:  location ~ ^/creators/(\d+)/summary$ { content_by_lua_block { ... } }
--
--   200 {"creator_id","platform","range","touch":{"total","channels":[{"name","cnt","share","top_category"}]},
--        "conversion":{"gpm_range",...},"request_ids":{"touch","conversion"}}
--   4xx/5xx {"error":{"kind","message","code","request_id","billed"}}   kind: the xingtu error kind, or
--        "invalid_request" (bad id or query parameter), "configuration" (no token), "internal"
--
-- Inside nginx xingtu sends through nginx's cosockets (never blocking the worker) and waits with ngx.sleep; the token
-- comes from the JUSTONEAPI_TOKEN environment variable (`env JUSTONEAPI_TOKEN;` in nginx.conf) and never appears in
-- a response or a log line: errors carry the kind and a masked message only.

-- luacheck: globals ngx

local xingtu = require "xingtu"

local _M = {}

local encode = xingtu.json.encode
local floor = math.floor

-- HTTP status for each failure kind; anything else is 502 Bad Gateway (the provider, not the caller, failed).
local STATUS = {
    invalid_request = 400,
    invalid_params = 400,
    not_found = 404,
    rate_limited = 503,
    budget_exceeded = 503,
    timeout = 504,
    configuration = 500,
    internal = 500,
}
_M.STATUS = STATUS -- read by spec/readme_spec.lua: the README's table of statuses is this one

-- One client per nginx worker, made on first use: it holds the retry budget, the rate limiter and the settings;
-- connections live in nginx's keepalive pool, cached answers in the shared dict. Token and provider URL come from
-- the environment (JUSTONEAPI_TOKEN, JUSTONEAPI_BASE_URL).
local client

-- XINGTU_REDIS=host:port (env in nginx.conf) puts the cache, one sender per answer and, with XINGTU_REDIS_RATE
-- (requests a second for the whole account), the rate in that Redis, shared by every nginx and host of the fleet.
local function fleet(options)
    local where = os.getenv("XINGTU_REDIS")
    if not where or where == "" then return options end
    local host, port = where:match("^([^:]+):(%d+)$")
    if not host then error("XINGTU_REDIS must be host:port, got " .. where) end
    local redis = { host = host, port = tonumber(port), timeout = 0.5 }
    options.cache = require("xingtu.cache.redis")(redis)
    options.lock = require("xingtu.redis.lock").new(redis)
    local rate = tonumber(os.getenv("XINGTU_REDIS_RATE") or "")
    -- XINGTU_REDIS_BURST (default 1) and XINGTU_REDIS_JITTER (seconds of headroom for the spread between a slot and
    -- the request's arrival, default 0): every process of the fleet must be given the same three. XINGTU_REDIS_HOSTS
    -- (default 1): how many processes share the rate; with Redis away each paces itself at rate / hosts.
    if rate then
        options.pace = require("xingtu.redis.pace").new { host = host, port = tonumber(port), rate = rate,
            burst = tonumber(os.getenv("XINGTU_REDIS_BURST") or ""),
            jitter = tonumber(os.getenv("XINGTU_REDIS_JITTER") or ""),
            hosts = tonumber(os.getenv("XINGTU_REDIS_HOSTS") or "") }
    end
    return options
end

local function get_client()
    if not client then
        client = xingtu.new(fleet {
            timeout = 60,   -- the provider recommends at least 60 s for one call
            retries = 2,    -- only failures that were certainly not billed are retried (see the README)
            cache = { shared_dict = "xingtu_cache" }, -- lua_shared_dict in nginx.conf: one cache for all workers
            cache_ttl = 3600,
            -- Simultaneous requests for one creator cost one call per endpoint: the light threads of a worker wait
            -- for the call in flight, the other workers for the answer in the cache under this lock.
            lock = xingtu.cache.shared_lock("xingtu_locks"),
        })
    end
    return client
end

local function reply(status, value)
    ngx.status = status
    ngx.header["Content-Type"] = "application/json; charset=utf-8"
    ngx.header["Cache-Control"] = "no-store"
    ngx.say(encode(value, { sort_keys = true }))
    return ngx.exit(status)
end

local function fail(kind, message, err)
    local body = { kind = kind, message = message }
    local status = STATUS[kind] or 502
    if err then
        body.code, body.request_id, body.billed, body.endpoint = err.code, err.request_id, err.billed, err.endpoint
        if err.retry_after then ngx.header["Retry-After"] = tostring(math.ceil(err.retry_after)) end
        -- err's message and url are masked by xingtu (token=***); the raw token never reaches the log.
        ngx.log(ngx.WARN, "xingtu summary failed: ", tostring(err), " url=", tostring(err.url))
    end
    return reply(status, { error = body })
end

-- A count from the provider: a number, or (LuaJIT, beyond 2^53) a string of digits.
local function count(value)
    return tonumber(value) or 0
end

local function summarise(id, platform, range, touch, touch_meta, conv, conv_meta)
    local channels, total = {}, 0
    for _, top in ipairs(type(touch) == "table" and touch.video_touch or {}) do
        local d = top.distribution_data or {}
        local best
        for _, second in ipairs(top.second_distribution or {}) do
            local sd = second.distribution_data or {}
            if not best or count(sd.cnt) > count(best.cnt) then best = { name = sd.name, cnt = sd.cnt } end
        end
        channels[#channels + 1] = { name = d.name, cnt = d.cnt, top_category = best }
        total = total + count(d.cnt)
    end
    table.sort(channels, function(a, b) return count(a.cnt) > count(b.cnt) end)
    for _, c in ipairs(channels) do
        c.share = total > 0 and floor(count(c.cnt) / total * 10000 + 0.5) / 10000 or 0
    end
    local conversion = {}
    for key, value in pairs(type(conv) == "table" and conv or {}) do
        if type(value) == "string" and key:match("_range$") then conversion[key] = value end
    end
    return {
        creator_id = id,
        platform = platform,
        range = range,
        touch = { total = total, channels = setmetatable(channels, { __jsontype = "array" }) },
        conversion = conversion,
        request_ids = { touch = touch_meta.request_id, conversion = conv_meta.request_id },
    }
end

-- A provider call in a light thread: returns true, data, meta_or_err; or false, message when xingtu raised (a mistake
-- in the arguments, found before anything was sent).
local function call(c, name, params)
    return pcall(c.call, c, name, params)
end

local function finished(thread)
    local status = coroutine.status(thread)
    return status == "dead" or status == "zombie" -- nginx's name for a finished light thread not yet waited on
end

function _M.handle()
    local id = ngx.var.uri:match("^/creators/(%d+)/summary$")
    if not id then return fail("invalid_request", "expected GET /creators/<numeric id>/summary") end
    local args = ngx.req.get_uri_args(10)
    local platform, range = args.platform or "SHORT_VIDEO", args.range or "DAY_30"
    if type(platform) ~= "string" or type(range) ~= "string" then
        return fail("invalid_request", "platform and range may be given once each")
    end

    local ok, c = pcall(get_client)
    if not ok then return fail("configuration", "the xingtu client could not be made: " .. tostring(c)) end

    -- Both provider calls at the same time, each in a light thread of this request; xingtu's cosockets yield to
    -- nginx while they wait. A light thread runs at once until it first yields, and xingtu checks the arguments
    -- before sending: starting the call that carries every caller-supplied parameter first means a bad parameter
    -- ends here with nothing sent (nothing billed).
    local conv_thread = ngx.thread.spawn(call, c, "convert_ability",
        { o_author_id = id, platform = platform, range = range })
    local conv -- { thread_ok, called, data, meta_or_err }
    if finished(conv_thread) then
        conv = { ngx.thread.wait(conv_thread) }
        if not conv[2] then return fail("invalid_request", (tostring(conv[3]):gsub("^.-:%d+: ", ""))) end
    end
    local touch_thread = ngx.thread.spawn(call, c, "touch_distribution", { o_author_id = id, platform = platform })
    conv = conv or { ngx.thread.wait(conv_thread) }
    local touch = { ngx.thread.wait(touch_thread) }
    for _, r in ipairs({ conv, touch }) do
        if not r[2] then return fail("internal", "a provider call raised: " .. tostring(r[3])) end
        if r[3] == nil then return fail(r[4].kind, r[4].message, r[4]) end
    end
    return reply(200, summarise(id, platform, range, touch[3], touch[4], conv[3], conv[4]))
end

return _M
