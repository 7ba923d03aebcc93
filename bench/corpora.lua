-- bench/corpora.lua: the corpora round. xingtu.core.decode and encode beside lua-cjson (and dkjson where installed) on
-- the touch body and the three standard corpora (bench/corpora/), all in one run.
--
--   lua5.4 bench/corpora.lua [seconds-per-round] [rounds] [file ...]
--
-- Each work (decode or encode of one file) runs `rounds` interleaved rounds (default 5): in each round every
-- contender runs about `seconds-per-round` (default 0.5) after a collection, so all of them see the same machine
-- state. A row gives each contender's median rate and its ratio to cjson: the ratio of the medians, and in brackets
-- the lowest and highest of the per-round ratios (the spread). Each library encodes the tree it decoded.
--
-- XINGTU_CPATH overrides where xingtu/core.so is looked up (default: build/ beside this script's parent).
-- XINGTU_BEFORE_CPATH, if set, is the path of a second core.so (e.g. main's build) measured as "before" in the
-- same rounds, so a before/after table comes from one run. XINGTU_BENCH_NO_DKJSON=1 leaves dkjson out (it is a
-- pure-Lua decoder, 20-50x slower, and makes a run long). XINGTU_BENCH_WORK=decode (or encode) runs only that half.
-- The first and last lines give the load average (/proc/loadavg), so a reader can tell a quiet run from a busy one.

local root = (arg and arg[0] or ""):match("^(.*)/bench/[^/]*$") or "."
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("XINGTU_CPATH") or (root .. "/build/?.so")) .. ";" .. package.cpath

local core = require "xingtu.core"
local ok_cjson, cjson = pcall(require, "cjson")
if not ok_cjson then
    io.stderr:write("bench/corpora.lua: lua-cjson is not installed (apt install lua-cjson)\n")
    os.exit(1)
end
local ok_dk, dkjson = pcall(require, "dkjson")
if not ok_dk or os.getenv("XINGTU_BENCH_NO_DKJSON") == "1" then
    dkjson = nil
end

local before
local before_path = os.getenv("XINGTU_BEFORE_CPATH")
if before_path and before_path ~= "" then
    local open, err = package.loadlib(before_path, "luaopen_xingtu_core")
    if not open then
        io.stderr:write("bench/corpora.lua: cannot load ", before_path, ": ", tostring(err), "\n")
        os.exit(1)
    end
    before = open()
end

local seconds = tonumber(arg[1]) or 0.5
local rounds = math.max(1, math.floor(tonumber(arg[2]) or 5))
local files = { table.unpack(arg, 3) }
if #files == 0 then
    files = { root .. "/spec/fixtures/touch_distribution.json", root .. "/bench/corpora/twitter.json",
        root .. "/bench/corpora/citm_catalog.json", root .. "/bench/corpora/canada.json" }
end

local clock = os.clock
local work_only = os.getenv("XINGTU_BENCH_WORK")
if work_only == "" then
    work_only = nil
end
if work_only and work_only ~= "decode" and work_only ~= "encode" then
    io.stderr:write("bench/corpora.lua: XINGTU_BENCH_WORK must be decode or encode, not ", work_only, "\n")
    os.exit(2)
end

local function loadavg()
    local f = io.open("/proc/loadavg", "r")
    if not f then
        return "unknown"
    end
    local l = f:read("l") or ""
    f:close()
    return l:match("^(%S+ %S+ %S+)") or "unknown"
end

local function read(path)
    local f, err = io.open(path, "rb")
    if not f then
        io.stderr:write("bench/corpora.lua: cannot open ", tostring(err), "\n")
        os.exit(1)
    end
    local s = f:read("a")
    f:close()
    return s
end

local function time(fn, x, n)
    local t0 = clock()
    for _ = 1, n do
        fn(x)
    end
    return clock() - t0
end

-- Iterations of fn(x) that take about `seconds` (at least one).
local function calibrate(fn, x)
    local n = 1
    local t = time(fn, x, n)
    while t < 0.05 do
        n = n * 2
        t = time(fn, x, n)
    end
    return math.max(1, math.floor(n * seconds / t + 0.5))
end

local function median(t)
    local s = { table.unpack(t) }
    table.sort(s)
    local m = #s // 2
    if #s % 2 == 1 then
        return s[m + 1]
    end
    return (s[m] + s[m + 1]) / 2
end

local rows = {}

-- One work: every contender in turn, `rounds` times; the rates of round i are comparable with each other.
local function compare(work, name, contenders)
    for _, c in ipairs(contenders) do
        c.n = calibrate(c.fn, c.arg)
        c.rates = {}
    end
    for _ = 1, rounds do
        for _, c in ipairs(contenders) do
            collectgarbage("collect")
            c.rates[#c.rates + 1] = c.n / time(c.fn, c.arg, c.n)
        end
    end
    local ref
    for _, c in ipairs(contenders) do
        if c.name == "cjson" then
            ref = c
        end
    end
    for _, c in ipairs(contenders) do
        local lo, hi = math.huge, 0
        for i, r in ipairs(c.rates) do
            local q = r / ref.rates[i]
            lo, hi = math.min(lo, q), math.max(hi, q)
        end
        rows[#rows + 1] = string.format("| %s `%s` | %s | %.1f | %.2fx (%.2f-%.2f) |", work, name, c.name,
            median(c.rates), median(c.rates) / median(ref.rates), lo, hi)
    end
end

print(string.format("%s; %d interleaved rounds of about %.2f s per contender and work; load average %s", _VERSION,
    rounds, seconds, loadavg()))
print("| work | contender | median /s | ratio to cjson (spread) |")
print("| --- | --- | --- | --- |")
for _, path in ipairs(files) do
    local body = read(path)
    local name = path:match("([^/]+)$")
    local decoders = { { name = "xingtu", fn = core.decode, arg = body } }
    if before then
        decoders[#decoders + 1] = { name = "before", fn = before.decode, arg = body }
    end
    decoders[#decoders + 1] = { name = "cjson", fn = cjson.decode, arg = body }
    if dkjson then
        decoders[#decoders + 1] = { name = "dkjson", fn = dkjson.decode, arg = body }
    end
    for _, c in ipairs(decoders) do
        assert(c.fn(body) ~= nil, c.name .. " cannot decode " .. name)
    end
    local before_rows = #rows
    if work_only ~= "encode" then
        compare("decode", name, decoders)
    end
    local encoders = {}
    for _, c in ipairs(decoders) do
        local enc = ({ xingtu = core.encode, before = before and before.encode, cjson = cjson.encode,
            dkjson = dkjson and dkjson.encode })[c.name]
        encoders[#encoders + 1] = { name = c.name, fn = enc, arg = c.fn(body) }
    end
    if work_only ~= "decode" then
        compare("encode", name, encoders)
    end
    for i = before_rows + 1, #rows do
        print(rows[i])
    end
    io.stdout:flush()
end
print("load average at the end: " .. loadavg())
