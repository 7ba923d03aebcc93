-- core.limits and core.VERSION: the limits, defaults and version the C core and the Lua layer share
-- (csrc/xt_limits.h, CMake's project version). Each is written once; these specs check that every layer that
-- enforces one enforces the very value core.limits reports, and that every module reports the one version.
local core = require "xingtu.core"
local xingtu = require "xingtu"
local ngx_transport = require "xingtu.transport.ngx"

local limits = core.limits

local function raises(pattern, f, ...)
    local ok, err = pcall(f, ...)
    assert.is_false(ok, "expected an error matching " .. pattern)
    assert.matches(pattern, tostring(err))
end

-- Nested tables `depth` levels deep, as JSON text and as a Lua value.
local function nested_text(depth) return ("["):rep(depth) .. ("]"):rep(depth) end
local function nested_value(depth)
    local v = {}
    for _ = 2, depth do v = { v } end
    return v
end

describe("xingtu.core", function()
    describe("limits", function()
        it("are whole numbers, each default within its cap", function()
            local names = {}
            for k, v in pairs(limits) do
                names[#names + 1] = k
                assert.equal("number", type(v), k)
                assert.equal(math.floor(v), v, k)
                assert.is_true(v > 0, k)
            end
            table.sort(names)
            assert.same({ "concurrency_cap", "default_concurrency", "default_connect_timeout", "default_max_body",
                "default_max_depth", "default_timeout", "header_max", "max_body_cap", "max_depth_cap", "raw_max",
                "timeout_cap" }, names)
            assert.is_true(limits.default_concurrency <= limits.concurrency_cap)
            assert.is_true(limits.default_timeout <= limits.timeout_cap)
            assert.is_true(limits.default_connect_timeout <= limits.timeout_cap)
            assert.is_true(limits.default_max_body <= limits.max_body_cap)
            assert.is_true(limits.default_max_depth <= limits.max_depth_cap)
        end)

        it("bound core.multi's concurrency", function()
            core.multi({ concurrency = limits.concurrency_cap }):close()
            raises("integer from 1 to " .. limits.concurrency_cap .. " expected", core.multi,
                { concurrency = limits.concurrency_cap + 1 })
        end)

        it("bound the transfers' timeouts, max_body and max_depth", function()
            core.session({ timeout = limits.timeout_cap, connect_timeout = limits.timeout_cap,
                max_body = limits.max_body_cap, max_depth = limits.max_depth_cap }):close()
            raises("bad option 'timeout'", core.session, { timeout = limits.timeout_cap + 1 })
            raises("bad option 'connect_timeout'", core.session, { connect_timeout = limits.timeout_cap + 1 })
            raises("bad option 'max_body'", core.session, { max_body = limits.max_body_cap + 1 })
            raises("bad option 'max_depth' %(integer from 1 to " .. limits.max_depth_cap .. " expected%)",
                core.session, { max_depth = limits.max_depth_cap + 1 })
        end)

        it("bound the nesting core.decode and core.encode accept, and set their default", function()
            assert.is_table(core.decode(nested_text(limits.max_depth_cap), limits.max_depth_cap))
            raises("max_depth", core.decode, "[]", limits.max_depth_cap + 1)
            raises("max_depth", core.encode, {}, { max_depth = limits.max_depth_cap + 1 })
            assert.is_table(core.decode(nested_text(limits.default_max_depth)))
            assert.is_nil(core.decode(nested_text(limits.default_max_depth + 1)))
            assert.is_string(core.encode(nested_value(limits.default_max_depth)))
            assert.has_error(function() core.encode(nested_value(limits.default_max_depth + 1)) end)
        end)

        it("are the defaults and caps of the client, its batches and the nginx transport", function()
            local client = xingtu.new { token = "t", base_url = "http://127.0.0.1:9" }
            assert.equal(limits.default_timeout, client.pipeline.timeout)
            assert.equal(limits.default_connect_timeout, client.pipeline.transport_options.connect_timeout)
            raises("from 1 to " .. limits.concurrency_cap .. ", got", client.batch, client,
                { { "touch_distribution", { o_author_id = "1" } } }, { concurrency = limits.concurrency_cap + 1 })
            client:close()
            local t = ngx_transport.new(core, {})
            assert.equal(limits.default_timeout, t.timeout)
            assert.equal(limits.default_connect_timeout, t.connect_timeout)
            assert.equal(limits.default_max_body, t.max_body)
            raises("bad option 'max_depth'", ngx_transport.new, core, { max_depth = limits.max_depth_cap + 1 })
            raises("bad option 'timeout'", ngx_transport.new, core, { timeout = limits.timeout_cap + 1 })
            raises("integer from 1 to " .. limits.concurrency_cap .. " expected", t.multi, t,
                { concurrency = limits.concurrency_cap + 1 })
        end)

        it("is a copy: changing it changes nothing in the core", function()
            local saved = limits.concurrency_cap
            limits.concurrency_cap = 1
            core.multi({ concurrency = saved }):close()
            limits.concurrency_cap = saved
        end)
    end)

    describe("VERSION", function()
        it("is the one version every module reports", function()
            assert.matches("^%d+%.%d+%.%d+", core.VERSION)
            assert.equal(core.VERSION, xingtu.VERSION)
            assert.equal(core.VERSION, xingtu._VERSION)
            for _, name in ipairs { "xingtu.batch", "xingtu.cache", "xingtu.cache.shdict", "xingtu.pages",
                "xingtu.touch", "xingtu.ranges", "xingtu.query", "xingtu.transport.ngx", "xingtu.options",
                "xingtu.secret", "xingtu.catalogue", "xingtu.request", "xingtu.result", "xingtu.pipeline", "xingtu.stats",
                "xingtu.transport.serial", "xingtu.transport.ngx.http", "xingtu.transport.ngx.failure",
                "xingtu.transport.ngx.multi" } do
                assert.equal(core.VERSION, require(name)._VERSION, name)
            end
        end)
    end)
end)
