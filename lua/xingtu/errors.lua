-- Failures as values: every way a call can fail becomes an error table with a stable `kind`.
--
-- Business codes come from the provider's envelope; transport failures from the C core's result table. Whether a
-- failure was billed follows the provider's documentation: codes 0 and 201 are billed, the documented refusals are
-- not, and anything whose outcome the client cannot know (the request left, but no trustworthy answer came back) is
-- "unknown".

local result = require "xingtu.result"
local secret = require "xingtu.secret"

local _M = {}

local setmetatable, getmetatable, tostring, type, format, pairs = setmetatable, getmetatable, tostring, type,
    string.format, pairs
local floor = math.floor
local math_type = math.type

-- kind, retryable, billed for each business code the provider documents.
local BY_CODE = {
    [100] = { "invalid_token", false, false },
    [201] = { "not_found", false, true },
    [301] = { "collection_failed", true, false },
    [302] = { "rate_limited", true, false },
    [303] = { "quota_exceeded", false, false },
    [400] = { "invalid_params", false, false },
    [500] = { "server_error", true, false },
    [503] = { "server_error", true, "unknown" },
    [600] = { "permission_denied", false, false },
    [601] = { "insufficient_balance", false, false },
    [602] = { "token_limit_exceeded", false, false },
}
_M.BY_CODE = BY_CODE

-- Kinds that concern the account rather than one request: once seen, nothing else this token sends can succeed.
_M.ACCOUNT_KINDS = {
    invalid_token = true,
    quota_exceeded = true,
    insufficient_balance = true,
    token_limit_exceeded = true,
}

local Error = {}
Error.__index = Error
_M.Error = Error

