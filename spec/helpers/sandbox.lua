-- The local sandbox (bin/xingtu-sandbox) for busted specs.
--
--   local sandbox = require "helpers.sandbox"
--   sandbox.start()                      -- once per busted process; stopped when the process exits
--   sandbox.url, sandbox.token           -- "http://127.0.0.1:<port>", "sandbox-token"
--   sandbox.fault{ code = 302, times = 2 }; sandbox.config{ latency = 0.1 }
--   sandbox.stats(), sandbox.last(), sandbox.reset(), sandbox.stop()
--   sandbox.get(path, params) -> { status, body, headers, time, rc, err }   (curl command line)
--   local own = sandbox.spawn{ token = "..." }   -- another sandbox, with its own token, stopped by own:stop()
--   own.url, own.token, own:fault{...}, own:reset(), own:logs() -> access log, error log
--   sandbox.fetch(url) -> { status, body, headers }   (in this process, LuaSocket: for many requests)
--
-- busted reloads modules for every spec file, so the running sandbox is kept in the Lua registry, with a sentinel
-- whose __gc stops it when the Lua state closes (busted exits with os.exit(code, true)).

local cjson = require "cjson"
local util = require "helpers.util"

local _M = { token = "sandbox-token" }

local REGISTRY_KEY = "xingtu.spec.sandbox"

local SCRIPT = util.ROOT .. "/bin/xingtu-sandbox"

-- Commands run without the sanitizer runtime that .ci/run preloads into lua5.4 for the ASan pass: nginx and curl
-- are not instrumented, and the preload would only make them fail or report on themselves.
local function run(cmd)
  return util.run("env -u LD_PRELOAD " .. cmd)
end

local function current()
  return debug.getregistry()[REGISTRY_KEY]
end

local function stop(state)
  if state and not state.stopped then
    state.stopped = true
    run("bash " .. util.quote(SCRIPT) .. " stop " .. util.quote(state.dir) .. " >/dev/null 2>&1")
  end
end

local function attach(state)
  _M.url, _M.port, _M.dir, _M.pid = state.url, state.port, state.dir, state.pid
  return _M
end

-- Starts the sandbox unless this process already has one. opts: { workers = n }.
function _M.start(opts)
  local state = current()
  if state and not state.stopped then return attach(state) end
  local cmd = "bash " .. util.quote(SCRIPT) .. " start"
  if opts and opts.workers then cmd = cmd .. " --workers " .. tonumber(opts.workers) end
  local out, rc = run(cmd .. " 2>&1")
  local port, pid, dir, url = out:match("port=(%d+) pid=(%d+) dir=(%S+) url=(%S+)")
  if rc ~= 0 or not port then
    error("sandbox did not start: " .. out, 2)
  end
  state = { port = tonumber(port), pid = tonumber(pid), dir = dir, url = url }
  state.sentinel = setmetatable({}, { __gc = function() stop(state) end })
  debug.getregistry()[REGISTRY_KEY] = state
  -- LuaJIT's os.exit does not close the Lua state, so the sentinel never runs there: the CI scripts name a ledger
  -- file in XINGTU_SANDBOX_LEDGER and stop every sandbox listed in it when the specs are done.
  local ledger = os.getenv("XINGTU_SANDBOX_LEDGER")
  if ledger then
    local f = io.open(ledger, "a")
    if f then f:write(dir, "\n"); f:close() end
  end
  return attach(state)
end

function _M.stop()
  local state = current()
  stop(state)
  debug.getregistry()[REGISTRY_KEY] = nil
  _M.url, _M.port, _M.dir, _M.pid = nil, nil, nil, nil
end

