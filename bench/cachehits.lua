-- bench/cachehits.lua: what a cache hit costs, per backend, in one run: hits a second of cache:fetch (the pipeline's
-- hit path: read the entry, check it, decode the body) for the same answer kept in each backend.
--
--   lua5.4 bench/cachehits.lua [--hits N] [--rounds N]
--
-- Needs build/xingtu/core.so (bash .ci/build build) and, for the nginx rows, build-luajit/xingtu/core.so (bash
-- .ci/build build-luajit -DXINGTU_LUAJIT=ON). Starts a sandbox (for one real answer: touch_distribution), a
-- redis-server of its own (a free loopback port, a temporary directory, no persistence) and, for the nginx rows, an
-- nginx of its own whose content handler runs the same loop on a lua_shared_dict, the memory backend and Redis over
-- cosockets; all stopped by pid at the end. Prints a markdown table: hits a second, median and range of --rounds
-- rounds (default 5, rounds of the rows alternate so every row sees the same machine), and each row's ratio to the
-- memory backend of its own Lua. Each backend has a second row, "checksum in Lua (before)": the hit with the body's
-- checksum summed by the Lua loop, as every hit was before csrc/fnv.c, so before and after are in one run.
-- Loopback only.

local root = (arg and arg[0] or ""):match("^(.*)/bench/[^/]*$") or "."
if root:sub(1, 1) ~= "/" then root = (os.getenv("PWD") or ".") .. "/" .. root end
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("XINGTU_CPATH") or (root .. "/build/?.so")) .. ";" .. package.cpath

local format = string.format

local function die(msg)
    io.stderr:write("bench/cachehits.lua: ", msg, "\n")
    os.exit(1)
end
local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local function run(cmd)
    local f = assert(io.popen(cmd, "r"))
    local out = f:read("a")
    local ok = f:close()
    return out, ok
end

local opts = { hits = 20000, rounds = 5 }
do
    local k = 1
    while arg[k] do
        local name = arg[k]:match("^%-%-(%w+)$")
        local value = tonumber(arg[k + 1] or "")
        if not name or opts[name] == nil or not value or value <= 0 then
            die("usage: lua5.4 bench/cachehits.lua [--hits N] [--rounds N]")
        end
        opts[name] = math.tointeger(value) or die("--" .. name .. " must be a whole number")
        k = k + 2
    end
end

local ok_core, core = pcall(require, "xingtu.core")
if not ok_core then die("build/xingtu/core.so not found: run `bash .ci/build build` first") end
local xingtu = require "xingtu"
local cache_m = require "xingtu.cache"
local cache_redis = require "xingtu.cache.redis"
local now = core.now

local cleanup = {}
local function stop_all()
    for i = #cleanup, 1, -1 do pcall(cleanup[i]) end
    cleanup = {}
end
local function free_port()
    local socket = require "socket"
    local s = assert(socket.bind("127.0.0.1", 0))
    local _, port = s:getsockname()
    s:close()
    return tonumber(port)
end

