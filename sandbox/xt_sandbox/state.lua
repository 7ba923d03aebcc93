-- What the sandbox remembers between requests, in the shared dict `xt_sandbox` (all workers see it): counters,
-- the added latency, the last API request. Faults live in the same dict (faults.lua).

local json = require "xt_sandbox.json_writer"

local ngx = ngx
local tonumber = tonumber

local _M = { _VERSION = "0.1.0" }

local function dict()
  return ngx.shared.xt_sandbox
end

-- Counts one API request and the TCP connection it came on (connections are counted once each).
function _M.count(path, connection)
  local d = dict()
  d:incr("stat:requests", 1, 0)
  d:incr("stat:path:" .. path, 1, 0)
  if d:add("conn:" .. connection, true) then
    d:incr("stat:connections", 1, 0)
  end
end

function _M.stats(faults_pending)
  local d = dict()
  local by_path = {}
  for _, key in ipairs(d:get_keys(0)) do
    local path = key:match("^stat:path:(.*)$")
    if path then by_path[path] = d:get(key) end
  end
  return {
    requests = d:get("stat:requests") or 0,
    connections = d:get("stat:connections") or 0,
    by_path = by_path,
    faults_pending = faults_pending,
  }
end

function _M.set_last(last)
  dict():set("last", json.encode(last))
end

-- The last API request as JSON text, or "null".
function _M.last()
  return dict():get("last") or "null"
end

function _M.set_latency(seconds)
  dict():set("config:latency", seconds)
end

function _M.latency()
  return tonumber(dict():get("config:latency")) or 0
end

-- Forgets counters, faults, configuration and the last request.
function _M.reset()
  local d = dict()
  d:flush_all()
  d:flush_expired()
end

return _M
