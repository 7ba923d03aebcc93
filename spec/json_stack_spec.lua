-- The JSON codec on a small C stack: a child lua5.4 under `ulimit -s 128` (musl's default thread stack is 128 KB)
-- decodes and encodes nesting up to the depth limits. Neither recurses in C, so the depth costs Lua stack slots and
-- Lua memory, never C stack.

local util = require "helpers.util"

local STACK_KB = 128

-- Runs `body` (Lua source; `core` is xingtu.core) in a child Lua with a C stack of STACK_KB. Its stdout and status.
local function small_stack(body)
    local script = os.tmpname()
    util.write_file(script, "package.path, package.cpath = ...\nlocal core = require 'xingtu.core'\n" .. body)
    local lua = arg and arg[-1] or "lua5.4"
    local out, code = util.run("ulimit -s " .. STACK_KB .. " && " .. util.lua_child_env() .. util.quote(lua) .. " "
        .. util.quote(script) .. " " .. util.quote(package.path) .. " " .. util.quote(package.cpath) .. " 2>&1")
    os.remove(script)
    return out, code
end

describe("xingtu.core on a " .. STACK_KB .. " KB C stack", function()
    it("decodes arrays and objects nested to the default limit (1000) and to the largest max_depth (10000)", function()
        local out, code = small_stack([[
            local function nested(depth, open, close, leaf)
                return open:rep(depth) .. leaf .. close:rep(depth)
            end
            for _, shape in ipairs { { "[", "]", "1" }, { '{"k":', "}", "1" }, { '[{"k":', "}]", "0" },
                { "[1,2,", "]", "3" } } do
                local open, close, leaf = shape[1], shape[2], shape[3]
                local per = #open == 6 and 2 or 1 -- levels per repetition
                assert(core.decode(nested(1000 // per, open, close, leaf)))
                local v, err = core.decode(nested(1000 // per + 1, open, close, leaf))
                assert(v == nil and err:match("^nesting deeper than 1000 at byte "), err)
                assert(core.decode(nested(10000 // per, open, close, leaf), 10000))
                v, err = core.decode(nested(10000 // per + 1, open, close, leaf), 10000)
                assert(v == nil and err:match("^nesting deeper than 10000 at byte "), err)
            end
            -- a deep value decoded, then encoded back
            local text = ("[{\"a\":"):rep(5000) .. "0" .. ("}]"):rep(5000)
            assert(core.encode(assert(core.decode(text, 10000)), { max_depth = 10000 }) == text)
            io.write("ok")
        ]])
        assert.are.equal("ok", out)
        assert.are.equal(0, code)
    end)

    it("encodes tables nested to the default limit (1000) and to the largest max_depth (10000)", function()
        local out, code = small_stack([[
            local function nest(depth, kind)
                local t = {}
                local c = t
                for i = 2, depth do
                    local inner = {}
                    if kind == "object" or (kind == "mixed" and i % 2 == 0) then c.k = inner else c[1] = inner end
                    c = inner
                end
                return t
            end
            for _, kind in ipairs { "array", "object", "mixed" } do
                local text = core.encode(nest(1000, kind))
                assert(#text > 1000)
                assert(not pcall(core.encode, nest(1001, kind)))
                for _, opts in ipairs { { max_depth = 10000 }, { max_depth = 10000, sort_keys = true },
                    { max_depth = 10000, indent = "" } } do
                    text = core.encode(nest(10000, kind), opts)
                    assert(#text > 10000)
                end
                local ok, err = pcall(core.encode, nest(10001, kind), { max_depth = 10000 })
                assert(not ok and err:match("^cannot encode tables nested deeper than 10000 at "), err)
            end
            io.write("ok")
        ]])
        assert.are.equal("ok", out)
        assert.are.equal(0, code)
    end)
end)
