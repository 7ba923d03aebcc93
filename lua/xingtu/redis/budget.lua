--- A spend cap shared by a fleet, in Redis: at most max_calls attempts sent per period for the whole account (the
-- budget object of /work/notes/12-seams.md: the client's `budget` option), on top of each client's max_calls.
--
--   xingtu.new{ budget = require("xingtu.redis.budget").new{ max_calls = 5000, period = "day" } }
--
-- budget:reserve() -> true (counted: send) | false, err (kind budget_exceeded) | nil, err (kind
-- budget_unavailable). One script counts an attempt in <prefix>budget:<name>:<period number>, a key that expires
-- after its period, the period taken from Redis's clock (TIME; "day" is the UTC day); a refused attempt is not
-- counted. Redis down or slow: nil, err, on which the pipeline refuses the call, nothing sent (fail closed: a hard
-- cap is never exceeded because Redis is unreachable), unless made with fail_open = true (then the pipeline sends
-- it uncounted and counts a store error).
-- No Lua 5.4-only syntax: loads under LuaJIT (nginx).

local conn = require "xingtu.redis.conn"
local errors = require "xingtu.errors"

local _M = { _VERSION = require("xingtu.core").VERSION }
local mt = { __index = _M }
local type, error, tostring, format = type, error, tostring, string.format

local RESERVE = [[
local t = redis.call('TIME')
local period, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local key = KEYS[1]
if period > 0 then key = key .. ':' .. math.floor(tonumber(t[1]) / period) end
local n = tonumber(redis.call('GET', key) or '0')
if n >= max then return {0, n} end
n = redis.call('INCR', key)
if n == 1 and period > 0 then redis.call('EXPIRE', key, period + 3600) end
return {1, n}
]]

local PERIODS = { day = 86400, hour = 3600, total = 0 }

--- new(opts) -> budget. opts: max_calls (>= 0, required), period ("day" (default), "hour", "total" or seconds),
--  name (default "calls"), fail_open (default false), and the connection's options.
function _M.new(opts)
    if type(opts) ~= "table" then error("xingtu.redis.budget: expected a table of options with max_calls", 2) end
    local max, period = opts.max_calls, opts.period or "day"
    if type(max) ~= "number" or max < 0 then error("xingtu.redis.budget: max_calls must be a number >= 0", 2) end
    if PERIODS[period] then period = PERIODS[period] end
    if type(period) ~= "number" or period < 0 then
        error('xingtu.redis.budget: period must be "day", "hour", "total" or a number of seconds', 2)
    end
    if opts.fail_open ~= nil and type(opts.fail_open) ~= "boolean" then
        error("xingtu.redis.budget: fail_open must be a boolean", 2)
    end
    local name = opts.name or "calls"
    local c = conn.new(opts)
    return setmetatable({ redis = c, max_calls = max, period = period, fail_open = opts.fail_open == true,
        key = c.prefix .. "budget:" .. tostring(name) }, mt)
end

function _M:reserve()
    local res, err = self.redis:eval(RESERVE, { self.key }, { tostring(self.period), tostring(self.max_calls) })
    if type(res) ~= "table" then
        -- The pipeline fails closed on this, or sends (counted in store_errors) when self.fail_open.
        return nil, errors.new{ kind = "budget_unavailable", billed = false,
            message = "the shared budget's Redis did not answer (" .. tostring(err or "no reply")
                .. "): nothing sent" }
    end
    if res[1] == 1 then return true end
    return false, errors.new{ kind = "budget_exceeded", billed = false,
        message = format("the shared budget of %d calls is spent", self.max_calls) }
end

--- budget:used() -> the attempts counted in this period | nil, err
function _M:used()
    local key = self.key
    if self.period > 0 then
        local t, err = self.redis:call("time")
        if not t then return nil, err end
        key = key .. ":" .. math.floor(tonumber(t[1]) / self.period)
    end
    local n, err = self.redis:call("get", key)
    if err then return nil, err end
    return tonumber(n) or 0
end

return _M
