--- The nginx transport's multi engine (t:multi{...}, lua/xingtu/transport/ngx.lua): the interface of core.multi
-- (csrc/multi.c) on nginx's light threads. add(url, tag, timeout), poll(timeout, at_most) -> results (each with
-- r.tag), pending(), stats(), close(). At most `concurrency` requests run at once, each in its own light thread
-- (ngx.thread) of the calling request, each through the transport's get.
--
-- No Lua 5.4-only syntax (LuaJIT).
-- @module xingtu.transport.ngx.multi

-- luacheck: read globals ngx

local result = require "xingtu.result"

local _M = { _VERSION = require("xingtu.core").VERSION }

local type, tostring, setmetatable, pcall, error = type, tostring, setmetatable, pcall, error
local remove = table.remove
local floor = math.floor

local Multi = {}
Multi.__index = Multi
_M.Multi = Multi

--- multi.new(transport, concurrency) -> a Multi whose transfers go through transport:get.
function _M.new(transport, concurrency)
    local semaphore = require("ngx.semaphore")
    return setmetatable({
        transport = transport,
        concurrency = concurrency,
        queue = {},   -- { url, tag } not started
        done = {},    -- results not yet returned by poll
        threads = {}, -- thread -> true while it runs or is unreaped
        running = 0,
        pending_ = 0,
        requests = 0,
        connects_before = transport.connects,
        sema = semaphore.new(0),
        closed = false,
    }, Multi)
end

local function check_open(m)
    if m.closed then error("multi is closed", 3) end
end

local function run_one(m, url, tag, timeout)
    local ok, r = pcall(m.transport.get, m.transport, url, timeout)
    if not ok then r = result.failure("other", "transport failure: " .. tostring(r)) end
    m.running = m.running - 1
    if m.closed then return end
    r.tag = tag
    m.done[#m.done + 1] = r
    if m.sema:count() < 0 then m.sema:post(1) end -- wake a waiting poll; nobody waits: nothing to count
end

local function start_queued(m)
    while m.running < m.concurrency and #m.queue > 0 do
        local item = remove(m.queue, 1)
        m.running = m.running + 1
        local th, err = ngx.thread.spawn(run_one, m, item[1], item[2], item[3])
        if not th then
            m.running = m.running - 1
            m.done[#m.done + 1] = result.failure("other", "cannot start a light thread: " .. tostring(err),
                { tag = item[2] })
        else
            m.threads[th] = true
        end
    end
end

--- m:add(url, tag, timeout): queues one GET (timeout, optional: bounds this transfer); it starts at once when a
--  slot is free.
function Multi:add(url, tag, timeout)
    check_open(self)
    if type(url) ~= "string" then error("bad argument #1 to 'add' (string expected, got " .. type(url) .. ")", 2) end
    if url:find("\0", 1, true) then error("bad argument #1 to 'add' (URL contains a NUL byte)", 2) end
    self.queue[#self.queue + 1] = { url, tag, timeout }
    self.pending_ = self.pending_ + 1
    start_queued(self)
end

-- Reaps finished light threads (they are dead; ngx.thread.wait returns at once). Only the spawning coroutine may
-- wait on a thread, so failures are ignored: nginx collects the rest when the request ends.
local function reap(m)
    for th in pairs(m.threads) do
        if coroutine.status(th) == "dead" then
            m.threads[th] = nil
            pcall(ngx.thread.wait, th)
        end
    end
end

-- The oldest `at_most` (nil: all) of the results done, taken out.
local function take_done(m, at_most)
    local out = m.done
    if at_most and #out > at_most then
        local rest = {}
        for k = at_most + 1, #out do
            rest[k - at_most] = out[k]
            out[k] = nil
        end
        m.done = rest
    else
        m.done = {}
    end
    return out
end

--- m:poll(timeout, at_most): waits up to `timeout` seconds (0: only what is already done; nil: until one completes or
--  nothing is left) and returns the completed results, oldest first, at most `at_most` of them (nil: all), each exactly
--  once. poll(0, 0) only lets queued requests start.
function Multi:poll(timeout, at_most)
    check_open(self)
    if timeout ~= nil and (type(timeout) ~= "number" or timeout ~= timeout or timeout < 0) then
        error("bad argument #1 to 'poll' (timeout must be >= 0)", 2)
    end
    if at_most ~= nil and (type(at_most) ~= "number" or at_most < 0 or at_most ~= floor(at_most)) then
        error("bad argument #2 to 'poll' (at_most must be an integer >= 0)", 2)
    end
    start_queued(self)
    if #self.done == 0 and self.pending_ > 0 then
        if timeout == nil then
            self.sema:wait(7 * 86400) -- woken by the first light thread that finishes
        elseif timeout > 0 then
            self.sema:wait(timeout)
        else
            ngx.sleep(0) -- give light threads that are ready a turn
        end
    end
    local out = take_done(self, at_most)
    self.pending_ = self.pending_ - #out
    self.requests = self.requests + #out
    reap(self)
    start_queued(self)
    return out
end

--- m:pending(): added and not yet returned by poll.
function Multi:pending()
    check_open(self)
    return self.pending_
end

function Multi:stats()
    check_open(self)
    return { requests = self.requests, connects = self.transport.connects - self.connects_before }
end

--- m:close(): forgets everything queued and kills the running light threads; idempotent.
function Multi:close()
    if self.closed then return end
    self.closed = true
    for th in pairs(self.threads) do
        pcall(ngx.thread.kill, th)
    end
    self.threads, self.queue, self.done = {}, {}, {}
    self.pending_ = 0
end

Multi.__close = Multi.close

function Multi:__tostring()
    return self.closed and "xingtu.NgxMulti (closed)" or "xingtu.NgxMulti"
end

return _M