function Error:__tostring()
    local parts = { "xingtu: ", self.kind }
    local detail = {}
    if self.code ~= nil then detail[#detail + 1] = "code " .. tostring(self.code) end
    if self.http_status and self.http_status ~= 0 then detail[#detail + 1] = "HTTP " .. self.http_status end
    if #detail > 0 then parts[#parts + 1] = " (" .. table.concat(detail, ", ") .. ")" end
    if self.endpoint then parts[#parts + 1] = " in " .. self.endpoint end
    if self.message and self.message ~= "" then parts[#parts + 1] = ": " .. self.message end
    if self.attempts and self.attempts > 1 then parts[#parts + 1] = format(" after %d attempts", self.attempts) end
    -- What the provider asked for (Retry-After) is what a user needs to know to try again, whatever was decided.
    if type(self.retry_after) == "number" and (self.kind == "rate_limited" or self.http_status == 429
        or self.http_status == 503) then
        parts[#parts + 1] = format(" (the provider asked to wait %s s)", format("%.0f", self.retry_after))
    end
    parts[#parts + 1] = format(" [billed: %s]", tostring(self.billed))
    if self.request_id then parts[#parts + 1] = " [request " .. self.request_id .. "]" end
    return (table.concat(parts):gsub("[\r\n]+", " "))
end

--- Builds an error table. `fields` needs at least `kind`; the rest default to "nothing known".
function _M.new(fields)
    fields.retryable = fields.retryable == true
    if fields.billed == nil then fields.billed = false end
    fields.message = fields.message or fields.kind
    return setmetatable(fields, Error)
end

--- True when `value` is an error table made by xingtu (also `xingtu.is_error`).
function _M.is_error(value)
    return getmetatable(value) == Error
end

-- The business code must be an integer: `"code": 0.0` or `"code": "0"` is not the provider's envelope, and only the
-- integer 0 is success. (LuaJIT holds every number as a double and cannot tell 0.0 from 0.)
local function is_code(value)
    if math_type then return math_type(value) == "integer" end
    return type(value) == "number" and floor(value) == value
end

local function nonempty_string(value)
    if type(value) == "string" and value ~= "" then return value end
    return nil
end

local SNIPPET = 120 -- bytes of a body that is not the envelope, shown in the message

-- The start of a body for a message: the token masked in the whole of what arrived (a page that echoes the URL
-- echoes it, and a cut-off token is still most of it), whitespace made one line, then masked once more (a token
-- with a space, echoed with a tab), and only then cut, on a character boundary. What arrived may end where the core
-- or the connection cut it, and the snippet ends where it was cut: both are masked as cuts (the token's first
-- bytes hidden there too). Without a mask (no token to hide) the body is shown as it is.
local function snippet_of(raw, mask)
    if not mask then return secret.cut(raw:gsub("%s+", " "), SNIPPET) end
    local text = mask(raw, true):gsub("%s+", " ")
    return mask(secret.cut(mask(text, true), SNIPPET), true)
end

-- The outcome of a completed HTTP exchange whose body is not the provider's envelope.
local function from_http_status(status, res, mask)
    local snippet = res.raw and snippet_of(res.raw, mask) or nil
    local why = res.json_error and ("body is not JSON (" .. res.json_error .. ")")
        or "body is not the provider's envelope"
    if snippet and snippet ~= "" then why = why .. ": " .. snippet end
    if status == 429 then
        return { kind = "rate_limited", retryable = true, billed = false, message = "HTTP 429 Too Many Requests" }
    elseif status >= 500 then
        return { kind = "server_error", retryable = true, billed = "unknown",
            message = "HTTP " .. status .. ", " .. why }
    elseif status == 401 then
        return { kind = "invalid_token", billed = false, message = "HTTP 401, " .. why }
    elseif status == 403 then
        return { kind = "permission_denied", billed = false, message = "HTTP 403, " .. why }
    elseif status == 400 then
        return { kind = "invalid_params", billed = false, message = "HTTP 400, " .. why }
    elseif status >= 300 then
        -- Redirects are never followed: the token travels in the query string.
        return { kind = "api_error", billed = "unknown", message = "HTTP " .. status .. ", " .. why }
    end
    return { kind = "bad_response", billed = "unknown", message = why }
end

-- The kind of each of the transport's error names (lua/xingtu/result.lua): a network failure, but for timeout and
-- too_large, which from_transport reads first.
local TRANSPORT = {}
for name in pairs(result.ERRORS) do TRANSPORT[name] = "network" end

-- The outcome of a transfer libcurl could not complete.
local function from_transport(res)
    local sent = res.sent == true
    local message = res.error_message or res.error
    if res.error == "timeout" then
        if not sent then
            return { kind = "network", retryable = true, billed = false, message = "connect timeout: " .. message }
        end
        return { kind = "timeout", retryable = true, billed = "unknown", message = message }
    elseif res.error == "too_large" then
        return { kind = "bad_response", billed = "unknown", message = "response over the size cap: " .. message }
    elseif res.error == "partial" and res.status and res.status >= 200 and res.status < 300 then
        return { kind = "network", retryable = true, billed = "unknown", message = "connection closed mid-response: "
            .. message }
    end
    local retryable = res.error ~= "tls" and res.error ~= "protocol"
    return {
        kind = TRANSPORT[res.error] or "network",
        retryable = retryable,
        billed = sent and "unknown" or false,
        message = message,
    }
end

--- Turns the C core's result table into (data, meta) on success or (nil, err).
--  `meta` is filled in by the caller (url, attempts, ...); here only what the response says. `mask` (optional) hides
--  the token in what the provider sent, before any of it is cut (the caller masks the other fields after).
--  The Retry-After header is not copied into the error: it is the provider's raw text (it could echo anything), so
--  the client hands it from `res` to the retry policy, which keeps only the seconds it means (err.retry_after).
function _M.classify(res, endpoint, mask)
    local fields
    local body = res.body
    if res.error then
        fields = from_transport(res)
    elseif type(body) == "table" and is_code(body.code) then -- the provider's envelope
        local code = body.code
        if code == 0 and res.status >= 200 and res.status < 300 then
            -- nonempty_string, inline: every answer comes this way.
            local message, request_id, record_time = body.message, body.requestId, body.recordTime
            if type(message) ~= "string" or message == "" then message = nil end
            if type(request_id) ~= "string" or request_id == "" then request_id = res.request_id end
            if type(record_time) ~= "string" or record_time == "" then record_time = nil end
            return body.data, {
                code = 0,
                message = message,
                request_id = request_id,
                record_time = record_time,
                http_status = res.status,
                elapsed = res.elapsed,
                endpoint = endpoint,
                -- The caller's fields (see above), named so that the table is made with room for them.
                url = nil, attempts = nil, rate = nil,
            }
        end
        local known = BY_CODE[code]
        if code == 0 then
            fields = from_http_status(res.status, res, mask)
        elseif known then
            fields = { kind = known[1], retryable = known[2], billed = known[3] }
        elseif res.status == 429 then
            fields = { kind = "rate_limited", retryable = true, billed = false }
        else
            fields = { kind = "api_error", retryable = false, billed = "unknown" }
        end
        if code ~= 0 then fields.code = code end
        fields.message = nonempty_string(body.message) or fields.message
        fields.request_id = nonempty_string(body.requestId)
    else
        fields = from_http_status(res.status, res, mask)
    end
    fields.http_status = res.status or 0
    fields.request_id = fields.request_id or res.request_id
    fields.endpoint = endpoint
    fields.elapsed = res.elapsed
    return nil, _M.new(fields)
end

return _M
