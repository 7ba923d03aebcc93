-- The analysis helpers: touch trees, conversion ranges, queries, pagination (fake transport: nothing crosses HTTP).

local xingtu = require "xingtu"
local fake = require "helpers.fake"
local core = require "xingtu.core"

local touch, ranges, query, pages = xingtu.touch, xingtu.ranges, xingtu.query, xingtu.pages
local function no_sleep() end

local function fixture(name)
    local f = assert(io.open("spec/fixtures/" .. name, "rb"))
    local text = f:read("a")
    f:close()
    return assert(core.decode(text))
end

local function node(name, cnt, children_key, children)
    local n = { distribution_data = { name = name, cnt = cnt } }
    if children_key then n[children_key] = children end
    return n
end

local function finite(x) return x == x and x ~= math.huge and x ~= -math.huge end

describe("xingtu.touch", function()
    describe("flatten", function()
        it("flattens the fixture tree depth first with levels, paths and shares", function()
            local data = fixture("touch_distribution.json").data
            local rows = touch.flatten(data)
            assert.is_true(#rows > 20)
            local first = rows[1]
            assert.same({ "直播广场" }, first.path)
            assert.equal(1, first.level)
            assert.equal("video_touch", first.list)
            assert.equal(11885022, first.cnt)
            local total = 0
            for _, top in ipairs(data.video_touch) do total = total + top.distribution_data.cnt end
            assert.near(11885022 / total, first.share_of_total, 1e-12)
            assert.near(first.share_of_total, first.share_of_parent, 1e-12)
            local second = rows[2]
            assert.same({ "直播广场", "游戏" }, second.path)
            assert.equal(2, second.level)
            assert.near(552330 / 11885022, second.share_of_parent, 1e-12)
            assert.equal(3, rows[3].level)
            assert.same({ "直播广场", "游戏", "游戏解说" }, rows[3].path)
            assert.near(420494 / 552330, rows[3].share_of_parent, 1e-12)
            local sum = 0
            for _, r in ipairs(rows) do
                if r.level == 1 then sum = sum + r.share_of_total end
            end
            assert.near(1, sum, 1e-9)
        end)

        local cases = {
            { "nil data", nil, 0 },
            { "xingtu.null", xingtu.null, 0 },
            { "empty object", {}, 0 },
            { "empty list", { video_touch = {} }, 0 },
            { "a list without distribution_data", { authors = { { name = "x" } } }, 0 },
            { "one node", { video_touch = { node("a", 5) } }, 1 },
            { "a zero parent", { video_touch = { node("a", 0, "second_distribution", { node("b", 0) }) } }, 2 },
            { "missing cnt", { video_touch = { { distribution_data = { name = "a" } } } }, 1 },
            { "string cnt", { video_touch = { node("a", "12") } }, 1 },
            { "null name", { video_touch = { node(xingtu.null, 3) } }, 1 },
        }
        for _, case in ipairs(cases) do
            it("copes with " .. case[1] .. " and never yields NaN or infinity", function()
                local rows = touch.flatten(case[2])
                assert.equal(case[3], #rows)
                for _, r in ipairs(rows) do
                    assert.is_true(finite(r.share_of_parent) and finite(r.share_of_total))
                    assert.is_true(r.share_of_parent >= 0 and r.share_of_total >= 0)
                end
            end)
        end

        it("gives shares of 0 below a parent with cnt 0", function()
            local rows = touch.flatten { video_touch = { node("a", 0, "second_distribution", { node("b", 7) }),
                node("c", 10) } }
            assert.equal(0, rows[2].share_of_parent)
            assert.equal(0.7, rows[2].share_of_total)
            assert.equal(0, rows[1].share_of_total)
        end)

        it("flattens every list whose items carry distribution_data and keeps its name on each row", function()
            local rows = touch.flatten {
                live_touch = { node("x", 1) },
                video_touch = { node("a", 3, "second_distribution", { node("b", 1) }) },
                base_resp = { status_code = 0 },
            }
            assert.equal(3, #rows)
            assert.equal("video_touch", rows[1].list)
            assert.equal("video_touch", rows[2].list)
            assert.equal("live_touch", rows[3].list)
            assert.equal(1, rows[3].share_of_total)
        end)

        it("follows children lists of any name and depth", function()
            local rows = touch.flatten { video_touch = { node("a", 8, "kids", { node("b", 4, "more",
                { node("c", 2, "deeper", { node("d", 1) }) }) }) } }
            assert.equal(4, #rows)
            assert.same({ "a", "b", "c", "d" }, rows[4].path)
            assert.equal(0.5, rows[4].share_of_parent)
            assert.equal(1 / 8, rows[4].share_of_total)
        end)
    end)

    describe("top", function()
        local data = { video_touch = {
            node("a", 10, "second_distribution", { node("a1", 3), node("a2", 6) }),
            node("b", 30, "second_distribution", { node("b1", 6), node("b2", 6) }),
            node("c", 10),
        } }
        it("returns the n largest at a level, ties in data order", function()
            local top = touch.top(data, 2)
            assert.same({ "b", "a" }, { top[1].name, top[2].name })
            local all = touch.top(touch.flatten(data), 10, 2)
            assert.same({ "a2", "b1", "b2", "a1" }, { all[1].name, all[2].name, all[3].name, all[4].name })
        end)
        it("filters by parent", function()
            local top = touch.top(data, 5, { level = 2, parent = "a" })
            assert.equal(2, #top)
            assert.equal("a2", top[1].name)
        end)
        it("returns nothing for an empty input", function()
            assert.same({}, touch.top({}, 3))
        end)
    end)

    describe("compare", function()
        it("builds a category x creator matrix of shares, 0 where a creator lacks a category", function()
            local a = { video_touch = { node("x", 3), node("y", 1) } }
            local b = { video_touch = { node("y", 1), node("z", 1) } }
            local m = touch.compare({ { label = "A", data = a }, { label = "B", data = b } })
            assert.same({ "A", "B" }, m.creators)
            assert.same({ "x", "y", "z" }, m.categories)
            assert.equal(0.75, m.rows[1].A)
            assert.equal(0, m.rows[1].B)
            assert.equal(0.5, m.value("y", "B"))
            assert.equal(0, m.value("nope", "A"))
        end)
        it("accepts a label -> data table and level 2 categories by path", function()
            local a = { video_touch = { node("x", 4, "second_distribution", { node("p", 2) }) } }
            local m = touch.compare({ B = a, A = a }, { level = 2, metric = "share_of_parent" })
            assert.same({ "A", "B" }, m.creators)
            assert.same({ "x / p" }, m.categories)
            assert.equal(0.5, m.rows[1].A)
        end)
    end)
end)

describe("xingtu.ranges", function()
    describe("parse", function()
        local cases = {
            { "1000-5000", 1000, 5000, nil },
            { "2.5w-12.6w", 25000, 126000, nil },
            { "4208-1.2w", 4208, 12000, nil },
            { "1-5w", 10000, 50000, nil },
            { "3万-5万", 30000, 50000, nil },
            { "1.5亿-2亿", 150000000, 200000000, nil },
            { "2k-3K", 2000, 3000, nil },
            { "0.5%-1%", 0.005, 0.01, "%" },
            { "3%-15%", 0.03, 0.15, "%" },
            { "1-2%", 0.01, 0.02, "%" },
            { "≥100", 100, nil, nil },
            { ">100", 100, nil, nil },
            { "<1000", nil, 1000, nil },
            { "≤1.5w", nil, 15000, nil },
            { "100+", 100, nil, nil },
            { "1000以上", 1000, nil, nil },
            { "500", 500, 500, nil },
            { "1.2w", 12000, 12000, nil },
            { " 10 - 20 ", 10, 20, nil },
            { "10~20", 10, 20, nil },
            { "1,000-5,000", 1000, 5000, nil },
            { "≥27", 27, nil, nil },
        }
        for _, c in ipairs(cases) do
            it(("parses %q"):format(c[1]), function()
                local r = ranges.parse(c[1])
                assert.equal(c[1], r.raw)
                assert.equal(c[2], r.min)
                assert.equal(c[3], r.max)
                assert.equal(c[4], r.unit)
            end)
        end
        it("computes from decimal digits: 1.2w is the integer 12000", function()
            assert.equal("integer", math.type(ranges.parse("1.2w").min))
            assert.equal("integer", math.type(ranges.parse("2.5w-12.6w").max))
        end)
        it("marks exclusive bounds", function()
            assert.is_true(ranges.parse(">5").exclusive)
            assert.is_nil(ranges.parse("≥5").exclusive)
        end)
        for _, nodata in ipairs { "-", "", "--", " - " } do
            it(("returns nil for no data %q"):format(nodata), function()
                assert.is_nil(ranges.parse(nodata))
            end)
        end
        it("returns nil for nil and xingtu.null", function()
            assert.is_nil(ranges.parse(nil))
            assert.is_nil(ranges.parse(xingtu.null))
        end)
        for _, bad in ipairs { "n/a", "abc-def", "5-1", "1--2", "¥100", "1.2.3", "10x", "≥", "+" } do
            it(("keeps %q as raw with min and max nil"):format(bad), function()
                local r = ranges.parse(bad)
                assert.equal(bad, r.raw)
                assert.is_nil(r.min)
                assert.is_nil(r.max)
            end)
        end
    end)

    it("parses every *_range field of the fixture", function()
        local data = fixture("convert_ability.json").data
        local all = ranges.all(data)
        assert.same({ min = 25000, max = 126000, raw = "2.5w-12.6w" }, all.avg_sales_amount_range)
        assert.same({ min = 0.03, max = 0.15, unit = "%", raw = "3%-15%" }, all.component_click_rate_range)
        assert.is_nil(all.related_cpc_range)
        local rows = ranges.rows(data)
        assert.equal(6, #rows)
        assert.equal("avg_sales_amount_range", rows[1].field)
        assert.equal("related_cpc_range", rows[6].field)
        assert.equal("-", rows[6].raw)
        assert.is_nil(rows[6].min)
    end)
end)

describe("xingtu.query", function()
    local people = {
        { name = "a", city = "北京", n = 3 },
        { name = "b", city = "上海", n = 1 },
        { name = "c", city = "北京", n = 2 },
        { name = "d", city = "上海", n = 2 },
        { name = "e" },
    }

    it("filters by field = value, by operator and by predicate", function()
        assert.equal(2, query(people):where("city", "北京"):count())
        assert.equal(3, query(people):where("n", ">=", 2):count())
        assert.equal(1, query(people):where(function(p) return p.n == nil end):count())
        assert.equal(1, query(people):where("city", "=", nil):count()) -- the operator form, not city == "="
        assert.equal(4, query(people):where("city", "~=", nil):count())
    end)

    it("sorts stably ascending and descending, rows without the field last", function()
        local asc = query(people):sort("n"):select("name"):all()
        assert.same({ "b", "c", "d", "a", "e" }, { asc[1].name, asc[2].name, asc[3].name, asc[4].name, asc[5].name })
        local desc = query(people):sort("n", "desc"):all()
        assert.same({ "a", "c", "d", "b", "e" },
            { desc[1].name, desc[2].name, desc[3].name, desc[4].name, desc[5].name })
    end)

    it("selects and limits", function()
        local rows = query(people):select("name", "n"):limit(2):all()
        assert.same({ { name = "a", n = 3 }, { name = "b", n = 1 } }, rows)
        assert.same({}, query(people):limit(0):all())
    end)

    it("groups with counts and sums in first-seen order", function()
        local g = query(people):group_by("city", { "n" }):all()
        assert.same({ city = "北京", count = 2, n = 5 }, g[1])
        assert.same({ city = "上海", count = 2, n = 3 }, g[2])
        assert.same({ count = 1, n = 0 }, g[3])
    end)

    it("is lazy: limit stops pulling from an iterator", function()
        local pulled = 0
        local source = function()
            pulled = pulled + 1
            return { i = pulled }
        end
        local rows = query(source):where("i", ">", 2):limit(2):all()
        assert.same({ { i = 3 }, { i = 4 } }, rows)
        assert.equal(4, pulled)
    end)

    it("refuses to run an iterator query twice", function()
        local q = query(function() return nil end)
        q:all()
        assert.has_error(function() q:all() end)
    end)

    it("writes CSV per RFC 4180", function()
        local csv = query {
            { a = "x,y", b = 'say "hi"', c = "line\nbreak" },
            { a = 7012345678901234567, b = 0.1, c = true },
            { a = xingtu.null },
        }:csv { "a", "b", "c" }
        assert.equal('a,b,c\r\n"x,y","say ""hi""","line\nbreak"\r\n7012345678901234567,0.1,true\r\n,,\r\n', csv)
    end)

    it("uses the selected fields as CSV columns", function()
        assert.equal("n,name\r\n3,a\r\n", query(people):select("n", "name"):limit(1):csv())
    end)

    it("raises on misuse", function()
        assert.has_error(function() query(42) end)
        assert.has_error(function() query(people):sort("n", "up") end)
        assert.has_error(function() query(people):where("n", "<>", 1) end)
        assert.has_error(function() query(people):where("n", ">", nil) end,
            "xingtu.query: where: > needs a value to compare with, got nil")
    end)
end)

describe("xingtu.pages", function()
    local function page_of(items, has_more, list_name)
        return fake.ok { base_resp = {}, [list_name or "authors"] = items,
            pagination = { has_more = has_more, total_count = 99 } }
    end

    it("iterates items across pages and stops at the first empty page", function()
        local t = fake.transport {
            page_of({ { n = 1 }, { n = 2 } }, true),
            page_of({ { n = 3 } }, true),
            page_of({}, true),
        }
        local client = xingtu.new { token = "t", transport = t, sleep = no_sleep }
        local got, pages_seen = {}, {}
        for i, item, info in client:pages("search", { keyword = "x" }, { max_pages = 10 }) do
            got[#got + 1] = item.n
            pages_seen[#pages_seen + 1] = info.page
            assert.equal(#got, i)
        end
        assert.same({ 1, 2, 3 }, got)
        assert.same({ 1, 1, 2 }, pages_seen)
        assert.equal(3, t:count())
        assert.matches("page=3", t.urls[3])
    end)

    it("never fetches more than max_pages", function()
        local t = fake.transport { page_of({ { n = 1 } }, true) }
        local client = xingtu.new { token = "t", transport = t, sleep = no_sleep }
        local n = 0
        for _ in xingtu.pages(client, "homepage_videos", { o_author_id = "1" }, { max_pages = 3 }) do n = n + 1 end
        assert.equal(3, n)
        assert.equal(3, t:count())
    end)

    it("stops after a page that says has_more = false", function()
        local t = fake.transport { page_of({ { n = 1 } }, false, "list") }
        local client = xingtu.new { token = "t", transport = t, sleep = no_sleep }
        local n = 0
        for _ in client:pages("convert_resources", { o_author_id = "1" }) do n = n + 1 end
        assert.equal(1, n)
        assert.equal(1, t:count())
    end)

    it("yields a failed page once as i, nil, err", function()
        local t = fake.transport { page_of({ { n = 1 } }, true), fake.code(400) }
        local client = xingtu.new { token = "t", transport = t, sleep = no_sleep }
        local seen = {}
        for i, item, info in client:pages("search", {}) do seen[#seen + 1] = { i, item, info } end
        assert.equal(2, #seen)
        assert.is_nil(seen[2][2])
        assert.equal("invalid_params", seen[2][3].kind)
    end)

    it("finds item lists of any name", function()
        assert.same({ { x = 1 } }, (pages.items_of { base_resp = { a = 1 }, creators = { { x = 1 } } }))
        local items, name = pages.items_of { videos = {} }
        assert.same({}, items)
        assert.equal("videos", name)
        assert.same({}, (pages.items_of(xingtu.null)))
    end)

    it("refuses a method without pages", function()
        local client = xingtu.new { token = "t", transport = fake.transport {} }
        assert.has_error(function() client:pages("touch_distribution", {}) end,
            "xingtu.pages: touch_distribution is not a paged method; paged methods: convert_resources, "
            .. "homepage_videos, search")
    end)

    it("combines with query: limit fetches no page more than needed", function()
        local t = fake.transport { page_of({ { n = 1 }, { n = 2 } }, true) }
        local client = xingtu.new { token = "t", transport = t, sleep = no_sleep }
        local it, state, ctl = client:pages("search", {}, { max_pages = 50 })
        local rows = query(function()
            local i, item = it(state, ctl)
            ctl = i
            return item
        end):limit(3):all()
        assert.equal(3, #rows)
        assert.equal(2, t:count())
    end)
end)