local function escape(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

-- "a=1&b=2" from a table, keys sorted (a list of { key, value } pairs keeps its order).
function _M.encode(params)
  local parts = {}
  if params[1] then
    for _, kv in ipairs(params) do parts[#parts + 1] = escape(kv[1]) .. "=" .. escape(kv[2]) end
  else
    for k, v in pairs(params) do parts[#parts + 1] = escape(k) .. "=" .. escape(v) end
    table.sort(parts)
  end
  return table.concat(parts, "&")
end

-- GET url or path (with params as a table or a raw query string) through the curl command line.
-- Returns { status = <number>, body = <string>, headers = { lower-case name = value }, time = <seconds>,
-- rc = <curl exit code>, err = <curl's error text> }.
function _M.get(path, params, extra_args)
  local url = path:match("^https?://") and path or (_M.url .. path)
  if type(params) == "table" then params = _M.encode(params) end
  if params and params ~= "" then url = url .. "?" .. params end
  local body_file, head_file, err_file = os.tmpname(), os.tmpname(), os.tmpname()
  local out, rc = run(("curl -sS --max-time 30 -o %s -D %s -w '%%{http_code} %%{time_total}' %s %s 2>%s"):format(
    body_file, head_file, extra_args or "", util.quote(url), err_file))
  local res = { body = util.read_file(body_file) or "", err = util.read_file(err_file) or "", rc = rc, headers = {} }
  for line in (util.read_file(head_file) or ""):gmatch("[^\r\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then res.headers[name:lower()] = value end
  end
  os.remove(body_file); os.remove(head_file); os.remove(err_file)
  local status, time = out:match("^(%d+) ([%d.]+)")
  res.status, res.time = tonumber(status), tonumber(time)
  return res
end

-- A provider call with the sandbox token: path and parameters (without the token).
function _M.call(path, params)
  local query = params and (type(params) == "table" and _M.encode(params) or params) or ""
  return _M.get(path, "token=" .. _M.token .. (query ~= "" and "&" .. query or ""))
end

local function control(name, params)
  local res = _M.get("/__sandbox/" .. name, params)
  if res.status ~= 200 then
    error(("sandbox %s failed: %s %s %s"):format(name, tostring(res.status), res.body, res.err), 3)
  end
  return cjson.decode(res.body)
end

-- Another sandbox beside the shared one, for a spec that needs its own token (SANDBOX_TOKEN: any bytes but NUL)
-- or its own logs. Listed in XINGTU_SANDBOX_LEDGER like the shared one; stop it with own:stop().
local Own = {}
Own.__index = Own

function _M.spawn(opts)
  local token = opts and opts.token or _M.token
  local out, rc = run("SANDBOX_TOKEN=" .. util.quote(token) .. " bash " .. util.quote(SCRIPT) .. " start 2>&1")
  local port, pid, dir, url = out:match("port=(%d+) pid=(%d+) dir=(%S+) url=(%S+)")
  if rc ~= 0 or not port then error("sandbox did not start: " .. out, 2) end
  local ledger = os.getenv("XINGTU_SANDBOX_LEDGER")
  if ledger then
    local f = io.open(ledger, "a")
    if f then f:write(dir, "\n"); f:close() end
  end
  local own = setmetatable({ token = token, port = tonumber(port), pid = tonumber(pid), dir = dir, url = url }, Own)
  own.sentinel = setmetatable({}, { __gc = function() own:stop() end })
  return own
end

-- GET in this process (LuaSocket), for specs that make hundreds of requests: { status, body, headers }.
function _M.fetch(url)
  local http, ltn12 = require "socket.http", require "ltn12"
  local chunks = {}
  local ok, status, headers = http.request { url = url, sink = ltn12.sink.table(chunks) }
  if not ok then error("GET " .. url:sub(1, 200) .. ": " .. tostring(status), 2) end
  return { status = status, body = table.concat(chunks), headers = headers or {} }
end

function Own:control(name, params)
  if type(params) == "table" then params = _M.encode(params) end
  local res = _M.fetch(self.url .. "/__sandbox/" .. name .. (params and params ~= "" and "?" .. params or ""))
  if res.status ~= 200 then
    error(("sandbox %s failed: %s %s"):format(name, tostring(res.status), res.body), 2)
  end
  return cjson.decode(res.body)
end
function Own:fault(spec) return self:control("fault", spec or {}) end
function Own:reset() return self:control("reset") end
function Own:stats() return self:control("stats") end
function Own:last() return self:control("last") end

--- The access log and the error log, as they are now.
function Own:logs()
  return util.read_file(self.dir .. "/logs/access.log") or "", util.read_file(self.dir .. "/logs/error.log") or ""
end

function Own:stop()
  if not self.stopped then
    self.stopped = true
    run("bash " .. util.quote(SCRIPT) .. " stop " .. util.quote(self.dir) .. " >/dev/null 2>&1")
  end
end

function _M.fault(spec) return control("fault", spec or {}) end
function _M.config(spec) return control("config", spec or {}) end
function _M.stats() return control("stats") end
function _M.reset() return control("reset") end
function _M.last() return control("last") end

return _M
