--- What a failure of the nginx transport means, as the transport result says it (lua/xingtu/result.lua): the error
-- name of csrc/result.h and a readable message for each thing a cosocket or the HTTP/1.1 framing
-- (lua/xingtu/transport/ngx/http.lua) reports. Each function sets r.error and r.error_message (and r.size where the
-- bytes received are known) on the attempt's result `r`. No message carries the URL: it carries the token.
--
-- No Lua 5.4-only syntax (LuaJIT).
-- @module xingtu.transport.ngx.failure

local _M = { _VERSION = require("xingtu.core").VERSION }

local format, tostring = string.format, tostring

local function set(r, name, message)
    r.error, r.error_message = name, message
    return r
end

local function too_large(r, max_body)
    return set(r, "too_large", format("response body larger than max_body (%d bytes)", max_body))
end

--- The URL is not one the transport can send (http.parse_url's message).
function _M.url(r, why)
    return set(r, "protocol", why)
end

--- No cosocket could be made.
function _M.no_socket(r, err)
    return set(r, "other", "cannot create a cosocket: " .. tostring(err))
end

--- connect() failed: a timeout, a name that did not resolve, or a refused or failed connection.
function _M.connect(r, err, host, port)
    if err == "timeout" then return set(r, "timeout", format("connecting to %s:%d timed out", host, port)) end
    local name = (err:find("resolv", 1, true) or err:find("no resolver", 1, true)) and "resolve" or "connect"
    return set(r, name, format("connecting to %s:%d failed: %s", host, port, tostring(err)))
end

--- The TLS handshake failed.
function _M.tls(r, err, host)
    local name = err == "timeout" and "timeout" or "tls"
    return set(r, name, "TLS handshake with " .. host .. " failed: " .. tostring(err))
end

--- Writing the request failed.
function _M.send(r, err)
    return set(r, err == "timeout" and "timeout" or "send", "sending the request failed: " .. tostring(err))
end

--- Reading the status line and headers failed; `got_any`: a status line had arrived. `limit`: the attempt's seconds.
function _M.head(r, err, got_any, limit)
    if err == "timeout" then return set(r, "timeout", format("no answer within %g seconds", limit)) end
    if err == "invalid HTTP status line" then
        return set(r, "other", "the server's answer is not HTTP (invalid status line)")
    end
    if got_any then return set(r, "recv", "connection failed while reading the headers: " .. tostring(err)) end
    return set(r, "recv", "the server closed the connection without an answer: " .. tostring(err))
end

--- Reading the body failed (http.read_body's why and info). `limit`: the attempt's seconds.
function _M.body(r, why, info, limit, max_body)
    if info and info.size then r.size = info.size end
    if why == "too large" then return too_large(r, max_body) end
    if why == "unsupported transfer encoding" then
        return set(r, "other", "unsupported transfer encoding: " .. tostring(info.te))
    end
    if why == "timeout" then return set(r, "timeout", format("no complete answer within %g seconds", limit)) end
    if why == "closed" and info.framing == "length" then
        return set(r, "partial", format("the connection closed after %d of %d body bytes", r.size, info.length))
    end
    if why == "closed" and info.framing == "chunked" then
        return set(r, "partial", "the connection closed before the end of the body")
    end
    return set(r, "recv", "reading the body failed: " .. tostring(why))
end

return _M
