-- JSONTestSuite (vendored in spec/fixtures/JSONTestSuite, MIT, see its LICENSE) against core.decode:
-- every y_ file accepted, every n_ file rejected with "<what> at byte N", every i_ file either way, never a crash.
-- Prints a one-line summary to stderr. The suite is part of the checkout: a missing file is a failure, never a skip.

local lfs = require "lfs"
local core = require "xingtu.core"
local util = require "helpers.util"

local SUITE = util.ROOT .. "/spec/fixtures/JSONTestSuite"

-- Under LuaJIT (nginx) every number is a double: integers beyond 2^53 decode as strings holding the exact digits, and
-- the integer subtype is Lua 5.4's alone. The number cases check the contract of the engine they run on.
local LUAJIT = rawget(_G, "jit") ~= nil
local math_type = math.type or function(v) return type(v) == "number" and "float" or nil end -- LuaJIT: doubles only

local function list(dir)
    local names = {}
    if lfs.attributes(dir, "mode") ~= "directory" then
        return nil
    end
    for name in lfs.dir(dir) do
        if name:match("%.json$") then
            names[#names + 1] = name
        end
    end
    table.sort(names)
    return names
end

describe("xingtu.core", function()
    describe("decode on the JSONTestSuite", function()
        local parsing = list(SUITE .. "/test_parsing") or {}
        it("has the whole suite to run: 318 parsing cases", function()
            assert.are.equal(318, #parsing, SUITE .. "/test_parsing")
        end)

        local count = { y = { 0, 0 }, n = { 0, 0 }, i = { 0, 0 } } -- { passed/accepted, total }

        teardown(function()
            io.stderr:write(string.format("\nJSONTestSuite: y accepted %d/%d, n rejected %d/%d, i accepted %d/%d\n",
                count.y[1], count.y[2], count.n[1], count.n[2], count.i[1], count.i[2]))
        end)

        for _, name in ipairs(parsing) do
            local kind = name:sub(1, 1)
            local text = assert(util.read_file(SUITE .. "/test_parsing/" .. name))
            if kind == "y" then
                it("accepts " .. name, function()
                    count.y[2] = count.y[2] + 1
                    local n, v, err = select("#", core.decode(text)), core.decode(text)
                    assert.is_nil(err)
                    assert.are.equal(1, n)
                    assert.is_not_nil(v)
                    count.y[1] = count.y[1] + 1
                end)
            elseif kind == "n" then
                it("rejects " .. name .. " with the byte position", function()
                    count.n[2] = count.n[2] + 1
                    local v, err = core.decode(text)
                    assert.is_nil(v)
                    assert.is_string(err)
                    assert.matches("^.+ at byte %d+$", err)
                    local pos = tonumber(err:match("at byte (%d+)$"))
                    assert.is_true(pos >= 1 and pos <= #text + 1, "position out of range: " .. err)
                    count.n[1] = count.n[1] + 1
                end)
            elseif kind == "i" then
                it("either accepts or rejects " .. name .. " without crashing", function()
                    count.i[2] = count.i[2] + 1
                    local v, err = core.decode(text)
                    if err == nil then
                        count.i[1] = count.i[1] + 1
                    else
                        assert.is_nil(v)
                        assert.matches(" at byte %d+$", err)
                    end
                end)
            end
        end
    end)

    describe("decode on the JSONTestSuite transform cases", function()
        local dir = SUITE .. "/test_transform"

        local function decode_file(name)
            return core.decode(assert(util.read_file(dir .. "/" .. name)))
        end

        -- file -> check(value, err)
        local cases = {
            ["number_-9223372036854775808.json"] = function(v)
                if LUAJIT then return assert.are.equal("-9223372036854775808", v[1]) end
                assert.are.equal("integer", math_type(v[1]))
                assert.are.equal(math.mininteger, v[1])
            end,
            ["number_-9223372036854775809.json"] = function(v)
                if LUAJIT then return assert.are.equal("-9223372036854775809", v[1]) end
                assert.are.equal("float", math_type(v[1]))
                assert.are.equal(-9223372036854775809.0, v[1])
            end,
            ["number_1.0.json"] = function(v)
                assert.are.equal("float", math_type(v[1]))
                assert.are.equal(1.0, v[1])
            end,
            ["number_1.000000000000000005.json"] = function(v)
                assert.are.equal("float", math_type(v[1]))
                assert.are.equal(1.0, v[1])
            end,
            ["number_1000000000000000.json"] = function(v)
                if LUAJIT then return assert.are.equal(1e15, v[1]) end
                assert.are.equal("integer", math_type(v[1]))
                assert.are.equal(1000000000000000, v[1])
            end,
            ["number_10000000000000000999.json"] = function(v)
                if LUAJIT then return assert.are.equal("10000000000000000999", v[1]) end
                assert.are.equal("float", math_type(v[1]))
                assert.are.equal(1e19, v[1])
            end,
            ["number_1e-999.json"] = function(v)
                assert.are.equal("float", math_type(v[1]))
                assert.are.equal(0.0, v[1])
            end,
            ["number_1e6.json"] = function(v)
                assert.are.equal("float", math_type(v[1]))
                assert.are.equal(1e6, v[1])
            end,
            ["number_9223372036854775807.json"] = function(v)
                if LUAJIT then return assert.are.equal("9223372036854775807", v[1]) end
                assert.are.equal("integer", math_type(v[1]))
                assert.are.equal(math.maxinteger, v[1])
            end,
            ["number_9223372036854775808.json"] = function(v)
                if LUAJIT then return assert.are.equal("9223372036854775808", v[1]) end
                assert.are.equal("float", math_type(v[1]))
                assert.are.equal(9223372036854775808.0, v[1])
            end,
            ["object_key_nfc_nfd.json"] = function(v)
                -- no Unicode normalisation: two different keys
                assert.are.equal("NFC", v["\xC3\xA9"])
                assert.are.equal("NFD", v["e\xCC\x81"])
            end,
            ["object_key_nfd_nfc.json"] = function(v)
                assert.are.equal("NFC", v["\xC3\xA9"])
                assert.are.equal("NFD", v["e\xCC\x81"])
            end,
            ["object_same_key_different_values.json"] = function(v)
                assert.are.same({ a = 2 }, v) -- the last one wins
            end,
            ["object_same_key_same_value.json"] = function(v)
                assert.are.same({ a = 1 }, v)
            end,
            ["object_same_key_unclear_values.json"] = function(v)
                assert.are.equal(0, v.a)
            end,
            ["string_with_escaped_NULL.json"] = function(v)
                assert.are.equal("A\0B", v[1])
            end,
        }
        local rejected = {
            "string_1_escaped_invalid_codepoint.json",
            "string_1_invalid_codepoint.json",
            "string_2_escaped_invalid_codepoints.json",
            "string_2_invalid_codepoints.json",
            "string_3_escaped_invalid_codepoints.json",
            "string_3_invalid_codepoints.json",
        }

        local names = {}
        for name in pairs(cases) do
            names[#names + 1] = name
        end
        table.sort(names)
        for _, name in ipairs(names) do
            it("decodes " .. name .. " as expected", function()
                local v, err = decode_file(name)
                assert.is_nil(err)
                cases[name](v)
            end)
        end
        for _, name in ipairs(rejected) do
            it("rejects the lone surrogate or invalid UTF-8 in " .. name, function()
                local v, err = decode_file(name)
                assert.is_nil(v)
                assert.matches("at byte 3$", err)
            end)
        end
    end)
end)