local tmp = (run("mktemp -d /tmp/xingtu-cachehits.XXXXXX")):gsub("%s+$", "")
cleanup[#cleanup + 1] = function() run("rm -rf " .. q(tmp)) end

-- One real answer from the sandbox: the body a hit decodes.
local out = run("bash " .. q(root .. "/bin/xingtu-sandbox") .. " start 2>&1")
local sb_dir, sb_url = out:match("dir=(%S+) url=(%S+)")
if not sb_dir then stop_all(); die("sandbox did not start: " .. out) end
cleanup[#cleanup + 1] = function() run("bash " .. q(root .. "/bin/xingtu-sandbox") .. " stop " .. q(sb_dir)) end
local mem = cache_m.memory()
local ok, err = pcall(function()
    local client = xingtu.new { base_url = sb_url, token = "sandbox-token", cache = cache_m.new { backend = mem } }
    assert(client:touch_distribution { o_author_id = "1" })
end)
if not ok then stop_all(); die("no answer from the sandbox: " .. tostring(err)) end
local entry = select(2, next(mem.entries))
local body = entry:match("^[^\n]*\n(.*)$")
local KEY, ENDPOINT = "touch_distribution o_author_id=1 account=bench", "touch_distribution"

-- redis-server of our own.
local rport = free_port()
local _, rok = run(format("redis-server --port %d --bind 127.0.0.1 --save '' --appendonly no --dir %s "
    .. "--daemonize yes --pidfile %s/redis.pid --logfile %s/redis.log", rport, q(tmp), q(tmp), q(tmp)))
if not rok then stop_all(); die("redis-server did not start (Debian: redis-server)") end
cleanup[#cleanup + 1] = function() run("kill $(cat " .. q(tmp .. "/redis.pid") .. ") 2>/dev/null") end
for _ = 1, 100 do
    if run("redis-cli -p " .. rport .. " ping 2>/dev/null"):match("PONG") then break end
    run("sleep 0.05")
end

-- The hit as it was before the body's checksum moved into C (csrc/fnv.c): xingtu.cache loaded again without
-- core.fnv1a64, so it sums with its Lua loop (xingtu.cache.redis builds on whichever is loaded). Same run, same
-- machine: the ratio of a backend's two rows is the gain.
local function with_lua_sum(make)
    local c_hash = core.fnv1a64
    core.fnv1a64 = nil
    package.loaded["xingtu.cache"] = nil
    local loaded, m = pcall(require, "xingtu.cache")
    local made, list
    if loaded then made, list = pcall(make, m) end
    core.fnv1a64 = c_hash
    package.loaded["xingtu.cache"] = cache_m
    if not loaded then die("xingtu.cache without core.fnv1a64: " .. tostring(m)) end
    if not made then die("caches without core.fnv1a64: " .. tostring(list)) end
    return list
end

local function backends(m, tag, dir, prefix)
    return {
        { "memory (Lua table)" .. tag, m.new { backend = m.memory() } },
        { "file (one file per entry)" .. tag, m.new { dir = tmp .. dir } },
        { "Redis (lua-redis, loopback)" .. tag, cache_redis { port = rport, prefix = prefix } },
    }
end
local caches = backends(cache_m, "", "/files", "bench:")
for _, c in ipairs(with_lua_sum(function(m) return backends(m, ", checksum in Lua (before)", "/files-lua",
    "bench-lua:") end)) do
    caches[#caches + 1] = c
end
for _, c in ipairs(caches) do
    c[2]:keep(KEY, ENDPOINT, body, 200)
    assert(c[2]:fetch(KEY, ENDPOINT), "no hit from " .. c[1])
end

local function round(cache, n)
    local t0 = now()
    for _ = 1, n do
        if not cache:fetch(KEY, ENDPOINT) then error("a miss") end
    end
    return n / (now() - t0)
end

local rates = {}
for r = 1, opts.rounds do
    for i, c in ipairs(caches) do
        rates[i] = rates[i] or {}
        rates[i][r] = round(c[2], opts.hits)
    end
end

-- The nginx rows: one worker, a content handler that runs the same loop and prints one rate per line.
local nginx_rows = {}
local luajit_core = root .. "/build-luajit/xingtu/core.so"
if io.open(luajit_core, "rb") then
    local nport = free_port()
    local ndir = tmp .. "/nginx"
    -- Run as root, nginx's workers are `nobody`: they must read the body file.
    run("mkdir -p " .. q(ndir .. "/logs") .. " && chmod 755 " .. q(tmp) .. " " .. q(ndir))
    local f = assert(io.open(ndir .. "/body.json", "wb"))
    f:write(body)
    f:close()
    run("chmod 644 " .. q(ndir .. "/body.json"))
    local conf = [[
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
daemon on; pid @DIR@/nginx.pid; worker_processes 1; error_log @DIR@/logs/error.log;
events {}
http {
  access_log off;
  lua_package_path "@ROOT@/lua/?.lua;@ROOT@/lua/?/init.lua;/usr/share/lua/5.1/?.lua;;";
  lua_package_cpath "@ROOT@/build-luajit/?.so;;";
  lua_shared_dict bench 10m;
  lua_shared_dict bench_lua 10m;
  client_body_temp_path @DIR@; proxy_temp_path @DIR@; fastcgi_temp_path @DIR@; uwsgi_temp_path @DIR@;
  scgi_temp_path @DIR@;
  server {
    listen 127.0.0.1:@PORT@;
    location / { content_by_lua_block {
      local cache_m = require "xingtu.cache"
      local f = io.open("@DIR@/body.json", "rb"); local body = f:read("*a"); f:close()
      local key, ep, n = "touch_distribution o_author_id=1 account=bench", "touch_distribution", @HITS@
      local function backends(m, prefix)
        return {
          m.new { backend = m.memory() },
          m.new { backend = m.shared_dict(prefix == "nbench:" and "bench" or "bench_lua") },
          require("xingtu.cache.redis") { port = @RPORT@, prefix = prefix },
        }
      end
      local caches = backends(cache_m, "nbench:")
      -- the hit before core.fnv1a64: xingtu.cache loaded again without it (LuaJIT's cdata loop sums)
      local core = require "xingtu.core"
      local c_hash = core.fnv1a64
      core.fnv1a64 = nil
      package.loaded["xingtu.cache"] = nil
      local ok, before = pcall(backends, require("xingtu.cache"), "nbench-lua:")
      core.fnv1a64 = c_hash
      package.loaded["xingtu.cache"] = cache_m
      if not ok then ngx.say("before: ", before); return end
      for _, c in ipairs(before) do caches[#caches + 1] = c end
      for _, c in ipairs(caches) do c:keep(key, ep, body, 200) end
      for _, c in ipairs(caches) do
        ngx.update_time()
        local t0 = ngx.now()
        for _ = 1, n do if not c:fetch(key, ep) then ngx.say("miss"); return end end
        ngx.update_time()
        ngx.say(n / (ngx.now() - t0))
      end
    } }
  }
}
]]
    conf = conf:gsub("@(%u+)@", { DIR = ndir, ROOT = root, PORT = tostring(nport), RPORT = tostring(rport),
        HITS = tostring(opts.hits) })
    f = assert(io.open(ndir .. "/nginx.conf", "wb"))
    f:write(conf)
    f:close()
    local nout, nok = run("/usr/sbin/nginx -p " .. q(ndir) .. " -c nginx.conf 2>&1")
    if nok then
        cleanup[#cleanup + 1] = function() run("kill $(cat " .. q(ndir .. "/nginx.pid") .. ") 2>/dev/null") end
        run("sleep 0.3")
        local session = core.session { timeout = 120, keep_text = true }
        for r = 1, opts.rounds do
            local res = session:get(format("http://127.0.0.1:%d/", nport))
            local text = res.text or (type(res.body) == "string" and res.body) or ""
            local i = 0
            if res.status ~= 200 then
                local log = run("tail -5 " .. q(ndir .. "/logs/error.log"))
                io.stderr:write("bench/cachehits.lua: nginx round failed: ", log, "\n")
                break
            end
            for v in text:gmatch("[^\n]+") do
                i = i + 1
                nginx_rows[i] = nginx_rows[i] or {}
                nginx_rows[i][r] = tonumber(v)
            end
        end
    else
        io.stderr:write("bench/cachehits.lua: nginx did not start, no nginx rows: ", nout, "\n")
    end
else
    io.stderr:write("bench/cachehits.lua: no build-luajit/xingtu/core.so, no nginx rows\n")
end
stop_all()

local function median(t)
    local s = {}
    for i, v in ipairs(t) do s[i] = v end
    table.sort(s)
    local n = #s
    if n % 2 == 1 then return s[(n + 1) // 2] end
    return (s[n // 2] + s[n // 2 + 1]) / 2
end
local function range(t)
    local lo, hi = math.huge, 0
    for _, v in ipairs(t) do lo, hi = math.min(lo, v), math.max(hi, v) end
    return lo, hi
end

print(format("%d hits per round, %d rounds; one touch_distribution answer of %d bytes", opts.hits, opts.rounds, #body))
print()
print("| Lua | cache backend | hits/s (median) | range | vs memory |")
print("|---|---|---:|---:|---:|")
local function rows(lua, names, list)
    local base = list[1] and median(list[1])
    for i, name in ipairs(names) do
        if list[i] and #list[i] > 0 then
            local lo, hi = range(list[i])
            print(format("| %s | %s | %.0f | %.0f-%.0f | %.2f |", lua, name, median(list[i]), lo, hi,
                median(list[i]) / base))
        end
    end
end
local names = {}
for i, c in ipairs(caches) do names[i] = c[1] end
rows("5.4", names, rates)
local nginx_names = { "memory (Lua table)", "lua_shared_dict", "Redis (resty.redis cosockets, loopback)" }
for i = 1, 3 do nginx_names[i + 3] = nginx_names[i] .. ", checksum in Lua (LuaJIT's cdata loop, before)" end
rows("nginx (LuaJIT)", nginx_names, nginx_rows)
