-- The HTML report (lua/xingtu/html.lua) as a user sees it: opened in a real browser (Debian's headless Chromium),
-- every creator and every chart on the page, the table sorting on a click, provider text that looks like markup shown
-- as text and never run, nothing fetched from outside, no console error; the same bytes under LuaJIT; and
-- `xingtu report --html FILE` and `xingtu compare --html FILE` against the sandbox. Screenshots are kept in build/ (html-compare.png,
-- html-report.png) for a human to look at.

local util = require "helpers.util"
local sandbox = require "helpers.sandbox"
local html = require "xingtu.html"

local ROOT = util.ROOT
local CHROMIUM = os.getenv("XINGTU_CHROMIUM") or "/usr/bin/chromium"

local function fixture() return dofile(ROOT .. "/spec/fixtures/compare_report.lua") end

local function tmpdir()
    local d = os.tmpname()
    os.remove(d)
    assert(os.execute("mkdir -p " .. util.quote(d)))
    return d
end

-- Chromium on `url` (a file://), bounded by timeout, in its own profile: the DOM after the page's script ran and
-- the browser's stderr (console messages are logged there).
local function browse(url, extra)
    local profile = tmpdir()
    local cmd = table.concat({ "timeout -k 5 90", util.quote(CHROMIUM), "--headless --no-sandbox --disable-gpu",
        "--no-first-run --disable-extensions --disable-background-networking",
        "--user-data-dir=" .. util.quote(profile), "--enable-logging=stderr --v=0",
        "--virtual-time-budget=3000", extra or "--dump-dom", util.quote(url) }, " ")
    local out, err, code = util.run3(cmd)
    os.execute("rm -rf " .. util.quote(profile))
    return out, err, code
end

local function selfcheck(dom)
    local json = dom:match('<pre id="xt%-selfcheck"[^>]*>(.-)</pre>')
    assert(json, "the page's script did not run (no self-check in the DOM)")
    return require("xingtu.core").decode(json)
end

local function count(s, pattern)
    local n = 0
    for _ in s:gmatch(pattern) do n = n + 1 end
    return n
end

local function console_errors(err)
    local found = {}
    for line in err:gmatch("[^\n]+") do
        if line:find("Uncaught", 1, true) or line:find("CONSOLE", 1, true) then found[#found + 1] = line end
    end
    return found
end

describe("xingtu.html", function()
    describe("render", function()
        it("writes one page that needs nothing from outside: no external script, style, font or image", function()
            local page = html.render(fixture())
            assert.truthy(page:find("^<!DOCTYPE html>"))
            assert.falsy(page:find("<script[^>]+src", 1))
            assert.falsy(page:find("<link", 1, true))
            assert.falsy(page:find("@import", 1, true))
            assert.falsy(page:find("url%("))
            -- the only URL on the page is the SVG namespace, which is a name, not a fetch
            for url in page:gmatch("https?://[^\"'%s]+") do assert.equal("http://www.w3.org/2000/svg", url) end
        end)

        it("shows a creator name that is markup as text: no <script> or onerror from provider data", function()
            local page = html.render(fixture())
            assert.equal(1, count(page, "<script>")) -- the page's own
            assert.falsy(page:find("<img", 1, true))
            assert.truthy(page:find("&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;", 1, true))
            assert.truthy(page:find("req-&lt;b&gt;2&lt;/b&gt;", 1, true))
            assert.truthy(page:find("HTTP 500 &lt;oops&gt;", 1, true))
        end)

        it("refuses a report that is not a table, naming it", function()
            assert.has_error(function() html.render("x") end,
                "xingtu.html.render: report must be a table (what xingtu.compare returns second), got string")
        end)

        it("renders the same bytes under LuaJIT (the nginx example renders it there)", function()
            local code = "package.path='" .. ROOT .. "/lua/?.lua;'..package.path;io.write(require('xingtu.html')"
                .. ".render(dofile('" .. ROOT .. "/spec/fixtures/compare_report.lua')))"
            local out, status = util.run("luajit -e " .. util.quote(code))
            assert.equal(0, status)
            assert.equal(html.render(fixture()), out)
        end)
    end)

    describe("in headless Chromium", function()
        local dir, file
        setup(function()
            dir = tmpdir()
            file = dir .. "/compare.html"
            util.write_file(file, html.render(fixture(), { title = "Three creators" }))
        end)
        teardown(function() os.execute("rm -rf " .. util.quote(dir)) end)

        it("shows every creator in every chart and the table, and the script ran without a console error", function()
            local dom, err = browse("file://" .. file)
            local s = selfcheck(dom)
            assert.same({ creators = 3, touch = 1, ranges = 2, heatmap = 1, sorted = false }, s)
            assert.same({}, console_errors(err))
            for _, c in ipairs(fixture().creators) do
                -- touch bars, the two range panels and the heatmap: a group per creator in each
                assert.equal(4, count(dom, 'class="creator" data%-id="' .. c.id .. '"'), c.id)
                assert.truthy(dom:find("<td>" .. c.id .. "</td>", 1, true), c.id)
            end
            assert.truthy(dom:find("recordTime 2026-03-03 08:37:28", 1, true))
            assert.truthy(dom:find("c64485108b69c75c9ccd5702a9c5d215", 1, true))
            assert.equal("Three creators", dom:match("<title>(.-)</title>"))
        end)

        it("keeps hostile provider text inert: the title is not rewritten, no image element is made", function()
            local dom = browse("file://" .. file)
            assert.equal("Three creators", dom:match("<title>(.-)</title>"))
            assert.falsy(dom:find("<img", 1, true))
        end)

        it("sorts the table by a column on a click (twice: descending), numbers by value, empty cells last", function()
            local s = selfcheck(browse("file://" .. file .. "#sort=followers"))
            assert.same({ "3,400,000", "1,250,000", "98,000" }, s.sorted)
            s = selfcheck(browse("file://" .. file .. "#sort=gpm_low"))
            assert.same({ "232", "40", "" }, s.sorted)
        end)

        it("leaves a screenshot in build/html-compare.png", function()
            local png = ROOT .. "/build/html-compare.png"
            os.remove(png)
            browse("file://" .. file, "--screenshot=" .. util.quote(png) .. " --window-size=1100,1600")
            local data = assert(util.read_file(png))
            assert.equal("\137PNG", data:sub(1, 4))
            assert.is_true(#data > 10000)
        end)
    end)

    describe("xingtu report --html", function()
        local dir
        setup(function()
            sandbox.start()
            dir = tmpdir()
        end)
        teardown(function() os.execute("rm -rf " .. util.quote(dir)) end)

        local function xingtu(args)
            local cmd = "env JUSTONEAPI_TOKEN=" .. sandbox.token .. " JUSTONEAPI_BASE_URL=" .. util.quote(sandbox.url)
                .. " lua5.4 " .. util.quote(ROOT .. "/bin/xingtu")
            for _, a in ipairs(args) do cmd = cmd .. " " .. util.quote(a) end
            return util.run3(cmd)
        end

        it("writes the creator's page beside the usual text report, with its recordTime and request ids", function()
            local file = dir .. "/one.html"
            local out, err, code = xingtu { "report", "7100000000000000001", "--html", file }
            assert.equal(0, code, err)
            assert.truthy(out:find("Touchpoints", 1, true))
            local dom, berr = browse("file://" .. file)
            local s = selfcheck(dom)
            assert.same({ creators = 1, touch = 1, heatmap = 1, sorted = false }, { creators = s.creators,
                touch = s.touch, heatmap = s.heatmap, sorted = s.sorted })
            assert.is_true(s.ranges >= 1)
            assert.same({}, console_errors(berr))
            assert.truthy(dom:find("recordTime %d%d%d%d%-%d%d%-%d%d"))
            assert.equal(2, count(dom:match('<ul id="xt%-request%-ids">(.-)</ul>'), "<li>"))
            local png = ROOT .. "/build/html-report.png"
            os.remove(png)
            browse("file://" .. file, "--screenshot=" .. util.quote(png) .. " --window-size=1100,1400")
            assert.equal("\137PNG", assert(util.read_file(png)):sub(1, 4))
        end)

        it("on compare writes one page of every creator compared, every chart present", function()
            local file = dir .. "/three.html"
            local ids = { "7100000000000000001", "7100000000000000002", "7100000000000000003" }
            local _, err, code = xingtu { "compare", ids[1], ids[2], ids[3], "--html", file, "-q" }
            assert.equal(0, code, err)
            local dom, berr = browse("file://" .. file)
            local s = selfcheck(dom)
            assert.equal(3, s.creators)
            assert.equal(1, s.touch)
            assert.equal(1, s.heatmap)
            assert.is_true(s.ranges >= 1)
            assert.same({}, console_errors(berr))
            for _, id in ipairs(ids) do
                assert.truthy(dom:find('<td>' .. id .. '</td>', 1, true), id)
                assert.truthy(dom:find('<g class="creator" data-id="' .. id .. '">', 1, true), id)
            end
            assert.is_true(count(dom:match('<ul id="xt%-request%-ids">(.-)</ul>'), "<li>") >= 3)
        end)

        it("refuses a path it cannot write before buying anything: exit 2, one line", function()
            sandbox.reset()
            local out, err, code = xingtu { "report", "7100000000000000001", "--html", dir .. "/no/such/dir/x.html" }
            assert.equal(2, code)
            assert.equal("", out)
            assert.equal(1, count(err, "\n"), err)
            assert.truthy(err:find("--html: cannot write", 1, true))
            assert.equal(0, sandbox.stats().requests)
        end)
    end)
end)
