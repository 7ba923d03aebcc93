-- Help and mistakes at the command line: a method's --help lists its parameters with types, defaults and enum values
-- (with the Chinese labels the provider takes), `xingtu endpoints <method>` describes one method, `xingtu endpoints`
-- fits 100 columns, a mistyped method or command gets a suggestion, an enum value in another case is sent in the
-- provider's spelling, a bad JUSTONEAPI_BASE_URL is one line and exit 2, a 429 says how long the provider asked to
-- wait. Against the sandbox, through bin/xingtu as a user runs it.

local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local ROOT = util.ROOT

local function xingtu(args, env)
    local vars = { JUSTONEAPI_TOKEN = sandbox.token, JUSTONEAPI_BASE_URL = sandbox.url }
    for k, v in pairs(env or {}) do vars[k] = v end
    local parts = { "env -u NO_COLOR" }
    for _, k in ipairs { "JUSTONEAPI_TOKEN", "JUSTONEAPI_BASE_URL" } do
        parts[#parts + 1] = k .. "=" .. util.quote(vars[k])
    end
    parts[#parts + 1] = "lua5.4 " .. util.quote(ROOT .. "/bin/xingtu")
    for _, a in ipairs(args) do parts[#parts + 1] = util.quote(a) end
    return util.run3(table.concat(parts, " "))
end

local function columns(s)
    -- display columns of a line: CJK and the ellipsis are what the table cuts with; count code points, CJK as two
    local n = 0
    for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
        local b = ch:byte()
        n = n + ((b >= 0xE3 and b <= 0xE9) and 2 or 1)
    end
    return n
end

local function lines(s)
    local t = {}
    for l in s:gmatch("[^\n]+") do t[#t + 1] = l end
    return t
end

describe("the command line's help and mistakes", function()
    setup(function() sandbox.start() end)
    before_each(function() sandbox.reset() end)

    describe("xingtu <method> --help", function()
        it("lists a method's parameters with the names sent, types, required, defaults and enum values", function()
            local out, _, code = xingtu { "convert_ability", "--help" }
            assert.equal(0, code)
            assert.truthy(out:find("  o_author_id (sent as oAuthorId): id (digits), required\n", 1, true))
            assert.truthy(out:find("  platform: enum, default SHORT_VIDEO\n"
                .. "      values: SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA\n", 1, true))
            assert.truthy(out:find("  range: enum, default DAY_30\n      values: DAY_30, DAY_90\n", 1, true))
        end)

        it("offers an <id> named after the method's id parameter", function()
            local out = xingtu { "touch_distribution", "--help" }
            assert.truthy(out:find("[<id>]", 1, true))
            assert.truthy(out:find("The o_author_id the method needs.", 1, true))
            assert.truthy(out:find("o_author_id (sent as oAuthorId): id (digits), required", 1, true))
        end)

        it("keeps every line within 100 columns", function()
            for _, l in ipairs(lines((xingtu { "convert_ability", "--help" }))) do
                assert.is_true(columns(l) <= 100, l)
            end
        end)
    end)

    describe("xingtu endpoints", function()
        it("fits the list of methods in 100 columns", function()
            local out, _, code = xingtu { "endpoints" }
            assert.equal(0, code)
            local ls = lines(out)
            assert.is_true(#ls > 30)
            for _, l in ipairs(ls) do assert.is_true(columns(l) <= 100, l) end
            assert.truthy(out:find("\nsearch%s+%+%d+%s+One page of creators"))
        end)

        it("describes one method: path, description and parameters", function()
            local out, err, code = xingtu { "endpoints", "search" }
            assert.equal(0, code, err)
            assert.truthy(out:find("^search: One page of creators"))
            assert.truthy(out:find("path /api/douyin-xingtu/", 1, true))
            assert.truthy(out:find("1937 丽人,", 1, true))
        end)

        it("gives one method's entry as JSON too", function()
            local out, _, code = xingtu { "endpoints", "search", "-f", "json" }
            assert.equal(0, code)
            local list = require("xingtu.core").decode(out)
            assert.equal(1, #list)
            assert.equal("search", list[1].name)
        end)

        it("suggests the method meant for a mistyped one: exit 2, one line", function()
            local out, err, code = xingtu { "endpoints", "serach" }
            assert.equal(2, code)
            assert.equal("", out)
            assert.equal("xingtu endpoints: unknown method serach; did you mean search?\n", err)
        end)
    end)

    describe("a mistyped command or method", function()
        it("gets a suggestion on one line, exit 2", function()
            local _, err, code = xingtu { "serach" }
            assert.equal(2, code)
            assert.equal("xingtu: unknown command serach; did you mean search?\n", err)
            _, err = xingtu { "reprot", "1" }
            assert.equal("xingtu: unknown command reprot; did you mean report?\n", err)
        end)

        it("that is nothing like a name still lists the commands and methods", function()
            local _, err, code = xingtu { "zzzzzzzzzz" }
            assert.equal(2, code)
            assert.truthy(err:find("\nmethods: audience_distribution", 1, true))
        end)
    end)

    describe("enum values", function()
        it("are accepted in any case and sent in the provider's spelling", function()
            local _, err, code = xingtu { "touch_distribution", "7100000000000000001", "--platform", "live_streaming",
                "-f", "json" }
            assert.equal(0, code, err)
            assert.truthy(sandbox.last().query:find("platform=LIVE_STREAMING", 1, true))
        end)

        it("when unknown, name the Chinese labels the provider accepts, before anything is sent", function()
            local _, err, code = xingtu { "search", "--param", "industry=Foo" }
            assert.equal(2, code)
            assert.equal(1, select(2, err:gsub("\n", "")))
            assert.truthy(err:find("餐饮服务", 1, true))
            assert.equal(0, sandbox.stats().requests)
        end)
    end)

    describe("a bad environment", function()
        it("JUSTONEAPI_BASE_URL=ftp://x is one line and exit 2, no traceback", function()
            local out, err, code = xingtu({ "side_info", "7100000000000000001" }, { JUSTONEAPI_BASE_URL = "ftp://x" })
            assert.equal(2, code)
            assert.equal("", out)
            assert.equal("xingtu side_info: JUSTONEAPI_BASE_URL must be an http:// or https:// URL without a query, a"
                .. " fragment or blanks, got \"ftp://x\"\n", err)
        end)
    end)

    describe("a rate limit", function()
        it("says how long the provider asked to wait (Retry-After)", function()
            sandbox.fault { status = 429, retry_after = 60 }
            local _, err, code = xingtu { "touch_distribution", "7100000000000000001" }
            assert.equal(1, code)
            assert.truthy(err:find("rate_limited", 1, true), err)
            assert.truthy(err:find("(the provider asked to wait 60 s)", 1, true), err)
        end)
    end)
end)
