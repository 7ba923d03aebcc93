-- In-process stand-ins for the shared stores of lua/xingtu/pipeline.lua's header (lock, pace, budget), for specs of
-- the pipeline's side of the contract (/work/notes/12-seams.md). Each can be told to fail (`down`) or to raise
-- (`raises`), and records what it was asked.
--
--   local stores = require "helpers.stores"
--   local lock = stores.lock(clock.now)          -- expiry by the given clock
--   local pace = stores.pace { 0.5, 0 }          -- take() answers these, then 0
--   local budget = stores.budget(3)              -- three reservations, then false

local _M = {}

local Lock = {}
Lock.__index = Lock

function _M.lock(now)
    return setmetatable({ now = now or os.time, held = {}, next_id = 0, asked = {}, released = {},
        retry_in = 0.25 }, Lock)
end

function Lock:acquire(key, ttl)
    if self.raises then error("lock store exploded") end
    self.asked[#self.asked + 1] = { key = key, ttl = ttl }
    if self.down then return nil, "connection refused" end
    local h = self.held[key]
    if not h and self.first_elsewhere then -- another process got there first
        self.first_elsewhere = nil
        self:hold_elsewhere(key, self.elsewhere_ttl or ttl)
        h = self.held[key]
    end
    if h and h.expires > self.now() then return false, self.retry_in end
    self.next_id = self.next_id + 1
    local handle = { key = key, owner = self.next_id }
    self.held[key] = { owner = handle.owner, expires = self.now() + ttl }
    return handle
end

function Lock:release(handle)
    if self.down then return nil, "connection refused" end
    local h = self.held[handle.key]
    if not h or h.owner ~= handle.owner then return nil, "not the owner" end
    self.held[handle.key] = nil
    self.released[#self.released + 1] = handle.key
    return true
end

--- The key as held by someone else (another process), for ttl seconds.
function Lock:hold_elsewhere(key, ttl)
    self.held[key] = { owner = -1, expires = self.now() + (ttl or 3600) }
end

function Lock:free(key)
    self.held[key] = nil
end

local Pace = {}
Pace.__index = Pace

function _M.pace(answers)
    return setmetatable({ answers = answers or {}, taken = 0 }, Pace)
end

function Pace:take()
    if self.raises then error("pace store exploded") end
    self.taken = self.taken + 1
    if self.down then return nil, "connection refused" end
    local a = self.answers[self.taken]
    if a == nil then return 0 end
    return a
end

local Budget = {}
Budget.__index = Budget

function _M.budget(cap, fail_open)
    return setmetatable({ cap = cap, reserved = 0, asked = 0, fail_open = fail_open }, Budget)
end

function Budget:reserve()
    self.asked = self.asked + 1
    if self.raises then error("budget store exploded") end
    if self.down then return nil, "connection refused" end
    if self.reserved >= self.cap then
        return false, { kind = "budget_exceeded", billed = false, message = "shared budget of " .. self.cap .. " spent" }
    end
    self.reserved = self.reserved + 1
    return true
end

return _M
