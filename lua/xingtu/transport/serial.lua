--- A stand-in multi engine for a transport that offers no multi() of its own (a spec's fake, a caller's object with
-- just get): transfers run one by one through transport:get when they are polled for, so a batch never bypasses the
-- transport it was given.
--
--   local m = require("xingtu.transport.serial").new(transport)
--   m:add(url, tag, timeout)     -- queued
--   m:poll(timeout, at_most)     -- runs the oldest queued transfer (none with at_most == 0): { result + tag }
--   m:pending(), m:close()
--
-- The interface is core.multi's (csrc/multi.c), as lua/xingtu/batch.lua uses it. No Lua 5.4-only syntax.
-- @module xingtu.transport.serial

local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil }

local setmetatable = setmetatable

local Serial = {}
Serial.__index = Serial

-- The queue: an array with its own head and tail, back to 1 whenever it empties.
local function fifo() return { head = 1, tail = 0 } end

--- serial.new(transport) -> a multi over transport:get.
function _M.new(transport)
    return setmetatable({ transport = transport, queue = fifo() }, Serial)
end

function Serial:add(url, tag, timeout)
    local q = self.queue
    local t = q.tail + 1
    q.tail = t
    q[t] = { url, tag, timeout }
end

-- Nothing runs in the background: the transfer happens when it is polled for.
function Serial:poll(_, at_most)
    local q = self.queue
    local h = q.head
    if at_most == 0 or h > q.tail then return {} end
    local item = q[h]
    q[h] = nil
    if h == q.tail then
        q.head, q.tail = 1, 0
    else
        q.head = h + 1
    end
    local r = self.transport:get(item[1], item[3])
    r.tag = item[2]
    return { r }
end

function Serial:pending() return self.queue.tail - self.queue.head + 1 end

function Serial:close() self.queue = fifo() end

return _M
