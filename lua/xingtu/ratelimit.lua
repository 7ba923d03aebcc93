-- Client-side pacing: a token bucket shared by everything one client sends, optionally adaptive.
--
-- With `adaptive`, a `rate_limited` answer halves the pace (multiplicative decrease) and every success adds a little
-- back (additive increase) up to the configured rate: the AIMD idea behind AWS's adaptive retry mode. With no
-- configured rate an adaptive limiter starts unlimited and only paces once the provider has pushed back.

local _M = {}

local huge, max, min = math.huge, math.max, math.min

local MIN_RATE = 0.5        -- requests per second never to go below, so a client always makes progress
local DECREASE = 0.5        -- factor applied on each rate_limited answer
local INCREASE_SHARE = 0.02 -- share of the ceiling added back per success

local Bucket = {}
Bucket.__index = Bucket

--- opts: rate (requests per second, nil = unlimited), burst (bucket size, default 1), adaptive (boolean).
function _M.new(opts, now)
    local rate = opts.rate or huge
    local burst = opts.burst or 1
    return setmetatable({
        ceiling = rate,
        rate = rate,
        burst = burst,
        tokens = burst,
        stamp = now,
        adaptive = opts.adaptive == true,
        sent_recently = 0, -- decaying count used to estimate the real pace when no rate was configured
    }, Bucket)
end

function Bucket:refill(now)
    local elapsed = now - self.stamp
    self.stamp = now
    if self.rate == huge then
        self.tokens = self.burst
    elseif elapsed > 0 then
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
    end
    self.sent_recently = self.sent_recently * 0.5 ^ max(0, elapsed)
end

--- Takes one token if available: returns 0 and counts a request; otherwise returns the seconds until one is due.
function Bucket:take(now)
    -- Bucket:refill, inline: this runs once per attempt.
    local elapsed = now - self.stamp
    self.stamp = now
    local rate = self.rate
    if rate == huge then
        self.tokens = self.burst
    elseif elapsed > 0 then
        self.tokens = min(self.burst, self.tokens + elapsed * rate)
    end
    self.sent_recently = self.sent_recently * 0.5 ^ max(0, elapsed)
    -- The tolerance absorbs float rounding: refilling for exactly the advertised wait must yield a whole token.
    if self.tokens >= 1 - 1e-9 then
        self.tokens = max(0, self.tokens - 1)
        self.sent_recently = self.sent_recently + 1
        return 0
    end
    return (1 - self.tokens) / self.rate
end

--- A rate_limited answer at `now` to a request sent at `sent_at` (optional).
function Bucket:on_rate_limited(now, sent_at)
    if not self.adaptive then return end
    -- One decrease per overshoot: the answers to requests that were already on their way when the pace was last
    -- lowered are part of the same overshoot (a batch of 16 gets 16 of them at once) and lower it no further.
    if sent_at and self.decreased_at and sent_at < self.decreased_at then return end
    self.decreased_at = now
    self:refill(now)
    local current = self.rate
    if current == huge then current = max(MIN_RATE * 2, self.sent_recently) end
    self.rate = max(MIN_RATE, current * DECREASE)
    self.tokens = min(self.tokens, 1)
end

function Bucket:on_success()
    if not self.adaptive or self.rate == huge then return end
    local ceiling = self.ceiling
    if ceiling == huge then
        -- Unconfigured: grow from the reduced pace; once far above what was ever needed, stop pacing.
        self.rate = self.rate + max(0.1, self.rate * INCREASE_SHARE)
        if self.rate > 1000 then self.rate = huge end
    else
        self.rate = min(ceiling, self.rate + max(0.05, ceiling * INCREASE_SHARE))
    end
end

--- The current pace in requests per second (nil when unlimited).
function Bucket:current()
    if self.rate == huge then return nil end
    return self.rate
end

return _M
