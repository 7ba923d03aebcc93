-- core.encode: Lua values to JSON text (csrc/json_encode.c), and the round trip with core.decode.

local core = require "xingtu.core"
local cjson = require "cjson"
local lfs = require "lfs"
local util = require "helpers.util"

local SUITE = util.ROOT .. "/spec/fixtures/JSONTestSuite/test_parsing" -- vendored, MIT (see its LICENSE)

-- Deep equality that also tells integers from floats; returns false and the path of the first difference.
local function same(a, b, path)
    path = path or "$"
    if type(a) ~= type(b) then
        return false, path
    end
    if type(a) == "number" then
        return math.type(a) == math.type(b) and a == b, path
    end
    if type(a) ~= "table" then
        return a == b, path
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

local function assert_same(a, b, msg)
    local ok, where = same(a, b)
    assert(ok, (msg or "values differ") .. " at " .. tostring(where))
end

describe("xingtu.core", function()
    describe("encode", function()
        local encode, decode = core.encode, core.decode

        it("writes scalars, with null for nil and the null sentinel", function()
            assert.are.equal("true", encode(true))
            assert.are.equal("false", encode(false))
            assert.are.equal("null", encode(nil))
            assert.are.equal("null", encode(core.null))
            assert.are.equal("null", encode(cjson.null))
            assert.are.equal('"abc"', encode("abc"))
        end)

        it("writes 64-bit integers exactly", function()
            assert.are.equal("12704028", encode(12704028))
            assert.are.equal("7012345678901234567", encode(7012345678901234567))
            assert.are.equal("9223372036854775807", encode(math.maxinteger))
            assert.are.equal("-9223372036854775808", encode(math.mininteger))
            assert.are.equal("0", encode(0))
            assert.are.equal("-1", encode(-1))
        end)

        it("writes floats in the shortest form that reads back exactly, and keeps them floats", function()
            assert.are.equal("0.1", encode(0.1))
            assert.are.equal("1.5", encode(1.5))
            assert.are.equal("1.0", encode(1.0))
            assert.are.equal("-0.0", encode(-0.0))
            assert.are.equal("0.30000000000000004", encode(0.1 + 0.2))
            assert.are.equal("1e+300", encode(1e300))
            assert.are.equal("9.223372036854776e+18", encode(2.0 ^ 63))
            for _, x in ipairs({ 1 / 3, math.pi, 5e-324, 1.7976931348623157e308, 123456.789, -2.5e-10, 2.0 ^ 53 }) do
                local back = decode(encode(x))
                assert.are.equal("float", math.type(back))
                assert.are.equal(x, back)
            end
        end)

        it("refuses NaN and infinities", function()
            assert.has_error(function()
                encode(0 / 0)
            end, "cannot encode number NaN at $")
            assert.has_error(function()
                encode({ a = { 1, math.huge } })
            end, "cannot encode number inf at $.a[2]")
            assert.has_error(function()
                encode({ -math.huge })
            end, "cannot encode number -inf at $[1]")
        end)

        it("passes well-formed UTF-8 through and escapes only quotes, backslashes and control characters", function()
            assert.are.equal('"个人 é 😀"', encode("个人 é 😀"))
            assert.are.equal([["a\"b\\c/d"]], encode('a"b\\c/d'))
            assert.are.equal([["\b\f\n\r\t\u0000\u001f"]], encode("\b\f\n\r\t\0\31"))
            assert.are.equal('"/\127"', encode("/\127"))
        end)

        it("replaces each ill-formed UTF-8 subpart by U+FFFD, so the output is always JSON", function()
            local R = "\239\191\189" -- U+FFFD
            local cases = {
                ["\255"] = R, ["a\128b"] = "a" .. R .. "b", ["\228\184"] = R, ["\228\184x"] = R .. "x",
                ["\192\175"] = R .. R, ["\224\128\175"] = R .. R .. R, ["\237\160\128"] = R .. R .. R,
                ["\244\144\128\128"] = R .. R .. R .. R, ["\240\159\152"] = R, ["\240\159\152\128"] = "😀",
                ["个\184人"] = "个" .. R .. "人",
            }
            for raw, want in pairs(cases) do
                assert.are.equal('"' .. want .. '"', encode(raw))
                assert.are.equal(want, decode(encode(raw)))
            end
            assert.are.equal('{"' .. R .. '":1}', encode({ ["\200"] = 1 })) -- keys too
        end)

        -- Under valgrind (.ci/valgrind) a tenth: memcheck is what is checked there.
        local RANDOM_STRINGS = os.getenv("XINGTU_VALGRIND") == "1" and 2000 or 20000
        it(("writes %d random ill-formed strings as JSON that xingtu and Python read"):format(RANDOM_STRINGS), function()
            -- Pieces a string is made of: well-formed characters, escapes, and every kind of ill-formed UTF-8.
            local good = { "a", "Z", " ", '"', "\\", "\n", "\0", "\31", "é", "直播", "😀", "\127" }
            local bad = { "\128", "\191", "\192", "\193", "\245", "\255", "\194", "\224\160", "\240\159\152",
                "\192\175", "\224\128\175", "\237\160\128", "\237\191\191", "\244\144\128\128", "\248\136\128\128\128",
                "\228\184", "\239\191" }
            math.randomseed(20261203)
            local raws, texts = {}, {}
            for i = 1, RANDOM_STRINGS do
                local parts = { bad[math.random(#bad)] }
                for _ = 1, math.random(0, 8) do
                    local pool = math.random(3) == 1 and bad or good
                    parts[#parts + 1] = pool[math.random(#pool)]
                end
                if math.random(4) == 1 then parts[#parts + 1] = string.char(math.random(0, 255)) end
                for j = #parts, 2, -1 do -- shuffle
                    local k = math.random(j)
                    parts[j], parts[k] = parts[k], parts[j]
                end
                local raw = table.concat(parts)
                local text = encode({ raw, { [raw] = true } })
                local back = assert(decode(text))
                assert.are.equal(text, encode(back)) -- replacement is already well-formed: stable
                raws[i] = (raw:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
                texts[i] = text
            end
            local dir = util.run("mktemp -d"):gsub("%s+$", "")
            util.write_file(dir .. "/raw.txt", table.concat(raws, "\n") .. "\n")
            util.write_file(dir .. "/json.txt", table.concat(texts, "\n") .. "\n")
            util.write_file(dir .. "/check.py", [[
import json, sys
raws = open(sys.argv[1]).read().split()
texts = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
ok = 0
for raw, text in zip(raws, texts):
    want = bytes.fromhex(raw).decode("utf-8", "replace")
    if json.loads(text.decode("utf-8")) == [want, {want: True}]:
        ok += 1
    else:
        print("differs:", raw, text)
        break
print(ok)
]])
            local out, code = util.run("python3 " .. util.quote(dir .. "/check.py") .. " " .. util.quote(dir .. "/raw.txt")
                .. " " .. util.quote(dir .. "/json.txt") .. " 2>&1")
            util.run("rm -rf " .. util.quote(dir))
            assert.are.equal(0, code, out)
            assert.are.equal(RANDOM_STRINGS .. "\n", out)
        end)

        it("writes tables with keys 1..n as arrays and other tables as objects", function()
            assert.are.equal("[1,2,3]", encode({ 1, 2, 3 }))
            assert.are.equal('[1,"a",null,true]', encode({ 1, "a", core.null, true }))
            assert.are.equal('{"a":1}', encode({ a = 1 }))
            assert.are.same({ ["1"] = 1, ["3"] = 3 }, decode(encode({ [1] = 1, [3] = 3 })))
            assert.are.same({ ["1"] = 1, x = 2 }, decode(encode({ 1, x = 2 })))
            assert.are.same({ ["1.5"] = true }, decode(encode({ [1.5] = true })))
        end)

        it("writes a table as an array whatever order its keys 1..n were set in, and as an object once a hole or "
            .. "another key turns up, however deep", function()
            local backwards = {}
            for i = 40, 1, -1 do
                backwards[i] = i
            end
            assert.are.equal("[" .. table.concat(backwards, ",") .. "]", encode(backwards))
            local t = { { 1, 2 }, { 3, 4 } }
            t.x = { 5 }
            assert.are.equal('{"1":[1,2],"2":[3,4],"x":[5]}', encode(t, { sort_keys = true }))
            assert.are.same({ ["1"] = { 1, 2 }, ["2"] = { 3, 4 }, x = { 5 } }, decode(encode(t)))
            assert.are.same({ ["1"] = 1, ["2"] = 2, ["4"] = 4 }, decode(encode({ 1, 2, nil, 4 })))
            assert.are.same({ ["0"] = 0, ["1"] = 1 }, decode(encode({ [0] = 0, 1 })))
            -- a chain of tables each found to be no array only after its first member, 300 deep
            local root = {}
            local cur = root
            for i = 1, 300 do
                local child = {}
                cur[1], cur[2], cur[i % 2 == 0 and "k" or 4] = child, ("s"):rep(50), i
                cur = child
            end
            local back = decode(encode(root))
            for i = 1, 300 do
                assert.are.equal(("s"):rep(50), back["2"])
                assert.are.equal(i, back[i % 2 == 0 and "k" or "4"])
                back = back["1"]
            end
            assert.has_error(function()
                encode({ print, x = 1 })
            end, "cannot encode a function at $[1]")
        end)

        it("escapes and replaces at every position of a long string as it does in a short one", function()
            local R = "\239\191\189" -- U+FFFD
            local pieces = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\1"] = "\\u0001", ["\127"] = "\127",
                ["\255"] = R, ["直"] = "直", ["\228\184"] = R, ["é"] = "é" }
            for raw, want in pairs(pieces) do
                for before = 0, 40 do
                    for _, after in ipairs({ 0, 1, 7, 15, 16, 17, 33 }) do
                        local a, b = ("a"):rep(before), ("b"):rep(after)
                        assert.are.equal('"' .. a .. want .. b .. '"', encode(a .. raw .. b))
                        assert.are.equal('"' .. a .. want .. want .. b .. '"', encode(a .. raw .. raw .. b))
                    end
                end
            end
            local long = ("x"):rep(100000) .. "\n" .. ("直"):rep(30000) .. "\255"
            assert.are.equal('"' .. ("x"):rep(100000) .. "\\n" .. ("直"):rep(30000) .. R .. '"', encode(long))
        end)

        it("writes every float as the first of %.15g, %.16g and %.17g that reads back, with a '.0' if it looks integral",
            function()
                local function want(x)
                    local s
                    for p = 15, 17 do
                        s = ("%." .. p .. "g"):format(x)
                        if tonumber(s) == x then
                            break
                        end
                    end
                    return s:find("[.e]") and s or s .. ".0"
                end
                math.randomseed(20261204)
                local checked = 0
                for i = 1, 30000 do
                    local x
                    if i % 3 == 0 then -- any bits
                        x = string.unpack("<d", string.pack("<i8", math.random(math.mininteger, math.maxinteger)))
                    elseif i % 3 == 1 then -- 1e-6 .. 1e17, where the formatter has its own path
                        x = (math.random() + 0.5) * 10.0 ^ math.random(-6, 16) * (math.random(2) == 1 and -1 or 1)
                    else -- short decimals and numbers next to powers of ten
                        local p = 10.0 ^ math.random(-5, 15)
                        x = math.random(2) == 1 and math.random(1, 99999) / 10 ^ math.random(0, 6)
                            or string.unpack("<d", string.pack("<i8", string.unpack("<i8", string.pack("<d", p))
                                + math.random(-2, 2)))
                    end
                    if x == x and x ~= math.huge and x ~= -math.huge then
                        assert.are.equal(want(x), encode(x))
                        checked = checked + 1
                    end
                end
                assert.is_true(checked > 29000)
            end)

        it("writes an empty table as {} unless its metatable says __jsontype = 'array'", function()
            assert.are.equal("{}", encode({}))
            assert.are.equal("[]", encode(setmetatable({}, { __jsontype = "array" })))
            assert.are.equal("[1,2]", encode(setmetatable({ 1, 2, x = 3 }, { __jsontype = "array" })))
            assert.are.equal('{"1":"a"}', encode(setmetatable({ "a" }, { __jsontype = "object" })))
        end)

        it("asks a metatable with a metatable of its own for __jsontype at every table", function()
            local asked = 0
            local mt = setmetatable({}, {
                __index = function()
                    asked = asked + 1
                    return asked % 2 == 1 and "array" or "object"
                end,
            })
            local t = { setmetatable({ 7 }, mt), setmetatable({ 7 }, mt), setmetatable({ 7 }, mt) }
            assert.are.equal('[[7],{"1":7},[7]]', encode(t))
            assert.are.equal(3, asked)
            local plain = { __jsontype = "array" }
            local empty = { setmetatable({}, plain), setmetatable({}, plain) }
            assert.are.equal("[[],[]]", encode(empty))
            plain.__jsontype = "object"
            assert.are.equal("[{},{}]", encode(empty))
        end)

        it("writes a string the same way every time it comes again, as a key or a value", function()
            local strings = { "plain", 'a"quote', "back\\slash", "tab\there", "\0nul", "caf\xc3\xa9", "bad\xff",
                "cut\xe6\x97", "\xed\xa0\x80", string.rep("x", 40), string.rep("y", 41), string.rep("\"", 40), "" }
            local values, members, want_values, want_members = {}, {}, {}, {}
            for i = 1, 300 do -- some 90 strings, each several times
                local s = strings[i % #strings + 1] .. (i % 3 == 0 and "" or tostring(i % 7))
                local alone = encode(s) -- an encode of its own: nothing cached from the big one
                values[i], want_values[i] = s, alone
                members[i], want_members[i] = { [s] = s }, "{" .. alone .. ":" .. alone .. "}"
            end
            local want = "[[" .. table.concat(want_members, ",") .. "],[" .. table.concat(want_values, ",") .. "]]"
            assert.are.equal(want, encode({ members, values }))
            assert.are.equal(want, encode({ members, values }, { sort_keys = true }))
        end)

        it("sorts object keys bytewise with sort_keys", function()
            local t = { b = 1, a = { d = 1, c = 2 }, ["1"] = 3, [2] = 4, B = 5 }
            assert.are.equal('{"1":3,"2":4,"B":5,"a":{"c":2,"d":1},"b":1}', encode(t, { sort_keys = true }))
        end)

        it("pretty-prints with indent as a number of spaces or a string", function()
            local t = { a = { 1, {} }, b = "x" }
            assert.are.equal('{\n  "a": [\n    1,\n    {}\n  ],\n  "b": "x"\n}', encode(t, { sort_keys = true, indent = 2 }))
            assert.are.equal('{\n\t"a": [\n\t\t1\n\t]\n}', encode({ a = { 1 } }, { indent = "\t" }))
            assert.are.equal('{\n"a": [\n1\n]\n}', encode({ a = { 1 } }, { indent = 0 }))
            assert.has_error(function()
                encode({}, { indent = "x" })
            end)
        end)

        it("raises with the path of the value it cannot encode", function()
            assert.has_error(function()
                encode({ data = { list = { 1, print } } })
            end, "cannot encode a function at $.data.list[2]")
            assert.has_error(function()
                encode({ ["a b"] = io.stdout })
            end, 'cannot encode a userdata at $["a b"]')
            assert.has_error(function()
                encode({ x = { [true] = 1 } })
            end, "cannot encode a key of type boolean at $.x")
            assert.has_error(function()
                encode(coroutine.create(print))
            end, "cannot encode a thread at $")
        end)

        it("detects cycles", function()
            local t = { a = {} }
            t.a.back = t
            assert.has_error(function()
                encode(t)
            end, "cannot encode a cycle (a table that contains itself) at $.a.back")
            -- the same table twice, but not inside itself, is fine
            local shared = { 1 }
            assert.are.equal("[[1],[1]]", encode({ shared, shared }))
            -- deeper than the encoder's 64-bit summary of the open tables: a cycle 100 levels down is still found
            -- at its first step back, and many tables open at once are no cycle
            local root = {}
            local node = root
            for _ = 1, 100 do
                node.s = shared
                node.next = {}
                node = node.next
            end
            assert.are.equal(cjson.encode(root), encode(root))
            node.back = root.next.next
            assert.has_error(function()
                encode(root)
            end, "cannot encode a cycle (a table that contains itself) at $" .. string.rep(".next", 20) .. "..." ..
                string.rep(".next", 19) .. ".back")
        end)

        it("limits nesting depth (default 1000, opts.max_depth)", function()
            local deep = {}
            local t = deep
            for _ = 1, 1000 do
                t[1] = {}
                t = t[1]
            end
            local ok, err = pcall(encode, deep)
            assert.is_false(ok)
            assert.matches("^cannot encode tables nested deeper than 1000 at %$%[1%]%[1%]", err)
            assert.matches("%.%.%.", err) -- the middle of a long path is elided
            assert.are.equal("[[[]]]", encode({ { setmetatable({}, { __jsontype = "array" }) } }, { max_depth = 3 }))
            assert.has_error(function()
                encode({ { {} } }, { max_depth = 2 })
            end, "cannot encode tables nested deeper than 2 at $[1][1]")
        end)

        it("reports a bad value at any depth with its path, in every mode, and the process lives on", function()
            -- In a child: the encoder's error path used to overrun the Lua stack below ~41 levels and corrupt the
            -- heap (abort in free). Every kind of failure, 1 to 120 levels deep, objects and arrays, every option.
            local script = os.tmpname()
            util.write_file(script, [[
                package.path, package.cpath = ...
                local core = require "xingtu.core"
                local bad = { ["number NaN"] = 0 / 0, ["number inf"] = math.huge, ["a function"] = print,
                    ["a thread"] = coroutine.create(print) }
                local n = 0
                for depth = 1, 120 do
                    for what, value in pairs(bad) do
                        for _, opts in ipairs { {}, { sort_keys = true }, { indent = 2 } } do
                            for _, arrays in ipairs { false, true } do
                                local t = {}
                                local c = t
                                for _ = 1, depth do
                                    local inner = {}
                                    if arrays then c[1] = inner else c.k = inner end
                                    c = inner
                                end
                                if arrays then c[1] = value else c.x = value end
                                local ok, err = pcall(core.encode, t, opts)
                                local step = arrays and "%[1%]" or "%.k"
                                local last = arrays and "%[1%]" or "%.x"
                                local path = depth + 1 > 40 and "%$" .. step:rep(20) .. "%.%.%." .. step:rep(19) .. last
                                    or "%$" .. step:rep(depth) .. last
                                assert(not ok and err:match("^cannot encode " .. what .. " at " .. path .. "$"), err)
                                n = n + 1
                            end
                        end
                    end
                    local cyclic = {}
                    local c = cyclic
                    for _ = 1, depth do c.k = {}; c = c.k end
                    c.k = cyclic
                    local ok, err = pcall(core.encode, cyclic)
                    assert(not ok and err:match("^cannot encode a cycle"), err)
                    ok, err = pcall(core.encode, { { { { 1 } } } }, { max_depth = 3 })
                    assert(not ok and err == "cannot encode tables nested deeper than 3 at $[1][1][1]", err)
                    n = n + 2
                end
                io.write("ok ", n)
            ]])
            local lua = arg and arg[-1] or "lua5.4"
            local out, code = util.run(util.lua_child_env() .. util.quote(lua) .. " " .. util.quote(script) .. " "
                .. util.quote(package.path) .. " " .. util.quote(package.cpath) .. " 2>&1")
            os.remove(script)
            assert.are.equal("ok " .. 120 * (4 * 3 * 2 + 2), out)
            assert.are.equal(0, code)
        end)

        describe("round trip with decode", function()
            local function roundtrip(text, name)
                local v, err = decode(text)
                assert(err == nil, name .. ": " .. tostring(err))
                for _, opts in ipairs({ {}, { sort_keys = true }, { indent = 2 } }) do
                    local out = encode(v, opts)
                    local back, err2 = decode(out)
                    assert(err2 == nil, name .. ": " .. tostring(err2))
                    assert_same(v, back, name)
                end
                return v
            end

            it("keeps decoded empty arrays arrays: [] comes back as [], not {}", function()
                local text = '{"a":[],"b":[[],{}],"c":{}}'
                assert.are.equal(text, encode(decode(text), { sort_keys = true }))
                assert.are.equal(require("xingtu").json.array_mt, getmetatable(decode("[]")))
                assert.is_nil(getmetatable(decode("[1]"))) -- a non-empty array needs no mark
            end)

            it("decode(encode(decode(s))) equals decode(s) for every y_ file of the JSONTestSuite", function()
                local n = 0
                for name in lfs.dir(SUITE) do
                    if name:match("^y_.*%.json$") then
                        roundtrip(assert(util.read_file(SUITE .. "/" .. name)), name)
                        n = n + 1
                    end
                end
                assert.is_true(n > 0)
            end)

            it("decode(encode(decode(s))) equals decode(s) for every spec/fixtures/*.json", function()
                for name in lfs.dir("spec/fixtures") do
                    if name:match("%.json$") then
                        roundtrip(assert(util.read_file("spec/fixtures/" .. name)), name)
                    end
                end
            end)

            it("gives back compact unescaped bodies byte for byte, up to the order of object members", function()
                for name in lfs.dir("spec/fixtures") do
                    if name:match("%.json$") then
                        local text = assert(util.read_file("spec/fixtures/" .. name)):gsub("%s+$", "")
                        if not text:find("\\", 1, true) and not text:find('"%s*[:,]%s') then
                            local out = encode(decode(text))
                            assert.are.equal(#text, #out, name)
                            -- every "key":scalar member of the original appears as is
                            for member in text:gmatch('"[^"]*":[^{}%[%],]+') do
                                assert(out:find(member, 1, true), name .. ": missing " .. member)
                            end
                            -- with sorted keys the text is canonical: encoding again gives the same bytes
                            local sorted = encode(decode(text), { sort_keys = true })
                            assert.are.equal(#text, #sorted, name)
                            assert.are.equal(sorted, encode(decode(sorted), { sort_keys = true }), name)
                        end
                    end
                end
            end)

            it("gives back a compact sorted body byte for byte", function()
                local text = '{"code":0,"data":{"list":[{"cnt":12704028,"name":"个人"},{"cnt":-1,"name":"游戏"}],'
                    .. '"rate":0.25,"x":[]},"message":null,"ok":true}'
                local v = decode(text)
                v.data.x = setmetatable(v.data.x, { __jsontype = "array" })
                assert.are.equal(text, encode(v, { sort_keys = true }))
            end)
        end)
    end)
end)
