-- The command line: the real bin/xingtu as a subprocess against the sandbox.

local sandbox = require "helpers.sandbox"
local core = require "xingtu.core"
local output = require "xingtu.cli.output"
local util = require "helpers.util"

local AUTHOR = "6976442543234760712"

-- Runs bin/xingtu with args (an array); env: extra environment (false unsets). Returns stdout, stderr, status.
local function xingtu(args, env, stdin)
    local parts = { "env" }
    local vars = { JUSTONEAPI_TOKEN = sandbox.token, JUSTONEAPI_BASE_URL = sandbox.url }
    for k, v in pairs(env or {}) do vars[k] = v end
    for k, v in pairs(vars) do
        if v == false then table.insert(parts, 2, "-u " .. k) else parts[#parts + 1] = k .. "=" .. util.quote(v) end
    end
    parts[#parts + 1] = "lua5.4 bin/xingtu"
    for _, a in ipairs(args) do parts[#parts + 1] = util.quote(a) end
    local cmd = table.concat(parts, " ")
    local in_file
    if stdin then
        in_file = os.tmpname()
        util.write_file(in_file, stdin)
        cmd = cmd .. " <" .. in_file
    end
    local out, err, code = util.run3(cmd)
    if in_file then os.remove(in_file) end
    return out, err, code
end

-- A query parameter of the sandbox's last request.
local function last_arg(name)
    for _, kv in ipairs(sandbox.last().args) do
        if kv.key == name then return kv.value end
    end
    return nil
end

local function lines(s)
    local out = {}
    for line in s:gmatch("[^\n]+") do out[#out + 1] = line end
    return out
end

describe("bin/xingtu", function()
    setup(function() sandbox.start() end)
    before_each(function() sandbox.reset() end)

    describe("<method>", function()
        it("prints a touch distribution as an aligned table", function()
            local out, err, code = xingtu { "touch_distribution", AUTHOR }
            assert.equal(0, code, err)
            local l = lines(out)
            assert.matches("^level%s+path%s+cnt%s+share_of_parent%s+share_of_total$", l[1])
            assert.matches("^%-+  %-+", l[2])
            assert.matches("直播广场", l[3])
            assert.equal(1, sandbox.stats().requests)
        end)

        it("writes exact JSON that round-trips the data", function()
            local out, _, code = xingtu { "touch_distribution", AUTHOR, "--format", "json" }
            assert.equal(0, code)
            local data = core.decode(out)
            local direct = core.decode(sandbox.call("/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1",
                { oAuthorId = AUTHOR, platform = "SHORT_VIDEO" }).body)
            assert.same(direct.data, data)
        end)

        it("writes one JSON line with ndjson", function()
            local out, _, code = xingtu { "side_info", AUTHOR, "--format", "ndjson" }
            assert.equal(0, code)
            assert.equal(1, #lines(out))
            assert.is_table(core.decode(out))
        end)

        it("writes RFC 4180 CSV: a page of search results one row per creator", function()
            local out, _, code = xingtu { "search", "--param", "keyword=美食", "--format", "csv" }
            assert.equal(0, code)
            local rows = {}
            for line in out:gmatch("([^\r\n]*)\r\n") do rows[#rows + 1] = line end
            assert.equal(11, #rows) -- header + 10 creators
            assert.matches("nick_name", rows[1])
            assert.equal("美食", last_arg("keyword"))
        end)

        it("maps --platform and --range onto the method's parameters", function()
            local _, err, code = xingtu { "convert_ability", AUTHOR, "--platform", "LIVE_STREAMING", "--range",
                "DAY_90", "--format", "json" }
            assert.equal(0, code, err)
            local last = sandbox.last()
            assert.equal("/api/douyin-xingtu/gw/api/data_sp/get_author_convert_ability/v1", last.path)
            assert.equal("LIVE_STREAMING", last_arg("platform"))
            assert.equal("DAY_90", last_arg("range"))
            xingtu { "order_experience", AUTHOR, "--range", "DAY_90", "--format", "json" }
            assert.equal("DAY_90", last_arg("period"))
        end)

        it("shows ranges of conversion data as rows", function()
            local out, _, code = xingtu { "convert_ability", AUTHOR }
            assert.equal(0, code)
            assert.matches("^field%s+raw%s+min%s+max%s+unit", out)
            assert.matches("avg_sales_amount_range%s+2%.5w%-12%.6w%s+25000%s+126000", out)
        end)

        it("exits 1 with the error on stderr when the call fails", function()
            sandbox.fault { code = 201 }
            local out, err, code = xingtu { "side_info", AUTHOR }
            assert.equal(1, code)
            assert.equal("", out)
            assert.matches("not_found", err)
        end)
    end)

    describe("usage errors", function()
        local cases = {
            { { "nope" }, "unknown command nope.*methods: audience_distribution, base_info" },
            { { "touch_distribution", AUTHOR, "--platform", "TV" },
                "platform \"TV\" is not one of SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA" },
            { { "touch_distribution", AUTHOR, "--format", "xml" }, "must be one of 'table', 'json', 'ndjson', 'csv'" },
            { { "touch_distribution" }, "needs the o_author_id" },
            { { "touch_distribution", "abc" }, "must be a string of digits" },
            { { "side_info", AUTHOR, "--platform", "SHORT_VIDEO" }, "side_info has no platform parameter" },
            { { "side_info", AUTHOR, "--param", "colour=red" }, "no parameter colour; its parameters: o_author_id" },
            { { "side_info", AUTHOR, "--param", "oops" }, "name=value" },
            { { "search", "123" }, "search takes no id" },
            { { "batch", "nope", "--ids", "-" }, "unknown method nope; valid methods:" },
            { { "batch", "search", "--ids", "-" }, "batch needs a method that takes an id" },
            { { "batch", "side_info" }, "needs %-%-ids" },
            { { "batch", "side_info", "--ids", "-", "--concurrency", "0" }, "from 1 to 256" },
            { { "report" }, "missing argument 'author_id'" },
            { {}, "Usage: xingtu <command>" },
        }
        for _, case in ipairs(cases) do
            it("exits 2 for `xingtu " .. table.concat(case[1], " ") .. "` and lists the valid values", function()
                local out, err, code = xingtu(case[1], nil, "")
                assert.equal(2, code)
                assert.equal("", out)
                assert.matches(case[2], err)
                assert.equal(0, sandbox.stats().requests)
            end)
        end

        it("says how to get a token or use the sandbox when there is none", function()
            local _, err, code = xingtu({ "side_info", AUTHOR }, { JUSTONEAPI_TOKEN = false })
            assert.equal(2, code)
            assert.matches("JUSTONEAPI_TOKEN", err)
            assert.matches("%-%-sandbox", err)
        end)

        it("names a mistake in the arguments before a missing token", function()
            local _, err, code = xingtu({ "touch_distribution" }, { JUSTONEAPI_TOKEN = false })
            assert.equal(2, code)
            assert.matches("needs the o_author_id", err)
            assert.not_matches("JUSTONEAPI_TOKEN", err)
        end)

        it("takes the options before the command too", function()
            local out, err, code = xingtu({ "--format", "json", "side_info", AUTHOR })
            assert.equal(0, code, err)
            assert.is_table(core.decode(out))
            assert.equal(1, sandbox.stats().requests)
        end)

        it("prints help with exit 0", function()
            local out, _, code = xingtu { "--help" }
            assert.equal(0, code)
            assert.matches("Methods: audience_distribution", out)
        end)
    end)

    describe("endpoints", function()
        it("lists every catalogue method", function()
            local out, _, code = xingtu { "endpoints" }
            assert.equal(0, code)
            -- heading, rule, a line per method, the note on the requires column (the table fits 100 columns:
            -- spec/cli_help_spec.lua)
            assert.equal(3 + #require("xingtu").endpoint_names, #lines(out))
            assert.matches("touch_distribution%s+o_author_id %+1%s+Where", out)
        end)
        it("as JSON", function()
            local out, _, code = xingtu { "endpoints", "--format", "json" }
            assert.equal(0, code)
            local list = core.decode(out)
            assert.equal(#require("xingtu").endpoint_names, #list)
        end)
    end)

    describe("report", function()
        it("draws the touch distribution with Unicode blocks and a conversion table", function()
            local out, err, code = xingtu { "report", AUTHOR }
            assert.equal(0, code, err)
            assert.matches("Creator " .. AUTHOR, out)
            assert.matches("直播广场%s+█+", out)
            assert.matches("33%.3%%", out)
            assert.matches("avg_sales_amount_range%s+2%.5w%-12%.6w%s+25,000%s+126,000", out)
            assert.matches("related_cpc_range%s+%- %(no data%)", out)
            assert.equal(2, sandbox.stats().requests)
        end)

        it("as JSON", function()
            local out, _, code = xingtu { "report", AUTHOR, "--format", "json" }
            assert.equal(0, code)
            local doc = core.decode(out)
            assert.equal(AUTHOR, doc.author_id)
            assert.equal("直播广场", doc.touch[1].name)
            assert.equal(25000, doc.conversion[1].min)
        end)

        it("as one CSV table, touch and conversion rows told apart by `section`", function()
            local out, _, code = xingtu { "report", AUTHOR, "--format", "csv" }
            assert.equal(0, code)
            local sections, fields = {}, nil
            for line in out:gmatch("([^\r\n]+)\r\n") do
                local n = select(2, line:gsub(",", ",")) + 1 -- no quoted commas in these rows
                fields = fields or n
                assert.equal(fields, n, line)
                sections[line:match("^([^,]+)")] = true
            end
            assert.same({ section = true, touch = true, conversion = true }, sections)
            assert.not_matches("\r\n\r\n", out)
        end)

        it("exits 1 when a call fails, still reporting the other part", function()
            sandbox.fault { code = 201, path = "convert_ability/v1" }
            local out, err, code = xingtu { "report", AUTHOR }
            assert.equal(1, code)
            assert.matches("直播广场", out)
            assert.matches("unavailable", out)
            assert.matches("not_found", err)
        end)
    end)

    describe("batch", function()
        local ids = table.concat({ AUTHOR, "123", "abc", "123", "# comment", "", "  7012345678901234567  ",
            "456" }, "\n") .. "\n"

        it("writes every id exactly once, in input order, with its data or its error", function()
            sandbox.fault { code = 201, path = "get_author_side_base_info/v1" }
            local out, err, code = xingtu({ "batch", "side_info", "--ids", "-", "--concurrency", "3" }, nil, ids)
            assert.equal(1, code)
            local got = {}
            for _, line in ipairs(lines(out)) do got[#got + 1] = core.decode(line) end
            assert.same({ AUTHOR, "123", "abc", "7012345678901234567", "456" },
                { got[1].id, got[2].id, got[3].id, got[4].id, got[5].id })
            local failed = 0
            for _, r in ipairs(got) do
                if r.ok then
                    assert.is_table(r.data)
                else
                    failed = failed + 1
                    assert.is_string(r.error.kind)
                end
            end
            assert.equal(2, failed) -- "abc" (never sent) and the 201
            assert.equal("invalid_params", got[3].error.kind)
            assert.equal(4, sandbox.stats().requests)
            assert.matches("1 duplicate", err)
            assert.matches("2 of 5 failed", err)
            assert.is_nil(err:find("\r", 1, true)) -- no progress bar: stderr is not a terminal
        end)

        it("takes the CSV that search writes as its ids: the first column, without its header, BOM or =\"...\"",
            function()
            local csv = "\239\187\191o_author_id,nick_name,follower\r\n=\"" .. AUTHOR .. "\",某某,12\r\n"
                .. "=\"7012345678901234567\",\"a, b\",3\r\n" .. AUTHOR .. ",again,1\r\n"
            local out, err, code = xingtu({ "batch", "side_info", "--ids", "-" }, nil, csv)
            assert.equal(0, code, err)
            local got = {}
            for _, line in ipairs(lines(out)) do got[#got + 1] = core.decode(line).id end
            assert.same({ AUTHOR, "7012345678901234567" }, got)
            assert.matches("1 duplicate", err)
            assert.equal(2, sandbox.stats().requests)
        end)

        it("exits 0 when all succeed and reads ids from a file", function()
            local file = os.tmpname()
            local f = assert(io.open(file, "w"))
            f:write(AUTHOR, "\n", "123\n")
            f:close()
            local out, _, code = xingtu { "batch", "convert_ability", "--ids", file, "--format", "json" }
            os.remove(file)
            assert.equal(0, code)
            local doc = core.decode(out)
            assert.equal(2, #doc)
            assert.equal(AUTHOR, doc[1].id)
        end)

        it("stops at --max-calls: the rest appear with budget_exceeded", function()
            local out, _, code = xingtu({ "batch", "side_info", "--ids", "-", "--max-calls", "2",
                "--concurrency", "1" }, nil, "1\n2\n3\n4\n")
            assert.equal(1, code)
            local kinds = {}
            for i, line in ipairs(lines(out)) do
                local r = core.decode(line)
                assert.equal(tostring(i), r.id)
                kinds[i] = r.ok and "ok" or r.error.kind
            end
            assert.same({ "ok", "ok", "budget_exceeded", "budget_exceeded" }, kinds)
            assert.equal(2, sandbox.stats().requests)
        end)

        it("writes CSV and tables with one row per id, and -o writes to a file", function()
            local file = os.tmpname()
            local _, _, code = xingtu({ "batch", "convert_ability", "--ids", "-", "--format", "csv", "-o", file },
                nil, "1\nx\n2\n")
            assert.equal(1, code)
            local text = util.read_file(file)
            os.remove(file)
            local rows = {}
            for line in text:gmatch("([^\r\n]*)\r\n") do rows[#rows + 1] = line end
            assert.equal(4, #rows)
            assert.matches("^id,ok,error_kind,error_message,", rows[1])
            assert.matches("^1,true,", rows[2])
            assert.matches("^x,false,invalid_params,", rows[3])
            local out = xingtu({ "batch", "side_info", "--ids", "-", "--format", "table" }, nil, "1\n2\n")
            assert.equal(4, #lines(out))
        end)

        it("keeps the input id in `id` when the data has an id of its own (data.id)", function()
            local out = xingtu({ "batch", "side_info", "--ids", "-", "--format", "csv" }, nil, "12\n")
            local header, row = out:match("^([^\r]*)\r\n([^\r]*)\r\n")
            local names, values = {}, {}
            for name in (header .. ","):gmatch("([^,]*),") do names[#names + 1] = name end
            for value in (row .. ","):gmatch("([^,]*),") do values[#values + 1] = value end
            local seen = {}
            for i, name in ipairs(names) do
                assert.is_nil(seen[name], "column " .. name .. " twice")
                seen[name] = values[i]
            end
            assert.equal("12", seen.id)
            assert.equal("true", seen.ok)
            assert.is_string(seen["data.id"])
        end)
    end)

    describe("--sandbox", function()
        it("runs a command against a sandbox it starts and stops, with no token", function()
            local out, err, code = xingtu({ "side_info", AUTHOR, "--sandbox", "--format", "json" },
                { JUSTONEAPI_TOKEN = false, JUSTONEAPI_BASE_URL = false })
            assert.equal(0, code, err)
            assert.is_table(core.decode(out))
            assert.equal(0, sandbox.stats().requests) -- its own sandbox answered, not this one
        end)

        it("answers a second --sandbox run from the cache the first one filled", function()
            local dir = os.tmpname()
            os.remove(dir)
            local env = { JUSTONEAPI_TOKEN = false, JUSTONEAPI_BASE_URL = false,
                XINGTU_SANDBOX_PORT = tostring(util.free_port()) }
            local _, e1, c1 = xingtu({ "side_info", AUTHOR, "--sandbox", "--cache", dir }, env)
            local out, e2, c2 = xingtu({ "side_info", AUTHOR, "--sandbox", "--cache", dir, "--offline",
                "--format", "json" }, env)
            os.execute("rm -rf " .. util.quote(dir))
            assert.equal(0, c1, e1)
            assert.equal(0, c2, e2)
            assert.is_table(core.decode(out))
        end)
    end)

    describe("--cache and --offline", function()
        it("answers the second run from the cache and --offline sends nothing", function()
            local dir = os.tmpname()
            os.remove(dir)
            local _, _, c1 = xingtu { "side_info", AUTHOR, "--cache", dir, "--format", "json" }
            local out, _, c2 = xingtu { "side_info", AUTHOR, "--cache", dir, "--offline", "--format", "json" }
            local _, err, c3 = xingtu { "side_info", "42", "--cache", dir, "--offline" }
            os.execute("rm -rf " .. util.quote(dir))
            assert.same({ 0, 0, 1 }, { c1, c2, c3 })
            assert.is_table(core.decode(out))
            assert.matches("cache_miss", err)
            assert.equal(1, sandbox.stats().requests)
        end)

        it("refuses a cache directory others can write as a usage error naming it, and sends nothing", function()
            local home = util.run("mktemp -d"):gsub("%s+$", "")
            local dir = home .. "/xingtu"
            os.execute("mkdir -m 0777 " .. util.quote(dir))
            local out, err, code = xingtu { "side_info", AUTHOR, "--cache", dir }
            -- the default directory, which --offline alone turns on
            local _, err2, code2 = xingtu({ "side_info", AUTHOR, "--offline" }, { XDG_CACHE_HOME = home })
            os.execute("rm -rf " .. util.quote(home))
            local expected = "xingtu side_info: unsafe cache directory: " .. dir .. " is writable by group or others "
                .. "(mode 0777)\n"
            assert.same({ 2, "", expected }, { code, out, err })
            assert.same({ 2, expected }, { code2, err2 })
            assert.equal(0, sandbox.stats().requests)
        end)

        it("asks for the token with --offline too: the cache keeps answers per account", function()
            local dir = os.tmpname()
            os.remove(dir)
            local _, _, c1 = xingtu { "side_info", AUTHOR, "--cache", dir }
            local _, err, c2 = xingtu({ "side_info", AUTHOR, "--cache", dir, "--offline" }, { JUSTONEAPI_TOKEN = false })
            local _, err3, c3 = xingtu({ "side_info", AUTHOR, "--cache", dir, "--offline" },
                { JUSTONEAPI_TOKEN = "another-account" })
            os.execute("rm -rf " .. util.quote(dir))
            assert.same({ 0, 2, 1 }, { c1, c2, c3 })
            assert.matches("JUSTONEAPI_TOKEN to the token that fetched them", err)
            assert.matches("cache_miss", err3)
            assert.equal(1, sandbox.stats().requests)
        end)
    end)
end)

describe("xingtu.cli.output", function()
    it("counts an emoji sequence as one two-column glyph", function()
        assert.equal(2, output.width("👍")) -- 👍
        assert.equal(2, output.width("👍🏽")) -- with a skin tone
        assert.equal(2, output.width("👨‍👩‍👧")) -- a family: three joined by ZWJ
        assert.equal(2, output.width("☀️")) -- ☀ + VS16: emoji presentation
        assert.equal(2, output.width("🇨🇳")) -- a flag: two regional indicators
        assert.equal(6, output.width("小👍🏽可")) -- in a nickname
    end)

    it("counts East Asian wide characters as two columns", function()
        assert.equal(8, output.width("直播广场"))
        assert.equal(5, output.width("ab游c"))
        assert.equal(4, output.width("ＡＢ"))
        assert.equal(1, output.width("é"))
        assert.equal(1, output.width("e\204\129")) -- e + combining acute
    end)

    it("aligns table columns by display width", function()
        local text = output.table({ "name", "n" }, { { name = "直播", n = 1 }, { name = "abc", n = 22 } })
        local l = lines(text)
        assert.equal("name  n", l[1])
        assert.equal("----  --", l[2])
        assert.equal("直播   1", l[3])
        assert.equal("abc   22", l[4])
    end)
end)
