-- The client's contract, checked through a fake transport (no HTTP): options, validation, errors, billing, masking.
local xingtu = require "xingtu"
local fake = require "helpers.fake"
local util = require "helpers.util"

local TOKEN = "tok-SECRET-1234"
local AUTHOR = "6976442543234760712"

local function client_with(answers, opts)
    local t = fake.transport(answers)
    opts = opts or {}
    opts.token = opts.token or TOKEN
    opts.transport = t
    local clock = fake.clock()
    opts.clock = opts.clock or clock.now
    opts.sleep = opts.sleep or clock.sleep
    return xingtu.new(opts), t, clock
end

local function raises(pattern, f, ...)
    local ok, err = pcall(f, ...)
    assert.is_false(ok, "expected an error matching " .. pattern)
    assert.matches(pattern, tostring(err))
    return err
end

describe("xingtu", function()
    describe("module", function()
        it("has a version string", function()
            assert.is_string(xingtu.VERSION)
            assert.matches("^%d+%.%d+%.%d+", xingtu.VERSION)
        end)

        it("uses the very same null as cjson", function()
            local cjson = require "cjson"
            assert.is_true(xingtu.null == cjson.null)
            assert.is_true(xingtu.json.null == cjson.null)
        end)

        it("exposes the C decoder as xingtu.json.decode", function()
            assert.same({ a = 1 }, xingtu.json.decode('{"a":1}'))
        end)
    end)

    describe("new", function()
        local saved
        before_each(function() saved = os.getenv("JUSTONEAPI_TOKEN") end)

        it("raises a clear error naming both ways to set a missing token", function()
            if not saved then
                local err = raises("no API token", xingtu.new, { transport = fake.transport() })
                assert.matches("token =", err)
                assert.matches("JUSTONEAPI_TOKEN", err)
            end
            -- Also (and when this environment has a token) in a process without one.
            local lua = arg and arg[-1] or "lua5.4"
            local script = "package.path = 'lua/?.lua;' .. package.path; package.cpath = [[" .. package.cpath .. "]]; "
                .. "local ok, err = pcall(require('xingtu').new, "
                .. "{ transport = { get = print } }); io.write(tostring(ok), ' ', tostring(err))"
            local f = assert(io.popen("env -u JUSTONEAPI_TOKEN " .. util.lua_child_env() .. lua .. " -e \"" .. script
                .. "\" 2>&1"))
            local out = f:read("a")
            f:close()
            assert.matches("^false .*no API token.*token =.*JUSTONEAPI_TOKEN", out)
        end)

        it("reads the token from JUSTONEAPI_TOKEN when none is given", function()
            local lua = arg and arg[-1] or "lua5.4"
            local script = "package.path = 'lua/?.lua;' .. package.path; package.cpath = [[" .. package.cpath .. "]]; "
                .. "local c = require('xingtu').new{ transport = "
                .. "{ get = function(_, url) io.write(url) return { status = 0, error = 'connect', sent = false } end }"
                .. ", retries = 0 }; c:touch_distribution{ o_author_id = '1' }"
            local f = assert(io.popen("env JUSTONEAPI_TOKEN=from-the-env " .. util.lua_child_env() .. lua .. " -e \""
                .. script .. "\" 2>&1"))
            local out = f:read("a")
            f:close()
            assert.matches("[?&]token=from%-the%-env&", out)
        end)

        it("defaults to the provider's recommendations: 60 s a call, 10 s to connect, 3 retries", function()
            local p = xingtu.new({ token = TOKEN, transport = fake.transport() }).pipeline
            assert.equal(60, p.timeout)
            assert.equal(10, p.transport_options.connect_timeout)
            assert.same({ 3, 0.5, 20, false }, { p.policy.retries, p.policy.base, p.policy.cap, p.policy.retry_unknown })
            if not os.getenv("JUSTONEAPI_BASE_URL") then assert.equal("https://api.justoneapi.com", p.base_url) end
        end)

        it("refuses a base_url that is not http or https", function()
            raises("base_url must be an http:// or https:// URL", xingtu.new,
                { token = TOKEN, base_url = "file:///etc/passwd", transport = fake.transport() })
            raises("base_url", xingtu.new, { token = TOKEN, base_url = "ftp://x", transport = fake.transport() })
        end)

        it("refuses a base_url with a query or a fragment, and keeps a path prefix", function()
            for _, url in ipairs { "https://h/api?x=1", "https://h?x", "https://h/#top" } do
                raises("without a query, a fragment or blanks", xingtu.new, { token = TOKEN, base_url = url,
                    transport = fake.transport() })
            end
            local c, t = client_with({ fake.ok({}) }, { base_url = "https://proxy.example/xingtu/" })
            assert(c:touch_distribution { o_author_id = AUTHOR })
            assert.matches("^https://proxy%.example/xingtu/api/douyin%-xingtu/", t.urls[1])
        end)

        it("rejects unknown options, listing the valid ones", function()
            raises("unknown option tiemout; valid options: .*timeout", xingtu.new,
                { token = TOKEN, tiemout = 3, transport = fake.transport() })
        end)

        it("rejects options of the wrong type", function()
            raises("option timeout must be a number of seconds from 0.001 to 86400, got %-1", xingtu.new,
                { token = TOKEN, timeout = -1, transport = fake.transport() })
            raises("option retries", xingtu.new, { token = TOKEN, retries = 1.5, transport = fake.transport() })
        end)

        it("never shows the token when printed", function()
            local c = client_with({})
            assert.not_matches(TOKEN, tostring(c), 1, true)
            assert.matches("%*%*%*", tostring(c))
            for k, v in pairs(c) do
                assert.not_equal(TOKEN, v, "client field " .. tostring(k) .. " holds the token")
            end
        end)
    end)

    describe("calls", function()
        it("sends the author id exactly, as a string or an integer", function()
            local c, t = client_with({ fake.ok({}) })
            c:touch_distribution { o_author_id = AUTHOR }
            if rawget(_G, "jit") then
                -- LuaJIT: the literal is a double that cannot hold the id; it is refused before anything is sent
                assert.has_error(function() c:touch_distribution { o_author_id = 6976442543234760712 } end)
                assert.are.equal(1, #t.urls)
                c:touch_distribution { o_author_id = AUTHOR }
            else
                c:touch_distribution { o_author_id = 6976442543234760712 }
            end
            assert.matches("oAuthorId=" .. AUTHOR, t.urls[1], 1, true)
            assert.matches("oAuthorId=" .. AUTHOR, t.urls[2], 1, true)
        end)

        it("goes to the documented paths", function()
            local c, t = client_with({ fake.ok({}) })
            c:touch_distribution { o_author_id = AUTHOR, platform = "LIVE_STREAMING" }
            c:convert_ability { o_author_id = AUTHOR, range = "DAY_90" }
            assert.matches("/api/douyin%-xingtu/gw/api/data_sp/author_touch_distribution/v1%?", t.urls[1])
            assert.matches("platform=LIVE_STREAMING", t.urls[1])
            assert.matches("/api/douyin%-xingtu/gw/api/data_sp/get_author_convert_ability/v1%?", t.urls[2])
            assert.matches("range=DAY_90", t.urls[2])
        end)

        it("accepts the raw API names as well as snake_case", function()
            local c, t = client_with({ fake.ok({}) })
            c:convert_ability { oAuthorId = AUTHOR, platform = "SHORT_DRAMA" }
            assert.matches("oAuthorId=" .. AUTHOR, t.urls[1], 1, true)
        end)

        it("percent-encodes query values", function()
            local c, t = client_with({ fake.ok({}) }, { token = "a b&c=d/é" })
            c:search { keyword = "美妆 & more" }
            assert.matches("token=a%20b%26c%3Dd%2F%C3%A9", t.urls[1], 1, true)
            assert.matches("keyword=%E7%BE%8E%E5%A6%86%20%26%20more", t.urls[1], 1, true)
        end)

        it("returns data and meta on success", function()
            local c = client_with({ fake.ok({ video_touch = { { distribution_data = { cnt = 1, name = "x" } } } }) })
            local data, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("x", data.video_touch[1].distribution_data.name)
            assert.equal(0, meta.code)
            assert.equal("success", meta.message)
            assert.equal("req-0", meta.request_id)
            assert.equal("2026-11-23 10:00:00", meta.record_time)
            assert.equal(200, meta.http_status)
            assert.is_number(meta.elapsed)
            assert.equal(1, meta.attempts)
            assert.matches("token=%*%*%*", meta.url)
            assert.not_matches(TOKEN, meta.url, 1, true)
        end)

        it("returns null, not nil, when a successful envelope has no data", function()
            local c = client_with({ { status = 200, body = { code = 0, message = "ok" }, sent = true } })
            local data = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(xingtu.null, data)
        end)

        it("is callable by name through client:call", function()
            local c, t = client_with({ fake.ok({ ok = true }) })
            local data = c:call("convert_ability", { o_author_id = AUTHOR })
            assert.is_true(data.ok)
            assert.equal(1, t:count())
            raises("unknown endpoint nope; valid endpoints: ", c.call, c, "nope", {})
        end)

        it("offers client:get as a raw escape hatch", function()
            local c, t = client_with({ fake.ok({ raw = 1 }) })
            local data = c:get("/api/douyin-xingtu/some/new/endpoint/v1", { oAuthorId = AUTHOR, flag = true })
            assert.equal(1, data.raw)
            assert.matches("/some/new/endpoint/v1%?token=.*&flag=true&oAuthorId=" .. AUTHOR, t.urls[1])
            raises("path must be a string starting with /", c.get, c, "api/x", {})
        end)
    end)

    describe("argument checks", function()
        local c, t
        before_each(function() c, t = client_with({ fake.ok({}) }) end)
        after_each(function() assert.equal(0, t:count(), "a bad call reached the transport") end)

        it("reject an unknown parameter, listing the valid ones", function()
            raises("touch_distribution: unknown parameter \"range\"; valid parameters: o_author_id, platform",
                c.touch_distribution, c, { o_author_id = AUTHOR, range = "DAY_30" })
        end)

        it("reject a missing author id", function()
            raises("missing required parameter o_author_id %(oAuthorId%)", c.touch_distribution, c, {})
            raises("missing required parameter o_author_id", c.convert_ability, c)
        end)

        it("reject empty or non-numeric author ids", function()
            raises("parameter o_author_id must not be empty", c.touch_distribution, c, { o_author_id = "" })
            raises("parameter o_author_id must be a string of digits, got \"abc\"", c.touch_distribution, c,
                { o_author_id = "abc" })
            raises("must be given as a string or an integer", c.touch_distribution, c, { o_author_id = 1.5 })
            raises("must be a string of digits, got table", c.touch_distribution, c, { o_author_id = {} })
        end)

        it("reject unknown enum values, listing the valid ones", function()
            raises("parameter platform \"TV\" is not one of SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA",
                c.touch_distribution, c, { o_author_id = AUTHOR, platform = "TV" })
            raises("parameter range \"DAY_7\" is not one of DAY_30, DAY_90", c.convert_ability, c,
                { o_author_id = AUTHOR, range = "DAY_7" })
        end)

        it("accept the provider's own default where it is an id outside the listed names", function()
            local c2, sent = client_with({ fake.ok({}) })
            assert(c2:live_statistics { o_author_id = AUTHOR, live_type = "1", period = 30, flow_type = "0" })
            assert.matches("liveType=1&period=30&flowType=0", sent.urls[1], 1, true)
            assert(c2:contract_info { o_author_id = AUTHOR, range = 90 })
            assert(c2:live_watch_distribution { o_author_id = AUTHOR, live_crowd_type = "2" })
            raises("parameter live_type \"7\" is not one of ALL, GAME, ECOMMERCE, OTHER %(or \"1\", the provider's "
                .. "default%)", c2.live_statistics, c2, { o_author_id = AUTHOR, live_type = "7" })
        end)

        it("reject a parameter given under both names", function()
            raises("given twice", c.touch_distribution, c, { o_author_id = AUTHOR, oAuthorId = AUTHOR })
        end)

        it("reject a non-table argument", function()
            raises("expected a table of parameters, got string", c.touch_distribution, c, AUTHOR)
        end)

        it("point the error at the caller's line", function()
            local ok, err = pcall(function() c:touch_distribution {} end)
            assert.is_false(ok)
            assert.matches("client_spec.lua:%d+:", err)
        end)
    end)

    describe("failures", function()
        local cases = {
            { 100, "invalid_token", false, false },
            { 201, "not_found", false, true },
            { 301, "collection_failed", true, false },
            { 302, "rate_limited", true, false },
            { 303, "quota_exceeded", false, false },
            { 400, "invalid_params", false, false },
            { 500, "server_error", true, false },
            { 600, "permission_denied", false, false },
            { 601, "insufficient_balance", false, false },
            { 602, "token_limit_exceeded", false, false },
            { 777, "api_error", false, "unknown" },
        }
        for _, case in ipairs(cases) do
            local code, kind, retryable, billed = case[1], case[2], case[3], case[4]
            it(("map business code %d to %s (billed: %s)"):format(code, kind, tostring(billed)), function()
                local c = client_with({ fake.code(code) }, { retries = 0 })
                local data, err = c:touch_distribution { o_author_id = AUTHOR }
                assert.is_nil(data)
                assert.equal(kind, err.kind)
                assert.equal(code, err.code)
                assert.equal(retryable, err.retryable)
                assert.equal(billed, err.billed)
                assert.equal(200, err.http_status)
                assert.equal("touch_distribution", err.endpoint)
                assert.equal("req-" .. code, err.request_id)
                assert.equal("code " .. code, err.message)
            end)
        end

        it("treat only the number 0 as success", function()
            local c = client_with({ { status = 200, body = { code = "0", data = {} }, sent = true } }, { retries = 0 })
            local data, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.equal("bad_response", err.kind)
        end)

        it("treat a float code (0.0) as not the provider's envelope", function()
            if not math.type then return pending("LuaJIT holds 0.0 and 0 alike") end
            local c = client_with({ { status = 200, body = { code = 0.0, data = {} }, sent = true } }, { retries = 0 })
            local data, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.equal("bad_response", err.kind)
        end)

        it("map HTTP 429 without an envelope to rate_limited", function()
            local c = client_with({ fake.http(429, "slow down") }, { retries = 0 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("rate_limited", err.kind)
            assert.is_true(err.retryable)
        end)

        it("map an HTML 502 page to server_error with unknown billing", function()
            local c = client_with({ fake.http(502, "<html><body>502 Bad Gateway</body></html>") }, { retries = 0 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("server_error", err.kind)
            assert.equal(502, err.http_status)
            assert.equal("unknown", err.billed)
            assert.matches("502 Bad Gateway", err.message)
        end)

        it("map a 200 that is not JSON to bad_response", function()
            local c = client_with({ fake.http(200, "hello") }, { retries = 0 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("bad_response", err.kind)
            assert.equal("unknown", err.billed)
            assert.is_false(err.retryable)
        end)

        it("map JSON that is not an envelope to bad_response", function()
            local c = client_with({ { status = 200, body = { hello = "world" }, sent = true } }, { retries = 0 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("bad_response", err.kind)
        end)

        it("map transport failures by whether the request left", function()
            local rows = {
                { fake.transport_error("connect", false), "network", false },
                { fake.transport_error("resolve", false), "network", false },
                { fake.transport_error("timeout", false), "network", false },
                { fake.transport_error("timeout", true), "timeout", "unknown" },
                { fake.transport_error("recv", true), "network", "unknown" },
                { fake.transport_error("partial", true), "network", "unknown" },
                { fake.transport_error("too_large", true), "bad_response", "unknown" },
            }
            for _, row in ipairs(rows) do
                local c = client_with({ row[1] }, { retries = 0 })
                local _, err = c:touch_distribution { o_author_id = AUTHOR }
                assert.equal(row[2], err.kind, row[1].error)
                assert.equal(row[3], err.billed, row[1].error)
            end
        end)

        it("print as one readable line", function()
            local c = client_with({ fake.code(601) })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            local line = tostring(err)
            assert.matches("^xingtu: insufficient_balance %(code 601, HTTP 200%) in touch_distribution: code 601", line)
            assert.not_matches("\n", line)
        end)

        it("never carry the token, even when the provider echoes it", function()
            local echo = fake.code(400, 200)
            echo.body.message = "bad request for token=" .. TOKEN .. " and " .. TOKEN:gsub("%-", "%%2D")
            local c = client_with({ echo })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.not_matches(TOKEN, tostring(err), 1, true)
            for k, v in pairs(err) do
                if type(v) == "string" then assert.not_matches(TOKEN, v, 1, true, k) end
            end
            assert.matches("%*%*%*", err.message)
        end)

        it("never carry the token in a success's meta, even when the provider echoes it", function()
            local echo = fake.ok({})
            echo.body.message = "ok for token " .. TOKEN
            echo.body.requestId = "req-" .. TOKEN
            echo.body.recordTime = TOKEN
            local c = client_with({ echo })
            local data, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_table(data)
            for k, v in pairs(meta) do
                if type(v) == "string" then assert.not_matches(TOKEN, v, 1, true, k) end
            end
            assert.equal("ok for token ***", meta.message)
        end)

        it("never carry the token in err.previous, the failure before a budget stop", function()
            local echo = fake.code(302, 200)
            echo.body.message = "slow down " .. TOKEN
            local c = client_with({ echo }, { max_calls = 1, retries = 2 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("budget_exceeded", err.kind)
            assert.equal("rate_limited", err.previous.kind)
            assert.not_matches(TOKEN, tostring(err.previous), 1, true)
            assert.equal("slow down ***", err.previous.message)
        end)
    end)
end)
