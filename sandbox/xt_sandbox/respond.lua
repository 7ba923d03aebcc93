-- Writing responses: the provider's envelope, plain and HTML error pages, and the broken transports faults ask for.

local json = require "xt_sandbox.json_writer"

local ngx = ngx
local floor, tonumber, format, ipairs = math.floor, tonumber, string.format, ipairs

local _M = { _VERSION = "0.1.0" }

local ENVELOPE_KEYS = { "code", "message", "data", "recordTime", "requestId" }

_M.MESSAGES = {
  [0] = "success",
  [100] = "Invalid or inactive token",
  [301] = "Collection failed, please retry",
  [302] = "Rate limit exceeded",
  [303] = "Daily quota exceeded",
  [400] = "Invalid parameters",
  [404] = "Not found",
  [500] = "Internal server error",
  [600] = "Permission denied",
  [601] = "Insufficient balance",
}

local REASONS = {
  [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
  [405] = "Not Allowed", [408] = "Request Time-out", [429] = "Too Many Requests", [500] = "Internal Server Error",
  [502] = "Bad Gateway", [503] = "Service Temporarily Unavailable", [504] = "Gateway Time-out",
}

-- The business code an HTTP error carries when a fault gives only a status.
local CODE_FOR_STATUS = { [400] = 400, [401] = 100, [402] = 601, [403] = 600, [404] = 404, [429] = 302 }

function _M.envelope(code, message, data, record_time)
  return json.encode_ordered({
    code = code,
    message = message or _M.MESSAGES[code] or "Error",
    data = data,
    recordTime = record_time,
    requestId = ngx.var.request_id,
  }, ENVELOPE_KEYS)
end

function _M.reason(status)
  return REASONS[status] or (status >= 500 and "Server Error" or "Error")
end

local HTML_ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

-- An nginx-like error page, as a proxy in front of the provider would send; `echoed` (optional) is shown in it,
-- HTML-escaped, as a WAF's block page shows the request it refused.
function _M.html_page(status, echoed)
  local line = status .. " " .. _M.reason(status)
  local shown = echoed and ("<p>" .. echoed:gsub("[&<>\"']", HTML_ESCAPES) .. "</p>\r\n") or ""
  return "<html>\r\n<head><title>" .. line .. "</title></head>\r\n<body>\r\n<center><h1>" .. line
    .. "</h1></center>\r\n" .. shown .. "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
end

local function form_encode(s)
  return (s:gsub("[^%w%-%._~ ]", function(c) return format("%%%02x", c:byte()) end):gsub(" ", "+"))
end

-- The request as a fault with `echo` shows it, like a server or a WAF that echoes the URL: `uri` as it arrived
-- (the client's own encoding), `args` with the query decoded (the token's raw bytes), `form` decoded and encoded
-- again the way form libraries do (`+` for a space, lower-case hex). `request` = { uri, path, params }.
local function echo_of(how, request)
  if how == "uri" then return request.uri end
  local parts = {}
  for i, p in ipairs(request.params) do
    if how == "form" then
      parts[i] = form_encode(p.key) .. "=" .. form_encode(p.value)
    else
      parts[i] = p.key .. "=" .. p.value
    end
  end
  return request.path .. "?" .. table.concat(parts, "&")
end

-- The body and content type a fault with a `status` or `code` asks for; with `echo`, the request (see echo_of) is
-- in it: in the envelope's message, after the plain text, or in the HTML page.
function _M.fault_body(fault, request)
  local status = tonumber(fault.status) or 200
  local echoed = fault.echo and request and echo_of(fault.echo, request)
  local function with_echo(text) return echoed and (text .. ": " .. echoed) or text end
  if fault.html == "1" then
    return status, _M.html_page(status, echoed), "text/html"
  elseif fault.envelope == "0" then
    return status, with_echo(fault.message or (status .. " " .. _M.reason(status))), "text/plain"
  end
  local code = tonumber(fault.code) or CODE_FOR_STATUS[status] or 500
  local message = fault.message
  if echoed then message = with_echo(message or _M.MESSAGES[code] or "Error") end
  return status, _M.envelope(code, message), "application/json"
end

-- Sends a whole response. `fault` (optional) may cut the body (`truncate`), drop the connection halfway through it
-- (`close_mid_body`) or add a Retry-After header.
function _M.send(status, body, content_type, fault)
  fault = fault or {}
  ngx.status = status
  ngx.header["Content-Type"] = content_type
  if fault.retry_after then
    ngx.header["Retry-After"] = fault.retry_after
  end
  local cut = tonumber(fault.truncate)
  if cut and cut < #body then
    body = body:sub(1, cut)
  end
  ngx.header["Content-Length"] = #body
  if fault.close_mid_body == "1" then
    ngx.print(body:sub(1, floor(#body / 2)))
    ngx.flush(true)
    return ngx.exit(444) -- closes the connection without the rest: the client sees a short body
  end
  ngx.print(body)
  return ngx.exit(status >= 200 and status < 300 and ngx.HTTP_OK or status)
end

-- JSON for the control API.
function _M.control(status, value)
  ngx.status = status
  local body = json.encode(value)
  ngx.header["Content-Type"] = "application/json"
  ngx.header["Content-Length"] = #body
  ngx.print(body)
end

return _M
