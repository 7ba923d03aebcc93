-- bench/batch.lua: client:each against the physical limit, in one run, against a sandbox it starts itself.
--
--   lua5.4 bench/batch.lua [--workers N] [--rounds N] [--requests N] [--concurrency N]
--
-- Needs build/xingtu/core.so (bash .ci/build build); builds bench/fetch_baseline with make when it is missing.
-- Starts `bin/xingtu-sandbox start --workers N` and stops it at the end. The default is 1 worker: the warm-up sends
-- every URL twice, so the worker's body memo (sandbox/xt_sandbox/bodies.lua) holds the bodies and a request costs the
-- sandbox ~0.2 ms instead of ~1.2 ms of building and encoding; one worker then outruns a decoding client (as the real
-- provider does) and leaves the other core to the client (with 2 workers on 2 cores the rows moved by 30 points from
-- one run to the next). Prints a markdown table:
--
--   R   bench/fetch_baseline (plain libcurl multi, bodies ignored) over the same touch_distribution URLs
--   D   xingtu.json.decode alone on the same body;  L = 1 / (1/R + 1/D)
--   the client's CPU time per request against the baseline's own plus one decode (independent of the sandbox's
--   speed: what the Lua scheduler, the result tables and the garbage collector add)
--   client:each over the same requests, no latency (target >= 90% of L) and with 50 ms of sandbox latency (target
--   >= 95% of concurrency / latency; the raw libcurl client under the same latency is shown beside it), the TCP
--   connections the batch opened (sandbox counters; target <= concurrency), the same requests as single calls one
--   after another, and the peak resident memory of `each` over an iterator of 5,000 and of 20,000 requests (each in
--   a child process: it must not grow with the number of requests).
--
-- Throughput rows are the best of --rounds rounds (default 3), measured alternately so that every row sees the same
-- machine; the machine is shared, so the median is printed too. Loopback only: nothing here leaves 127.0.0.1.

local root = (arg and arg[0] or ""):match("^(.*)/bench/[^/]*$") or "."
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("XINGTU_CPATH") or (root .. "/build/?.so")) .. ";" .. package.cpath

local format = string.format

local function die(msg)
    io.stderr:write("bench/batch.lua: ", msg, "\n")
    os.exit(1)
end

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function run(cmd)
    local f = assert(io.popen(cmd, "r"))
    local out = f:read("a")
    local ok = f:close()
    return out, ok
end

local function read_status(field)
    local f = io.open("/proc/self/status", "r")
    if not f then return nil end
    local text = f:read("a")
    f:close()
    return tonumber(text:match(field .. ":%s*(%d+) kB"))
end

local ok_core, core = pcall(require, "xingtu.core")
if not ok_core then
    die("build/xingtu/core.so not found: run `bash .ci/build build` first (" .. tostring(core) .. ")")
end
local xingtu = require "xingtu"

local PATH = xingtu.endpoints.touch_distribution.path
local now = core.now

local function request(i) return { "touch_distribution", { o_author_id = tostring(i) } } end

---------------------------------------------------------------------------------------------------------------------
-- Child mode: `--memory URL N CONCURRENCY` streams N requests through each() from an iterator and prints
-- "hwm=<kB> rss=<kB> base=<kB> samples=<kB,kB,...> ok=<n>".

