-- The one xingtu client of an nginx worker, shared by the summary (xingtu_summary.lua) and the HTML pages
-- (xingtu_html.lua): one cache, one sender per answer, one rate and one retry budget for whatever page asks.
--
--   local client = require("xingtu_client").get()
--
-- Made on first use. Token and provider URL come from the environment (JUSTONEAPI_TOKEN, JUSTONEAPI_BASE_URL);
-- connections live in nginx's keepalive pool, cached answers in the shared dict (or in Redis, below).

local xingtu = require "xingtu"

local _M = {}

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

function _M.get()
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

return _M
