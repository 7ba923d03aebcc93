--- The transport's result, as code: the table a transport's get(url, timeout) returns and a multi engine's poll hands
-- back. The C core's session and multi (csrc/result.h), the nginx transport (lua/xingtu/transport/ngx.lua), the
-- specs' fakes and any transport handed to xingtu.new all answer with it; the call pipeline (errors.classify) reads
-- nothing else. spec/transport_contract_spec.lua runs the same cases against every implementation.
--
--   local result = require "xingtu.result"
--   result.new { status = 200, sent = true, body = decoded, size = 812 }   -- the defaults filled in
--   result.failure("connect", "connecting to 127.0.0.1:1 failed: connection refused")
--   result.check(r)          --> true, or nil and what breaks the contract ("error: unknown name 'oops'")
--
-- Fields (result.FIELDS says the same as data):
--   status         integer: the HTTP status, 0 when no response came (or its status line made no sense)
--   sent           boolean: the request reached the wire, so the call may have been billed
--   size           integer: bytes of body received (the whole body, or as much as came before a failure)
--   elapsed        number: seconds the transfer took
--   connects       integer: new connections this transfer opened (0 on a reused one)
--   error          nil, or one of result.ERRORS: why the transfer did not complete
--   error_message  string, with `error`: what happened, readable (never the URL: it carries the token)
--   body           the decoded JSON body, when the transfer completed and the body is JSON
--   json_error     string, when it completed and the body is not JSON ("empty body" for none) ...
--   raw            ... with the first RAW_MAX (core.limits.raw_max) bytes of that body
--   text           string: the whole body as received, only when the transport was opened with keep_text
--   content_type, retry_after, request_id   strings: those response headers (X-Request-Id), trimmed, at most
--                  header_max - 1 bytes, absent when empty
--   tag            a multi's results only: the tag given to add()
-- The URL is never a field: it carries the token.
--
-- No Lua 5.4-only syntax: this loads under LuaJIT (nginx) too, with or without the C core.
-- @module xingtu.result

local has_core, the_core = pcall(require, "xingtu.core")

local _M = { _VERSION = has_core and the_core.VERSION or nil }

local type, pairs, ipairs, tostring, format = type, pairs, ipairs, tostring, string.format
local floor = math.floor

--- The error names, and what each stands for.
_M.ERRORS = {
    timeout = "no complete answer within the time allowed (sent: the request left first; else connecting timed out)",
    connect = "the connection was refused or could not be made",
    resolve = "the host name did not resolve",
    send = "the request could not be written",
    recv = "reading the answer failed, or the server closed the connection without one",
    partial = "the connection closed before the end of the body",
    too_large = "the body is larger than max_body",
    protocol = "the URL or the protocol is not one the transport speaks",
    tls = "the TLS handshake failed (a certificate that does not verify included)",
    other = "anything else, the transport's own failures included",
}

local function is_integer(v)
    return type(v) == "number" and v == floor(v) and v >= 0
end

local function is_string(v) return type(v) == "string" end
local function is_boolean(v) return type(v) == "boolean" end
local function is_number(v) return type(v) == "number" and v == v and v >= 0 end
local function is_any() return true end
local function is_error_name(v) return _M.ERRORS[v] ~= nil end

--- The fields: name -> { check, required }.
_M.FIELDS = {
    status = { is_integer, true }, sent = { is_boolean, true }, size = { is_integer, true },
    elapsed = { is_number, true }, connects = { is_integer, false },
    error = { is_error_name, false }, error_message = { is_string, false },
    body = { is_any, false }, json_error = { is_string, false }, raw = { is_string, false },
    text = { is_string, false }, content_type = { is_string, false }, retry_after = { is_string, false },
    request_id = { is_string, false }, tag = { is_any, false },
}

--- The fields of what a response said (forgotten when an attempt starts over on a new connection).
_M.ANSWER_FIELDS = { "error", "error_message", "status", "content_type", "retry_after", "request_id" }

--- result.new(fields) -> a result: `fields` (a table, taken over) with status 0, sent false, size 0, elapsed 0 and
--  connects 0 where it has none.
function _M.new(fields)
    local r = fields or {}
    if r.status == nil then r.status = 0 end
    if r.sent == nil then r.sent = false end
    if r.size == nil then r.size = 0 end
    if r.elapsed == nil then r.elapsed = 0 end
    if r.connects == nil then r.connects = 0 end
    return r
end

--- result.failure(name, message, fields) -> the result of a transfer that failed with error `name` (one of
--  result.ERRORS; another raises: a transport's mistake), `message` saying what happened. `fields` as result.new's.
function _M.failure(name, message, fields)
    if not _M.ERRORS[name] then error("xingtu.result: unknown error name " .. tostring(name), 2) end
    local r = _M.new(fields)
    r.error, r.error_message = name, message or name
    return r
end

--- result.forget_answer(r): r as before its attempt's answer (ANSWER_FIELDS cleared, status 0, not sent), for an
--  attempt that starts over on a new connection.
function _M.forget_answer(r)
    for _, key in ipairs(_M.ANSWER_FIELDS) do r[key] = nil end
    r.status, r.sent = 0, false
    return r
end

local RAW_MAX = has_core and the_core.limits.raw_max or 512
local HEADER_MAX = has_core and the_core.limits.header_max or 256

-- The rules between fields; each returns nil or what breaks.
local function relations(r, opts)
    if r.error ~= nil and type(r.error_message) ~= "string" then return "error without an error_message" end
    if r.error == nil and r.error_message ~= nil then return "error_message without an error" end
    if r.error ~= nil and (r.body ~= nil or r.json_error ~= nil) then return "a failed transfer with a body" end
    if r.error == nil and (r.body == nil) == (r.json_error == nil) then
        return "a completed transfer needs exactly one of body and json_error"
    end
    if (r.json_error ~= nil) ~= (r.raw ~= nil) then return "json_error and raw go together" end
    if r.raw and #r.raw > RAW_MAX then return format("raw is %d bytes, more than %d", #r.raw, RAW_MAX) end
    for _, key in ipairs { "content_type", "retry_after", "request_id" } do
        local v = r[key]
        if v == "" then return key .. " is empty (absent, when the header is)" end
        if v and #v > HEADER_MAX - 1 then return format("%s is %d bytes, more than %d", key, #v, HEADER_MAX - 1) end
    end
    if opts.keep_text and r.error == nil and type(r.text) ~= "string" then return "keep_text without text" end
    if not opts.keep_text and r.text ~= nil then return "text without keep_text" end
    if r.text and r.error == nil and #r.text ~= r.size then return "text and size differ" end
    if opts.tagged == false and r.tag ~= nil then return "a tag on a result of get" end
    return nil
end

--- result.check(r, opts) -> true, or nil and the first thing about `r` that breaks the contract (a field of
--  unknown name, a required one missing, a value of the wrong type, fields that do not go together). opts:
--  keep_text (the transport was opened with it), tagged (false: from get, so no tag).
function _M.check(r, opts)
    opts = opts or {}
    if type(r) ~= "table" then return nil, "a result is a table, got " .. type(r) end
    for key, value in pairs(r) do
        local field = _M.FIELDS[key]
        if not field then return nil, "unknown field " .. tostring(key) end
        if not field[1](value) then
            return nil, format("%s: %s is not what the contract says", tostring(key), tostring(value))
        end
    end
    for key, field in pairs(_M.FIELDS) do
        if field[2] and r[key] == nil then return nil, "missing " .. key end
    end
    local why = relations(r, opts)
    if why then return nil, why end
    return true
end

return _M
