--- A response-cache backend on Redis: one cache for every process and host of a fleet (lua/xingtu/cache.lua's
-- backend interface: get(key) -> text | nil, set(key, text) -> true | nil, message).
--
--   xingtu.new{ cache = xingtu.cache.redis{ host = "127.0.0.1", port = 6379, ttl = 3600 } }
--   xingtu.new{ cache = xingtu.cache.redis{ redis = my_connection, prefix = "dash:" } }
--
-- The entry is the cache's own text (a header line, then the body exactly as the provider sent it), stored under
-- <prefix>cache:<the cache's 16-hex-digit name>: the key holds no token and no part of one (the pipeline's key is
-- token-free; the entry's account fingerprint is a hash). Redis keeps the TTL (SET ... PX), so entries leave Redis
-- on their own; the cache still checks freshness on read. Redis down or slow: a read is a miss and a write is
-- dropped (fail open: the call goes to the provider), each costing at most the connection's timeout, then none
-- for retry_after seconds (lua/xingtu/redis/conn.lua). `offline = true` serves only what Redis still holds.
-- No Lua 5.4-only syntax: loads under LuaJIT (nginx).

local conn = require "xingtu.redis.conn"

local _M = { _VERSION = require("xingtu.core").VERSION }
local type, tostring, error, floor = type, tostring, error, math.floor

--- backend(opts) -> backend. opts: the connection's (lua/xingtu/redis/conn.lua) and ttl (seconds, default a day).
function _M.backend(opts)
    opts = opts or {}
    local ttl = opts.ttl or 86400
    if type(ttl) ~= "number" or ttl <= 0 then error("xingtu.cache.redis: ttl must be a number of seconds > 0", 3) end
    local c = conn.new(opts)
    local backend = { redis = c, ttl = ttl }
    function backend.get(key)
        local text, err = c:call("get", c.prefix .. "cache:" .. key)
        if type(text) ~= "string" then
            if err then backend.last_error = "redis: " .. tostring(err) end
            return nil
        end
        return text
    end
    function backend.set(key, text)
        -- The cache's ttl when there is one (a client's cache_ttl changes it), so Redis and the cache agree.
        local cache_ttl = backend.cache and backend.cache.ttl or ttl
        if type(cache_ttl) ~= "number" or cache_ttl <= 0 then cache_ttl = ttl end
        local ok, err = c:call("set", c.prefix .. "cache:" .. key, text, "PX", floor(cache_ttl * 1000))
        if not ok then return nil, "redis: " .. tostring(err) end
        return true
    end
    return backend
end

--- new(opts) -> a cache (lua/xingtu/cache.lua's Cache) over a Redis backend. opts: host, port, db, password,
--  timeout, prefix, or redis (a connection); ttl; offline.
function _M.new(opts)
    opts = opts or {}
    if type(opts) ~= "table" then error("xingtu.cache.redis: expected a table of options", 2) end
    local backend = _M.backend(opts)
    local cache = require("xingtu.cache").new{ backend = backend, ttl = backend.ttl, offline = opts.offline }
    backend.cache = cache
    return cache
end

return setmetatable(_M, { __call = function(_, opts) return _M.new(opts) end })
