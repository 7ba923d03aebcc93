--- The counters of one client: what its calls and batches did, kept by its call pipeline (lua/xingtu/pipeline.lua)
-- and reported by client:stats() and the command line.
--
--   local s = stats.new()
--   s:add("sent")              -- one more; s:add("sent", 3) three more
--   s:failure("timeout")       -- failed + 1, failed_by_kind.timeout + 1
--   s:get("sent") --> 1
--   s:snapshot() --> { sent = 1, succeeded = 0, failed = 1, retried = 0, failed_by_kind = { timeout = 1 } }
--
--   s.counts.sent = s.counts.sent + 1   -- the same as s:add("sent"): the live counters, for a hot path (the call
--                                      -- pipeline counts every request) that should not pay a method call
--
-- A new counter is one name in COUNTERS and an s:add(name) where it happens. A name that is not in COUNTERS raises
-- (a misspelt counter is a bug, not a new counter): s.counts raises when a name it lacks is read, so a plain
-- increment checks the name as s:add does, at no cost for the names it has. No Lua 5.4-only syntax: this loads under
-- LuaJIT (nginx) too.
-- @module xingtu.stats

local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil }

local pairs, ipairs, error, setmetatable, tostring, rawget = pairs, ipairs, error, setmetatable, tostring, rawget

--- The counters, in the order client:stats() documents them.
-- sent: requests handed to the transport (retries count); succeeded: calls the provider answered; failed: calls
-- that failed (one per call, an offline cache miss included); retried: retries decided and scheduled; cache_hits:
-- calls answered by the cache (nothing sent); coalesced: calls answered by another call's request for the same
-- answer (nothing sent of their own); billed, billed_unknown: answers the provider charged for (a success, a
-- not_found) and answers whose billing nobody can know (a timeout after the request left, an HTTP 5xx without the
-- envelope), one per attempt; store_errors: a shared store (lock, pace, budget) that failed and was passed by
-- (failing open) or that refused a call (failing closed).
local COUNTERS = {
    "sent", "succeeded", "failed", "retried", "cache_hits", "coalesced", "billed", "billed_unknown", "store_errors",
}
_M.COUNTERS = COUNTERS

-- Read only for a name that is not a counter: every counter is set in the table itself.
local Counts = {
    __index = function(_, name) error("xingtu.stats: no counter " .. tostring(name), 3) end,
}

local Stats = {}
Stats.__index = Stats

--- stats.new() -> every counter at 0.
function _M.new()
    local counts = {}
    for _, name in ipairs(COUNTERS) do counts[name] = 0 end
    return setmetatable({ counts = setmetatable(counts, Counts), by_kind = {} }, Stats)
end

--- s:add(name, n): counter `name` grows by n (default 1).
function Stats:add(name, n)
    local counts = self.counts
    counts[name] = counts[name] + (n or 1)
end

--- s:get(name) -> the counter's value.
function Stats:get(name)
    return rawget(self.counts, name)
end

--- s:failure(kind): one call more failed, with this error kind.
function Stats:failure(kind)
    local counts = self.counts
    counts.failed = counts.failed + 1
    self.by_kind[kind] = (self.by_kind[kind] or 0) + 1
end

--- s:snapshot() -> a fresh table of every counter and failed_by_kind (a copy: changing it changes nothing here).
function Stats:snapshot()
    local out, by_kind = {}, {}
    for name, n in pairs(self.counts) do out[name] = n end
    for kind, n in pairs(self.by_kind) do by_kind[kind] = n end
    out.failed_by_kind = by_kind
    return out
end

return _M
