-- The control API under /__sandbox/: tests queue faults, add latency, read counters and the last request, reset.
-- No token needed. Every answer is JSON.

local faults = require "xt_sandbox.faults"
local query = require "xt_sandbox.query"
local respond = require "xt_sandbox.respond"
local state = require "xt_sandbox.state"

local ngx = ngx
local tonumber = tonumber

local _M = { _VERSION = "0.1.0" }

-- The query as a map of strings; nil and a message when a field is repeated.
local function fields()
  local map = {}
  for _, p in ipairs(query.parse(ngx.var.args)) do
    if map[p.key] then return nil, p.key .. " given more than once" end
    map[p.key] = p.value
  end
  return map
end

local handlers = {}

function handlers.ping()
  return 200, { ok = true }
end

function handlers.fault(f)
  local checked, err = faults.check(f)
  if not checked then return 400, { error = err } end
  local n, err2 = faults.add(checked)
  if not n then return 507, { error = err2 } end
  return 200, { ok = true, id = n, faults_pending = faults.pending() }
end

function handlers.config(f)
  for k, v in pairs(f) do
    if k ~= "latency" then return 400, { error = "unknown config field " .. k } end
    local seconds = tonumber(v)
    if not seconds or seconds < 0 or seconds > 3600 then
      return 400, { error = "latency must be a number of seconds, 0 .. 3600" }
    end
    state.set_latency(seconds)
  end
  return 200, { ok = true, latency = state.latency() }
end

function handlers.stats()
  return 200, state.stats(faults.pending())
end

function handlers.reset()
  state.reset()
  return 200, { ok = true }
end

function _M.handle(name)
  if name == "last" then -- stored as JSON text already
    ngx.header["Content-Type"] = "application/json"
    ngx.print(state.last())
    return
  end
  local handler = handlers[name]
  if not handler then
    return respond.control(404, { error = "no such control: /__sandbox/" .. name })
  end
  local f, err = fields()
  if not f then return respond.control(400, { error = err }) end
  return respond.control(handler(f))
end

return _M
