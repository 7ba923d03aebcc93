--- Duplicates in a batch's input: which requests ask for an answer that another request of the same input asks for
-- too, and how many of them are still to come. The batch tells the pipeline that count as each request is taken in
-- (pipeline:remembered and pipeline:follow), and the pipeline keeps a finished outcome only while that count is above
-- zero: every duplicate, wherever it stands in the input, gets the first one's outcome and sends nothing.
--
--   local dups = dedupe.count(eps, queries, n)   -- the n requests of an array, checked
--   dups:take(call)  -> nil         no other request of the input has this call's key (call.index: its place)
--                    -> remaining   how many requests with its key come after this one (0: this is the last)
--
-- Two requests ask for the same answer when they have the same normalised key (request.key: the method and its
-- parameters, sorted, defaults filled in), the same key that coalescing and the cache use.
--
-- Memory: counting makes the key of every request of the array once, up front instead of when the request is taken
-- in (each key is held beside the request's query, which the batch holds anyway, and goes with it); what is kept
-- besides is one count per distinct key that occurs more than once, and each count goes when the last request with
-- its key is taken in. The pipeline then holds one outcome per key whose first request has
-- finished while a duplicate of it is still to come: a batch whose duplicates follow closely holds few, an input
-- that repeats its whole first half holds up to that half's answers (the price of not buying them again), and an
-- input without duplicates holds none. An iterator input is not counted (it cannot be read ahead): its duplicates
-- coalesce while the first one is held by the batch (queued or in flight); the cache answers the later ones.
--
-- No Lua 5.4-only syntax: client.lua loads the batch under LuaJIT (nginx) too.
-- @module xingtu.dedupe

local request = require "xingtu.request"

local _M = { _VERSION = request._VERSION }

local setmetatable, pairs = setmetatable, pairs
local key = request.key

local Dups = {}
Dups.__index = Dups

--- dedupe.count(eps, queries, n) -> a counter for the n requests of an array: eps[i] is request i's catalogue
--  endpoint (its name is the call's endpoint), queries[i] its checked query.
function _M.count(eps, queries, n)
    local keys, all, repeated = {}, {}, false
    for i = 1, n do
        local k = key(eps[i].name, queries[i])
        keys[i] = k
        local c = all[k]
        if c then
            all[k] = c + 1
            repeated = true
        else
            all[k] = 1
        end
    end
    -- A table does not shrink when entries are cleared: the keys that repeat go into a new one, the rest is garbage.
    local counts = {}
    if repeated then
        for k, c in pairs(all) do
            if c > 1 then counts[k] = c end
        end
    end
    return setmetatable({ keys = keys, counts = counts }, Dups)
end

--- The request call.index of the array is taken in: nil when no other request has its key, else how many with its
--  key are still to come.
function Dups:take(call)
    local i = call.index
    local keys = self.keys
    local k = keys[i]
    keys[i] = nil
    -- The key request.key_of would make, made once already: given to the call as request.key_of keeps it, so the
    -- pipeline does not make it a second time.
    call.key = k
    local counts = self.counts
    local c = counts[k]
    if c == nil then return nil end
    c = c - 1
    if c == 0 then
        counts[k] = nil
    else
        counts[k] = c
    end
    return c
end

return _M
