--- A rate shared by a fleet, in Redis: `rate` requests a second and `burst` at once for the whole account, whatever
-- the number of processes and hosts (the pacer object of /work/notes/12-seams.md: the client's `pace` option).
--
--   xingtu.new{ pace = require("xingtu.redis.pace").new{ rate = 20, burst = 5, host = "127.0.0.1" } }
--
-- pace:take() -> 0 (a slot is taken: send) | seconds (wait this long, then ask again) | nil, err (Redis failed).
-- A token bucket kept in one hash and changed by one script, atomically, on Redis's clock (TIME), so hosts whose
-- clocks differ still share one rate: in any window of t seconds at most rate * t + burst slots are given (and,
-- with `jitter`, at most that many requests arrive at the provider). Redis down or slow: slots come from a bucket of
-- this process at rate / hosts (`hosts`: how many processes share the rate), so a host whose Redis calls time out
-- never sends faster than its share. A slot there is answered nil, err (the pipeline sends: fail open, counted in
-- store_errors), no slot a wait (then Redis is asked again). pace.late counts the slots left unused because they
-- came back too late (see take).
-- No Lua 5.4-only syntax: loads under LuaJIT (nginx).

-- luacheck: read globals ngx

local conn = require "xingtu.redis.conn"
local ratelimit = require "xingtu.ratelimit"

local _M = { _VERSION = require("xingtu.core").VERSION }
local mt = { __index = _M }
local type, error, tostring, tonumber = type, error, tostring, tonumber
local format = string.format

-- Times are whole microseconds: TIME's seconds plus a fraction in one double (~2e-7 s apart near 1.8e9) made a
-- request asking exactly on its slot see 0.99999905 tokens, a wait of 48 ns, which '%.6f' printed as 0, read as a
-- slot: one slot, two requests. The wait is rounded up to whole milliseconds, so a refusal is never 0; the reply is
-- an integer (milliseconds to wait, 0: a slot is taken). ARGV: rate, burst (after the headroom, see new).
local TAKE = [[
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(v[1]), tonumber(v[2])
if not tokens or not at or at > now + 60000000 then tokens, at = burst, now end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000000) end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / rate * 1000)) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%d', math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 60000)
return wait
]]

-- The bucket that keeps arrivals, not only slots, within rate x t + burst when a slot's request reaches the provider
-- up to `jitter` seconds later than another's: the slots of any window of t seconds must fit in the arrivals' window
-- of t - jitter. With burst - rate x jitter >= 1 a smaller burst does it at the full rate; else slots are spaced
-- (1/rate + jitter)/burst apart, one at a time (the fastest spacing that keeps every window within the bound).
local function headroom(rate, burst, jitter)
    if jitter <= 0 then return rate, burst end
    if burst - rate * jitter >= 1 then return rate, burst - rate * jitter end
    return burst / (1 / rate + jitter), 1
end
_M.headroom = headroom

-- This process's clock, for the fallback bucket only.
local function clock()
    local n = rawget(_G, "ngx")
    if type(n) == "table" and type(n.now) == "function" then
        if n.update_time then n.update_time() end
        return n.now()
    end
    local ok, socket = pcall(require, "socket")
    if ok then return socket.gettime() end
    return os.time()
end

--- new(opts) -> pacer. opts: rate (requests a second, > 0, required), burst (>= 1, default 1), jitter (seconds >= 0,
--  default 0: how much later one slot's request may reach the provider than another's; the headroom kept for it,
--  see headroom above), name (the bucket's key, default "rate": pacers of one name share one rate; give them all the
--  same rate, burst and jitter), hosts (how many processes share the rate, default 1: with Redis away each paces
--  itself at rate / hosts), and the connection's options.
function _M.new(opts)
    if type(opts) ~= "table" then error("xingtu.redis.pace: expected a table of options with rate", 2) end
    local rate, burst, name = opts.rate, opts.burst or 1, opts.name or "rate"
    if type(rate) ~= "number" or rate <= 0 then
        error("xingtu.redis.pace: rate must be a number of requests a second > 0", 2)
    end
    if type(burst) ~= "number" or burst < 1 then error("xingtu.redis.pace: burst must be a number >= 1", 2) end
    if type(name) ~= "string" then error("xingtu.redis.pace: name must be a string", 2) end
    local jitter = opts.jitter or 0
    if type(jitter) ~= "number" or jitter < 0 or jitter ~= jitter or jitter > 60 then
        error("xingtu.redis.pace: jitter must be a number of seconds from 0 to 60", 2)
    end
    local hosts = opts.hosts or 1
    if type(hosts) ~= "number" or hosts < 1 or hosts ~= hosts or hosts > 1e6 then
        error("xingtu.redis.pace: hosts must be a number of processes >= 1", 2)
    end
    local c = conn.new(opts)
    local r, b = headroom(rate, burst, jitter)
    local lr, lb = headroom(rate / hosts, math.max(1, burst / hosts), jitter)
    return setmetatable({ redis = c, rate = rate, burst = burst, jitter = jitter, hosts = hosts,
        key = c.prefix .. "pace:" .. name, args = { format("%.17g", r), format("%.17g", b) },
        fallback = ratelimit.new({ rate = lr, burst = lb }, clock()), late = 0 }, mt)
end

function _M:take()
    local asked = self.jitter > 0 and clock()
    local res, err = self.redis:eval(TAKE, { self.key }, self.args)
    local ms = tonumber(res)
    if err == nil and ms and ms >= 0 then
        -- The slot was given somewhere within this round trip: one that came back later than half the headroom
        -- (this process waited that long for the CPU, or Redis for its turn) would reach the provider too late for
        -- the bound, so it is left unused (it only lowers the fleet's rate) and another is asked for.
        if ms == 0 and asked and clock() - asked > self.jitter / 2 then
            self.late = self.late + 1
            return 0.001
        end
        return ms / 1000
    end
    local wait = self.fallback:take(clock())
    if wait > 0 then return wait end
    return nil, "redis pace: " .. tostring(err or (res == nil and "no reply" or "bad reply"))
end

return _M
