-- examples/nginx's HTML pages against the sandbox, in a real nginx (LuaJIT): GET /creators/<id>/report.html and
-- GET /compare.html?ids=a,b,c render the same page as `xingtu report --html` / `xingtu compare --html`, answer a
-- second time from the shared cache without buying again, and refuse a bad id with a 400 page.

local nginx_helper = require "helpers.nginx"
local sandbox = require "helpers.sandbox"

describe("examples/nginx HTML pages", function()
    local example
    setup(function()
        sandbox.start()
        sandbox.reset()
        example = nginx_helper.example { token = sandbox.token, base_url = sandbox.url }
    end)
    teardown(function()
        nginx_helper.stop(example)
        sandbox.reset()
    end)
    before_each(function() sandbox.reset() end)

    it("serves one creator's report at /creators/<id>/report.html, the second time from the cache", function()
        local res = sandbox.get(example.url .. "/creators/7100000000000000011/report.html")
        assert.equal(200, res.status, res.body)
        assert.matches("^text/html", res.headers["content-type"])
        assert.truthy(res.body:find('<svg class="chart touch"', 1, true))
        assert.truthy(res.body:find('<svg class="chart heatmap"', 1, true))
        assert.truthy(res.body:find("<td>7100000000000000011</td>", 1, true))
        assert.equal(2, sandbox.stats().requests)
        local again = sandbox.get(example.url .. "/creators/7100000000000000011/report.html")
        assert.equal(200, again.status)
        assert.equal(2, sandbox.stats().requests)
    end)

    it("serves a comparison of several ids at /compare.html?ids=a,b,c", function()
        local ids = { "7100000000000000021", "7100000000000000022", "7100000000000000023" }
        local res = sandbox.get(example.url .. "/compare.html?ids=" .. table.concat(ids, ","))
        assert.equal(200, res.status, res.body)
        for _, id in ipairs(ids) do
            assert.truthy(res.body:find('<g class="creator" data-id="' .. id .. '">', 1, true), id)
        end
        assert.truthy(res.body:find('<table id="xt-table"', 1, true))
    end)

    it("refuses an id that is not digits with a 400 page, buying nothing", function()
        local res = sandbox.get(example.url .. "/compare.html?ids=1,<script>")
        assert.equal(400, res.status)
        assert.falsy(res.body:find("<script>", 1, true))
        assert.equal(0, sandbox.stats().requests)
    end)
end)
