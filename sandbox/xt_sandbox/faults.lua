-- The fault queue. Each `add` appends a fault that the next `times` matching API requests take, in order.
--
-- Layout in the shared dict: "fault:seq" is the last fault's number, "fault:head" the first that may still be live,
-- "fault:<n>" the fault's fields (encoded as a query string) and "fault:left:<n>" how many requests may still take it.
-- A request claims a fault with an atomic decrement, so several workers never take the same turn twice.

local ngx = ngx
local tonumber = tonumber

local _M = { _VERSION = "0.1.0" }

local MAX_TIMES = 1000000

-- The fields a fault may have, and how each is checked.
local function is_uint(v) return v:match("^%d+$") ~= nil and #v <= 9 end
local function is_flag(v) return v == "0" or v == "1" end
local function is_seconds(v) local n = tonumber(v); return n ~= nil and n >= 0 and n <= 3600 end
local function is_status(v) return is_uint(v) and tonumber(v) >= 100 and tonumber(v) <= 599 end
local function is_text(v) return #v <= 4096 end
local function is_echo(v) return v == "uri" or v == "args" or v == "form" end

local FIELDS = {
  times = is_uint, code = is_uint, status = is_status, envelope = is_flag, html = is_flag, delay = is_seconds,
  truncate = is_uint, close_mid_body = is_flag, retry_after = is_text, message = is_text, path = is_text,
  echo = is_echo,
}

local function dict()
  return ngx.shared.xt_sandbox
end

-- Checks the fields (a map of strings); returns them, or nil and a message.
function _M.check(fields)
  for k, v in pairs(fields) do
    local ok = FIELDS[k]
    if not ok then return nil, "unknown fault field " .. k end
    if not ok(v) then return nil, "bad value for fault field " .. k .. ": " .. v end
  end
  if fields.times and (tonumber(fields.times) < 1 or tonumber(fields.times) > MAX_TIMES) then
    return nil, "times must be 1 .. " .. MAX_TIMES
  end
  return fields
end

-- Appends a checked fault; returns its number.
function _M.add(fields)
  local d = dict()
  local times = tonumber(fields.times) or 1
  fields.times = nil
  local n = d:incr("fault:seq", 1, 0)
  d:set("fault:" .. n, ngx.encode_args(fields))
  d:set("fault:left:" .. n, times)
  return n
end

-- The fault the current request takes (a map of strings), or nil.
function _M.take(path)
  local d = dict()
  local head, last = d:get("fault:head") or 1, d:get("fault:seq") or 0
  local at_head = true
  for n = head, last do
    local left = d:get("fault:left:" .. n)
    if left and left > 0 then
      at_head = false
      local fields = ngx.decode_args(d:get("fault:" .. n) or "", 0)
      local suffix = fields.path
      if not suffix or path:sub(-#suffix) == suffix then
        if d:incr("fault:left:" .. n, -1) >= 0 then
          return fields
        end
      end
    elseif at_head then
      d:set("fault:head", n + 1)
    end
  end
  return nil
end

-- How many requests still have a fault waiting for them.
function _M.pending()
  local d = dict()
  local total = 0
  for n = d:get("fault:head") or 1, d:get("fault:seq") or 0 do
    local left = d:get("fault:left:" .. n)
    if left and left > 0 then total = total + left end
  end
  return total
end

return _M
