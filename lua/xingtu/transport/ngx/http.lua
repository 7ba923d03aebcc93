--- HTTP/1.1 framing over an nginx cosocket, for the nginx transport (lua/xingtu/transport/ngx.lua): the URL, the
-- request text, the status line and headers, and the body by its framing (none for 204/304, chunked, Content-Length,
-- or up to the close). Nothing here knows the result table: failures come back as the cosocket's own words
-- ("timeout", "closed", ...) or this module's ("too large", "invalid chunk size", ...), and the nginx transport's
-- failure module (lua/xingtu/transport/ngx/failure.lua) says what they mean.
--
--   local scheme, host, port, target, host_header = http.parse_url(url)
--   local ok, err = http.send(sock, http.request(target, host_header, user_agent), deadline)
--   local status, headers, version = http.read_head(sock, deadline)     -- or nil, err, got_any
--   local body, why, info = http.read_body(sock, deadline, status, headers, max_body)
--
-- `deadline` is an ngx.now() time: every read gets what is left of it. No Lua 5.4-only syntax (LuaJIT).
-- @module xingtu.transport.ngx.http

-- luacheck: read globals ngx

local limits = require("xingtu.core").limits -- shared with the C core (csrc/xt_limits.h)

local _M = { _VERSION = require("xingtu.core").VERSION }

local tonumber, concat = tonumber, table.concat
local floor, max = math.floor, math.max
local lower = string.lower

local HEADER_MAX = limits.header_max
local READ_CHUNK = 65536 -- bytes asked for at a time when the body ends at the close

--- scheme, host, port, target ("/path?query"), host_header of an http(s) URL; nil and a message when it is not one.
function _M.parse_url(url)
    local scheme, rest = url:match("^(%a[%w+.-]*)://(.*)$")
    if not scheme then return nil, "malformed URL" end
    scheme = lower(scheme)
    if scheme ~= "http" and scheme ~= "https" then return nil, "unsupported protocol '" .. scheme .. "'" end
    local authority, target = rest:match("^([^/?#]*)(.*)$")
    if authority == "" or authority:find("@", 1, true) then return nil, "malformed URL (host)" end
    local host, port = authority:match("^%[([^%]]+)%]:?(%d*)$") -- [IPv6]:port
    if not host then host, port = authority:match("^([^:]+):?(%d*)$") end
    if not host then return nil, "malformed URL (host)" end
    port = port ~= "" and tonumber(port) or (scheme == "https" and 443 or 80)
    if port < 1 or port > 65535 then return nil, "malformed URL (port)" end
    target = target:gsub("#.*$", "")
    if target == "" then target = "/" end
    if target:sub(1, 1) == "?" then target = "/" .. target end
    if target:find("[%c ]") then return nil, "malformed URL (control character or space)" end
    local default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    local host_header = authority:match("^%[") and ("[" .. host .. "]") or host
    if not default_port then host_header = host_header .. ":" .. port end
    return scheme, host, port, target, host_header
end

--- The text of one GET.
function _M.request(target, host_header, user_agent)
    return concat({
        "GET ", target, " HTTP/1.1\r\n",
        "Host: ", host_header, "\r\n",
        "User-Agent: ", user_agent, "\r\n",
        "Accept: application/json\r\n",
        "Connection: keep-alive\r\n\r\n",
    })
end

-- Milliseconds left before `deadline` (ngx.now() seconds), at least 1.
local function left_ms(deadline)
    ngx.update_time()
    return max(1, floor((deadline - ngx.now()) * 1000 + 0.5))
end
_M.left_ms = left_ms

--- A header's value as the result keeps it: blanks trimmed, control characters dropped, at most header_max - 1 bytes.
function _M.trimmed(value)
    value = value:gsub("^[ \t]+", ""):gsub("[ \t\r\n]+$", ""):gsub("[%c]", "")
    if #value > HEADER_MAX - 1 then value = value:sub(1, HEADER_MAX - 1) end
    return value
end

--- http.send(sock, request, deadline) -> true, or nil and the cosocket's error.
function _M.send(sock, request, deadline)
    sock:settimeout(left_ms(deadline))
    local bytes, err = sock:send(request)
    if not bytes then return nil, err end
    return true
end

-- One header line into `headers` (lower-case name -> value; repeated headers joined by ", ", but Content-Type).
local function add_header(headers, line)
    local name, value = line:match("^([^:]+):(.*)$")
    if not name then return end
    name = lower(name)
    if headers[name] and name ~= "content-type" then
        headers[name] = headers[name] .. ", " .. value
    else
        headers[name] = value
    end
end

