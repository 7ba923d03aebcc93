-- bench/decode.lua: xingtu.core.decode against lua-cjson's cjson.decode on the same JSON body.
--
--   lua5.4 bench/decode.lua [body.json] [seconds-per-round] [rounds]
--
-- Without a body it uses spec/fixtures/touch_distribution.json. Rounds alternate between the two decoders (so both
-- see the same machine state); each round runs about `seconds-per-round` (default 1) per decoder. The table shows
-- the best and the median round in decodes per second, and the ratio xingtu/cjson of the best rounds.
-- XINGTU_CPATH overrides where xingtu/core.so is looked up (default: build/ beside this script's parent).

local root = (arg and arg[0] or ""):match("^(.*)/bench/[^/]*$") or "."
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("XINGTU_CPATH") or (root .. "/build/?.so")) .. ";" .. package.cpath

local core = require "xingtu.core"
local ok_cjson, cjson = pcall(require, "cjson")
if not ok_cjson then
    io.stderr:write("bench/decode.lua: lua-cjson is not installed (apt install lua-cjson)\n")
    os.exit(1)
end

local path = arg[1] or (root .. "/spec/fixtures/touch_distribution.json")
local seconds = tonumber(arg[2]) or 1
local rounds = tonumber(arg[3]) or 5

local f, ferr = io.open(path, "rb")
if not f then
    io.stderr:write("bench/decode.lua: cannot open ", tostring(ferr), "\n")
    os.exit(1)
end
local body = f:read("a")
f:close()

local clock = os.clock

-- Both decoders must accept the body before we time them.
local v, err = core.decode(body)
assert(v ~= nil, "xingtu cannot decode the body: " .. tostring(err))
assert(cjson.decode(body) ~= nil)

-- Calibrate: iterations that take about `seconds` for the faster of the two.
local function time(fn, n)
    local t0 = clock()
    for _ = 1, n do
        fn(body)
    end
    return clock() - t0
end

local n = 16
while time(core.decode, n) < 0.1 do
    n = n * 2
end
n = math.max(1, math.floor(n * seconds / 0.1))

local decoders = {
    { name = "xingtu", fn = core.decode, rates = {} },
    { name = "cjson", fn = cjson.decode, rates = {} },
}

for _ = 1, rounds do
    for _, d in ipairs(decoders) do
        collectgarbage("collect")
        local t = time(d.fn, n)
        d.rates[#d.rates + 1] = n / t
    end
end

local function best(t)
    local b = 0
    for _, x in ipairs(t) do
        if x > b then
            b = x
        end
    end
    return b
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

print(string.format("body: %s (%d bytes), %d rounds x %d decodes, %s", path, #body, rounds, n, _VERSION))
print(string.format("%-8s %14s %14s %12s", "decoder", "best dec/s", "median dec/s", "MB/s (best)"))
for _, d in ipairs(decoders) do
    local b = best(d.rates)
    print(string.format("%-8s %14.0f %14.0f %12.1f", d.name, b, median(d.rates), b * #body / 1e6))
end
print(string.format("ratio xingtu/cjson: %.2fx (best), %.2fx (median)",
    best(decoders[1].rates) / best(decoders[2].rates),
    median(decoders[1].rates) / median(decoders[2].rates)))
