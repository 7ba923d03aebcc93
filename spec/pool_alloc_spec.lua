-- core.use_pool_allocator(): every check runs in a child Lua process of its own, so that the suite's own state keeps
-- its allocator (and a state's switch, its lua_close and its exit status are what is checked). Under LuaJIT and in
-- sanitizer builds the pool refuses, and that refusal is what these specs check there.
local util = require "helpers.util"

local lua = arg and arg[-1] or "lua5.4"
local refuses = jit ~= nil or os.getenv("XINGTU_SANITIZED") == "1"

-- Runs a child with the same paths as this process, `body` after a prelude that loads the core as `core` and
-- defines install() (asserting the pool is installed, or that it refuses where it must: then the child prints
-- "refused <reason>" and exits 0). Returns the child's output and whether it exited 0.
local function child(body)
    local script = os.tmpname()
    util.write_file(script, table.concat({
        "package.path = " .. string.format("%q", package.path),
        -- XINGTU_CPATH first (the sanitized core of the ASan stage), whatever an earlier spec file did to this
        -- process's package.cpath; else this process's (under LuaJIT, busted's --cpath names build-luajit/)
        "package.cpath = " .. string.format("%q", (os.getenv("XINGTU_CPATH") and os.getenv("XINGTU_CPATH") .. ";" or "")
            .. package.cpath),
        "local core = require 'xingtu.core'",
        "local function install()",
        "  local ok, why = core.use_pool_allocator()",
        "  if not ok then",
        "    assert(type(why) == 'string' and why ~= '', 'a refusal names its reason')",
        "    io.write('refused ', why, '\\n') os.exit(0, true)",
        "  end",
        "  assert(why == nil, 'a first installation returns true alone')",
        "end",
        body,
    }, "\n"))
    local f = assert(io.popen(util.lua_child_env() .. lua .. " " .. util.quote(script) .. " 2>&1"))
    local out = f:read("a")
    local ok = f:close()
    os.remove(script)
    return out, ok
end

-- Asserts a child ended well: "ok" (installed, and every check in it held) or the refusal where one is due.
local function assert_ok(out, ok)
    assert.is_true(ok, out)
    if refuses then
        assert.matches("^refused ", out)
    else
        assert.are.equal("ok\n", out)
    end
end

describe("xingtu.core", function()
    describe("use_pool_allocator", function()
        it("installs once, then says it already is", function()
            assert_ok(child([[
                install()
                local ok, why = core.use_pool_allocator()
                assert(ok == true and why == "already", tostring(ok) .. " " .. tostring(why))
                io.write("ok\n")
            ]]))
        end)

        it("refuses with a reason under LuaJIT and in sanitizer builds", function()
            local out, ok = child([[
                local ok, why = core.use_pool_allocator()
                io.write(tostring(ok), " ", tostring(why), "\n")
            ]])
            assert.is_true(ok, out)
            if jit then
                assert.matches("^false LuaJIT has its own allocator", out)
            elseif os.getenv("XINGTU_SANITIZED") == "1" then
                assert.matches("^false the core is built with", out)
            else
                assert.are.equal("true nil\n", out)
            end
        end)

        it("decodes and encodes every corpus as the state did before installation", function()
            local files = {}
            for _, dir in ipairs({ "bench/corpora", "spec/fixtures" }) do
                local p = assert(io.popen("ls " .. util.quote(util.ROOT .. "/" .. dir) .. "/*.json"))
                for path in p:lines() do files[#files + 1] = path end
                p:close()
            end
            assert.is_true(#files >= 4)
            local list = {}
            for i, path in ipairs(files) do list[i] = string.format("%q", path) end
            assert_ok(child([[
                local files = {]] .. table.concat(list, ", ") .. [[}
                -- A dump with sorted keys, so that two decodes of one text compare whatever their tables' order.
                local function dump(v, out)
                    if type(v) ~= "table" then out[#out + 1] = type(v) .. ":" .. tostring(v) return end
                    local keys = {}
                    for k in pairs(v) do keys[#keys + 1] = k end
                    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
                    out[#out + 1] = "{" .. tostring(getmetatable(v) == core.array_mt)
                    for _, k in ipairs(keys) do out[#out + 1] = tostring(k) dump(v[k], out) end
                    out[#out + 1] = "}"
                end
                local function run()
                    local r = {}
                    for i, path in ipairs(files) do
                        local f = assert(io.open(path, "rb")) local text = f:read("a") f:close()
                        local v = assert(core.decode(text))
                        local out = {} dump(v, out)
                        r[i] = { dump = table.concat(out, "\n"), json = assert(core.encode(v)) }
                    end
                    return r
                end
                local before = run()
                install()
                for _ = 1, 3 do
                    local after = run()
                    for i in ipairs(files) do
                        assert(after[i].dump == before[i].dump, files[i] .. ": decoded differently")
                        assert(#after[i].json == #before[i].json, files[i] .. ": encoded differently")
                        local out = {} dump(core.decode(after[i].json), out)
                        assert(table.concat(out, "\n") == before[i].dump, files[i] .. ": round trip")
                    end
                    collectgarbage()
                end
                io.write("ok\n")
            ]]))
        end)

        it("leaves collectgarbage('count') as it was and the objects made before installation collectable",
            function()
                assert_ok(child([[
                    local function make(n)
                        local t = {}
                        for i = 1, n do t[i] = { i, tostring(i) .. "x", { k = i } } end
                        return t
                    end
                    make(100000) -- the string table grows to its size for these, and stays
                    collectgarbage() collectgarbage()
                    local base = collectgarbage("count")
                    local old = make(100000)
                    local with_old = collectgarbage("count")
                    install()
                    assert(collectgarbage("count") == with_old, "installing allocates nothing the state counts")
                    old = nil
                    collectgarbage() collectgarbage()
                    local dropped = collectgarbage("count")
                    assert(math.abs(dropped - base) < 64, "base " .. base .. " after dropping " .. dropped)
                    local new = make(100000)
                    local with_new = collectgarbage("count")
                    assert(math.abs((with_new - dropped) - (with_old - base)) < 64, "the same objects count the same")
                    for i = 1, 100000, 997 do
                        assert(new[i][1] == i and new[i][2] == tostring(i) .. "x" and new[i][3].k == i)
                    end
                    new = nil
                    collectgarbage() collectgarbage()
                    assert(math.abs(collectgarbage("count") - base) < 64)
                    io.write("ok\n")
                ]]))
            end)

        it("keeps strings and tables of every size across reallocations between classes", function()
            assert_ok(child([[
                install()
                local strings = {}
                for n = 1, 1024 do strings[n] = string.rep(string.char(65 + n % 26), n) end
                -- Tables growing one element at a time from 0 to 10,000 (array part) and the same as a hash part,
                -- then emptied and refilled with a few keys, so that the rehash shrinks them to small blocks.
                local arrays, hashes = {}, {}
                for r = 1, 4 do
                    local a, h = {}, {}
                    for i = 1, 10000 do a[i] = i * r h["k" .. i] = i + r end
                    arrays[r], hashes[r] = a, h
                end
                for r = 1, 4 do
                    local a, h = arrays[r], hashes[r]
                    for i = 1, 10000 do assert(a[i] == i * r and h["k" .. i] == i + r) end
                    for i = 10000, 1, -1 do a[i] = nil h["k" .. i] = nil end
                    for i = 1, 3 do h["z" .. i] = i a[#a + 1] = i end
                    collectgarbage()
                    for i = 1, 3 do assert(h["z" .. i] == i and a[i] == i) end
                end
                -- Tables of every small size, built and shrunk over and over between the checks of the strings.
                for round = 1, 20 do
                    local ts = {}
                    for n = 1, 64 do
                        local t = {}
                        for i = 1, n do t[i] = i t["h" .. i] = round end
                        ts[n] = t
                    end
                    for n = 1, 64, 7 do
                        local t = ts[n]
                        for i = 1, n do assert(t[i] == i and t["h" .. i] == round) t["h" .. i] = nil end
                        t.x = 1
                    end
                    collectgarbage()
                    for n = 1, 1024 do
                        local s = strings[n]
                        assert(#s == n and s == string.rep(string.char(65 + n % 26), n), "string of " .. n)
                    end
                end
                -- Buffers that grow from a small block to a large one and strings built from them.
                for n = 1, 1024, 13 do
                    local parts = {}
                    for i = 1, n do parts[i] = strings[(i % 1024) + 1]:sub(1, 3) end
                    local s = table.concat(parts)
                    assert(#s == #table.concat(parts))
                end
                io.write("ok\n")
            ]]))
        end)

        it("lets a state close after heavy use and the process exit 0", function()
            assert_ok(child([[
                local before = {}
                for i = 1, 50000 do before[i] = { tostring(i) } end
                install()
                local text = '{"a":[1,2,3,{"b":"c"}],"d":{"e":null,"f":1.5}}'
                local keep = {}
                for i = 1, 50000 do keep[i % 1000 + 1] = core.decode(text) end
                for i = 1, 50000, 2 do before[i] = nil end
                local co = coroutine.wrap(function() for i = 1, 1000 do coroutine.yield({ i }) end end)
                for _ = 1, 500 do co() end
                io.write("ok\n")
                os.exit(0, true) -- closes the state: every block, old and pooled, freed through the pool
            ]]))
        end)
    end)
end)