--- Reads the status line and the headers, skipping 1xx interim answers. Returns status, headers (lower-case name ->
--  value), http_version; or nil, err ("invalid HTTP status line" or the cosocket's), got_any (whether a status line
--  arrived before the failure).
function _M.read_head(sock, deadline)
    local status, headers, version
    while true do
        sock:settimeout(left_ms(deadline))
        local line, err = sock:receive("*l")
        if not line then return nil, err, status ~= nil end
        version, status = line:match("^HTTP/(%d%.%d) (%d%d%d)")
        if not status then return nil, "invalid HTTP status line", true end
        status = tonumber(status)
        headers = {}
        while true do
            sock:settimeout(left_ms(deadline))
            local h, herr = sock:receive("*l")
            if not h then return nil, herr, true end
            if h == "" then break end
            add_header(headers, h)
        end
        if status >= 200 or status < 100 then break end
    end
    return status, headers, version
end

--- Whether the connection may be kept after this answer.
function _M.keepalive(headers, version)
    local connection = lower(headers["connection"] or "")
    return not connection:find("close", 1, true)
        and (version == "1.1" or connection:find("keep-alive", 1, true) ~= nil)
end

-- A chunked body into `parts`. Returns true, or nil, why ("too large", "invalid chunk size", "invalid chunk end" or
-- the cosocket's error).
local function read_chunked(sock, deadline, parts, limit)
    local size = 0
    while true do
        sock:settimeout(left_ms(deadline))
        local line, err = sock:receive("*l")
        if not line then return nil, err end
        local n = tonumber(line:match("^%s*(%x+)"), 16)
        if not n then return nil, "invalid chunk size" end
        if n == 0 then
            repeat -- trailers up to the empty line
                sock:settimeout(left_ms(deadline))
                line, err = sock:receive("*l")
                if not line then return nil, err end
            until line == ""
            return true
        end
        if size + n > limit then return nil, "too large" end
        sock:settimeout(left_ms(deadline))
        local data, derr, partial = sock:receive(n)
        if not data then
            if partial and partial ~= "" then parts[#parts + 1] = partial end
            return nil, derr
        end
        parts[#parts + 1] = data
        size = size + n
        sock:settimeout(left_ms(deadline))
        local crlf, cerr = sock:receive(2)
        if crlf ~= "\r\n" then return nil, cerr or "invalid chunk end" end
    end
end

-- A body of `length` bytes. Returns it, or nil, why, info.
local function read_length(sock, deadline, length, limit)
    if length > limit then return nil, "too large", { framing = "length" } end
    if length == 0 then return "" end
    sock:settimeout(left_ms(deadline))
    local data, err, partial = sock:receive(length)
    if not data then return nil, err, { framing = "length", size = partial and #partial or 0, length = length } end
    return data
end

-- A body that ends when the server closes the connection.
local function read_to_close(sock, deadline, limit)
    local parts = {}
    while true do
        sock:settimeout(left_ms(deadline))
        local data, err, partial = sock:receive(READ_CHUNK)
        local piece = data or partial
        if piece and piece ~= "" then
            parts[#parts + 1] = piece
            limit = limit - #piece
            if limit < 0 then return nil, "too large", { framing = "close" } end
        end
        if not data then
            if err == "closed" then return concat(parts) end
            return nil, err, { framing = "close", size = #concat(parts) }
        end
    end
end

--- http.read_body(sock, deadline, status, headers, limit) -> the body text and whether the framing lets the
--  connection be kept (false for a body that ended at the close); or nil, why, info. why: "too large" (over
--  `limit` bytes), "unsupported transfer encoding", a framing error ("invalid chunk size", "invalid chunk end") or
--  the cosocket's ("timeout", "closed", ...); info: { framing = "chunked" | "length" | "close", size = bytes received
--  when they are counted, length = the Content-Length, te = the Transfer-Encoding }.
function _M.read_body(sock, deadline, status, headers, limit)
    local te = lower(headers["transfer-encoding"] or "")
    local length = headers["content-length"] and tonumber(_M.trimmed(headers["content-length"]))
    if status == 204 or status == 304 then
        return "", true
    elseif te ~= "" and te ~= "identity" then
        if not te:find("chunked", 1, true) then
            return nil, "unsupported transfer encoding", { framing = "chunked", te = _M.trimmed(te) }
        end
        local parts = {}
        local ok, why = read_chunked(sock, deadline, parts, limit)
        if not ok then return nil, why, { framing = "chunked", size = #concat(parts) } end
        return concat(parts), true
    elseif length then
        local body, why, info = read_length(sock, deadline, length, limit)
        if body then return body, true end
        return nil, why, info
    end
    local body, why, info = read_to_close(sock, deadline, limit)
    if body then return body, false end
    return nil, why, info
end

return _M
