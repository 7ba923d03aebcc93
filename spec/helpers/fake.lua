-- A transport double for specs that need no HTTP: it records every URL it is asked for and answers from a script.
--
--   local fake = require "helpers.fake"
--   local t = fake.transport { fake.ok({ video_touch = {} }), fake.code(301) }
--   local client = xingtu.new { token = "secret-token", transport = t, sleep = fake.no_sleep }
--
-- The answers are transport results (lua/xingtu/result.lua), made with its constructors.

local result = require "xingtu.result"

local _M = {}

local Transport = {}
Transport.__index = Transport

--- answers: an array of result tables (see the C core's session:get); the last one repeats when they run out.
function _M.transport(answers)
    return setmetatable({ answers = answers or {}, urls = {}, closed = false }, Transport)
end

function Transport:get(url)
    self.urls[#self.urls + 1] = url
    local answer = self.answers[#self.urls] or self.answers[#self.answers] or _M.ok({})
    if type(answer) == "function" then answer = answer(url, #self.urls) end
    local copy = {}
    for k, v in pairs(answer) do copy[k] = v end
    return copy
end

function Transport:close()
    self.closed = true
end

function Transport:count()
    return #self.urls
end

local function envelope(code, data, message)
    return {
        code = code,
        message = message or (code == 0 and "success" or "failure"),
        data = data,
        recordTime = "2026-11-23 10:00:00",
        requestId = "req-" .. tostring(code),
    }
end

function _M.ok(data)
    return result.new { status = 200, body = envelope(0, data), size = 100, elapsed = 0.01, sent = true }
end

function _M.code(code, http_status, extra)
    local r = { status = http_status or 200, body = envelope(code, nil, "code " .. code), size = 80, elapsed = 0.01,
        sent = true }
    for k, v in pairs(extra or {}) do r[k] = v end
    return result.new(r)
end

function _M.http(status, raw, extra)
    local r = { status = status, json_error = "unexpected character '<' at byte 1", raw = raw or "<html>oops</html>",
        size = 20, elapsed = 0.01, sent = true }
    for k, v in pairs(extra or {}) do r[k] = v end
    return result.new(r)
end

function _M.transport_error(kind, sent, message)
    return result.failure(kind, message or kind, { sent = sent == true, elapsed = 0.01 })
end

--- A clock and sleep pair: sleeping advances the clock, and every sleep is recorded.
function _M.clock()
    local now = 1000.0
    local sleeps = {}
    return {
        now = function() return now end,
        sleep = function(s) sleeps[#sleeps + 1] = s; now = now + s end,
        advance = function(s) now = now + s end,
        sleeps = sleeps,
    }
end

return _M
