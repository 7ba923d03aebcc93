-- The analyst's workflow against the sandbox: shortlist over several pages, the ids piped into compare, CSV and an
-- Excel file out, the Excel file read back by LibreOffice (headless): text exact, every id exact, numbers numeric.

local sandbox = require "helpers.sandbox"
local util = require "helpers.util"
local xingtu = require "xingtu"
local xlsx = require "xingtu.xlsx"

local AUTHORS = { "6976442543234760712", "7012345678901234567", "6811111111111111111" }

-- A shell pipeline of bin/xingtu commands against the sandbox; returns stdout, stderr, status.
local function sh(script)
    local env = "JUSTONEAPI_TOKEN=" .. util.quote(sandbox.token) .. " JUSTONEAPI_BASE_URL=" .. util.quote(sandbox.url)
    local x = "env " .. env .. " lua5.4 bin/xingtu"
    local cmd = "set -o pipefail; " .. script:gsub("xingtu ", x .. " ")
    return util.run3("bash -c " .. util.quote(cmd))
end

-- RFC 4180 records of a CSV text (quoted fields with commas, quotes and line breaks).
local function parse_csv(text)
    text = text:gsub("^\239\187\191", "")
    local rows, row, field, i, n = {}, {}, {}, 1, #text
    local quoted = false
    while i <= n do
        local c = text:sub(i, i)
        if quoted then
            if c == '"' then
                if text:sub(i + 1, i + 1) == '"' then
                    field[#field + 1] = '"'
                    i = i + 1
                else
                    quoted = false
                end
            else
                field[#field + 1] = c
            end
        elseif c == '"' then
            quoted = true
        elseif c == "," then
            row[#row + 1] = table.concat(field)
            field = {}
        elseif c == "\n" or c == "\r" then
            if c == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
            row[#row + 1] = table.concat(field)
            rows[#rows + 1] = row
            row, field = {}, {}
        else
            field[#field + 1] = c
        end
        i = i + 1
    end
    if #field > 0 or #row > 0 then
        row[#row + 1] = table.concat(field)
        rows[#rows + 1] = row
    end
    return rows
end

local function tmpdir()
    local out = util.run("mktemp -d /tmp/xingtu-analyst.XXXXXX")
    return (out:gsub("%s+$", ""))
end

-- LibreOffice converts `file` into `dir` (to: "csv" or "fods") and returns the output's text. Its own profile in
-- `dir`, so that no user profile (or another spec's soffice) is in the way.
local function soffice(file, dir, to)
    -- a directory of its own: never a file the spec wrote itself mistaken for LibreOffice's
    dir = dir .. "/libreoffice"
    util.run("mkdir -p " .. util.quote(dir))
    local filter = to == "csv" and "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1"
        or to
    local cmd = ("env -u LD_PRELOAD timeout 180 soffice --headless -env:UserInstallation=file://%s/profile "
        .. "--convert-to %s --outdir %s %s 2>&1"):format(dir, util.quote(filter), util.quote(dir), util.quote(file))
    local out, code = util.run(cmd)
    local base = file:match("([^/]+)%.xlsx$")
    -- the first sheet's file: <base>.<to>, or <base>-<sheet>.<to> when LibreOffice names it after the sheet
    local name = out:match("%-> [^\n]-/(" .. base:gsub("%p", "%%%0") .. "[^/\n]*%." .. to .. ")")
    local f = io.open(dir .. "/" .. (name or (base .. "." .. to)), "rb")
    assert(f, "LibreOffice wrote no " .. to .. " (" .. tostring(code) .. "): " .. out)
    local text = f:read("a")
    f:close()
    return text
end

-- The cells of the first table of a flat ODF spreadsheet: rows of { type =, value =, text = }.
local function fods_cells(text)
    local tbl = text:match("<table:table .-</table:table>")
    local rows = {}
    for row in tbl:gmatch("<table:table%-row[^>]*>(.-)</table:table%-row>") do
        local cells = {}
        local pos = 1
        while true do
            -- an empty cell is self-closing (<table:table-cell/>): it still takes its place
            local s, e, attrs, closed = row:find("<table:table%-cell([^>]-)(/?)>", pos)
            if not s then break end
            local body = ""
            pos = e + 1
            if closed == "" then
                local cs, ce = row:find("</table:table-cell>", pos, true)
                body, pos = row:sub(pos, cs - 1), ce + 1
            end
            local repeated = tonumber(attrs:match('table:number%-columns%-repeated="(%d+)"')) or 1
            local cell = { type = attrs:match('office:value%-type="([^"]+)"'),
                value = attrs:match('office:value="([^"]+)"'), text = body:match("<text:p>(.-)</text:p>") }
            for _ = 1, math.min(repeated, 64) do cells[#cells + 1] = cell end
        end
        if #cells > 0 then rows[#rows + 1] = cells end
    end
    return rows
end

describe("the analyst's workflow", function()
    setup(function() sandbox.start() end)
    before_each(function() sandbox.reset() end)

    describe("xingtu search", function()
        it("reads several pages as one CSV with one header and o_author_id on every row", function()
            local out, err, code = sh("xingtu search --keyword 美食 --pages 3 --format csv")
            assert.equal(0, code, err)
            local rows = parse_csv(out)
            assert.equal("o_author_id", rows[1][1])
            assert.equal(31, #rows) -- a header and three pages of ten
            for i = 2, #rows do
                assert.matches("^%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d$", rows[i][1])
                assert.equal(#rows[1], #rows[i])
            end
            assert.equal(3, sandbox.stats().requests)
            assert.matches("at most 3 pages", err)
            assert.matches("30 rows; 3 requests sent, 3 billed", err)
        end)

        it("stops paging once --limit has its rows, --all bounded by --max-pages", function()
            local out, err, code = sh("xingtu search --keyword 美食 --all --max-pages 4 --limit 15 --format csv "
                .. "--columns o_author_id")
            assert.equal(0, code, err)
            assert.equal(16, #parse_csv(out))
            assert.equal(2, sandbox.stats().requests)
            assert.matches("up to 4 pages", err)
        end)

        it("writes the header alone when nothing is found", function()
            local out, err, code = sh("xingtu search --keyword __none__ --all --format csv -q")
            assert.equal(0, code, err)
            assert.equal("o_author_id,nick_name,follower,city,content_category,grade,price_1_20,expected_play,"
                .. "interact_rate\r\n", out)
            assert.equal("", err)
        end)

        it("sends the filters given as flags named after the parameters", function()
            local _, err, code = sh("xingtu search --industry 餐饮服务 --follower-range 10w-50w --is-superstar "
                .. "--sort DEFAULT -q --format csv")
            assert.equal(0, code, err)
            local args = {}
            for _, kv in ipairs(sandbox.last().args) do args[kv.key] = kv.value end
            assert.equal("餐饮服务", args.industry)
            assert.equal("10w-50w", args.followerRange)
            assert.equal("true", args.isSuperstar)
            assert.equal("DEFAULT", args.sort)
        end)

        it("refuses an unknown column and xlsx without -o before anything is sent", function()
            local _, err, code = sh("xingtu search --columns o_author_id,colour")
            assert.equal(2, code)
            assert.matches("unknown column colour; columns: o_author_id", err)
            _, err, code = sh("xingtu search --format xlsx")
            assert.equal(2, code)
            assert.matches("give it with %-o FILE", err)
            assert.equal(0, sandbox.stats().requests)
        end)
    end)

    describe("the pipeline", function()
        local dir
        setup(function() dir = tmpdir() end)
        teardown(function() util.run("rm -rf " .. util.quote(dir)) end)

        it("pipes the shortlist into compare: one row per creator, CSV and an Excel file LibreOffice reads back",
            function()
                local csv_path, xlsx_path = dir .. "/compare.csv", dir .. "/compare.xlsx"
                local _, err, code = sh(("xingtu search --keyword 美食 --all --limit 25 --columns o_author_id "
                    .. "--format csv | xingtu compare --ids - --format csv -o %s"):format(util.quote(csv_path)))
                assert.equal(0, code, err)
                -- 3 pages for 25 rows, then 4 methods for each of the 25 creators, each once
                assert.equal(3 + 4 * 25, sandbox.stats().requests)
                local rows = parse_csv(util.read_file(csv_path))
                assert.equal(26, #rows)
                local header = rows[1]
                local col = {}
                for i, name in ipairs(header) do col[name] = i end
                for _, name in ipairs { "o_author_id", "nickname", "followers", "price_low", "cpm_low",
                    "gpm_low", "aud_gender_top_share" } do
                    assert.truthy(col[name], name)
                end
                local touch = 0
                for name in pairs(col) do
                    if name:match("^touch_") then touch = touch + 1 end
                end
                assert.truthy(touch >= 4, "level-1 touchpoint columns")

                -- The same creators again, to xlsx: the sandbox answers the same, so the cells must equal the CSV's.
                local ids = {}
                for i = 2, #rows do ids[#ids + 1] = rows[i][1] end
                util.write_file(dir .. "/ids.txt", table.concat(ids, "\n") .. "\n")
                _, err, code = sh(("xingtu compare --ids %s --format xlsx -o %s -q"):format(
                    util.quote(dir .. "/ids.txt"), util.quote(xlsx_path)))
                assert.equal(0, code, err)

                local back = parse_csv(soffice(xlsx_path, dir, "csv"))
                assert.equal(#rows, #back)
                assert.same(header, back[1])
                for r = 2, #rows do
                    assert.equal(rows[r][1], back[r][1]) -- every 19-digit id exact
                    assert.equal(rows[r][col.nickname], back[r][col.nickname]) -- the Chinese exact
                    assert.equal(rows[r][col.category], back[r][col.category])
                    assert.equal(rows[r][col.aud_city_top], back[r][col.aud_city_top])
                end

                local cells = fods_cells(soffice(xlsx_path, dir, "fods"))
                for r = 2, #rows do
                    assert.equal("string", cells[r][col.o_author_id].type)
                    assert.equal(rows[r][1], cells[r][col.o_author_id].text)
                    assert.equal("float", cells[r][col.followers].type)
                    assert.equal(tonumber(rows[r][col.followers]), tonumber(cells[r][col.followers].value))
                    assert.equal("percentage", cells[r][col.aud_gender_top_share].type)
                    local price = rows[r][col.price_low]
                    if price ~= "" then
                        assert.equal(tonumber(price), tonumber(cells[r][col.price_low].value))
                        assert.is_true(math.abs(tonumber(rows[r][col.cpm_low])
                            - tonumber(cells[r][col.cpm_low].value)) < 1e-9)
                    end
                end
            end)

        it("writes a batch as a workbook too, ids as text cells", function()
            util.write_file(dir .. "/b.txt", AUTHORS[1] .. "\n" .. AUTHORS[2] .. "\n")
            local _, err, code = sh(("xingtu batch side_info --ids %s --format xlsx -o %s -q"):format(
                util.quote(dir .. "/b.txt"), util.quote(dir .. "/b.xlsx")))
            assert.equal(0, code, err)
            local back = parse_csv(soffice(dir .. "/b.xlsx", dir, "csv"))
            assert.equal(3, #back)
            assert.same({ "id", "ok" }, { back[1][1], back[1][2] })
            assert.same({ AUTHORS[1], AUTHORS[2] }, { back[2][1], back[3][1] })
        end)

        it("writes CSV for Excel: a byte order mark and ids Excel keeps as text", function()
            local out, err, code = sh("xingtu compare " .. AUTHORS[1] .. " --methods side_info --format csv --excel -q")
            assert.equal(0, code, err)
            assert.equal("\239\187\191", out:sub(1, 3))
            assert.truthy(out:find('\r\n"=""' .. AUTHORS[1] .. '""",', 1, true))
        end)
    end)

    describe("xingtu.compare", function()
        local client
        before_each(function() client = xingtu.new { token = sandbox.token, base_url = sandbox.url } end)
        after_each(function() client:close() end)

        it("returns one row per creator and the report renderers draw from, in one batch", function()
            local rows, report = xingtu.compare(client, { AUTHORS[1], AUTHORS[2], AUTHORS[1] })
            assert.equal(2, #rows) -- a repeated id is bought once
            assert.equal(8, sandbox.stats().requests)
            assert.equal(AUTHORS[1], rows[1].o_author_id)
            assert.is_string(rows[1].nickname)
            assert.equal(rows[1].nickname, report.creators[1].name)
            assert.equal(AUTHORS[2], report.creators[2].id)
            assert.same({ "id", "text" }, { report.columns[1].kind, report.columns[2].kind })
            local kinds = { id = true, text = true, integer = true, number = true, share = true, money = true }
            for _, c in ipairs(report.columns) do
                assert.truthy(kinds[c.kind], c.name)
                assert.is_string(c.label)
            end
            local sum = 0
            for _, t in ipairs(report.touch[AUTHORS[1]]) do
                assert.is_string(t.channel)
                sum = sum + t.share
                assert.equal(t.share, rows[1]["touch_" .. t.channel])
            end
            assert.is_true(math.abs(sum - 1) < 1e-9)
            for _, r in ipairs(report.ranges[AUTHORS[1]]) do
                assert.is_string(r.metric)
                if r.low then assert.equal(r.low, rows[1][r.metric .. "_low"]) end
            end
            assert.is_string(report.record_times[AUTHORS[1]])
            assert.equal(8, #report.request_ids)
            assert.same({}, report.failures)
            assert.is_true(rows[1].cpm_low > 0)
            assert.is_true(math.abs(rows[1].cpm_low - rows[1].price_low / rows[1].expected_play * 1000) < 1e-9)
        end)

        it("gives a failed call its row and a failure, not an error", function()
            local once = xingtu.new { token = sandbox.token, base_url = sandbox.url, retries = 0 }
            sandbox.fault { code = 301, times = 1 }
            local rows, report = xingtu.compare(once, { AUTHORS[1] }, { methods = { "side_info" } })
            once:close()
            assert.equal(1, #rows)
            assert.equal(AUTHORS[1], rows[1].o_author_id)
            assert.equal(1, #report.failures)
            assert.equal("side_info", report.failures[1].method)
            assert.is_string(report.failures[1].kind)
        end)

        it("makes long rows, one per (creator, metric)", function()
            local rows = xingtu.compare(client, { AUTHORS[1] }, { methods = { "side_info" }, long = true })
            local metrics = {}
            for _, r in ipairs(rows) do
                assert.equal(AUTHORS[1], r.o_author_id)
                metrics[r.metric] = r.value
            end
            assert.is_number(metrics.followers)
            assert.is_number(metrics.cpm_low)
        end)

        it("refuses bad ids and methods at the caller's line before anything is sent", function()
            local ok, err = pcall(xingtu.compare, client, { "12ab" })
            assert.is_false(ok)
            assert.matches("xingtu.compare: ids%[1%] must be a creator id", err)
            ok, err = pcall(xingtu.compare, client, { AUTHORS[1] }, { methods = { "touch" } })
            assert.is_false(ok)
            assert.matches("methods%[1%] must be one of audience_distribution", err)
            ok, err = pcall(xingtu.compare, client, nil)
            assert.is_false(ok)
            assert.matches("ids must be an array", err)
            assert.equal(0, sandbox.stats().requests)
        end)

        it("feeds xingtu.query, which writes the CSV to a path", function()
            local dir = tmpdir()
            local rows, report = xingtu.compare(client, { AUTHORS[1], AUTHORS[2] }, { methods = { "side_info" } })
            local names = require("xingtu.compare").column_names(report.columns)
            local n = xingtu.query(rows):sort("followers", "desc"):write_csv(dir .. "/x.csv", names, { bom = true })
            assert.equal(2, n)
            local text = util.read_file(dir .. "/x.csv")
            assert.equal("\239\187\191o_author_id,nickname,", text:sub(1, 24))
            util.run("rm -rf " .. util.quote(dir))
        end)
    end)

    describe("xingtu.query over client:pages", function()
        it("streams the pages: a limit stops the paging", function()
            local client = xingtu.new { token = sandbox.token, base_url = sandbox.url }
            local rows = xingtu.query(client:pages("search", { keyword = "美食" }, { max_pages = 5 }))
                :where(function(a) return a.follower ~= nil end):limit(12):all()
            assert.equal(12, #rows)
            assert.equal(2, sandbox.stats().requests)
            client:close()
        end)

        it("says how to call the pages iterator when it is called without its state", function()
            local client = xingtu.new { token = sandbox.token, base_url = sandbox.url }
            local it = client:pages("search", { keyword = "美食" })
            local ok, err = pcall(it)
            assert.is_false(ok)
            assert.matches("xingtu.pages: the iterator's state %(its first argument%) must be the second value "
                .. "client:pages returned, got nil", err)
            assert.equal(0, sandbox.stats().requests)
            client:close()
        end)

        it("raises a page's failure instead of ending quietly", function()
            local client = xingtu.new { token = sandbox.token, base_url = sandbox.url, retries = 0 }
            sandbox.fault { code = 301, times = 1 }
            local ok, err = pcall(function()
                return xingtu.query(client:pages("search", { keyword = "美食" })):all()
            end)
            assert.is_false(ok)
            assert.is_true(xingtu.is_error(err))
            client:close()
        end)
    end)

    describe("xingtu.xlsx", function()
        it("computes the zip's CRC-32", function()
            assert.equal(0xCBF43926, xlsx.crc32("123456789"))
            assert.equal(0, xlsx.crc32(""))
        end)

        it("writes a workbook unzip accepts, with ids as text and XML escaped", function()
            local dir = tmpdir()
            local path = dir .. "/t.xlsx"
            assert(xlsx.write(path, { name = "a/b", columns = { "o_author_id", { name = "t", kind = "text" } },
                rows = { { o_author_id = "6976442543234760712", t = "<&\"\1>" } } }))
            local out, code = util.run("unzip -t " .. util.quote(path) .. " 2>&1")
            assert.equal(0, code, out)
            local sheet = util.run("unzip -p " .. util.quote(path) .. " xl/worksheets/sheet1.xml")
            assert.truthy(sheet:find(">6976442543234760712</t>", 1, true))
            assert.truthy(sheet:find("&lt;&amp;&quot;&gt;", 1, true))
            util.run("rm -rf " .. util.quote(dir))
        end)
    end)
end)
