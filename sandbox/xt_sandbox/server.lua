-- The sandbox's request handler: a stand-in for the provider's Xingtu endpoints, plus the control API.
--
-- nginx.conf calls `server.init()` from init_by_lua (loads the catalogue once, and refuses to start, naming them,
-- when endpoints of the catalogue have no body generator) and `server.handle()` for every request. An API request
-- is counted, remembered (token masked), slowed by the configured latency, then answered: by a queued fault, or
-- like the provider (token, then parameters, then a deterministic body).

local bodies = require "xt_sandbox.bodies"
local catalogue = require "xingtu.catalogue"
local control = require "xt_sandbox.control"
local faults = require "xt_sandbox.faults"
local query = require "xt_sandbox.query"
local respond = require "xt_sandbox.respond"
local state = require "xt_sandbox.state"
local validate = require "xt_sandbox.validate"
local secret = require "xingtu.secret"

local ffi = require "ffi"

local ngx = ngx
local os_getenv = os.getenv
local ceil, tonumber = math.ceil, tonumber

local _M = { _VERSION = "0.1.0" }

local by_path = catalogue.by_path
local token = "sandbox-token"
local hide -- the valid token's masker (xingtu.secret), made by init

function _M.init()
  local missing = bodies.missing()
  if #missing > 0 then
    error("xingtu-sandbox: no body generator for " .. table.concat(missing, ", ") .. ": add `"
      .. missing[1] .. " = function(ctx) ... end` to a family in sandbox/xt_sandbox/bodies/ (see bodies.lua)", 0)
  end
  local from_env = os_getenv("SANDBOX_TOKEN")
  if from_env and from_env ~= "" then token = from_env end
  hide = secret.masker(token)
end

-- The request line's URI with every token value replaced by "***": what the access log and /__sandbox/last show.
-- The valid token is also hidden wherever else it appears, in any form and any 6 bytes of it (a test may put it in
-- a fault's message or Retry-After, percent-encoded however it likes, as a provider might echo it), so no log line
-- ever carries it. A request nginx refuses before this handler runs (a 414 for a URI over the header buffers) is
-- logged with "-" for the URI: nginx.conf keeps quiet about the variable this never set.
local function masked_uri()
  local path, raw = (ngx.var.request_uri or ""):match("^([^?]*)%??(.*)$")
  return hide(path), hide(query.mask(raw))
end

-- A monotonic clock with sub-millisecond resolution. ngx.now() counts whole milliseconds of a time cached once per
-- event-loop turn, so a latency measured with it comes out up to a few milliseconds short or long.
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } xt_sandbox_timespec;
int clock_gettime(int clock_id, xt_sandbox_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("xt_sandbox_timespec")

local function clock()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

-- Waits until `deadline` (a clock() value) has passed: never sooner, and as little later as nginx's millisecond
-- timers allow. ngx.sleep truncates to whole milliseconds and its timer runs against the cached loop time, so one
-- sleep can end early: sleep the remainder rounded up to the next millisecond until the clock says it is time.
local function sleep_until(deadline)
  local left = deadline - clock()
  while left > 0 do
    ngx.sleep((ceil(left * 1000) + 0.5) / 1000) -- +0.5: nginx truncates the product with 1000
    left = deadline - clock()
  end
end

-- Status, body and content type the provider would answer with.
local function answer(path, params)
  local endpoint = by_path[path]
  if not endpoint then
    return 404, respond.envelope(404, "Not found: " .. path), "application/json"
  end
  if ngx.req.get_method() ~= "GET" and ngx.req.get_method() ~= "HEAD" then
    return 405, respond.envelope(400, "Method not allowed: use GET"), "application/json"
  end

  local rest, tokens = {}, 0
  local token_ok = false
  for _, p in ipairs(params) do
    if p.key == "token" then
      tokens = tokens + 1
      token_ok = p.value == token
    else
      rest[#rest + 1] = p
    end
  end
  if tokens ~= 1 or not token_ok then
    return 200, respond.envelope(100), "application/json"
  end

  local args, err = validate.check(endpoint, rest)
  if not args then
    return 200, respond.envelope(400, err), "application/json"
  end
  local body = respond.envelope(0, "success", bodies.encoded(endpoint, args), bodies.record_time(endpoint, args))
  return 200, body, "application/json"
end

local function api(path)
  local arrived = clock()
  local masked_path, masked_query = masked_uri()
  local params = query.parse(ngx.var.args)
  local shown = {}
  for i, p in ipairs(params) do
    shown[i] = { key = hide(p.key), value = p.key:lower() == "token" and "***" or hide(p.value) }
  end
  state.count(hide(path), ngx.var.connection)
  state.set_last {
    method = ngx.req.get_method(),
    path = hide(path),
    query = masked_query,
    uri = masked_query ~= "" and (masked_path .. "?" .. masked_query) or masked_path,
    args = shown,
  }

  local fault = faults.take(path)
  local status, body, content_type
  if fault and (fault.status or fault.code) then
    status, body, content_type = respond.fault_body(fault, { uri = ngx.var.request_uri, path = path, params = params })
  else
    status, body, content_type = answer(path, params)
  end

  -- The configured latency is the provider's: the answer leaves `latency` seconds after the request arrived, however
  -- long building the body took (adding it on top would queue simultaneous requests behind each other's work).
  local latency = state.latency()
  if latency > 0 then
    sleep_until(arrived + latency)
  end
  if fault and fault.delay then
    sleep_until(clock() + tonumber(fault.delay))
  end
  return respond.send(status, body, content_type, fault)
end

function _M.handle()
  local path, masked_query = masked_uri()
  ngx.var.xt_masked_uri = masked_query ~= "" and (path .. "?" .. masked_query) or path
  local control_name = ngx.var.uri:match("^/__sandbox/(.*)$")
  if control_name then
    return control.handle(control_name)
  end
  return api(ngx.var.uri)
end

return _M