if arg[1] == "--memory" then
    local url, n, concurrency = arg[2], tonumber(arg[3]), tonumber(arg[4])
    local client = xingtu.new { base_url = url, token = "sandbox-token" }
    collectgarbage("collect")
    local base = read_status("VmRSS")
    local i = 0
    local function source()
        i = i + 1
        if i <= n then return request(i) end
    end
    local ok, samples, step = 0, {}, n // 4
    for k, data in client:each(source, { concurrency = concurrency }) do
        if data then ok = ok + 1 end
        if k % step == 0 then samples[#samples + 1] = read_status("VmRSS") end
    end
    print(format("hwm=%d rss=%d base=%d samples=%s ok=%d", read_status("VmHWM"), read_status("VmRSS"), base,
        table.concat(samples, ","), ok))
    os.exit(0)
end

---------------------------------------------------------------------------------------------------------------------
-- Options.

local opts = { workers = 1, rounds = 3, requests = 2000, concurrency = 32, latency = 0.05 }
do
    local k = 1
    while arg[k] do
        local name = arg[k]:match("^%-%-(%w+)$")
        local value = tonumber(arg[k + 1] or "")
        if not name or opts[name] == nil or not value or value <= 0 then
            die("usage: lua5.4 bench/batch.lua [--workers N] [--rounds N] [--requests N] [--concurrency N]")
        end
        opts[name] = value
        k = k + 2
    end
end
local N, C = math.tointeger(opts.requests), math.tointeger(opts.concurrency)

local baseline = root .. "/bench/fetch_baseline"
if not io.open(baseline, "rb") then
    local out, ok = run("make -s -C " .. shell_quote(root .. "/bench") .. " fetch_baseline 2>&1")
    if not ok then die("could not build bench/fetch_baseline:\n" .. out) end
end

---------------------------------------------------------------------------------------------------------------------
-- The sandbox: started here, stopped at the end whatever happens.

local out = run("bash " .. shell_quote(root .. "/bin/xingtu-sandbox") .. " start --workers " .. opts.workers .. " 2>&1")
local sb_dir, sb_url = out:match("dir=(%S+) url=(%S+)")
if not sb_dir then die("sandbox did not start: " .. out) end

local url_file -- the baseline's URL list (sandbox token only), removed at the end

local function stop_sandbox()
    if url_file then
        os.remove(url_file)
        url_file = nil
    end
    if sb_dir then
        run("bash " .. shell_quote(root .. "/bin/xingtu-sandbox") .. " stop " .. shell_quote(sb_dir) .. " 2>&1")
        sb_dir = nil
    end
end

local session = core.session { timeout = 10 }
local function control(name, query)
    local res = session:get(sb_url .. "/__sandbox/" .. name .. (query and ("?" .. query) or ""))
    if res.status ~= 200 or type(res.body) ~= "table" then
        error(format("sandbox %s failed: HTTP %s %s", name, tostring(res.status), tostring(res.error_message)))
    end
    return res.body
end

local function best(t)
    local b = t[1]
    for _, x in ipairs(t) do if x > b then b = x end end
    return b
end

local function median(t)
    local s = { table.unpack(t) }
    table.sort(s)
    local m = #s // 2
    if #s % 2 == 1 then return s[m + 1] end
    return (s[m] + s[m + 1]) / 2
end

local function main()
    local client = xingtu.new { base_url = sb_url, token = "sandbox-token" }
    local requests = {}
    for i = 1, N do requests[i] = request(i) end

    -- The same URLs the client sends, for the baseline.
    url_file = os.tmpname()
    do
        local f = assert(io.open(url_file, "wb"))
        for i = 1, N do
            f:write((client:url_for(PATH, { { "oAuthorId", tostring(i) } })), "\n")
        end
        f:close()
    end

    local raw_body
    do
        local f = assert(io.open(url_file, "rb"))
        local first = f:read("l")
        f:close()
        raw_body = run("curl -s --max-time 10 " .. shell_quote(first))
        assert(xingtu.json.decode(raw_body), "the sandbox's body does not decode")
    end

    local function fetch_baseline()
        local text, ok = run(shell_quote(baseline) .. " @" .. shell_quote(url_file) .. " " .. N .. " " .. C .. " 2>&1")
        local rate = tonumber(text:match("([%d.]+) requests/s"))
        if not ok or not rate then error("fetch_baseline failed: " .. text) end
        return rate, tonumber(text:match("([%d.]+) us CPU per request")) / 1e6
    end

    local function run_each(latency)
        control("reset") -- clears the counters, and the latency too
        if latency then control("config", "latency=" .. latency) end
        collectgarbage("collect")
        local failed = 0
        local t0, c0 = now(), os.clock()
        for _, data in client:each(requests, { concurrency = C }) do
            if data == nil then failed = failed + 1 end
        end
        local dt, cpu = now() - t0, os.clock() - c0
        if failed > 0 then error(failed .. " requests of the batch failed") end
        return N / dt, control("stats").connections, cpu / N
    end

    local function decode_rate()
        local decode = xingtu.json.decode
        local n, t0 = 0, os.clock()
        repeat
            for _ = 1, 50 do decode(raw_body) end
            n = n + 50
        until os.clock() - t0 >= 0.3
        return n / (os.clock() - t0)
    end

    -- Warm up both sides (nginx workers, the Lua JIT-less VM's allocator, libcurl's connection cache), and fill the
    -- workers' body memos (with several workers a URL lands on whichever one its connection went to: twice over).
    for _ in client:each({ request(1), request(2), request(3) }, { concurrency = 3 }) do end
    fetch_baseline()
    fetch_baseline()

    local R, D, E, conns, CPU, RCPU = {}, {}, {}, 0, {}, {}
    local RL, EL = {}, {}
    for round = 1, opts.rounds do
        io.stderr:write(format("round %d/%d ...\n", round, opts.rounds))
        control("reset")
        R[#R + 1], RCPU[#RCPU + 1] = fetch_baseline()
        D[#D + 1] = decode_rate()
        local rate, c, cpu = run_each()
        E[#E + 1] = rate
        CPU[#CPU + 1] = cpu
        if c > conns then conns = c end
        if round <= math.max(1, opts.rounds - 1) then -- the latency rounds take ~3 s each: one fewer
            control("config", "latency=" .. opts.latency)
            RL[#RL + 1] = fetch_baseline()
            local lrate, lc = run_each(opts.latency)
            EL[#EL + 1] = lrate
            if lc > conns then conns = lc end
            control("config", "latency=0")
        end
    end

    io.stderr:write("single calls ...\n")
    control("reset")
    local t0 = now()
    for i = 1, N do assert(client:touch_distribution { o_author_id = tostring(i) }) end
    local single = N / (now() - t0)
    local single_conns = control("stats").connections

    io.stderr:write("memory ...\n")
    local mem = {}
    for _, n in ipairs { N > 5000 and N or 5000, 4 * (N > 5000 and N or 5000) } do
        local text, ok = run(shell_quote(arg[-1] or "lua5.4") .. " " .. shell_quote(arg[0]) .. " --memory "
            .. shell_quote(sb_url) .. " " .. n .. " " .. C .. " 2>&1")
        local hwm, rss, base, samples, got = text:match("hwm=(%d+) rss=(%d+) base=(%d+) samples=(%S*) ok=(%d+)")
        if not ok or not hwm then error("memory child failed: " .. text) end
        if tonumber(got) ~= n then error(format("memory child: %s of %d requests succeeded", got, n)) end
        mem[#mem + 1] = { n = n, hwm = tonumber(hwm), rss = tonumber(rss), base = tonumber(base), samples = samples }
    end

    local Rb, Db, Eb, RLb, ELb = best(R), best(D), best(E), best(RL), best(EL)
    local L = 1 / (1 / Rb + 1 / Db)
    local ideal = C / opts.latency
    local function mb(kb) return format("%.1f MB", kb / 1024) end

    print(format("\nclient:each benchmark: %d touch_distribution requests (%d-byte body), concurrency %d, sandbox with"
        .. " %d nginx worker(s), %s, %d cores; best of %d rounds (median in brackets)\n", N, #raw_body, C,
        opts.workers, _VERSION, tonumber((run("nproc"))) or 0, opts.rounds))
    print("| measure | value | ratio | target |")
    print("| --- | --- | --- | --- |")
    print(format("| R: plain libcurl multi, bodies ignored (bench/fetch_baseline) | %.0f req/s (%.0f) | | |", Rb,
        median(R)))
    print(format("| D: xingtu.json.decode of the body alone | %.0f decodes/s (%.0f) | | |", Db, median(D)))
    print(format("| L = 1 / (1/R + 1/D) | %.0f req/s | | |", L))
    print(format("| client:each, no latency | %.0f req/s (%.0f) | %.1f%% of L | >= 90%% |", Eb, median(E),
        100 * Eb / L))
    print(format("| plain libcurl multi, %g ms latency | %.0f req/s (%.0f) | %.1f%% of %d/%gs = %.0f | (reference) |",
        opts.latency * 1000, RLb, median(RL), 100 * RLb / ideal, C, opts.latency, ideal))
    print(format("| client:each, %g ms latency | %.0f req/s (%.0f) | %.1f%% of %.0f (%.1f%% of libcurl) | >= 95%% |",
        opts.latency * 1000, ELb, median(EL), 100 * ELb / ideal, ideal, 100 * ELb / RLb))
    local cpu, floor_cpu = median(CPU), median(RCPU) + 1 / median(D)
    print(format("| CPU per request: client:each / libcurl baseline + one decode | %.0f us / %.0f + %.0f us | %.1f%%"
        .. " efficiency | |", cpu * 1e6, median(RCPU) * 1e6, 1e6 / median(D), 100 * floor_cpu / cpu))
    print(format("| TCP connections opened by one batch (most in any run) | %d | | <= %d |", conns, C))
    print(format("| single calls one after another | %.0f req/s | %.2fx slower than each | (%d connection%s) |",
        single, Eb / single, single_conns, single_conns == 1 and "" or "s"))
    local a, b = mem[1], mem[2]
    print(format("| peak RSS of each over %d / %d requests (iterator input) | %s / %s | %+.1f MB (%s) | flat |", a.n,
        b.n, mb(a.hwm), mb(b.hwm), (b.hwm - a.hwm) / 1024,
        math.abs(b.hwm - a.hwm) < 2048 and "flat" or "GROWS"))
    print(format("\nRSS at 25/50/75/100%% of the %d-request stream: %s kB (before the loop: %d kB)", b.n, b.samples,
        b.base))
end

local ok, err = xpcall(main, debug.traceback)
stop_sandbox()
if not ok then die(tostring(err)) end
