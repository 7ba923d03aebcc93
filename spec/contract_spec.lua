-- The founding contract end to end: real HTTP through the C core to the sandbox, the provider's stand-in.
local xingtu = require "xingtu"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local AUTHOR = "6976442543234760712"

describe("xingtu against the sandbox", function()
    local client

    setup(function()
        sandbox.start()
    end)

    before_each(function()
        sandbox.reset()
        client = xingtu.new { base_url = sandbox.url, token = sandbox.token, retries = 0, timeout = 5 }
    end)

    after_each(function()
        client:close()
    end)

    describe("touch_distribution", function()
        it("returns the documented shape as native tables", function()
            local data, meta = client:touch_distribution { o_author_id = AUTHOR, platform = "LIVE_STREAMING" }
            assert.is_table(data, tostring(meta))
            assert.is_table(data.video_touch)
            assert.is_true(#data.video_touch >= 1)
            for _, top in ipairs(data.video_touch) do
                assert.is_string(top.distribution_data.name)
                assert.equal("integer", math.type(top.distribution_data.cnt))
                assert.is_table(top.second_distribution)
            end
            assert.equal(0, data.base_resp.status_code)
        end)

        it("reports what the envelope said in meta, with the token masked", function()
            local _, meta = client:touch_distribution { o_author_id = AUTHOR }
            assert.equal(0, meta.code)
            assert.equal(200, meta.http_status)
            assert.is_string(meta.request_id)
            assert.is_string(meta.record_time)
            assert.is_true(meta.elapsed >= 0)
            assert.equal(sandbox.url .. "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1"
                .. "?token=***&oAuthorId=" .. AUTHOR, meta.url)
        end)

        it("sends an integer author id exactly", function()
            client:touch_distribution { o_author_id = 6976442543234760712 }
            assert.matches("oAuthorId=6976442543234760712", sandbox.last().query, 1, true)
        end)
    end)

    describe("convert_ability", function()
        it("returns the conversion ranges", function()
            local data, meta = client:convert_ability { o_author_id = AUTHOR, range = "DAY_90" }
            assert.is_table(data, tostring(meta))
            assert.is_string(data.gpm_range)
            assert.matches("range=DAY_90", sandbox.last().query, 1, true)
        end)

        it("matches the body the sandbox serves, decoded exactly", function()
            local data = assert(client:convert_ability { o_author_id = AUTHOR })
            local f = assert(io.open("spec/fixtures/convert_ability.json", "rb"))
            local fixture = xingtu.json.decode(f:read("a"))
            f:close()
            assert.same(fixture.data, data)
        end)
    end)

    describe("parameters", function()
        it("are percent-encoded", function()
            assert.is_table((client:search { keyword = "美妆 & more/100%" }))
            assert.matches("keyword=%E7%BE%8E%E5%A6%86%20%26%20more%2F100%25", sandbox.last().query, 1, true)
        end)

        it("that are wrong raise before anything is sent", function()
            assert.has_error(function() client:touch_distribution { o_author_id = AUTHOR, platform = "TV" } end)
            assert.has_error(function() client:convert_ability { o_author_id = "abc" } end)
            assert.has_error(function() client:convert_ability {} end)
            assert.equal(0, sandbox.stats().requests)
        end)
    end)

    describe("failures", function()
        local function call()
            return client:touch_distribution { o_author_id = AUTHOR }
        end

        it("an unknown token is invalid_token, not billed", function()
            local bad = xingtu.new { base_url = sandbox.url, token = "not-the-token", retries = 0 }
            local data, err = bad:touch_distribution { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.equal("invalid_token", err.kind)
            assert.equal(100, err.code)
            assert.is_false(err.billed)
            assert.not_matches("not-the-token", tostring(err), 1, true)
            bad:close()
        end)

        local business = {
            { 201, "not_found", true }, { 301, "collection_failed", false }, { 302, "rate_limited", false },
            { 303, "quota_exceeded", false }, { 500, "server_error", false }, { 601, "insufficient_balance", false },
            { 602, "token_limit_exceeded", false },
        }
        for _, row in ipairs(business) do
            it(("code %d from the provider is %s"):format(row[1], row[2]), function()
                sandbox.fault { code = row[1] }
                local data, err = call()
                assert.is_nil(data)
                assert.equal(row[2], err.kind)
                assert.equal(row[1], err.code)
                assert.equal(row[3], err.billed)
                assert.is_string(err.request_id)
            end)
        end

        it("an HTML 502 page is server_error of unknown billing", function()
            sandbox.fault { status = 502, html = 1 }
            local _, err = call()
            assert.equal("server_error", err.kind)
            assert.equal(502, err.http_status)
            assert.equal("unknown", err.billed)
            assert.is_nil(err.code)
        end)

        it("HTTP 429 without an envelope is rate_limited", function()
            sandbox.fault { status = 429, envelope = 0 }
            local _, err = call()
            assert.equal("rate_limited", err.kind)
            assert.equal(429, err.http_status)
        end)

        it("HTTP 503 with the provider's envelope is server_error", function()
            sandbox.fault { status = 503 }
            local _, err = call()
            assert.equal("server_error", err.kind)
            assert.equal(503, err.http_status)
        end)

        it("a truncated JSON body is bad_response", function()
            sandbox.fault { truncate = 40 }
            local _, err = call()
            assert.equal("bad_response", err.kind)
            assert.matches("at byte", err.message)
            assert.equal("unknown", err.billed)
        end)

        it("a connection closed mid-body is a network failure of unknown billing", function()
            sandbox.fault { close_mid_body = 1 }
            local _, err = call()
            assert.equal("network", err.kind)
            assert.equal("unknown", err.billed)
            assert.is_true(err.retryable)
        end)

        it("an answer slower than timeout is timeout of unknown billing", function()
            local impatient = xingtu.new { base_url = sandbox.url, token = sandbox.token, retries = 0, timeout = 0.3 }
            sandbox.fault { delay = 1.5 }
            local _, err = impatient:touch_distribution { o_author_id = AUTHOR }
            assert.equal("timeout", err.kind)
            assert.equal("unknown", err.billed)
            impatient:close()
        end)

        it("a refused connection is a network failure, not billed", function()
            local port, holder = util.refusing_port()
            local nowhere = xingtu.new { base_url = "http://127.0.0.1:" .. port, token = "t", retries = 0 }
            local _, err = nowhere:touch_distribution { o_author_id = AUTHOR }
            assert.equal("network", err.kind)
            assert.is_false(err.billed)
            assert.is_true(err.retryable)
            nowhere:close()
            holder:close()
        end)

        it("a body over max_body is bad_response", function()
            local small = xingtu.new { base_url = sandbox.url, token = sandbox.token, retries = 0, max_body = 1000 }
            local _, err = small:touch_distribution { o_author_id = AUTHOR }
            assert.equal("bad_response", err.kind)
            assert.matches("size cap", err.message)
            small:close()
        end)

        it("never carry the token", function()
            sandbox.fault { code = 400, message = "bad token " .. sandbox.token }
            local _, err = call()
            for _, v in pairs(err) do
                if type(v) == "string" then assert.not_matches(sandbox.token, v, 1, true) end
            end
            assert.not_matches(sandbox.token, tostring(err), 1, true)
        end)
    end)

    describe("connections", function()
        it("100 sequential calls reuse one connection", function()
            for _ = 1, 100 do assert.is_table((client:touch_distribution { o_author_id = AUTHOR })) end
            assert.equal(100, sandbox.stats().requests)
            assert.equal(1, sandbox.stats().connections)
            assert.equal(1, client.pipeline.transport:stats().connects)
        end)
    end)
end)
