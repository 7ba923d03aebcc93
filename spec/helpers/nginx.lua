-- A real nginx (Debian's nginx-light + libnginx-mod-http-lua) for specs: examples/nginx/nginx.conf changed only where
-- it must be, or a configuration of the spec's own, with xingtu's core built for LuaJIT (build-luajit/).
--
--   local nginx = require "helpers.nginx"
--   local example = nginx.example { token = ..., base_url = ... }   -- examples/nginx against that provider
--   example.url, example.dir (logs/ inside)
--   nginx.start(conf, key, provider)            -- conf listens on "127.0.0.1:8080;" (replaced by a free port)
--   nginx.lua_server(locations, key, provider)  -- one worker with xingtu's modules and spec/helpers on its path
--   nginx.stop(state)                           -- TERM, then KILL after 5 s; removes the directory
--
-- A state's sentinel, kept in the registry under `key`, stops it when the Lua state closes.

local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local _M = {}

local REPO = util.ROOT
local NGINX = os.getenv("NGINX") or "/usr/sbin/nginx"
_M.REGISTRY_KEY = "xingtu.spec.nginx_example"

-- Replaces `from` (plain text) by `to`, exactly `want` times: the spec fails when the example drifts.
local function substitute(text, from, to, want)
  local pattern = from:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
  local out, n = text:gsub(pattern, (to:gsub("%%", "%%%%")))
  assert(n == want, ("examples/nginx/nginx.conf: expected %d occurrence(s) of %q, found %d"):format(want, from, n))
  return out
end

function _M.stop(state)
  if state and not state.stopped then
    state.stopped = true
    local pid = tonumber(util.read_file(state.dir .. "/logs/nginx.pid") or "")
    if pid then
      -- TERM, up to 5 s, then KILL (the workers first, by parent pid): only the nginx this spec started. A zombie
      -- has exited (the daemon's parent is init, which may take a second or more to reap it).
      util.run(("kill -TERM %d 2>/dev/null; for i in $(seq 1 100); do s=$(awk '{print $3}' /proc/%d/stat 2>/dev/null);"
        .. " [ -z \"$s\" ] || [ \"$s\" = Z ] && exit 0; sleep 0.05; done;"
        .. " pkill -KILL -P %d 2>/dev/null; kill -KILL %d 2>/dev/null"):format(pid, pid, pid, pid))
    end
    if not os.getenv("XINGTU_KEEP_NGINX") then util.run("rm -rf " .. util.quote(state.dir)) end
  end
end

-- The core for nginx's LuaJIT: an incremental build, so the spec never runs a stale core.so. Once a process.
local built = false
function _M.build_core()
  if built then return end
  local out, rc = util.run("cd " .. util.quote(REPO)
    .. " && env -u LD_PRELOAD bash .ci/build build-luajit -DXINGTU_LUAJIT=ON 2>&1")
  assert(rc == 0, "building the core for LuaJIT failed:\n" .. out)
  built = true
end

-- Starts nginx with `conf` (which listens on "127.0.0.1:8080;", replaced by a free port) from a new directory, with
-- `provider` = { token, base_url } as JUSTONEAPI_TOKEN and JUSTONEAPI_BASE_URL. Returns the state { dir, port, url };
-- `key` names the registry slot whose sentinel stops it when Lua exits.
function _M.start(conf, key, provider)
  _M.stop(debug.getregistry()[key])
  local dir = util.run("mktemp -d /tmp/xingtu-nginx-spec.XXXXXX"):gsub("%s+$", "")
  -- nginx's workers run as an unprivileged user when nginx is started as root: they must read the directory.
  util.run("chmod 755 " .. util.quote(dir) .. " && mkdir -p " .. util.quote(dir .. "/logs"))
  local state = { dir = dir }
  state.sentinel = setmetatable({}, { __gc = function() _M.stop(state) end })
  debug.getregistry()[key] = state
  local env = ("env -u LD_PRELOAD JUSTONEAPI_TOKEN=%s JUSTONEAPI_BASE_URL=%s"):format(util.quote(provider.token),
    util.quote(provider.base_url))
  -- examples/nginx's fleet option: cache and lock (and rate) in a Redis shared by several nginx.
  if provider.redis then env = env .. " XINGTU_REDIS=" .. util.quote(provider.redis) end
  if provider.redis_rate then env = env .. " XINGTU_REDIS_RATE=" .. util.quote(provider.redis_rate) end
  if provider.redis_burst then env = env .. " XINGTU_REDIS_BURST=" .. util.quote(provider.redis_burst) end
  if provider.redis_jitter then env = env .. " XINGTU_REDIS_JITTER=" .. util.quote(provider.redis_jitter) end
  if provider.redis_hosts then env = env .. " XINGTU_REDIS_HOSTS=" .. util.quote(provider.redis_hosts) end
  for _ = 1, 20 do
    local port = 20000 + math.random(0, 40999)
    local busy = util.run(("ss -Htan '( sport = :%d )' 2>/dev/null | head -n 1"):format(port))
    if busy == "" then
      util.write_file(dir .. "/nginx.conf",
        substitute(conf, "listen 127.0.0.1:8080;", ("listen 127.0.0.1:%d;"):format(port), 1))
      local out, rc = util.run(("%s %s -p %s -e logs/error.log -c nginx.conf 2>&1"):format(env, util.quote(NGINX),
        util.quote(dir .. "/")))
      if rc == 0 then
        state.port, state.url = port, ("http://127.0.0.1:%d"):format(port)
        for _ = 1, 100 do
          local res = sandbox.get(state.url .. "/")
          if res.status == 404 then return state end
          util.run("sleep 0.05")
        end
        local log = util.read_file(dir .. "/logs/error.log") or ""
        _M.stop(state)
        error("nginx did not answer:\n" .. log)
      elseif not out:find("Address already in use", 1, true) then
        _M.stop(state)
        error("nginx did not start:\n" .. out)
      end
    end
  end
  _M.stop(state)
  error("no free port for nginx")
end

-- nginx with one worker whose Lua path has lua/ and spec/ (so spec/helpers/*.lua run inside it) and the core built
-- for LuaJIT, serving `locations` (nginx.conf text of location blocks); `http` (optional) is more of the http
-- block, e.g. lua_shared_dict lines. Returns the state as start does.
function _M.lua_server(locations, key, provider, http)
  _M.build_core()
  local conf = ([[
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log warn;
env JUSTONEAPI_TOKEN;
events { worker_connections 256; }
http {
    access_log logs/access.log;
    client_body_temp_path logs/client_body;
    proxy_temp_path logs/proxy;
    fastcgi_temp_path logs/fastcgi;
    uwsgi_temp_path logs/uwsgi;
    scgi_temp_path logs/scgi;
    lua_package_path "@REPO@/lua/?.lua;@REPO@/spec/?.lua;;";
    lua_package_cpath "@REPO@/build-luajit/?.so;;";
    lua_socket_log_errors off;
@HTTP@
    server {
        listen 127.0.0.1:8080;
@LOCATIONS@
        location / { return 404; }
    }
}
]]):gsub("@REPO@", REPO):gsub("@HTTP@", ((http or ""):gsub("%%", "%%%%"))):gsub("@LOCATIONS@",
    (locations:gsub("%%", "%%%%")))
  return _M.start(conf, key, provider)
end

-- nginx with examples/nginx/nginx.conf, changed only where it must be: the paths, one worker (or `workers`), the
-- port. `provider` = { token, base_url }; `key` (optional) the registry slot, for a spec that runs more than one.
function _M.example(provider, key, workers)
  _M.build_core()
  local conf = assert(util.read_file(REPO .. "/examples/nginx/nginx.conf"))
  conf = substitute(conf, "$prefix/../../", REPO .. "/", 3)
  conf = substitute(conf, "$prefix/?.lua", REPO .. "/examples/nginx/?.lua", 1)
  conf = substitute(conf, "worker_processes auto;", ("worker_processes %d;"):format(workers or 1), 1)
  return _M.start(conf, key or _M.REGISTRY_KEY, provider)
end

return _M
