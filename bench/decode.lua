-- bench/decode.lua: xingtu.core.decode and encode against lua-cjson's decode and encode on the same JSON body.
--
--   lua5.4 bench/decode.lua [body.json] [seconds-per-round] [rounds]
--
-- Without a body it uses spec/fixtures/touch_distribution.json. Decode first, then encode (each library encodes what
-- it decoded). Rounds alternate between the two libraries (so both see the same machine state); each round runs
-- about `seconds-per-round` (default 1) per library. Each table shows the best and the median round in operations
-- per second, and the ratio xingtu/cjson of the best and of the median rounds.
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
local cv = cjson.decode(body)
-- cjson writes floats with 14 significant digits (its maximum in Debian's 2.1.0), which is cheaper than xingtu's
-- shortest round-trip form and loses precision: the encode ratio on float-heavy bodies favours cjson.

-- Calibrate: iterations of fn(arg) that take about `seconds`.
local function time(fn, arg, n)
    local t0 = clock()
    for _ = 1, n do
        fn(arg)
    end
    return clock() - t0
end

local function calibrate(fn, arg)
    local n = 16
    while time(fn, arg, n) < 0.1 do
        n = n * 2
    end
    return math.max(1, math.floor(n * seconds / 0.1))
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

-- One work (decode or encode): xingtu and cjson alternate round by round.
local function compare(work, contenders)
    local n = calibrate(contenders[1].fn, contenders[1].arg)
    for _ = 1, rounds do
        for _, c in ipairs(contenders) do
            c.rates = c.rates or {}
            collectgarbage("collect")
            c.rates[#c.rates + 1] = n / time(c.fn, c.arg, n)
        end
    end
    print(string.format("%s: %d rounds x %d", work, rounds, n))
    print(string.format("%-8s %14s %14s %12s", work, "best /s", "median /s", "MB/s (best)"))
    for _, c in ipairs(contenders) do
        local b = best(c.rates)
        print(string.format("%-8s %14.0f %14.0f %12.1f", c.name, b, median(c.rates), b * #body / 1e6))
    end
    print(string.format("%s ratio xingtu/cjson: %.2fx (best), %.2fx (median)", work,
        best(contenders[1].rates) / best(contenders[2].rates),
        median(contenders[1].rates) / median(contenders[2].rates)))
end

print(string.format("body: %s (%d bytes), %s", path, #body, _VERSION))
compare("decode", {
    { name = "xingtu", fn = core.decode, arg = body },
    { name = "cjson", fn = cjson.decode, arg = body },
})
compare("encode", {
    { name = "xingtu", fn = core.encode, arg = v },
    { name = "cjson", fn = cjson.encode, arg = cv },
})
