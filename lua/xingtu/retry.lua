-- When to try a failed call again, and how long to wait first.
--
-- Every call to the provider is billed, so a failure is retried only when it is retryable and was not billed: a
-- failure whose billing is unknown (the request left and no trustworthy answer came back) is retried only when the
-- user opted in with `retry_unknown`. Waits are exponential with full jitter; a Retry-After from the server is the
-- floor of the wait. A per-client retry budget keeps a broken provider from turning a batch into a retry storm.

local _M = {}

local floor, min, max, tonumber = math.floor, math.min, math.max, tonumber

local BUDGET_SIZE = 500
local RETRY_COST = 5
local TIMEOUT_RETRY_COST = 10
local SUCCESS_REFUND = 1

local Policy = {}
Policy.__index = Policy

--- opts: retries, backoff_base, backoff_max, retry_unknown, random (function -> [0, 1)), wall_clock (function ->
--  seconds since the epoch, for Retry-After dates; default os.time).
function _M.new(opts)
    return setmetatable({
        retries = opts.retries,
        base = opts.backoff_base,
        cap = opts.backoff_max,
        retry_unknown = opts.retry_unknown,
        random = opts.random,
        wall_clock = opts.wall_clock or os.time,
        budget = BUDGET_SIZE,
    }, Policy)
end

--- The jittered wait before retry number `n` (1 for the first retry): uniform in [0, min(cap, base * 2^(n-1))].
function Policy:backoff(n)
    return self.random() * min(self.cap, self.base * 2 ^ (n - 1))
end

function Policy:on_success()
    self.budget = min(BUDGET_SIZE, self.budget + SUCCESS_REFUND)
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11,
    Dec = 12 }

-- Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's days_from_civil).
local function days_from_civil(y, m, d)
    if m <= 2 then y = y - 1 end
    local era = floor(y / 400) -- floor division in plain arithmetic, so LuaJIT reads it too
    local yoe = y - era * 400
    local doy = floor((153 * (m > 2 and m - 3 or m + 9) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy - 719468
end

-- Seconds from an HTTP-date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT") as a UTC epoch. Plain arithmetic: os.time
-- would read the date as local time and raises on some dates (e.g. one second before the epoch), and the header
-- comes from the server, so nothing in it may raise.
local function http_date_epoch(text)
    local d, mon, y, h, mi, s = text:match("^%a+, (%d%d) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
    if not d or not MONTHS[mon] then return nil end
    return days_from_civil(tonumber(y), MONTHS[mon], tonumber(d)) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60
        + tonumber(s)
end

-- The longest wait a Retry-After is read as: a server asking for more (400 digits would read as infinity, which no
-- JSON can carry) asks for longer than any retry here waits anyway.
local MAX_RETRY_AFTER = 365 * 86400
_M.MAX_RETRY_AFTER = MAX_RETRY_AFTER

--- Retry-After (delta-seconds or HTTP-date) as seconds to wait from now (at most MAX_RETRY_AFTER), or nil when absent
--  or unreadable.
function _M.parse_retry_after(value, wall_now)
    if type(value) ~= "string" then return nil end
    value = value:match("^%s*(.-)%s*$")
    if value:match("^%d+$") then return #value > 9 and MAX_RETRY_AFTER or min(tonumber(value), MAX_RETRY_AFTER) end
    local epoch = http_date_epoch(value)
    if not epoch then return nil end
    return min(max(0, epoch - (wall_now or os.time())), MAX_RETRY_AFTER)
end

--- Decides what follows failure `err` after `attempts` attempts. Returns the seconds to wait before the next
--  attempt, or nil when the call ends here (then `err` may have been annotated with the reason). `retry_after` is
--  the server's Retry-After header as it came (optional); what it asks for is err.retry_after (seconds from now)
--  whatever is decided, and the header itself is never kept.
function Policy:decide(err, attempts, retry_after)
    local server_wait = _M.parse_retry_after(retry_after, self.wall_clock())
    err.retry_after = server_wait
    if not err.retryable then return nil end
    if err.billed == "unknown" and not self.retry_unknown then return nil end
    if err.billed == true then return nil end
    if attempts > self.retries then return nil end

    local wait = self:backoff(attempts)
    if server_wait and (err.http_status == 429 or err.http_status == 503) then
        if server_wait > self.cap then return nil end
        wait = max(wait, server_wait)
    end

    local cost = err.kind == "timeout" and TIMEOUT_RETRY_COST or RETRY_COST
    if self.budget < cost then
        err.retry_budget_empty = true
        return nil
    end
    self.budget = self.budget - cost
    return wait
end

_M.BUDGET_SIZE = BUDGET_SIZE

return _M
