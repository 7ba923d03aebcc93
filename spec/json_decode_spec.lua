-- core.decode: JSON text to Lua values (csrc/json_decode.c).

local core = require "xingtu.core"
local cjson = require "cjson"
local lfs = require "lfs"
local util = require "helpers.util"

-- Under LuaJIT (nginx) every number is a double: integers beyond 2^53 decode as strings holding the exact digits, and
-- the integer/float subtypes are Lua 5.4's alone. Those checks run per engine; the 5.4 ones are pending under LuaJIT.
local LUAJIT = rawget(_G, "jit") ~= nil
local it_lua54 = LUAJIT and pending or it
local math_type = math.type or function(v) return type(v) == "number" and "float" or nil end -- LuaJIT: doubles only

describe("xingtu.core", function()
    describe("decode", function()
        local decode = core.decode

        describe("numbers", function()
            it_lua54("keeps integers that fit 64 bits exact and of integer subtype", function()
                local v = decode("12704028")
                assert.are.equal("integer", math.type(v))
                assert.are.equal("12704028", tostring(v))
                v = decode("7012345678901234567")
                assert.are.equal("integer", math.type(v))
                assert.are.equal(7012345678901234567, v)
                assert.are.equal("7012345678901234567", tostring(v))
                assert.are.equal(math.maxinteger, decode("9223372036854775807"))
                assert.are.equal(math.mininteger, decode("-9223372036854775808"))
                assert.are.equal("integer", math.type(decode("-9223372036854775808")))
                assert.are.equal(0, decode("0"))
                assert.are.equal(0, decode("-0"))
                assert.are.equal(-42, decode("-42"))
            end)

            it_lua54("turns integers beyond 64 bits into floats", function()
                local v = decode("9223372036854775808")
                assert.are.equal("float", math.type(v))
                assert.are.equal(2.0 ^ 63, v)
                v = decode("-9223372036854775809")
                assert.are.equal("float", math.type(v))
                assert.are.equal(-(2.0 ^ 63), v)
                assert.are.equal(1e30, decode("1000000000000000000000000000000"))
            end)

            if LUAJIT then
                it("keeps integers up to 2^53 exact and turns bigger ones into strings of their digits (LuaJIT)", function()
                    assert.are.equal(12704028, decode("12704028"))
                    assert.are.equal(2 ^ 53, decode("9007199254740992"))
                    assert.are.equal(-(2 ^ 53), decode("-9007199254740992"))
                    assert.are.equal(0, decode("0"))
                    assert.are.equal(0, decode("-0"))
                    assert.are.equal(-42, decode("-42"))
                    for _, digits in ipairs({ "9007199254740993", "-9007199254740993", "7012345678901234567",
                        "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                        "-9223372036854775809", "1000000000000000000000000000000" }) do
                        assert.are.equal(digits, decode(digits))
                    end
                    assert.are.same({ id = "6976442543234760712", n = 5 }, decode('{"id":6976442543234760712,"n":5}'))
                end)
            end

            it("decodes fractions and exponents as floats, correctly rounded", function()
                local cases = {
                    ["1.0"] = 1.0, ["1.5"] = 1.5, ["-0.5"] = -0.5, ["0.1"] = 0.1, ["3.141592653589793"] = 3.141592653589793,
                    ["1e3"] = 1000.0, ["1E+3"] = 1000.0, ["25e-2"] = 0.25, ["1.7976931348623157e308"] = 1.7976931348623157e308,
                    ["5e-324"] = 5e-324, ["2.2250738585072014e-308"] = 2.2250738585072014e-308,
                    ["123456789012345678901234567890.5"] = 123456789012345678901234567890.5,
                    ["0.30000000000000004"] = 0.30000000000000004, ["9007199254740993.0"] = 9007199254740992.0,
                    ["1e-999"] = 0.0, ["0e99999"] = 0.0, ["1.000000000000000005"] = 1.0,
                }
                for text, want in pairs(cases) do
                    local v = decode(text)
                    assert.are.equal("float", math_type(v), text)
                    assert.are.equal(want, v, text)
                end
                if not LUAJIT then assert.are.equal("-0.0", tostring(decode("-0.0"))) end
                assert.are.equal(-math.huge, 1 / decode("-0.0"))
            end)

            it("rejects a number beyond the double range, so no infinity ever enters the data", function()
                local cases = {
                    ["1e999"] = 1, ["-1e999"] = 1, ["1e400"] = 1, ["1.7976931348623159e308"] = 1,
                    ['{"code":0,"data":{"x":1e999}}'] = 23, ["[1, 2, -123123e100000]"] = 8,
                    ["-" .. ("9"):rep(309) .. ".5"] = 1, ["[" .. ("9"):rep(400) .. "e0]"] = 2,
                    [("["):rep(45) .. "1e999" .. ("]"):rep(45)] = 46,
                }
                for text, at in pairs(cases) do
                    local v, err = decode(text)
                    assert.is_nil(v, text)
                    assert.are.equal("number out of range at byte " .. at, err)
                end
                -- An integer of 400 digits: beyond the range for Lua 5.4, exact digits under LuaJIT (see above).
                local big = "1" .. ("0"):rep(400)
                if LUAJIT then
                    assert.are.equal(big, decode(big))
                else
                    assert.are.same({ nil, "number out of range at byte 1" }, { decode(big) })
                end
                -- the largest doubles and what underflows are fine
                assert.are.equal(1.7976931348623157e308, decode("1.7976931348623157e308"))
                assert.are.equal(-1.7976931348623157e308, decode("-1.7976931348623158e308"))
                assert.are.equal(0.0, decode("123e-10000000"))
            end)

            it("does not depend on the C locale's decimal separator", function()
                local old = os.setlocale(nil, "numeric")
                local switched
                for _, name in ipairs({ "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8" }) do
                    switched = switched or os.setlocale(name, "numeric")
                end
                finally(function()
                    os.setlocale(old, "numeric")
                end)
                assert.are.equal(0.1, decode("0.1"))
                assert.are.equal(1.2345678901234567e-300, decode("1.2345678901234567e-300"))
                assert.are.equal(123456789012345678901234567890.5, decode("123456789012345678901234567890.5"))
                if not switched then
                    print("note: no de_DE/fr_FR locale installed; checked under the C locale only")
                end
            end)

            it("rejects what the JSON number grammar does not allow", function()
                for _, text in ipairs({ "01", "-01", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-", "0x10", "1,5", "NaN",
                    "Infinity", "-Infinity", "- 1", "1_000" }) do
                    local v, err = decode(text)
                    assert.is_nil(v, text)
                    assert.matches("at byte %d+$", err, nil, nil, text)
                end
            end)
        end)

        describe("strings", function()
            it("decodes every escape", function()
                assert.are.equal("\"\\/\b\f\n\r\t", decode([["\"\\\/\b\f\n\r\t"]]))
                assert.are.equal("é€", decode([["\u00e9\u20AC"]]))
                assert.are.equal("a\0b", decode([["a\u0000b"]]))
            end)

            it("joins surrogate pairs into one code point", function()
                assert.are.equal("😀", decode([["\ud83d\ude00"]]))
                assert.are.equal("\u{10FFFF}", decode([["\uDBFF\uDFFF"]]))
                assert.are.equal("x𝄞y", decode([["x\uD834\uDD1Ey"]]))
            end)

            it("rejects lone or inverted surrogates", function()
                for _, text in ipairs({ [["\ud800"]], [["\udc00"]], [["\ud800x"]], [["\ud800\u0041"]],
                    [["\udd1e\ud834"]], [["\ud800\ud800"]] }) do
                    local v, err = decode(text)
                    assert.is_nil(v, text)
                    assert.are.equal("lone surrogate in \\u escape at byte 2", err)
                end
            end)

            it("passes UTF-8 and Chinese text through unchanged", function()
                local t = decode('{"name":"个人","list":["游戏","旅行记录与分享"]}')
                assert.are.equal("个人", t.name)
                assert.are.same({ "游戏", "旅行记录与分享" }, t.list)
                assert.are.equal("\u{10FFFF}\u{800}\u{7F}", decode('"\u{10FFFF}\u{800}\u{7F}"'))
            end)

            it("keeps embedded NUL bytes from \\u0000", function()
                local s = decode([["\u0000\u0000"]])
                assert.are.equal(2, #s)
                assert.are.equal("\0\0", s)
            end)

            it("rejects invalid UTF-8 with the position of the bad byte", function()
                local bad = {
                    ['"ab\xff"'] = 4,             -- never valid
                    ['"\xc0\xaf"'] = 2,           -- overlong '/'
                    ['"\xe0\x80\xaf"'] = 2,       -- overlong
                    ['"\xed\xa0\x80"'] = 2,       -- UTF-8-encoded surrogate U+D800
                    ['"\xf4\x90\x80\x80"'] = 2,   -- > U+10FFFF
                    ['"x\xe4\xb8"'] = 3,          -- truncated by the quote
                    ['"\x80"'] = 2,               -- lone continuation byte
                    ['["\\n\xe4"]'] = 5,          -- after an escape
                }
                for text, pos in pairs(bad) do
                    local v, err = decode(text)
                    assert.is_nil(v)
                    assert.are.equal("invalid UTF-8 in string at byte " .. pos, err)
                end
            end)

            it("rejects raw control characters and unknown escapes", function()
                assert.are.same({ nil, "control character 0x0A in string at byte 3" }, { decode('"a\nb"') })
                assert.are.same({ nil, "control character 0x00 in string at byte 2" }, { decode('"\0"') })
                assert.are.same({ nil, "invalid escape at byte 3" }, { decode([["a\qb"]]) })
                assert.are.same({ nil, "invalid \\u escape at byte 2" }, { decode([["\u12G4"]]) })
                assert.are.same({ nil, "invalid \\u escape at byte 2" }, { decode([["\u12"]]) })
            end)

            it("pushes long strings and strings of every length intact", function()
                for _, n in ipairs({ 0, 1, 7, 8, 15, 16, 39, 40, 41, 255, 256, 4097, 100000 }) do
                    local s = string.rep("ab", math.floor(n / 2)) .. string.rep("c", n % 2)
                    assert.are.equal(s, decode('"' .. s .. '"'))
                    local esc = string.rep("\\n", n)
                    assert.are.equal(string.rep("\n", n), decode('"' .. esc .. '"'))
                end
            end)
        end)

        describe("structure", function()
            it("decodes literals, null as the cjson.null sentinel", function()
                assert.is_true(decode("true"))
                assert.is_false(decode("false"))
                assert.are.equal(cjson.null, decode("null"))
                assert.are.equal(core.null, cjson.null)
                assert.are.equal("userdata", type(core.null))
                local t = decode('{"a":null,"b":[null,1]}')
                assert.are.equal(cjson.null, t.a)
                assert.are.equal(cjson.null, t.b[1])
                assert.are.equal(2, #t.b)
            end)

            it("decodes objects and arrays into tables, {} and [] into empty tables", function()
                assert.are.same({}, decode("{}"))
                assert.are.same({}, decode("[]"))
                assert.are.same({ 1, "a", { b = false } }, decode('[1,"a",{"b":false}]'))
                assert.are.same({ a = { 1, 2 }, b = { c = {} } }, decode(' { "a" : [ 1 , 2 ] , "b" : { "c" : [ ] } } '))
            end)

            it("lets the last of duplicate keys win", function()
                assert.are.same({ a = 3, b = 2 }, decode('{"a":1,"b":2,"a":3}'))
                local parts = {}
                for i = 1, 100 do
                    parts[#parts + 1] = string.format('"k%d":%d', i % 40, i)
                end
                local t = decode("{" .. table.concat(parts, ",") .. "}")
                for k = 0, 39 do
                    local last = k + 80 <= 100 and k + 80 or k + 40
                    if k == 0 then
                        last = 80
                    end
                    assert.are.equal(last, t["k" .. k])
                end
            end)

            it("decodes big arrays and objects in order", function()
                for _, n in ipairs({ 1, 31, 32, 33, 64, 65, 1000, 200000 }) do
                    local parts, obj = {}, {}
                    for i = 1, n do
                        parts[i] = tostring(i * 3)
                        -- pieces rather than one string per member: LuaJIT's string hash makes 200000 similar
                        -- strings take half a minute to build; the document is the same
                        local k, digits = #obj, tostring(i)
                        obj[k + 1], obj[k + 2], obj[k + 3], obj[k + 4] = i > 1 and ',"k' or '"k', digits, '":', digits
                    end
                    local a = decode("[" .. table.concat(parts, ",") .. "]")
                    assert.are.equal(n, #a)
                    for i = 1, n do
                        if a[i] ~= i * 3 then
                            assert.are.equal(i * 3, a[i], "index " .. i)
                        end
                    end
                    local o = decode("{" .. table.concat(obj) .. "}")
                    local count = 0
                    for k, v in pairs(o) do
                        count = count + 1
                        if k ~= "k" .. v then
                            assert.are.equal(k, "k" .. v)
                        end
                    end
                    assert.are.equal(n, count)
                end
            end)

            it("lets the last of duplicate keys win in objects bigger than the decoder's stack budget", function()
                local parts = {}
                for i = 1, 150000 do
                    parts[i] = string.format('"k%d":%d', i % 1000, i)
                end
                local t = decode("{" .. table.concat(parts, ",") .. "}")
                for k = 0, 999 do
                    assert.are.equal(k == 0 and 150000 or 149000 + k, t["k" .. k])
                end
            end)

            it("keeps keys apart that differ only in bytes a key cache might not look at", function()
                -- same length, same first, middle and last byte: distinct keys, in one document and across decodes
                local keys = {}
                for i = 0, 99 do
                    keys[#keys + 1] = string.format("a%02dxz%02db", i, 99 - i)
                end
                for _ = 1, 3 do
                    local parts = {}
                    for i, k in ipairs(keys) do
                        parts[i] = string.format('"%s":%d', k, i)
                    end
                    local t = decode("{" .. table.concat(parts, ",") .. "}")
                    for i, k in ipairs(keys) do
                        assert.are.equal(i, t[k])
                    end
                end
                assert.are.same({ ab = 1, ["a\0b"] = 2, ["a\0c"] = 3 }, decode('{"ab":1,"a\\u0000b":2,"a\\u0000c":3}'))
                assert.are.same({ [string.rep("k", 64)] = 1, [string.rep("k", 65)] = 2, [""] = 3 },
                    decode('{"' .. string.rep("k", 64) .. '":1,"' .. string.rep("k", 65) .. '":2,"":3}'))
            end)

            it("lets the last of duplicate keys win after many distinct members, and keeps every member without one",
                function()
                    local parts = {}
                    for i = 1, 60 do
                        parts[i] = string.format('"member%d":%d', i, i)
                    end
                    local t = decode("{" .. table.concat(parts, ",") .. "}")
                    for i = 1, 60 do
                        assert.are.equal(i, t["member" .. i])
                    end
                    parts[45] = '"member3":"late"'
                    t = decode("{" .. table.concat(parts, ",") .. "}")
                    assert.are.equal("late", t.member3)
                    assert.is_nil(t.member45)
                    -- the duplicate is a long key (past the key cache), an escaped one, and the empty key
                    local long = string.rep("k", 70)
                    assert.are.same({ [long] = 2, a = 1 }, decode('{"' .. long .. '":1,"a":1,"' .. long .. '":2}'))
                    assert.are.same({ ab = 3, c = 2 }, decode('{"ab":1,"c":2,"a\\u0062":3}'))
                    assert.are.same({ [""] = 2, x = 0 }, decode('{"":1,"x":0,"":2}'))
                end)

            it("lets the last of duplicate keys win when the keys are known to the key cache, and when the cache " ..
                "dropped the key between the two", function()
                    local text = '{"a":1,"b":2,"a":3}'
                    for _ = 1, 3 do -- warm: every key a cache hit
                        assert.are.same({ a = 3, b = 2 }, decode(text))
                    end
                    -- a nested object of 300 distinct keys replaces every cache entry between the two "k"
                    local inner = {}
                    for i = 1, 300 do
                        inner[i] = string.format('"i%d":%d', i, i)
                    end
                    text = '{"k":1,"n":{' .. table.concat(inner, ",") .. '},"k":2}'
                    for _ = 1, 3 do
                        local t = decode(text)
                        assert.are.equal(2, t.k)
                        assert.are.equal(300, t.n.i300)
                    end
                    -- and in the nested object itself, its duplicate far from the first one
                    inner[301] = '"i1":"late"'
                    local t = decode('{' .. table.concat(inner, ",") .. '}')
                    assert.are.equal("late", t.i1)
                end)

            it("decodes repeated short string values right across decodes, in any position in the text", function()
                local values = {}
                for i = 1, 700 do
                    values[i] = string.format("v%03d-%s", i, string.rep("x", i % 28))
                end
                for _ = 1, 3 do
                    local quoted = {}
                    for i, v in ipairs(values) do
                        quoted[i] = '"' .. v .. '"'
                    end
                    local t = decode("[" .. table.concat(quoted, ",") .. "]")
                    assert.are.same(values, t)
                end
                -- values that end the text, with fewer bytes left than the cache compares
                assert.are.equal("zh", decode('"zh"'))
                assert.are.equal("zh", decode('"zh"'))
                assert.are.same({ "zh", "zh", "zhx" }, decode('["zh","zh","zhx"]'))
                assert.are.equal("", decode('""'))
                assert.are.equal(string.rep("y", 32), decode('"' .. string.rep("y", 32) .. '"'))
                assert.are.equal(string.rep("y", 33), decode('"' .. string.rep("y", 33) .. '"'))
            end)

            it("decodes right while finalizers decode other documents in the middle of a decode", function()
                local inner_ok = true
                local function finalizer()
                    local v = decode('{"alpha":"other","beta":["zh","en","other"],"gamma":"zh"}')
                    if not (v and v.alpha == "other" and v.beta[2] == "en" and v.gamma == "zh") then
                        inner_ok = false
                    end
                end
                local items = {}
                for i = 1, 3000 do
                    items[i] = string.format('{"alpha":"a%d","beta":["zh","en","v%d"],"gamma":"g%d"}', i % 50, i % 7,
                        i % 300)
                end
                local doc = "[" .. table.concat(items, ",") .. "]"
                for _ = 1, 4 do
                    for _ = 1, 2000 do
                        setmetatable({}, { __gc = finalizer })
                    end
                    local t = assert(decode(doc))
                    for i = 1, 3000, 37 do
                        local o = t[i]
                        assert.are.equal("a" .. (i % 50), o.alpha)
                        assert.are.same({ "zh", "en", "v" .. (i % 7) }, o.beta)
                        assert.are.equal("g" .. (i % 300), o.gamma)
                    end
                end
                collectgarbage()
                assert.is_true(inner_ok)
            end)

            it("decodes keys right while finalizers churn the whole key cache in the middle of a big decode", function()
                -- the outer text is big enough for the decoder to mirror cached keys on its stack; the finalizers'
                -- decodes of 300 keys, some of them the outer text's too, evict its keys from the cache meanwhile
                local inner_parts = {}
                for i = 1, 300 do
                    inner_parts[i] = string.format('"inner_key_%d":%d', i, i)
                end
                local inner_doc = "{" .. table.concat(inner_parts, ",") .. "}"
                local inner_ok = true
                local function finalizer()
                    local v = decode(inner_doc)
                    if not (v and v.inner_key_1 == 1 and v.inner_key_300 == 300) then
                        inner_ok = false
                    end
                end
                local keys = {} -- some of them keys of the finalizer's document too
                for i = 1, 40 do
                    keys[i] = i % 2 == 0 and "outer_" .. i or "inner_key_" .. i
                end
                local items = {}
                for i = 1, 2000 do
                    local parts = {}
                    for j = 1, 40, 7 do
                        parts[#parts + 1] = string.format('"%s":%d', keys[(i + j) % 40 + 1], j)
                    end
                    items[i] = "{" .. table.concat(parts, ",") .. "}"
                end
                local doc = "[" .. table.concat(items, ",") .. "]"
                for _ = 1, 3 do
                    for _ = 1, 3000 do
                        setmetatable({}, { __gc = finalizer })
                    end
                    local t = assert(decode(doc))
                    for i = 1, 2000, 13 do
                        local expected = {}
                        for j = 1, 40, 7 do
                            expected[keys[(i + j) % 40 + 1]] = j
                        end
                        assert.are.same(expected, t[i])
                    end
                end
                collectgarbage()
                assert.is_true(inner_ok)
            end)

            it("decodes keys right when the state's key cache is gone or replaced between decodes", function()
                local reg = debug.getregistry()
                assert.are.same({ alpha = 1, beta = { alpha = 2 } }, decode('{"alpha":1,"beta":{"alpha":2}}'))
                for _, junk in ipairs({ false, "junk", io.stdout }) do
                    reg["xingtu.json.keycache"] = junk or nil
                    assert.are.same({ alpha = 3, beta = { alpha = 4 } }, decode('{"alpha":3,"beta":{"alpha":4}}'))
                end
            end)

            it("nests to the depth limit inside a container bigger than the decoder's stack budget", function()
                local deep = string.rep("[", 999) .. "1" .. string.rep("]", 999)
                local doc = "[" .. string.rep("0,", 100000) .. deep .. "]"
                local t = assert(decode(doc))
                assert.are.equal(100001, #t)
                local x = t[100001]
                for _ = 1, 998 do
                    x = x[1]
                end
                assert.are.same({ 1 }, x)
            end)

            it("decodes a big document with many nested levels and members", function()
                local items = {}
                for i = 1, 2000 do
                    items[i] = string.format(
                        '{"distribution_data":{"cnt":%d,"name":"个人%d"},"three_distribution":[{"x":[%d,%d.5,null,true,"\\u4e2a"]}]}',
                        i * 1000, i, i, i)
                end
                local doc = '{"code":0,"data":{"video_touch":[' .. table.concat(items, ",") .. ']}}'
                local t = assert(decode(doc))
                local touch = t.data.video_touch
                assert.are.equal(2000, #touch)
                assert.are.equal(1999000, touch[1999].distribution_data.cnt)
                assert.are.equal("个人1999", touch[1999].distribution_data.name)
                assert.are.same({ 7, 7.5, cjson.null, true, "个" }, touch[7].three_distribution[1].x)
            end)

            it("accepts whitespace around every token", function()
                assert.are.same({ a = { 1, true } }, decode(' \t\r\n{ \n"a" \t:\r[ 1 ,\ttrue ] }\n '))
            end)
        end)

        describe("nesting limit", function()
            it("accepts 1000 nested arrays and rejects 1001 by default", function()
                local ok = decode(string.rep("[", 1000) .. string.rep("]", 1000))
                assert.is_table(ok)
                local v, err = decode(string.rep("[", 1001) .. string.rep("]", 1001))
                assert.is_nil(v)
                assert.are.equal("nesting deeper than 1000 at byte 1001", err)
            end)

            it("honours a custom max_depth for arrays and objects", function()
                assert.is_table(decode("[[[1]]]", 3))
                assert.are.same({ nil, "nesting deeper than 2 at byte 3" }, { decode("[[[1]]]", 2) })
                assert.are.same({ nil, "nesting deeper than 1 at byte 6" }, { decode('{"a":{"b":1}}', 1) })
                assert.are.equal(1, decode("1", 1))
            end)

            it("rejects a flood of opening brackets quickly", function()
                local v, err = decode(string.rep("[", 100000))
                assert.is_nil(v)
                assert.matches("nesting", err)
                v, err = decode(string.rep('{"a":', 100000))
                assert.is_nil(v)
                assert.matches("nesting", err)
            end)

            it("raises on a max_depth out of 1..10000", function()
                assert.has_error(function()
                    decode("[]", 0)
                end)
                assert.has_error(function()
                    decode("[]", 10001)
                end)
                assert.is_table(decode(string.rep("[", 10000) .. string.rep("]", 10000), 10000))
            end)
        end)

        describe("errors", function()
            it("returns nil and '<what> at byte N' with N counted from 1", function()
                local cases = {
                    [""] = "empty input at byte 1",
                    ["  \n"] = "empty input at byte 4",
                    ['{"a":1,"b":x}'] = "unexpected character 'x' at byte 12",
                    ['["abc'] = "unterminated string at byte 2",
                    ['"ab\\'] = "unterminated string at byte 1",
                    ["[1] x"] = "trailing garbage at byte 5",
                    ["[1]]"] = "trailing garbage at byte 4",
                    ["[1,]"] = "unexpected character ']' at byte 4",
                    ["[1 2]"] = "unexpected character '2' at byte 4",
                    ["{,}"] = "unexpected character ',' at byte 2",
                    ['{"a" 1}'] = "unexpected character '1' at byte 6",
                    ['{"a":1,}'] = "unexpected character '}' at byte 8",
                    ["{1:2}"] = "unexpected character '1' at byte 2",
                    ["[1,2"] = "unexpected end of input at byte 5",
                    ['{"a":'] = "unexpected end of input at byte 6",
                    ["tru"] = "invalid literal at byte 1",
                    ["[nul]"] = "invalid literal at byte 2",
                    ["01"] = "invalid number (leading zero) at byte 1",
                    ["[1.x]"] = "invalid number at byte 4",
                    ["-"] = "unexpected end of input at byte 2",
                    ["\xef\xbb\xbf{}"] = "unexpected byte 0xEF at byte 1",
                    ["[\0]"] = "unexpected byte 0x00 at byte 2",
                }
                for text, want in pairs(cases) do
                    local v, err = decode(text)
                    assert.is_nil(v, text)
                    assert.are.equal(want, err)
                end
            end)

            it("raises only when the argument is not a string", function()
                assert.has_error(function()
                    decode(nil)
                end)
                assert.has_error(function()
                    decode(42)
                end)
                assert.has_error(function()
                    decode({})
                end)
            end)

            it("does not read past the end of a string that is a prefix of valid JSON", function()
                local text = '{"a":[1,2,{"b":"c\\u00e9"}],"d":true}'
                for i = 0, #text - 1 do
                    local v, err = decode(text:sub(1, i))
                    assert.is_nil(v)
                    assert.matches("at byte %d+$", err)
                end
                assert.is_table(decode(text))
            end)
        end)

        describe("fuzz regressions", function()
            local dir = "spec/fixtures/fuzz-regressions"
            it("decodes every saved fuzzer input without crashing", function()
                if lfs.attributes(dir, "mode") ~= "directory" then
                    return
                end
                for name in lfs.dir(dir) do
                    if name ~= "." and name ~= ".." then
                        local text = assert(util.read_file(dir .. "/" .. name))
                        local v, err = decode(text, 64)
                        if err ~= nil then
                            assert.is_nil(v)
                            assert.matches("at byte %d+$", err)
                        end
                    end
                end
            end)
        end)

        describe("fixtures", function()
            it("decodes every spec/fixtures/*.json like cjson does, with exact integers", function()
                local function same(a, b, path)
                    if type(a) == "table" then
                        assert.are.equal("table", type(b), path)
                        for k, v in pairs(a) do
                            same(v, b[k], path .. "." .. tostring(k))
                        end
                        for k in pairs(b) do
                            assert.is_not_nil(a[k], path .. "." .. tostring(k))
                        end
                    elseif type(a) == "number" and math_type(a) == "integer" and math.abs(a) < 2 ^ 53 then
                        assert.are.equal(a, b, path)
                    elseif LUAJIT and type(a) == "number" and a == math.floor(a) and math.abs(a) <= 2 ^ 53 then
                        assert.are.equal(a, b, path)
                    elseif LUAJIT and type(a) == "string" and type(b) == "number" then
                        -- an integer beyond 2^53: its exact digits (cjson has the nearest double)
                        assert.matches("^%-?%d+$", a, nil, nil, path)
                        assert.are.equal(tonumber(a), b, path)
                    elseif type(a) ~= "number" then
                        assert.are.equal(a, b, path)
                    end
                end
                for name in lfs.dir("spec/fixtures") do
                    if name:match("%.json$") then
                        local text = assert(util.read_file("spec/fixtures/" .. name))
                        local v, err = decode(text)
                        assert.is_nil(err, name)
                        same(v, cjson.decode(text), name)
                    end
                end
            end)
        end)
    end)
end)
