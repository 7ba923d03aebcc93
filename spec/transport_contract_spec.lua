-- The transport result's contract (lua/xingtu/result.lua), one set of cases (spec/helpers/result_cases.lua) run
-- against every implementation: the C core's core.session and core.multi, the nginx transport inside a real nginx,
-- the specs' fakes (spec/helpers/fake.lua), and a transport of one new file (spec/helpers/curl_cli_transport.lua,
-- over the curl command line) that the client then uses with no edit to the pipeline.
local cjson = require "cjson"
local core = require "xingtu.core"
local fake = require "helpers.fake"
local nginx_helper = require "helpers.nginx"
local result_cases = require "helpers.result_cases"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"
local xingtu = require "xingtu"

local KEY = nginx_helper.REGISTRY_KEY .. ".contract"

-- What the sandbox does not do: a chunked answer (no Content-Length), from the nginx this spec starts.
local LOCATIONS = [[
        location /case/ { content_by_lua_block { require("helpers.ngx_cases").run() } }
        location = /chunked {
            content_by_lua_block {
                ngx.header["Content-Type"] = "application/json"
                ngx.print('{"code":0,"message":"success",')
                ngx.flush(true)
                ngx.print('"data":{"chunked":true}}')
            }
        }
]]

local function problems_text(list)
    return #list == 0 and "" or ("\n  " .. table.concat(list, "\n  "))
end

describe("the transport result", function()
    local own, refused, holder, ctx

    setup(function()
        sandbox.start()
        own = nginx_helper.lua_server(LOCATIONS, KEY, { token = sandbox.token, base_url = sandbox.url })
        refused, holder = util.refusing_port()
        ctx = { base = sandbox.url, token = sandbox.token, refused = refused, own = own.url }
    end)

    teardown(function()
        nginx_helper.stop(own)
        if holder then holder:close() end
        sandbox.reset()
    end)

    before_each(function() sandbox.reset() end)

    local function prepare(case)
        if case.fault then sandbox.fault(case.fault) end
        return case.url(ctx)
    end

    -- Each implementation: its name, whether its results carry a tag, and how it answers one case.
    local IMPLEMENTATIONS = {
        { "core.session", false, function(case)
            local s = core.session(case.opts)
            local r = s:get(prepare(case))
            s:close()
            return r
        end },
        { "core.multi", true, function(case)
            local opts = { concurrency = 2 }
            for k, v in pairs(case.opts or {}) do opts[k] = v end
            local m = core.multi(opts)
            m:add(prepare(case), "the tag")
            local got
            for _ = 1, 100 do
                got = m:poll(1)[1]
                if got then break end
            end
            m:close()
            assert.equal("the tag", got and got.tag)
            return got
        end },
        { "the specs' fake transport", false, function(case)
            return fake.transport({ case.fake(fake) }):get(prepare(case))
        end, function(case) return case.fake ~= nil end }, -- a fake keeps no text: keep_text is not a fake's
        { "a transport over the curl command line (one new file)", false, function(case)
            return require("helpers.curl_cli_transport").new(case.opts):get(prepare(case))
        end },
    }

    for _, impl in ipairs(IMPLEMENTATIONS) do
        local name, tagged, answer, applies = impl[1], impl[2], impl[3], impl[4]
        describe("from " .. name, function()
            for _, case in ipairs(result_cases.list) do
                if not applies or applies(case) then
                    it("says " .. case.says, function()
                        local problems = result_cases.problems(case, answer(case), tagged)
                        assert(#problems == 0, case.name .. ":" .. problems_text(problems))
                    end)
                end
            end
        end)
    end

    describe("from the nginx transport inside nginx", function()
        for _, case in ipairs(result_cases.list) do
            it("says " .. case.says, function()
                if case.fault then sandbox.fault(case.fault) end
                local res = sandbox.get(("%s/case/contract?name=%s&base=%s&refused=%d"):format(own.url, case.name,
                    sandbox.url, refused))
                assert.equal(200, res.status, res.body)
                local got = cjson.decode(res.body)
                local problems = got.problems or {}
                assert(#problems == 0, case.name .. ":" .. problems_text(problems))
            end)
        end
    end)

    describe("a client on the transport of one new file", function()
        it("calls, batches and caches with it as with the C core's, through the same pipeline", function()
            local transport = require("helpers.curl_cli_transport").new { keep_text = true }
            local client = xingtu.new { token = sandbox.token, base_url = sandbox.url, transport = transport,
                cache = xingtu.cache.new { backend = xingtu.cache.memory() }, retries = 1, backoff_base = 0 }
            local data, meta = client:touch_distribution { o_author_id = "6976442543234760712" }
            assert(data, tostring(meta))
            assert.is_table(data.video_touch)
            local reqs = {}
            for i = 1, 4 do reqs[i] = { "side_info", { o_author_id = tostring(7000 + i) } } end
            sandbox.fault { code = 301 } -- one collection failure: retried, through the same transport
            local results = client:batch(reqs, { concurrency = 2 })
            for i = 1, 4 do assert(results[i].data, tostring(results[i].err)) end
            local again, meta2 = client:touch_distribution { o_author_id = "6976442543234760712" }
            assert.same(data, again)
            assert.is_true(meta2.cached)
            assert.equal(6, transport.requests) -- 1 + 4 + the retry; the repeated call was the cache's
            assert.equal(6, sandbox.stats().requests)
            assert.same({ sent = 6, succeeded = 5, failed = 0, retried = 1 },
                { sent = client:stats().sent, succeeded = client:stats().succeeded, failed = client:stats().failed,
                    retried = client:stats().retried })
            client:close()
        end)
    end)
end)
