-- Cutting messages without splitting a UTF-8 character (xingtu.secret.cut, which errors.lua cuts snippets with).

local text = require "xingtu.secret"

-- Well-formed UTF-8 (RFC 3629), checked by pattern so it runs under LuaJIT too.
local function well_formed(s)
    local i, n = 1, #s
    while i <= n do
        local c = s:byte(i)
        local len = c < 0x80 and 1 or (c >= 0xC2 and c < 0xE0) and 2 or (c >= 0xE0 and c < 0xF0) and 3
            or (c >= 0xF0 and c < 0xF5) and 4 or nil
        if not len or i + len - 1 > n then return false end
        for j = i + 1, i + len - 1 do
            local b = s:byte(j)
            if b < 0x80 or b >= 0xC0 then return false end
        end
        i = i + len
    end
    return true
end

describe("xingtu.secret", function()
    describe("cut", function()
        it("keeps strings that fit and cuts ASCII at n", function()
            assert.are.equal("abc", text.cut("abc", 3))
            assert.are.equal("abc", text.cut("abc", 10))
            assert.are.equal("ab", text.cut("abc", 2))
            assert.are.equal("", text.cut("abc", 0))
        end)

        it("moves the cut back before a character it would split", function()
            local s = "ab直播" -- 直 = bytes 3..5, 播 = 6..8
            assert.are.equal("ab", text.cut(s, 2))
            assert.are.equal("ab", text.cut(s, 3))
            assert.are.equal("ab", text.cut(s, 4))
            assert.are.equal("ab直", text.cut(s, 5))
            assert.are.equal("ab直", text.cut(s, 7))
            assert.are.equal("😀", text.cut("😀😀", 7))
            assert.are.equal("é", text.cut("éé", 3))
        end)

        it("leaves well-formed UTF-8 well-formed at every cut, at most 3 bytes short", function()
            math.randomseed(7)
            local chars = { "a", "é", "直", "😀", " ", "ß", "播" }
            for _ = 1, 300 do
                local parts = {}
                for i = 1, math.random(0, 40) do parts[i] = chars[math.random(#chars)] end
                local s = table.concat(parts)
                for n = 0, #s + 1 do
                    local cut = text.cut(s, n)
                    assert.are.equal(s:sub(1, #cut), cut)
                    assert.is_true(#cut <= n and #cut >= math.min(n, #s) - 3, n)
                    assert.is_true(well_formed(cut), ("%q at %d"):format(s, n))
                end
            end
        end)
    end)
end)
