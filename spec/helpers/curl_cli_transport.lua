-- A transport over the curl command-line tool: one new file that implements the transport contract (get(url,
-- timeout) returns the result of lua/xingtu/result.lua; close() optional; no multi(), so batches run one transfer
-- at a time through get) and plugs into the client with no edit to the pipeline:
--
--   local curl_cli = require "helpers.curl_cli_transport"
--   local client = xingtu.new { token = ..., transport = curl_cli.new { timeout = 5, keep_text = true } }
--
-- Each get runs `curl` once. The URL (it carries the token) goes to curl in a config file of this user's only
-- (curl -K), never on a command line that `ps` would show, and is removed again. curl's exit status is the error
-- name (below), its -w output the status, whether the request was sent, the connections and the time, its -D dump
-- the headers; the body is decoded with the C core. Spec-only: proof that a transport is one file, used by
-- spec/transport_contract_spec.lua. Lua 5.4.

local core = require "xingtu.core"
local result = require "xingtu.result"

local _M = {}

local RAW_MAX = core.limits.raw_max
local HEADER_MAX = core.limits.header_max

-- curl's exit codes (curl(1), EXIT CODES) as the result's error names; any other is "other".
local ERRORS = {
    [1] = "protocol", [3] = "protocol", [5] = "resolve", [6] = "resolve", [7] = "connect", [18] = "partial",
    [28] = "timeout", [52] = "recv", [55] = "send", [56] = "recv", [63] = "too_large",
    [35] = "tls", [51] = "tls", [53] = "tls", [54] = "tls", [58] = "tls", [59] = "tls", [60] = "tls", [64] = "tls",
    [66] = "tls", [77] = "tls", [80] = "tls", [82] = "tls", [83] = "tls", [90] = "tls", [91] = "tls",
}

local Transport = {}
Transport.__index = Transport

--- new(opts) -> a transport. opts: timeout, connect_timeout (seconds), max_body (bytes), keep_text (boolean).
function _M.new(opts)
    opts = opts or {}
    return setmetatable({
        timeout = opts.timeout or core.limits.default_timeout,
        connect_timeout = opts.connect_timeout or core.limits.default_connect_timeout,
        max_body = opts.max_body or core.limits.default_max_body,
        keep_text = opts.keep_text == true,
        requests = 0,
    }, Transport)
end

local function read(path)
    local f = io.open(path, "rb")
    if not f then return "" end
    local text = f:read("a")
    f:close()
    return text
end

local function trimmed(value)
    value = value:gsub("^[ \t]+", ""):gsub("[ \t\r\n]+$", ""):gsub("%c", "")
    if #value > HEADER_MAX - 1 then value = value:sub(1, HEADER_MAX - 1) end
    if value == "" then return nil end
    return value
end

-- The headers of the last answer in a -D dump (1xx answers come first), lower-case name -> value.
local function last_headers(dump)
    local headers = {}
    for line in dump:gmatch("[^\n]*") do
        if line:match("^HTTP/") then
            headers = {}
        else
            local name, value = line:match("^([^:]+):(.*)$")
            if name then headers[name:lower()] = value end
        end
    end
    return headers
end

local function body_into(self, r, body)
    r.size = #body
    if self.keep_text then r.text = body end
    if body == "" then
        r.json_error, r.raw = "empty body", ""
        return
    end
    local value, err = core.decode(body)
    if err == nil then
        r.body = value
    else
        r.json_error, r.raw = err, body:sub(1, RAW_MAX)
    end
end

-- Runs curl for `url`; returns its exit status, its -w line, and the files it wrote.
local function run_curl(self, url, limit)
    local config = os.tmpname() -- made by mkstemp: this user's alone
    local files = { config = config, body = config .. ".body", head = config .. ".head", err = config .. ".err" }
    local f = assert(io.open(config, "w"))
    f:write('url = "', (url:gsub('[\\"]', "\\%0")), '"\n')
    f:close()
    local cmd = string.format("umask 077; curl -sS -K %s -o %s -D %s --max-time %.3f --connect-timeout %.3f"
        .. " --max-filesize %d --proto =http,https -H 'Accept: application/json'"
        .. " -w '%%{http_code} %%{size_request} %%{num_connects} %%{time_total}' 2>%s",
        files.config, files.body, files.head, limit, math.min(limit, self.connect_timeout), self.max_body, files.err)
    local p = assert(io.popen(cmd, "r"))
    local out = p:read("a")
    local _, _, code = p:close()
    os.remove(config)
    return code or 0, out, files
end

--- t:get(url, timeout) -> a transport result (lua/xingtu/result.lua).
function Transport:get(url, timeout)
    self.requests = self.requests + 1
    local limit = timeout and math.min(timeout, self.timeout) or self.timeout
    local code, out, files = run_curl(self, url, limit)
    local status, request_size, connects, elapsed = out:match("^(%d+) (%d+) (%d+) ([%d.]+)")
    local headers = last_headers(read(files.head))
    local r = result.new {
        status = tonumber(status) or 0, sent = (tonumber(request_size) or 0) > 0,
        connects = tonumber(connects) or 0, elapsed = tonumber(elapsed) or 0,
        content_type = headers["content-type"] and trimmed(headers["content-type"]),
        retry_after = headers["retry-after"] and trimmed(headers["retry-after"]),
        request_id = headers["x-request-id"] and trimmed(headers["x-request-id"]),
    }
    local body = read(files.body)
    if code ~= 0 then
        r.size = #body
        local message = read(files.err):gsub("%s+$", "")
        result.failure(ERRORS[code] or "other", message ~= "" and message or ("curl exited with " .. code), r)
    else
        body_into(self, r, body)
    end
    for _, path in pairs(files) do os.remove(path) end
    return r
end

--- Nothing to release: every get is a process of its own.
function Transport.close() end

return _M
