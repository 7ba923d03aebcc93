-- The cases of spec/transport_contract_spec.lua: what a transport's get(url) must answer for each circumstance, as
-- a transport result (lua/xingtu/result.lua). Pure Lua: the spec loads it, and so does spec/helpers/ngx_cases.lua
-- inside nginx, to run the very same cases through the nginx transport.
--
--   case.name, case.says    a name, and what the case is about (the spec's words)
--   case.url(ctx)           the URL to get; ctx = { base = the sandbox, token, refused = a port that refuses,
--                           own = the nginx the spec started (for what the sandbox does not do: a chunked body) }
--   case.fault              a sandbox fault to queue first (sandbox/README.md), or nil
--   case.opts               the transport's options (timeout, max_body, keep_text), or nil
--   case.expect             fields the result must have: status, sent, error, and body_code (the decoded body's
--                           code), json_error = true, retry_after, text = true
--   case.fake(fake)         the result spec/helpers/fake.lua makes for the circumstance (nil: fakes cannot say it)
--
-- cases.problems(case, r, tagged) -> every way `r` breaks the contract or the expectation (empty when none).

local result = require "xingtu.result"

local _M = {}

local TOUCH = "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1"

local function touch(ctx)
    return ctx.base .. TOUCH .. "?token=" .. ctx.token .. "&oAuthorId=6976442543234760712"
end

_M.list = {
    { name = "answer", says = "a JSON answer: its status and the decoded body, sent", url = touch,
        expect = { status = 200, sent = true, body_code = 0 },
        fake = function(fake) return fake.ok({ video_touch = {} }) end },
    { name = "answer_text", says = "with keep_text, the body as it came as well", url = touch,
        opts = { keep_text = true }, expect = { status = 200, sent = true, body_code = 0, text = true } },
    { name = "not_json", says = "an HTML error page: its status, json_error and the start of the page as raw",
        url = touch, fault = { status = 500, html = 1 }, expect = { status = 500, sent = true, json_error = true },
        fake = function(fake) return fake.http(500) end },
    { name = "retry_after", says = "a 429 with Retry-After: the header, trimmed", url = touch,
        fault = { status = 429, retry_after = "7" }, expect = { status = 429, sent = true, retry_after = "7" },
        fake = function(fake) return fake.code(302, 429, { retry_after = "7" }) end },
    { name = "refused", says = "a refused connection: connect, nothing sent, no status",
        url = function(ctx) return "http://127.0.0.1:" .. ctx.refused .. TOUCH end,
        expect = { status = 0, sent = false, error = "connect" },
        fake = function(fake) return fake.transport_error("connect", false) end },
    { name = "timeout", says = "no answer in time: timeout, the request sent", url = touch, fault = { delay = 1 },
        opts = { timeout = 0.3 }, expect = { sent = true, error = "timeout" },
        fake = function(fake) return fake.transport_error("timeout", true) end },
    { name = "too_large", says = "a body over max_body: too_large", url = touch, opts = { max_body = 100 },
        expect = { sent = true, error = "too_large" },
        fake = function(fake) return fake.transport_error("too_large", true) end },
    { name = "partial", says = "a body cut short of its Content-Length: partial", url = touch,
        fault = { close_mid_body = 1 }, expect = { sent = true, error = "partial" },
        fake = function(fake) return fake.transport_error("partial", true) end },
    { name = "protocol", says = "a URL of another protocol: protocol, nothing sent",
        url = function() return "ftp://127.0.0.1/x" end, expect = { status = 0, sent = false, error = "protocol" },
        fake = function(fake) return fake.transport_error("protocol", false) end },
    { name = "chunked", says = "a chunked answer: the whole body, decoded",
        url = function(ctx) return ctx.own .. "/chunked" end, expect = { status = 200, sent = true, body_code = 0 },
        fake = function(fake) return fake.ok({}) end },
}

_M.by_name = {}
for _, case in ipairs(_M.list) do _M.by_name[case.name] = case end

--- Every way `r` breaks the contract (result.check) or the case's expectation.
function _M.problems(case, r, tagged)
    local out = {}
    local ok, why = result.check(r, { keep_text = case.opts and case.opts.keep_text, tagged = tagged })
    if not ok then out[#out + 1] = "contract: " .. why end
    if type(r) ~= "table" then return out end
    local e = case.expect
    for _, key in ipairs { "status", "sent", "error", "retry_after" } do
        if e[key] ~= nil and r[key] ~= e[key] then
            out[#out + 1] = ("%s is %s, expected %s"):format(key, tostring(r[key]), tostring(e[key]))
        end
    end
    if e.error == nil and r.error ~= nil then out[#out + 1] = "error " .. tostring(r.error) .. ": " .. tostring(r.error_message) end
    if e.body_code ~= nil and not (type(r.body) == "table" and r.body.code == e.body_code) then
        out[#out + 1] = "the body's code is not " .. tostring(e.body_code)
    end
    if e.json_error and not (type(r.json_error) == "string" and type(r.raw) == "string" and #r.raw > 0) then
        out[#out + 1] = "no json_error with raw"
    end
    if e.text and not (type(r.text) == "string" and #r.text == r.size and #r.text > 0) then
        out[#out + 1] = "no text of the body's size"
    end
    return out
end

return _M
