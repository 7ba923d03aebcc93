--- A fleet-wide lock in Redis: one sender per answer across processes and hosts (the lock object of
-- /work/notes/12-seams.md, which lua/xingtu/pipeline.lua takes as the client's `lock` option).
--
--   xingtu.new{ lock = require("xingtu.redis.lock").new{ host = "127.0.0.1", port = 6379 } }
--
-- lock:acquire(key, ttl) -> handle | false, retry_in | nil, err. SET <prefix>lock:<key> <random owner> NX PX ttl:
-- the holder is whoever set it; a holder that dies (kill -9) blocks the others for at most ttl. lock:release(handle)
-- deletes the key only when it still holds this owner's value (a compare-and-delete script), so a lock that expired
-- and was taken by another is never released by the late first holder. Redis down or slow: acquire returns nil, err
-- after at most the connection's timeout (default 0.2 s) and the pipeline fails open (it sends, and counts it).
-- No Lua 5.4-only syntax: loads under LuaJIT (nginx).

local conn = require "xingtu.redis.conn"

local _M = { _VERSION = require("xingtu.core").VERSION }
local mt = { __index = _M }
local type, error, tostring, floor, format, random = type, error, tostring, math.floor, string.format, math.random

local RELEASE = [[
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
]]

-- Lua 5.4 seeds math.random itself; LuaJIT does not, so two workers would draw the same owners.
local seeded = _VERSION == "Lua 5.4"
local function owner()
    if not seeded then
        seeded = true
        local ok, socket = pcall(require, "socket")
        local t = ok and socket.gettime() or os.time()
        local addr = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
        math.randomseed(floor((t * 1000000 + addr) % 2147483647))
    end
    return format("%08x%08x%08x", random(0, 0x7fffffff), random(0, 0x7fffffff), random(0, 0x7fffffff))
end

--- new(opts) -> lock. opts: the connection's (host, port, db, password, timeout, prefix or redis), ttl (the least
--  ttl the pipeline passes, seconds; unset: the pipeline's own, the whole call's length; acquire without a ttl
--  uses 60), poll (seconds a waiter waits before asking again, 0.05).
function _M.new(opts)
    opts = opts or {}
    if type(opts) ~= "table" then error("xingtu.redis.lock: expected a table of options", 2) end
    local ttl, poll = opts.ttl, opts.poll or 0.05
    if ttl ~= nil and (type(ttl) ~= "number" or ttl <= 0) then
        error("xingtu.redis.lock: ttl must be a number of seconds > 0", 2)
    end
    if type(poll) ~= "number" or poll <= 0 then error("xingtu.redis.lock: poll must be a number of seconds > 0", 2) end
    return setmetatable({ redis = conn.new(opts), ttl = ttl, poll = poll }, mt)
end

function _M:acquire(key, ttl)
    ttl = ttl or self.ttl or 60
    local c = self.redis
    local name = c.prefix .. "lock:" .. tostring(key)
    local me = owner()
    local res, err = c:call("set", name, me, "NX", "PX", floor(ttl * 1000) + 1)
    if err then return nil, "redis lock: " .. tostring(err) end
    if res == nil or res == false then return false, self.poll end
    return { name = name, owner = me }
end

function _M:release(handle)
    if type(handle) ~= "table" or not handle.name then return nil, "not a handle of this lock" end
    local res, err = self.redis:eval(RELEASE, { handle.name }, { handle.owner })
    if err then return nil, "redis lock: " .. tostring(err) end
    return res == 1 or nil, res == 1 and nil or "not held"
end

return _M
