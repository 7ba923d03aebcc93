-- The fault queue. Each `add` appends a fault that the next `times` matching API requests take, in order.
--
-- Layout in the shared dict: "fault:seq" is the last fault's number, "fault:head" the first that may still be live,
-- "fault:<n>" the fault's fields (encoded as a query string), "fault:left:<n>" how many requests may still take it and
-- "fault:pending" the sum of those counts. A request claims a fault with an atomic decrement, so several workers
-- never take the same turn twice.
--
-- Cost: adding is O(1) (a test may queue tens of thousands of faults: the count of what is pending is kept, never
-- recounted), and taking is O(1) amortised while faults are taken in the order they were queued: used-up faults at
-- the head are deleted and the head moves past them. A fault for another path stays in the queue and is walked past.

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

-- Appends a checked fault; returns its number, or nil and a message when the dict has no room for it. safe_set,
-- not set: a full dict would otherwise evict older faults (or counters) without a word.
function _M.add(fields)
  local d = dict()
  local times = tonumber(fields.times) or 1
  fields.times = nil
  local n = d:incr("fault:seq", 1, 0)
  local ok, err = d:safe_set("fault:" .. n, ngx.encode_args(fields))
  if ok then ok, err = d:safe_set("fault:left:" .. n, times) end
  if ok then ok, err = d:incr("fault:pending", times, 0) end
  if not ok then
    -- Leave a used-up fault in its place (the memory of its fields is free again), so the head moves past it.
    d:delete("fault:" .. n)
    d:safe_set("fault:left:" .. n, 0)
    return nil, "the sandbox's fault queue is full (" .. tostring(err) .. "): reset it"
  end
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
          d:incr("fault:pending", -1, 0)
          return fields
        end
      end
    elseif at_head and left then
      -- Used up (or its claim lost a race). Only a fault with a count is dropped: one without is still being
      -- added by another worker (seq is taken before its fields are stored).
      d:delete("fault:" .. n)
      d:delete("fault:left:" .. n)
      d:set("fault:head", n + 1)
    elseif at_head then
      at_head = false
    end
  end
  return nil
end

-- How many requests still have a fault waiting for them.
function _M.pending()
  local total = dict():get("fault:pending") or 0
  return total > 0 and total or 0
end

return _M
