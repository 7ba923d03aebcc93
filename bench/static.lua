-- bench/static.lua: client:each against the client's own limit, with a server that costs next to nothing.
--
--   lua5.4 bench/static.lua [--rounds N] [--requests N] [--concurrency N] [--fixture NAME] [--perf 0|1] [--cost 0|1]
--                           [--versus DIR] [--pool 0|1]
--
-- Needs build/xingtu/core.so (bash .ci/build build) and nginx (Debian's nginx-light); builds bench/fetch_baseline
-- with make when it is missing. nginx runs from a temporary directory on a free loopback port with one worker and
-- serves spec/fixtures/<NAME>.json (default touch_distribution) as a static file at that endpoint's path, whatever
-- the query: the cheapest possible server, so what the rows measure is the client. Stopped by its pid at the end.
--
-- Rows, all measured in this one run, rounds interleaved so that every row sees the same machine:
--
--   R     bench/fetch_baseline --copy: plain libcurl multi, each body copied whole into a buffer kept per handle
--   D     xingtu.json.decode of the body alone;  L = 1 / (1/R + 1/D): fetch and decode, nothing else
--   core  core.multi driven by a bare Lua loop (add, poll one, refill): the C core's whole path, no client layer
--   each  client:each over the same requests (target >= 85% of L), from an array and from an iterator
--   R'    bench/fetch_baseline --copy --fresh: R with a new easy handle per transfer, as the core takes one
--   single calls one after another, the TCP connections each opened (nginx's stub_status), CPU per request
--   alloc the allocator's share of the CPU samples of `each` (and of decoding alone), with `perf`, when it works:
--         glibc's malloc family, the memory functions the core gives libcurl (csrc/curlmem.c) and the pool
--         allocator's (csrc/pool_alloc.c), for the rows with the pool
--   RSS   peak resident memory of `each` over an iterator of 5,000 and of 20,000 requests (child processes)
--
-- --versus DIR adds two rows to every round: client:each in a child process of this tree and of DIR (another
-- checkout with lua/ and a built build/xingtu/core.so, e.g. `git archive <commit> | tar -x -C DIR` and
-- `bash .ci/build build` there), so that a change is measured before and after in one run, against the same L.
--
-- --pool 1 (the default) adds rows measured in child processes, without and with core.use_pool_allocator() (the
-- CLI's allocator, csrc/pool_alloc.h): client:each's rate and % of L, decoding alone, and the allocator's share of
-- both with the pool. The rows above stay the bench process's own, without the pool.
--
-- --cost 1 adds a second table (a few minutes more): what one request costs in each layer, in instructions counted
-- by valgrind's callgrind (deterministic where the clock is not), from the difference of two runs of each piece with
-- different counts: libcurl alone, the fresh handle, the decode, the C core's path, client:each, and the pieces of
-- the Lua layer run on their own (checking a request, building its URLs, before_attempt, after_attempt); what is
-- left of each over the core and those pieces is the batch scheduler and its outcome tables. Garbage is collected
-- inside each measurement, so a piece's count includes the collection of what it allocated.
--
-- Each row prints the median of the rounds and the spread (lowest-highest); ratios are per round, within the run.
-- Loopback only: nothing here leaves 127.0.0.1.

local root = (arg and arg[0] or ""):match("^(.*)/bench/[^/]*$") or "."
-- A child measuring another tree (--versus) loads that tree's Lua layer and core instead.
local tree = os.getenv("XINGTU_BENCH_TREE")
package.path = (tree or root) .. "/lua/?.lua;" .. (tree or root) .. "/lua/?/init.lua;" .. package.path
package.cpath = (tree and tree .. "/build/?.so" or os.getenv("XINGTU_CPATH") or (root .. "/build/?.so")) .. ";"
    .. package.cpath

local format = string.format

local function die(msg)
    io.stderr:write("bench/static.lua: ", msg, "\n")
    os.exit(1)
end

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function run(cmd)
    local f = assert(io.popen(cmd, "r"))
    local out = f:read("a")
    local ok = f:close()
    return out, ok
end

local function read_file(path)
    local f = io.open(path, "rb")
    if not f then return nil end
    local text = f:read("a")
    f:close()
    return text
end

local function write_file(path, text)
    local f = assert(io.open(path, "wb"))
    f:write(text)
    f:close()
end

local function read_status(field)
    return tonumber((read_file("/proc/self/status") or ""):match(field .. ":%s*(%d+) kB"))
end

local ok_core, core = pcall(require, "xingtu.core")
if not ok_core then
    die("build/xingtu/core.so not found: run `bash .ci/build build` first (" .. tostring(core) .. ")")
end
-- A child of the --pool rows runs with the pool allocator, installed before anything else allocates much.
if os.getenv("XINGTU_BENCH_POOL") == "1" then
    local ok, why = core.use_pool_allocator()
    if not ok then die("the pool allocator refused: " .. tostring(why)) end
end
local xingtu = require "xingtu"
local now = core.now

local TOKEN = "bench-token"

local function request(name, i) return { name, { o_author_id = tostring(1000000 + i) } } end

---------------------------------------------------------------------------------------------------------------------
-- Child modes (a process of their own, so that perf sees only that work and RSS only that batch):
--   --each URL NAME N C REPEAT     REPEAT batches of N requests through client:each
--   --decode FILE SECONDS           decoding the file's body over and over
--   --memory URL NAME N C           one batch from an iterator; prints "hwm=<kB> base=<kB> samples=<kB,...> ok=<n>"

local function each_batch(client, source, concurrency, on_result)
    local ok = 0
    for k, data in client:each(source, { concurrency = concurrency }) do
        if data then ok = ok + 1 end
        if on_result then on_result(k) end
    end
    return ok
end

if arg[1] == "--eachrate" then
    -- --eachrate URL NAME N C: one warm-up batch, then one timed batch of N; prints "rate=<req/s> cpu=<us>".
    local url, name, n, c = arg[2], arg[3], tonumber(arg[4]), tonumber(arg[5])
    local client = xingtu.new { base_url = url, token = TOKEN }
    local requests = {}
    for i = 1, n do requests[i] = request(name, i) end
    each_batch(client, { requests[1], requests[2], requests[3] }, 3)
    collectgarbage("collect")
    local t0, c0 = now(), os.clock()
    if each_batch(client, requests, c) ~= n then die("a request of the timed batch failed") end
    print(format("rate=%.3f cpu=%.3f", n / (now() - t0), (os.clock() - c0) / n * 1e6))
    os.exit(0)
elseif arg[1] == "--each" then
    local url, name, n, c, repeat_ = arg[2], arg[3], tonumber(arg[4]), tonumber(arg[5]), tonumber(arg[6])
    local client = xingtu.new { base_url = url, token = TOKEN }
    local requests = {}
    for i = 1, n do requests[i] = request(name, i) end
    for _ = 1, repeat_ do
        if each_batch(client, requests, c) ~= n then die("a request of the profiled batch failed") end
    end
    os.exit(0)
elseif arg[1] == "--piece" then
    -- --piece NAME URL N: N repetitions of one piece, for callgrind (see cost_table).
    local name, url, n = arg[2], arg[3], tonumber(arg[4])
    if name == "decode" then -- url is the body's file here
        local body = assert(read_file(url))
        for _ = 1, n do xingtu.json.decode(body) end
        os.exit(0)
    end
    local client = xingtu.new { base_url = url, token = TOKEN }
    local ep = xingtu.endpoints.touch_distribution
    local validate = require "xingtu.validate"
    local params = { o_author_id = "1000001" }
    local query = validate.query(ep, params, 2)
    local pipe = client.pipeline -- the steps of a call (lua/xingtu/pipeline.lua)
    local call = pipe:new_call(ep.name, ep.path, query)
    local res = core.session { timeout = 10 }:get(pipe:wire_url(call))
    assert(type(res.body) == "table", "the server's answer does not decode")
    local pieces = {
        validate = function() return validate.query(ep, params, 2) end,
        new_call = function() return pipe:new_call(ep.name, ep.path, query) end,
        before = function()
            local c = pipe:new_call(ep.name, ep.path, query)
            return pipe:before_attempt(c)
        end,
        after = function() return pipe:after_attempt(call, res) end,
    }
    if pieces[name] then
        local f = pieces[name]
        for _ = 1, n do f() end
    elseif name == "each" or name == "eachiter" then
        local source
        if name == "each" then
            source = {}
            for i = 1, n do source[i] = request("touch_distribution", i) end
        else
            local i = 0
            source = function()
                i = i + 1
                if i <= n then return request("touch_distribution", i) end
            end
        end
        if each_batch(client, source, 32) ~= n then die("a request of the measured batch failed") end
    elseif name == "core" then
        -- The URLs as the timed row has them, built before its clock starts: one concatenation each here, as
        -- building each through client:url_for (about 10 k instructions) would count Lua-layer work as the core's.
        local prefix, urls = client:url_for(ep.path, { { "oAuthorId", "" } }), {}
        for i = 1, n do urls[i] = prefix .. i end
        local m = core.multi { concurrency = 32, timeout = 10 }
        local started, done = 0, 0
        while started < 32 and started < n do
            started = started + 1
            m:add(urls[started], started)
        end
        while done < n do
            local rs = m:poll(nil, 1)
            for k = 1, #rs do
                if type(rs[k].body) ~= "table" then die("core.multi: a transfer failed") end
                done = done + 1
                if started < n then
                    started = started + 1
                    m:add(urls[started], started)
                end
            end
        end
        m:close()
    else
        die("unknown piece " .. tostring(name))
    end
    os.exit(0)
elseif arg[1] == "--decode" then
    local body, seconds = assert(read_file(arg[2])), tonumber(arg[3])
    local decode, t0 = xingtu.json.decode, os.clock()
    repeat
        for _ = 1, 50 do decode(body) end
    until os.clock() - t0 >= seconds
    os.exit(0)
elseif arg[1] == "--decoderate" then
    -- --decoderate FILE SECONDS: decodes per second of the file's body, after a warm-up; prints "rate=<n>".
    local body, seconds = assert(read_file(arg[2])), tonumber(arg[3])
    local decode = xingtu.json.decode
    for _ = 1, 200 do decode(body) end
    collectgarbage("collect")
    local n, t0 = 0, os.clock()
    repeat
        for _ = 1, 50 do decode(body) end
        n = n + 50
    until os.clock() - t0 >= seconds
    print(format("rate=%.3f", n / (os.clock() - t0)))
    os.exit(0)
elseif arg[1] == "--memory" then
    local url, name, n, c = arg[2], arg[3], tonumber(arg[4]), tonumber(arg[5])
    local client = xingtu.new { base_url = url, token = TOKEN }
    collectgarbage("collect")
    local base = read_status("VmRSS")
    local i, samples, step = 0, {}, n // 4
    local function source()
        i = i + 1
        if i <= n then return request(name, i) end
    end
    local ok = each_batch(client, source, c, function(k)
        if k % step == 0 then samples[#samples + 1] = read_status("VmRSS") end
    end)
    print(format("hwm=%d base=%d samples=%s ok=%d", read_status("VmHWM"), base, table.concat(samples, ","), ok))
    os.exit(0)
end

---------------------------------------------------------------------------------------------------------------------
-- Options.

local opts = {
    rounds = 5, requests = 2000, concurrency = 32, fixture = "touch_distribution", perf = 1, cost = 0, versus = false,
    pool = 1,
}
do
    local usage = "usage: lua5.4 bench/static.lua [--rounds N] [--requests N] [--concurrency N] [--fixture NAME]"
        .. " [--perf 0|1] [--cost 0|1] [--versus DIR] [--pool 0|1]"
    local k = 1
    while arg[k] do
        local key = arg[k]:match("^%-%-(%w+)$")
        local raw = arg[k + 1]
        if not key or opts[key] == nil or raw == nil then die(usage) end
        if key == "fixture" or key == "versus" then
            opts[key] = raw
        else
            local v = math.tointeger(tonumber(raw))
            if not v or v < ((key == "perf" or key == "cost" or key == "pool") and 0 or 1) then die(usage) end
            opts[key] = v
        end
        k = k + 2
    end
end
local N, C, FIXTURE = opts.requests, opts.concurrency, opts.fixture
if opts.versus then
    opts.versus = opts.versus:gsub("/+$", "")
    if not read_file(opts.versus .. "/build/xingtu/core.so") or not read_file(opts.versus .. "/lua/xingtu.lua") then
        die("--versus " .. opts.versus .. ": not a tree with lua/xingtu.lua and a built build/xingtu/core.so")
    end
end
local ep = xingtu.endpoints[FIXTURE]
if not ep then die("--fixture must name an endpoint with a file in spec/fixtures: " .. FIXTURE) end
local body_file = root .. "/spec/fixtures/" .. FIXTURE .. ".json"
local BODY = read_file(body_file) or die("no fixture " .. body_file)
assert(xingtu.json.decode(BODY), "the fixture does not decode")

local baseline = root .. "/bench/fetch_baseline"
if not read_file(baseline) then
    local out, ok = run("make -s -C " .. shell_quote(root .. "/bench") .. " fetch_baseline 2>&1")
    if not ok then die("could not build bench/fetch_baseline:\n" .. out) end
end

---------------------------------------------------------------------------------------------------------------------
-- nginx: a temporary directory, a free port, one worker, stopped by its pid.

local NGINX_CONF = [[
@USER@
daemon on;
master_process on;
worker_processes 1;
pid @DIR@/nginx.pid;
error_log @DIR@/error.log warn;
events { worker_connections 1024; }
http {
    default_type application/json;
    server_tokens off;
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    sendfile on;
    open_file_cache max=16;
    client_body_temp_path @DIR@/tmp/body;
    proxy_temp_path @DIR@/tmp/proxy;
    fastcgi_temp_path @DIR@/tmp/fastcgi;
    uwsgi_temp_path @DIR@/tmp/uwsgi;
    scgi_temp_path @DIR@/tmp/scgi;
    server {
        listen 127.0.0.1:@PORT@;
        root @DIR@/www;
        location = /__status { stub_status; }
        location / { try_files $uri =404; }
    }
}
]]

local server = {} -- dir, pid, port, url

local function port_in_use(port)
    local out = run("ss -Htan '( sport = :" .. port .. " )' 2>/dev/null")
    return out ~= ""
end

local function alive(pid)
    local stat = read_file("/proc/" .. pid .. "/stat")
    return stat ~= nil and stat:match("^%d+ %b() (%a)") ~= "Z"
end

local function stop_server()
    if server.pid then
        os.execute("kill -TERM " .. server.pid .. " 2>/dev/null")
        for _ = 1, 50 do
            if not alive(server.pid) then break end
            core.sleep(0.1)
        end
        if alive(server.pid) then os.execute("kill -KILL " .. server.pid .. " 2>/dev/null") end
        server.pid = nil
    end
    if server.dir then
        os.execute("rm -rf -- " .. shell_quote(server.dir))
        server.dir = nil
    end
end

local function start_server()
    local dir = run("mktemp -d \"${TMPDIR:-/tmp}/xingtu-static.XXXXXX\""):gsub("%s+$", "")
    if dir == "" then die("mktemp -d failed") end
    server.dir = dir
    local www = dir .. "/www" .. ep.path
    os.execute("mkdir -p " .. shell_quote(dir .. "/tmp") .. " " .. shell_quote(www:match("^(.*)/[^/]+$")))
    write_file(www, BODY)
    local user = run("id -u"):match("^0%s") and "user root root;" or ""
    math.randomseed(os.time(), tonumber(tostring({}):match("0x(%x+)"), 16) or 0)
    local last
    for _ = 1, 20 do
        local port = math.random(20000, 32000) -- below Linux's ephemeral range (32768-60999)
        if not port_in_use(port) then
            write_file(dir .. "/nginx.conf", (NGINX_CONF:gsub("@(%u+)@", { DIR = dir, PORT = port, USER = user })))
            local out, ok = run("nginx -p " .. shell_quote(dir) .. " -e " .. shell_quote(dir .. "/error.log")
                .. " -c " .. shell_quote(dir .. "/nginx.conf") .. " 2>&1")
            if ok then
                server.pid = tonumber(read_file(dir .. "/nginx.pid") or "")
                server.port, server.url = port, "http://127.0.0.1:" .. port
                return
            end
            last = out
            if not out:find("Address already in use", 1, true) then break end
        end
    end
    stop_server()
    die("nginx did not start: " .. tostring(last))
end

local status_session = core.session { timeout = 10 }

-- nginx's count of accepted connections (stub_status).
local function accepted()
    local res = status_session:get(server.url .. "/__status")
    local n = res.status == 200 and res.json_error and res.raw and res.raw:match("\n%s*(%d+)%s+%d+%s+%d+")
    if not n then error("stub_status did not answer: " .. tostring(res.error_message or res.status)) end
    return tonumber(n) -- the status requests themselves share one kept-alive connection
end

---------------------------------------------------------------------------------------------------------------------
-- Statistics.

local function sorted(t)
    local s = { table.unpack(t) }
    table.sort(s)
    return s
end

local function median(t)
    local s = sorted(t)
    local m = #s // 2
    if #s % 2 == 1 then return s[m + 1] end
    return (s[m] + s[m + 1]) / 2
end

-- "median (lowest-highest)" with a format for the numbers.
local function spread(t, fmt)
    local s = sorted(t)
    return format(fmt .. " (" .. fmt .. "-" .. fmt .. ")", median(t), s[1], s[#s])
end

---------------------------------------------------------------------------------------------------------------------
-- perf: the allocator's share of a child's CPU samples.

-- glibc's malloc family, as perf names them with libc6-dbg's symbols (and without: the exported names).
local ALLOCATOR = {}
for name in ([[malloc free calloc realloc cfree _int_malloc _int_free _int_realloc malloc_consolidate unlink_chunk
    sysmalloc systrim tcache_init tcache_get tcache_put __libc_malloc __libc_free __libc_calloc __libc_realloc
    _int_free_merge_chunk _int_free_create_chunk _int_free_maybe_consolidate alloc_perturb free_perturb
    malloc_trim __malloc_trim mtrim heap_trim __default_morecore __glibc_morecore]]):gmatch("%S+") do
    ALLOCATOR[name] = true
end
-- The memory functions the core hands libcurl (csrc/curlmem.c) are allocator work too, in core.so.
local CURLMEM = { mem_malloc = true, mem_free = true, mem_realloc = true, mem_calloc = true, mem_strdup = true }
-- So are the pool allocator's functions (csrc/pool_alloc.c), in core.so, when a child runs with it.
for name in ("pool_alloc pool_slow pool_take pool_give pool_get"):gmatch("%S+") do CURLMEM[name] = true end

-- The event to sample on: hardware instructions when the machine counts them, else the CPU clock (a VM's usual
-- case: `perf stat -e instructions true` says <not supported>). nil when perf does not work at all.
local function perf_event()
    if not opts.perf or opts.perf == 0 then return nil end
    local out, ok = run("perf stat -x, -e instructions true 2>&1")
    if not ok then return nil end
    local event = out:find("<not supported>", 1, true) and "cpu-clock" or "instructions"
    local probe = os.tmpname()
    local _, rok = run("perf record -q -e " .. event .. " -o " .. probe .. " true 2>&1")
    os.remove(probe)
    return rok and event or nil
end

-- perf's "Samples: 12K of event ..." as a number.
local function sample_count(report)
    local n, unit = report:match("\n# Samples: ([%d.]+)(%a?)")
    local scale = { K = 1e3, M = 1e6 }
    return n and math.floor(tonumber(n) * (scale[unit] or 1)) or 0
end

-- Runs cmd under perf record; returns the allocator's share (%), its top symbols, and the sample count.
local function profile(event, cmd)
    local data = os.tmpname()
    local rec, ok = run("perf record -q -e " .. event .. " -F 2000 -o " .. data .. " -- " .. cmd .. " 2>&1")
    if not ok then
        os.remove(data)
        error("perf record failed: " .. rec)
    end
    local report = run("perf report -i " .. data .. " --stdio --no-children --sort dso,sym --percent-limit 0"
        .. " 2>/dev/null")
    os.remove(data)
    local alloc, by_sym = 0, {}
    for line in report:gmatch("[^\n]+") do
        local pct, dso, sym = line:match("^%s*([%d.]+)%%%s+(%S+)%s+%[.%]%s+(%S+)")
        local base = sym and sym:match("^([%w_]+)")
        if pct and ((dso:find("^libc") and ALLOCATOR[base]) or (dso:find("^core") and CURLMEM[base])) then
            alloc = alloc + tonumber(pct)
            by_sym[#by_sym + 1] = { base, tonumber(pct) }
        end
    end
    table.sort(by_sym, function(a, b) return a[2] > b[2] end)
    local top = {}
    for k = 1, math.min(4, #by_sym) do top[k] = format("%s %.1f%%", by_sym[k][1], by_sym[k][2]) end
    return alloc, table.concat(top, ", "), sample_count(report)
end

---------------------------------------------------------------------------------------------------------------------
-- callgrind: instructions per request, layer by layer (--cost 1).

-- Total instructions of one run of cmd under callgrind (nil when valgrind fails).
local function instructions(cmd)
    local out = os.tmpname()
    local _, ok = run("valgrind --tool=callgrind --callgrind-out-file=" .. out .. " " .. cmd .. " >/dev/null 2>&1")
    local text = read_file(out) or ""
    os.remove(out)
    local total = text:match("\nsummary: (%d+)") or text:match("\ntotals: (%d+)")
    return ok and tonumber(total) or nil
end

-- Instructions per repetition: the difference of a run with n2 repetitions and one with n1, over n2 - n1.
local function per_op(make_cmd, n1, n2)
    local a, b = instructions(make_cmd(n1)), instructions(make_cmd(n2))
    if not a or not b then error("callgrind failed on " .. make_cmd(n1)) end
    return (b - a) / (n2 - n1)
end

local function cost_table(url, url_file, lua, self)
    if not run("command -v valgrind 2>/dev/null"):find("valgrind") then
        print("\n(--cost: valgrind is not installed)")
        return
    end
    local function piece(name, n1, n2, target)
        io.stderr:write("callgrind: " .. name .. " ...\n")
        return per_op(function(n) return lua .. " " .. self .. " --piece " .. name .. " " .. (target or url) .. " " .. n
        end, n1, n2)
    end
    local function baseline_ir(flags)
        io.stderr:write("callgrind: fetch_baseline " .. flags .. " ...\n")
        return per_op(function(n) return shell_quote(baseline) .. " " .. flags .. " @" .. shell_quote(url_file) .. " "
            .. n .. " " .. C end, 200, 1200)
    end
    local ir = {}
    ir.curl = baseline_ir("--copy")
    ir.fresh = baseline_ir("--copy --fresh")
    ir.decode = piece("decode", 100, 600, shell_quote(root .. "/spec/fixtures/touch_distribution.json"))
    ir.core = piece("core", 200, 1200)
    ir.each = piece("each", 200, 1200)
    ir.eachiter = piece("eachiter", 200, 1200)
    ir.validate = piece("validate", 1000, 11000)
    ir.new_call = piece("new_call", 1000, 11000)
    ir.before = piece("before", 1000, 11000) - ir.new_call
    ir.after = piece("after", 1000, 11000)

    local floor = ir.curl + ir.decode
    local target = floor / 0.85
    local gap = ir.each - target
    local lua_side = ir.each - ir.core
    local pieces = ir.validate + ir.new_call + ir.before + ir.after
    local function row(what, v, note)
        print(format("| %s | %.0f k | %.1f%% | %s |", what, v / 1e3, 100 * v / ir.each, note or ""))
    end
    print("\nInstructions per request (callgrind, touch_distribution; difference of two runs of each piece)\n")
    print("| layer | instructions | share of each | |")
    print("| --- | --- | --- | --- |")
    row("libcurl alone, body copied (bench/fetch_baseline --copy)", ir.curl)
    row("  + a new easy handle per transfer (--fresh)", ir.fresh - ir.curl, "what the folded-header safety costs")
    row("decode of the body (xingtu.json.decode)", ir.decode)
    row("C core's own work: core.multi loop - libcurl - decode", ir.core - ir.curl - ir.decode,
        "result tables, the multi's bookkeeping, the fresh handle")
    row("Lua layer: client:each - core.multi loop", lua_side, format("%.0f%% of the gap to 85%% of L", 100 * lua_side
        / gap))
    row("  checking the request (validate.query)", ir.validate)
    row("  building its URLs (pipeline:new_call)", ir.new_call)
    row("  before_attempt (spend guard, pacing)", ir.before)
    row("  after_attempt (classify, mask, meta, stats)", ir.after)
    row("  the rest: scheduler, outcome tables, iteration", lua_side - pieces)
    row("client:each, array input", ir.each)
    row("client:each, iterator input", ir.eachiter)
    print(format("\nL's instructions: %.0f k a request (libcurl + decode); 85%% of L allows %.0f k; each is %.0f k over"
        .. " that, of which the Lua layer is %.0f k and the C core %.0f k (instructions only: cache misses and the"
        .. " allocator's locality are in the time rows, not here).", floor / 1e3, target / 1e3, gap / 1e3,
        lua_side / 1e3, (ir.core - floor) / 1e3))
end

---------------------------------------------------------------------------------------------------------------------
-- The rounds.

local function main()
    start_server()
    local url = server.url
    local client = xingtu.new { base_url = url, token = TOKEN }
    local requests = {}
    for i = 1, N do requests[i] = request(FIXTURE, i) end
    local urls = {}
    for i = 1, N do
        urls[i] = (client:url_for(ep.path, { { "oAuthorId", requests[i][2].o_author_id } }))
    end
    local url_file = server.dir .. "/urls.txt"
    write_file(url_file, table.concat(urls, "\n") .. "\n")
    do -- the server answers with the fixture, byte for byte
        local data, err = client:call(FIXTURE, requests[1][2])
        if not data then error("the static server's answer does not classify: " .. tostring(err)) end
        local res = status_session:get(urls[1])
        if res.size ~= #BODY then error("the static server's body differs from the fixture") end
    end

    local function fetch_baseline(flags)
        local text, ok = run(shell_quote(baseline) .. " " .. flags .. " @" .. shell_quote(url_file) .. " " .. N .. " "
            .. C .. " 2>&1")
        local rate = tonumber(text:match("([%d.]+) requests/s"))
        if not ok or not rate then error("fetch_baseline failed: " .. text) end
        return rate, tonumber(text:match("([%d.]+) us CPU per request")), tonumber(text:match("(%d+) connections"))
    end

    local decode = xingtu.json.decode
    local function decode_rate()
        collectgarbage("collect")
        local n, t0 = 0, os.clock()
        repeat
            for _ = 1, 50 do decode(BODY) end
            n = n + 50
        until os.clock() - t0 >= 0.3
        return n / (os.clock() - t0)
    end

    -- The C core's path with the least Lua around it: add, poll one result, refill its slot.
    local function core_rate()
        collectgarbage("collect")
        local m = core.multi { concurrency = C, timeout = 10 }
        local started, done = 0, 0
        local t0, c0 = now(), os.clock()
        while started < C and started < N do
            started = started + 1
            m:add(urls[started], started)
        end
        while done < N do
            local rs = m:poll(nil, 1)
            for k = 1, #rs do
                local r = rs[k]
                if type(r.body) ~= "table" or r.body.code ~= 0 then
                    error("core.multi: transfer failed: " .. tostring(r.error_message or r.json_error or r.status))
                end
                done = done + 1
                if started < N then
                    started = started + 1
                    m:add(urls[started], started)
                end
            end
        end
        local rate, cpu = N / (now() - t0), (os.clock() - c0) / N * 1e6
        m:close()
        return rate, cpu
    end

    -- An array input is checked whole before anything is sent and stays alive through the batch; an iterator's
    -- requests are pulled as slots free up.
    local function each_rate(iterator)
        collectgarbage("collect")
        local before = accepted()
        local source = requests
        if iterator then
            local i = 0
            source = function()
                i = i + 1
                return requests[i]
            end
        end
        local t0, c0 = now(), os.clock()
        local ok = each_batch(client, source, C)
        local dt, cpu = now() - t0, os.clock() - c0
        if ok ~= N then error((N - ok) .. " requests of the batch failed") end
        return N / dt, accepted() - before, cpu / N * 1e6
    end

    -- client:each of a tree (nil: this one) in a child process of its own (--versus).
    local lua_cmd, self_cmd = shell_quote(arg[-1] or "lua5.4"), shell_quote(arg[0])
    local function child_each_rate(dir, pool)
        local env = (dir and ("XINGTU_BENCH_TREE=" .. shell_quote(dir) .. " ") or "")
            .. (pool and "XINGTU_BENCH_POOL=1 " or "")
        local text, ok = run(env .. lua_cmd .. " " .. self_cmd .. " --eachrate " .. url .. " " .. FIXTURE .. " " .. N
            .. " " .. C .. " 2>&1")
        local rate, us = tonumber(text:match("rate=([%d.]+)")), tonumber(text:match("cpu=([%d.]+)"))
        if not ok or not rate then
            error("client:each child failed" .. (dir and " (" .. dir .. ")" or "") .. ": " .. text)
        end
        return rate, us
    end
    -- Decoding alone in a child process, with the pool or without (--pool).
    local function child_decode_rate(pool)
        local text, ok = run((pool and "XINGTU_BENCH_POOL=1 " or "") .. lua_cmd .. " " .. self_cmd .. " --decoderate "
            .. shell_quote(body_file) .. " 0.5 2>&1")
        local rate = tonumber(text:match("rate=([%d.]+)"))
        if not ok or not rate then error("decode child failed: " .. text) end
        return rate
    end

    -- Warm-up: nginx's worker and file cache, libcurl's and the allocator's first growth.
    each_batch(client, { requests[1], requests[2], requests[3] }, 3)
    fetch_baseline("--copy")
    core_rate()

    local R, RF, D, K, E, L, PL, KL, conns, cpu, rcpu, kcpu = {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}
    local rconns, EI, VT, VO, VTL, VOL, VR, VTC, VOC = 0, {}, {}, {}, {}, {}, {}, {}, {}
    local PN, PP, PNL, PPL, PR, PNC, PPC, DN, DP, DR = {}, {}, {}, {}, {}, {}, {}, {}, {}, {}
    for round = 1, opts.rounds do
        io.stderr:write(format("round %d/%d ...\n", round, opts.rounds))
        local r, rc, rcn = fetch_baseline("--copy")
        local d = decode_rate()
        local k, kc = core_rate()
        local e, cn, ec = each_rate()
        EI[round] = each_rate(true)
        RF[round] = fetch_baseline("--copy --fresh")
        R[round], D[round], K[round], E[round] = r, d, k, e
        L[round] = 1 / (1 / r + 1 / d)
        PL[round] = 100 * e / L[round]
        KL[round] = 100 * k / L[round]
        conns[round], cpu[round], rcpu[round], kcpu[round] = cn, ec, rc, kc
        if opts.versus then
            VT[round], VTC[round] = child_each_rate(nil)
            VO[round], VOC[round] = child_each_rate(opts.versus)
            VTL[round], VOL[round] = 100 * VT[round] / L[round], 100 * VO[round] / L[round]
            VR[round] = VT[round] / VO[round]
        end
        if opts.pool == 1 then
            PN[round], PNC[round] = child_each_rate(nil, false)
            PP[round], PPC[round] = child_each_rate(nil, true)
            PNL[round], PPL[round] = 100 * PN[round] / L[round], 100 * PP[round] / L[round]
            PR[round] = PP[round] / PN[round]
            DN[round], DP[round] = child_decode_rate(false), child_decode_rate(true)
            DR[round] = DP[round] / DN[round]
        end
        if rcn > rconns then rconns = rcn end
    end

    io.stderr:write("single calls ...\n")
    local before = accepted()
    local t0 = now()
    local single_n = math.max(1, N // 2)
    for i = 1, single_n do assert(client:call(FIXTURE, requests[i][2])) end
    local single = single_n / (now() - t0)
    local single_conns = accepted() - before

    local lua = shell_quote(arg[-1] or "lua5.4")
    local self = shell_quote(arg[0])
    local event, prof_each, prof_decode = perf_event(), nil, nil
    local prof_each_pool, prof_decode_pool
    if event then
        io.stderr:write("perf (" .. event .. ") ...\n")
        prof_each = { profile(event, lua .. " " .. self .. " --each " .. url .. " " .. FIXTURE .. " " .. N .. " " .. C
            .. " 5") }
        prof_decode = { profile(event, lua .. " " .. self .. " --decode " .. shell_quote(body_file) .. " 2") }
        if opts.pool == 1 then
            prof_each_pool = { profile(event, "env XINGTU_BENCH_POOL=1 " .. lua .. " " .. self .. " --each " .. url
                .. " " .. FIXTURE .. " " .. N .. " " .. C .. " 5") }
            prof_decode_pool = { profile(event, "env XINGTU_BENCH_POOL=1 " .. lua .. " " .. self .. " --decode "
                .. shell_quote(body_file) .. " 2") }
        end
    end

    io.stderr:write("memory ...\n")
    local mem = {}
    for _, n in ipairs { 5000, 20000 } do
        local text, ok = run(lua .. " " .. self .. " --memory " .. url .. " " .. FIXTURE .. " " .. n .. " " .. C
            .. " 2>&1")
        local hwm, base, samples, got = text:match("hwm=(%d+) base=(%d+) samples=(%S*) ok=(%d+)")
        if not ok or not hwm then error("memory child failed: " .. text) end
        if tonumber(got) ~= n then error(format("memory child: %s of %d requests succeeded", got, n)) end
        mem[#mem + 1] = { n = n, hwm = tonumber(hwm), base = tonumber(base), samples = samples }
    end

    local cores = tonumber((run("nproc"))) or 0
    print(format("\nStatic-file round: %d %s requests (%d-byte body, nginx static file, 1 worker), concurrency %d, %s,"
        .. " %d cores; median of %d rounds (lowest-highest)\n", N, FIXTURE, #BODY, C, _VERSION, cores, opts.rounds))
    print("| measure | value | ratio | target |")
    print("| --- | --- | --- | --- |")
    print(format("| R: plain libcurl multi, each body copied (bench/fetch_baseline --copy) | %s req/s | | |",
        spread(R, "%.0f")))
    print(format("| D: xingtu.json.decode of the body alone | %s /s | | |", spread(D, "%.0f")))
    print(format("| L = 1 / (1/R + 1/D), per round | %s req/s | | |", spread(L, "%.0f")))
    print(format("| client:each, no latency | %s req/s | %s%% of L | >= 85%% |", spread(E, "%.0f"),
        spread(PL, "%.1f")))
    local PI = {}
    for k = 1, #EI do PI[k] = 100 * EI[k] / L[k] end
    print(format("| client:each, iterator input | %s req/s | %s%% of L | |", spread(EI, "%.0f"), spread(PI, "%.1f")))
    if opts.versus then
        print(format("| client:each, this tree, in a child process | %s req/s, %s us CPU a request | %s%% of L |"
            .. " >= 85%% |", spread(VT, "%.0f"), spread(VTC, "%.0f"), spread(VTL, "%.1f")))
        print(format("| client:each, --versus %s, in a child process | %s req/s, %s us CPU a request | %s%% of L | |",
            opts.versus, spread(VO, "%.0f"), spread(VOC, "%.0f"), spread(VOL, "%.1f")))
        local VCR = {}
        for k = 1, #VTC do VCR[k] = VOC[k] / VTC[k] end
        print(format("| this tree over --versus, per round: rate / CPU a request (--versus over this tree) | %sx / %sx"
            .. " | | |", spread(VR, "%.2f"), spread(VCR, "%.2f")))
    end
    if opts.pool == 1 then
        print(format("| client:each in a child process, without / with the pool allocator (--pool) | %s / %s req/s |"
            .. " %s / %s%% of L | >= 85%% |", spread(PN, "%.0f"), spread(PP, "%.0f"), spread(PNL, "%.1f"),
            spread(PPL, "%.1f")))
        local PCR = {}
        for k = 1, #PNC do PCR[k] = PNC[k] / PPC[k] end
        print(format("| with the pool over without, per round: rate / CPU a request (without over with) | %sx / %sx |"
            .. " | |", spread(PR, "%.2f"), spread(PCR, "%.2f")))
        print(format("| decoding alone in a child process, without / with the pool | %s / %s /s | %sx | |",
            spread(DN, "%.0f"), spread(DP, "%.0f"), spread(DR, "%.2f")))
    end
    print(format("| core.multi + decode, bare Lua loop (no client layer) | %s req/s | %s%% of L | |",
        spread(K, "%.0f"), spread(KL, "%.1f")))
    -- Where the time above 85% of L goes, per round: t(each) - t(core) is the Lua layer's, t(core) - t(85% of L) the
    -- C core path's (a negative share: the core alone is faster than 85% of L).
    local gap, lua_share = {}, {}
    for k = 1, #E do
        local t_each, t_core, t_target = 1e6 / E[k], 1e6 / K[k], 1e6 / (0.85 * L[k])
        gap[k] = t_each - t_target
        if gap[k] > 0 then lua_share[#lua_share + 1] = 100 * (t_each - t_core) / gap[k] end
    end
    print(format("| time a request above 85%% of L: the Lua layer's share (each - core), the rest the C core path's |"
        .. " %s us | %s | |", spread(gap, "%.0f"), #lua_share > 0 and (spread(lua_share, "%.0f") .. "% Lua layer ("
        .. #lua_share .. " rounds above)") or "no round above"))
    local fresh_cost = {}
    for k = 1, #R do fresh_cost[k] = 1e6 / RF[k] - 1e6 / R[k] end
    print(format("| R with a new easy handle per transfer (--fresh) | %s req/s | %s us a request | |",
        spread(RF, "%.0f"), spread(fresh_cost, "%+.1f")))
    local floor_cpu = median(rcpu) + 1e6 / median(D)
    print(format("| CPU per request: each / core.multi loop / baseline + one decode | %.0f / %.0f / %.0f + %.0f us |"
        .. " %.1f%% efficiency | |", median(cpu), median(kcpu), median(rcpu), 1e6 / median(D),
        100 * floor_cpu / median(cpu)))
    local most = 0
    for _, n in ipairs(conns) do if n > most then most = n end end
    print(format("| TCP connections opened by one batch (most in any round; baseline %d) | %d | | <= %d |", rconns,
        most, C))
    print(format("| single calls one after another | %.0f req/s | each is %.2fx faster | (%d new connection%s) |",
        single, median(E) / single, single_conns, single_conns == 1 and "" or "s"))
    if event then
        print(format("| allocator's share of each's samples (perf, %s; %d samples) | %.1f%% | %s | < 10%% |", event,
            prof_each[3], prof_each[1], prof_each[2] ~= "" and prof_each[2] or "-"))
        print(format("| allocator's share of decoding alone (same) | %.1f%% | %s | |", prof_decode[1],
            prof_decode[2] ~= "" and prof_decode[2] or "-"))
        if prof_each_pool then
            print(format("| allocator's share of each's samples, with the pool (%d samples) | %.1f%% | %s | < 10%% |",
                prof_each_pool[3], prof_each_pool[1], prof_each_pool[2] ~= "" and prof_each_pool[2] or "-"))
            print(format("| allocator's share of decoding alone, with the pool | %.1f%% | %s | |", prof_decode_pool[1],
                prof_decode_pool[2] ~= "" and prof_decode_pool[2] or "-"))
        end
    else
        local why = opts.perf == 0 and "--perf 0" or "perf does not work here (.ci/deps bench installs it)"
        print("| allocator's share | not measured: " .. why .. " | | < 10% |")
    end
    local a, b = mem[1], mem[2]
    print(format("| peak RSS of each over %d / %d requests (iterator input) | %.1f / %.1f MB | %+.1f MB (%s) | flat |",
        a.n, b.n, a.hwm / 1024, b.hwm / 1024, (b.hwm - a.hwm) / 1024,
        math.abs(b.hwm - a.hwm) < 2048 and "flat" or "GROWS"))
    print(format("\nRSS at 25/50/75/100%% of the %d-request stream: %s kB (before the loop: %d kB)", b.n, b.samples,
        b.base))
    if opts.cost == 1 then cost_table(url, url_file, lua, self) end
end

local ok, err = xpcall(main, debug.traceback)
stop_server()
if not ok then die(tostring(err)) end
