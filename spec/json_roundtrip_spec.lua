-- core.decode and core.encode together: the standard benchmark corpora (bench/corpora/, Apache-2.0) and random
-- doubles survive decode -> encode -> decode unchanged, floats are written in their shortest round-trip form and
-- integers stay exact. Correctness only: the speed of these paths is measured by bench/corpora.lua, never here.

local core = require "xingtu.core"
local util = require "helpers.util"

local LUAJIT = type(jit) == "table"
local CORPORA = util.ROOT .. "/bench/corpora"

-- Deep equality that also tells integers from floats and -0.0 from 0.0; returns false and the path of the first
-- difference.
local function same(a, b, path)
    path = path or "$"
    if type(a) ~= type(b) then
        return false, path
    end
    if type(a) == "number" then
        if math.type and math.type(a) ~= math.type(b) then
            return false, path
        end
        if a == 0 and b == 0 then
            return 1 / a == 1 / b, path
        end
        return a == b, path
    end
    if type(a) ~= "table" then
        return a == b, path
    end
    if getmetatable(a) ~= getmetatable(b) then
        return false, path .. " (metatable)"
    end
    for k, v in pairs(a) do
        local ok, where = same(v, b[k], path .. "." .. tostring(k))
        if not ok then
            return false, where
        end
    end
    for k in pairs(b) do
        if a[k] == nil then
            return false, path .. "." .. tostring(k)
        end
    end
    return true
end

local function read(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("*a")
    f:close()
    return s
end

describe("core.decode and core.encode", function()
    describe("the benchmark corpora", function()
        for _, name in ipairs({ "twitter.json", "citm_catalog.json", "canada.json" }) do
            it(("gives back the same tree after decode -> encode -> decode of %s"):format(name), function()
                local text = read(CORPORA .. "/" .. name)
                local first = assert(core.decode(text))
                local encoded = assert(core.encode(first))
                local second = assert(core.decode(encoded))
                local ok, where = same(first, second)
                assert.is_true(ok, "differs at " .. tostring(where))
                -- Encoding the second tree gives the same bytes up to the order of object keys (pairs order), so the
                -- same length: no number is written longer or shorter the second time.
                assert.is_true(#encoded == #core.encode(second), "the second encoding differs in length")
            end)
        end
    end)

    describe("floats", function()
        -- The fewest significant digits among 15, 16 and 17 that read back as d (shorter forms are 15 padded).
        local function shortest(d)
            for prec = 15, 17 do
                local s = ("%." .. prec .. "g"):format(d)
                if tonumber(s) == d or prec == 17 then
                    return s
                end
            end
        end

        local function digits(s)
            return #(s:match("^-?([%d%.]+)"):gsub("%.", ""):gsub("^0+", ""):gsub("0+$", ""))
        end

        local function round_trips(d)
            if LUAJIT and (d == 0 or (d == math.floor(d) and math.abs(d) > 2 ^ 53)) then
                return -- LuaJIT writes integral doubles (-0.0 too) as integers, reads those beyond 2^53 as digit strings
            end
            local s = core.encode(d)
            local back = core.decode(s)
            assert.are.equal(d, back, s)
            if d == 0 then
                assert.are.equal(1 / d, 1 / back, s)
            end
            if math.type then
                assert.are.equal("float", math.type(back), s)
            end
            assert.is_true(digits(s) <= digits(shortest(d)), s .. " is longer than " .. shortest(d))
        end

        it("reads back every boundary double exactly, in the shortest form", function()
            for _, d in ipairs({ 5e-324, -5e-324, 2.2250738585072014e-308, 2.2250738585072009e-308, 1e-310,
                1.7976931348623157e308, -1.7976931348623157e308, 0.1, 0.2, 0.30000000000000004, 1 / 3, 2 ^ 53,
                2 ^ 53 + 2, 2 ^ 63, 1e21, 1e22, 1e23, 123456.789, 9007199254740993.0, 4.35, 2 ^ -1074 * 3, 0.0,
                -0.0, 1.0, -1.5, 1e15, 1e16, 1e17 }) do
                round_trips(d)
            end
        end)

        it("reads back 20000 random bit patterns exactly (every finite double is a candidate)", function()
            if not string.unpack then
                return pending("needs string.unpack (Lua 5.3+)")
            end
            math.randomseed(20261204)
            local n = 0
            while n < 20000 do
                local bits = string.pack("<I4I4", math.random(0, 0xffffffff), math.random(0, 0xffffffff))
                local d = string.unpack("<d", bits)
                if d == d and d ~= math.huge and d ~= -math.huge then
                    round_trips(d)
                    n = n + 1
                end
            end
        end)

        it("writes -0.0 as -0.0 and integral floats with a .0 mark so they come back as floats", function()
            if LUAJIT then
                return pending("LuaJIT has no float subtype: integral numbers are written as integers")
            end
            assert.are.equal("-0.0", core.encode(-0.0))
            assert.are.equal("2.0", core.encode(2.0))
            assert.are.equal("9007199254740992.0", core.encode(2.0 ^ 53))
        end)
    end)

    describe("integers", function()
        it("keeps 2^63-1, -2^63 and 2^53+1 exact as integers, and 2^53+1 written as a float is a float", function()
            if LUAJIT then
                return pending("LuaJIT numbers are doubles (see json_decode_spec)")
            end
            for _, i in ipairs({ math.maxinteger, math.mininteger, 9007199254740993, -9007199254740993, 0, -1 }) do
                local s = core.encode(i)
                assert.are.equal(string.format("%d", i), s)
                local back = core.decode(s)
                assert.are.equal("integer", math.type(back))
                assert.are.equal(i, back)
            end
            local f = core.decode("9007199254740993.0")
            assert.are.equal("float", math.type(f))
            assert.are.equal(2.0 ^ 53, f)
        end)

        it("turns integers beyond 64 bits into the nearest float, as it always has, never a wrapped integer", function()
            if LUAJIT then
                return pending("LuaJIT numbers are doubles (see json_decode_spec)")
            end
            for _, s in ipairs({ "9223372036854775808", "-9223372036854775809", "18446744073709551616" }) do
                local v = core.decode(s)
                assert.are.equal("float", math.type(v), s)
                assert.are.equal(tonumber(s .. ".0"), v, s)
            end
        end)
    end)
end)
