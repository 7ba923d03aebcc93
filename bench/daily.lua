-- bench/daily.lua: the peak resident memory (VmHWM) of a daily job, `xingtu batch --methods` over 3 methods, at
-- 2,000 and at 20,000 ids, against a sandbox it starts itself (zero latency). Not a spec: memory of a whole process
-- depends on the machine; what matters is the ratio of the two in one run (flat in the number of ids means the
-- ratio stays near 1, whatever the ids themselves take).
--
--   lua5.4 bench/daily.lua [--ids N1,N2] [--rounds N]
--
-- Each job runs in a child process that prints its own VmHWM from /proc/self/status when the command returned, with
-- -o to a file and --db to a fresh SQLite file, as a nightly job does. Prints a markdown table, the median of the
-- rounds and the spread (min-max).

local root = (arg and arg[0] or ""):match("^(.*)/bench/[^/]*$") or "."
local format = string.format

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function run(cmd)
    local f = assert(io.popen(cmd, "r"))
    local out = f:read("a")
    f:close()
    return out
end

local sizes, rounds = { 2000, 20000 }, 3
local i = 1
while arg[i] do
    if arg[i] == "--ids" then
        sizes = {}
        for n in arg[i + 1]:gmatch("%d+") do sizes[#sizes + 1] = tonumber(n) end
        i = i + 2
    elseif arg[i] == "--rounds" then
        rounds = tonumber(arg[i + 1])
        i = i + 2
    else
        io.stderr:write("bench/daily.lua: unknown argument ", arg[i], "\n")
        os.exit(2)
    end
end

local started = run("bash " .. q(root .. "/bin/xingtu-sandbox") .. " start 2>&1")
local sdir, url = started:match("dir=(%S+) url=(%S+)")
if not sdir then
    io.stderr:write("bench/daily.lua: the sandbox did not start: ", started, "\n")
    os.exit(1)
end
local tmp = run("mktemp -d"):gsub("%s+$", "")

local CHILD = [[
package.path = ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua;" .. package.path
package.cpath = ROOT .. "/build/?.so;" .. package.cpath
local code = require("xingtu.cli.main").run(ARGS)
local f = io.open("/proc/self/status")
local hwm = f:read("a"):match("VmHWM:%s*(%d+)")
f:close()
io.stdout:write("hwm=", hwm, " code=", tostring(code), "\n")
]]

local function job(n, r)
    local ids = format("%s/ids.%d", tmp, n)
    local f = io.open(ids, "w")
    for k = 1, n do f:write(7200000000 + k, "\n") end
    f:close()
    local out = format("%s/out.%d.%d.ndjson", tmp, n, r)
    local db = format("%s/db.%d.%d.sqlite", tmp, n, r)
    local args = { "batch", "--methods", "touch_distribution,convert_ability,fans_distribution", "--ids", ids,
        "-o", out, "--db", db, "--concurrency", "8", "--quiet" }
    local parts = {}
    for k, a in ipairs(args) do parts[k] = format("%q", a) end
    local script = format("local ROOT = %q; local ARGS = { %s }\n", root, table.concat(parts, ", ")) .. CHILD
    local sf = format("%s/child.lua", tmp)
    f = io.open(sf, "w")
    f:write(script)
    f:close()
    local res = run(format("JUSTONEAPI_TOKEN=sandbox-token JUSTONEAPI_BASE_URL=%s lua5.4 %s", q(url), q(sf)))
    local hwm = tonumber(res:match("hwm=(%d+)"))
    if not hwm then error("the job failed: " .. res) end
    os.remove(out)
    os.remove(db)
    return hwm
end

local results = {}
for r = 1, rounds do
    for _, n in ipairs(sizes) do
        results[n] = results[n] or {}
        table.insert(results[n], job(n, r))
    end
end
run("bash " .. q(root .. "/bin/xingtu-sandbox") .. " stop " .. q(sdir))
run("rm -rf " .. q(tmp))

local function median(t)
    local c = { table.unpack(t) }
    table.sort(c)
    return c[(#c + 1) // 2], c[1], c[#c]
end
print("| ids | requests | peak RSS (median, KB) | min-max | ratio to the first |")
print("|---|---|---|---|---|")
local base
for _, n in ipairs(sizes) do
    local m, lo, hi = median(results[n])
    base = base or m
    print(format("| %d | %d | %d | %d-%d | %.2f |", n, 3 * n, m, lo, hi, m / base))
end
