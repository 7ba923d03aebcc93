--- A rate shared by a fleet, in Redis: `rate` requests a second and `burst` at once for the whole account, whatever
-- the number of processes and hosts (the pacer object of /work/notes/12-seams.md: the client's `pace` option).
--
--   xingtu.new{ pace = require("xingtu.redis.pace").new{ rate = 20, burst = 5, host = "127.0.0.1" } }
--
-- pace:take() -> 0 (a slot is taken: send) | seconds (wait this long, then ask again) | nil, err (Redis failed).
-- A token bucket kept in one hash and changed by one script, atomically, on Redis's clock (TIME), so hosts whose
-- clocks differ still share one rate: in any window of t seconds at most rate * t + burst slots are given. On a
-- failure the pipeline falls back to the client's own bucket (fail open, documented in the README).
-- No Lua 5.4-only syntax: loads under LuaJIT (nginx).

local conn = require "xingtu.redis.conn"

local _M = { _VERSION = require("xingtu.core").VERSION }
local mt = { __index = _M }
local type, error, tostring, tonumber = type, error, tostring, tonumber

-- Replies are strings: Redis turns a script's numbers into integers.
local TAKE = [[
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(v[1]), tonumber(v[2])
if not tokens or not at then tokens, at = burst, now end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate) end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 60000)
return string.format('%.6f', wait)
]]

--- new(opts) -> pacer. opts: rate (requests a second, > 0, required), burst (>= 1, default 1), name (the bucket's
--  key, default "rate": pacers of one name share one rate), and the connection's options.
function _M.new(opts)
    if type(opts) ~= "table" then error("xingtu.redis.pace: expected a table of options with rate", 2) end
    local rate, burst, name = opts.rate, opts.burst or 1, opts.name or "rate"
    if type(rate) ~= "number" or rate <= 0 then
        error("xingtu.redis.pace: rate must be a number of requests a second > 0", 2)
    end
    if type(burst) ~= "number" or burst < 1 then error("xingtu.redis.pace: burst must be a number >= 1", 2) end
    if type(name) ~= "string" then error("xingtu.redis.pace: name must be a string", 2) end
    local c = conn.new(opts)
    return setmetatable({ redis = c, rate = rate, burst = burst, key = c.prefix .. "pace:" .. name }, mt)
end

function _M:take()
    local res, err = self.redis:eval(TAKE, { self.key }, { tostring(self.rate), tostring(self.burst) })
    if err or res == nil then return nil, "redis pace: " .. tostring(err or "no reply") end
    local wait = tonumber(res)
    if not wait then return nil, "redis pace: bad reply" end
    return wait
end

return _M
