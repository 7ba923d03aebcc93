-- The sandbox itself (bin/xingtu-sandbox, sandbox/): provider behaviour, determinism, faults, control API.

local cjson = require "cjson"
local catalogue = require "xingtu.catalogue"
local endpoints = catalogue.entries
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local AUTHOR = "6976442543234760712"
local OTHER_AUTHOR = "7012345678901234567"
local ITEM = "7301234567890123456"
local TOUCH = "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1"
local CONVERT = "/api/douyin-xingtu/gw/api/data_sp/get_author_convert_ability/v1"
local HOMEPAGE = "/api/douyin-xingtu/gw/api/aggregator/get_author_homepage_videos/v1"
local SEARCH = "/api/douyin-xingtu/gw/api/gsearch/search_for_author_square/v1"

local SAMPLE_VALUES = {
  oAuthorId = AUTHOR, starAuthorId = AUTHOR, itemId = ITEM, startDate = "2026-01-01", endDate = "2026-01-31",
}

local function by_name(name) return catalogue.by_name[name] end

local function required_params(endpoint)
  local params = {}
  for _, p in ipairs(endpoint.params) do
    if p.required then params[#params + 1] = { p.api, assert(SAMPLE_VALUES[p.api], p.api) } end
  end
  return params
end

local function decode(res)
  return cjson.decode(res.body)
end

local function without_request_id(body)
  return (body:gsub('"requestId":"[^"]*"', ""))
end

describe("xingtu sandbox", function()
  setup(function()
    sandbox.start()
  end)

  before_each(function()
    sandbox.reset()
  end)

  describe("provider behaviour", function()
    it("answers the touch distribution endpoint with the seed doc's shape, richer", function()
      local res = sandbox.call(TOUCH, { oAuthorId = AUTHOR })
      assert.equal(200, res.status)
      assert.matches("^application/json", res.headers["content-type"])
      assert.equal(#res.body, tonumber(res.headers["content-length"]))
      assert.is_true(#res.body > 8000 and #res.body < 14000, "body size " .. #res.body)
      local env = decode(res)
      assert.equal(0, env.code)
      assert.equal("success", env.message)
      assert.matches("^2026%-%d%d%-%d%d %d%d:%d%d:%d%d$", env.recordTime)
      assert.matches("^%x+$", env.requestId)
      assert.same({ status_code = 0, status_message = "" }, env.data.base_resp)
      local groups = env.data.video_touch
      assert.is_true(#groups >= 4 and #groups <= 7)
      for _, g in ipairs(groups) do
        assert.is_string(g.distribution_data.name)
        assert.is_true(#g.second_distribution >= 3 and #g.second_distribution <= 8)
        local sum = 0
        for _, s in ipairs(g.second_distribution) do
          sum = sum + s.distribution_data.cnt
          assert.is_true(#s.three_distribution >= 1 and #s.three_distribution <= 4)
          local sub = 0
          for _, t in ipairs(s.three_distribution) do sub = sub + t.distribution_data.cnt end
          assert.is_true(sub <= s.distribution_data.cnt)
        end
        assert.is_true(sum <= g.distribution_data.cnt)
      end
    end)

    it("answers the conversion endpoint with string ranges or \"-\"", function()
      local seen_dash, seen_range = false, false
      for i = 0, 9 do
        local env = decode(sandbox.call(CONVERT, { oAuthorId = tostring(6976442543234760000 + i * 1000) }))
        assert.equal(0, env.code)
        for _, field in ipairs { "avg_sales_amount_range", "component_click_cnt_range", "component_click_rate_range",
          "gpm_range", "rec_product_price_range", "related_cpc_range" } do
          assert.is_string(env.data[field])
          if env.data[field] == "-" then seen_dash = true else seen_range = true end
        end
      end
      assert.is_true(seen_dash and seen_range)
    end)

    it("answers every catalogue endpoint given only its required parameters", function()
      for _, endpoint in ipairs(endpoints) do
        local res = sandbox.call(endpoint.path, required_params(endpoint))
        assert.equal(200, res.status, endpoint.name)
        local env = decode(res)
        assert.equal(0, env.code, endpoint.name .. ": " .. tostring(env.message))
        assert.equal("table", type(env.data), endpoint.name)
        assert.same({ status_code = 0, status_message = "" }, env.data.base_resp, endpoint.name)
      end
    end)

    it("gives the same body for the same request and different bodies for different ids", function()
      local a1 = sandbox.call(TOUCH, { oAuthorId = AUTHOR })
      local a2 = sandbox.call(TOUCH, { oAuthorId = AUTHOR, platform = "SHORT_VIDEO" })
      local b = sandbox.call(TOUCH, { oAuthorId = OTHER_AUTHOR })
      assert.equal(without_request_id(a1.body), without_request_id(a2.body))
      assert.not_equal(decode(a1).requestId, decode(a2).requestId)
      assert.not_same(decode(a1).data, decode(b).data)
    end)

    it("writes 64-bit ids as exact JSON numbers", function()
      local res = sandbox.call(by_name("item_detail").path, { itemId = ITEM })
      assert.truthy(res.body:find('"item_id":' .. ITEM .. ",", 1, true))
      res = sandbox.call(by_name("base_info").path, { oAuthorId = AUTHOR })
      assert.matches('"core_user_id":7%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d[,}]', res.body)
    end)

    it("pages lists and returns an empty list past the last page", function()
      local seen = 0
      for page = 1, 3 do
        local data = decode(sandbox.call(HOMEPAGE, { oAuthorId = AUTHOR, page = page })).data
        assert.is_true(#data.videos > 0)
        seen = seen + #data.videos
        assert.equal(page < 3, data.pagination.has_more)
      end
      local last = decode(sandbox.call(HOMEPAGE, { oAuthorId = AUTHOR, page = 4 })).data
      assert.same({}, last.videos)
      assert.is_false(last.pagination.has_more)
      assert.equal(seen, last.pagination.total_count)
      local none = decode(sandbox.call(SEARCH, { keyword = "__none__" })).data
      assert.same({}, none.authors)
    end)

    it("accepts the extra values of an enum, percent-encoded", function()
      local env = decode(sandbox.call(SEARCH, { gender = "男性", industry = "1901", keyword = "美食 探店" }))
      assert.equal(0, env.code)
      local last = sandbox.last()
      assert.equal(SEARCH, last.path)
      assert.matches("gender=%%E7%%94%%B7%%E6%%80%%A7", last.query)
      assert.matches("keyword=%%E7%%BE%%8E%%E9%%A3%%9F%%20", last.query)
    end)

    it("answers code 100 for a missing or wrong token", function()
      local env = decode(sandbox.get(TOUCH, { oAuthorId = AUTHOR }))
      assert.same({ 100, "Invalid or inactive token" }, { env.code, env.message })
      env = decode(sandbox.get(TOUCH, { token = "not-the-token", oAuthorId = AUTHOR }))
      assert.equal(100, env.code)
      assert.equal(cjson.null, env.data)
    end)

    it("answers code 400 naming the parameter for invalid parameters", function()
      local cases = {
        { TOUCH, { oAuthorId = AUTHOR, foo = "1" }, "Invalid parameters: unknown parameter foo" },
        { TOUCH, { platform = "SHORT_VIDEO" }, "Invalid parameters: oAuthorId is required" },
        { TOUCH, { oAuthorId = AUTHOR, platform = "TV" },
          "Invalid parameters: platform must be one of SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA" },
        { TOUCH, { oAuthorId = "12ab" }, "Invalid parameters: oAuthorId must be a numeric id" },
        { HOMEPAGE, { oAuthorId = AUTHOR, page = "0" }, "Invalid parameters: page must be at least 1" },
        { HOMEPAGE, { oAuthorId = AUTHOR, page = "x" }, "Invalid parameters: page must be an integer" },
        { HOMEPAGE, { oAuthorId = AUTHOR, onlyAssign = "yes" },
          "Invalid parameters: onlyAssign must be true or false" },
        { HOMEPAGE, { oAuthorId = AUTHOR, startDate = "2026-01-01" },
          "Invalid parameters: startDate must be a date written YYYYMMDD" },
        { by_name("daily_fans").path, { oAuthorId = AUTHOR, startDate = "20260101", endDate = "2026-01-31" },
          "Invalid parameters: startDate must be a date written YYYY-MM-DD" },
      }
      for _, case in ipairs(cases) do
        local env = decode(sandbox.call(case[1], case[2]))
        assert.equal(400, env.code)
        assert.equal(case[3], env.message)
      end
    end)
  end)

  describe("faults", function()
    it("answers with a business code for the next N requests, then normally", function()
      sandbox.fault { code = 302, times = 2 }
      assert.equal(302, decode(sandbox.call(CONVERT, { oAuthorId = AUTHOR })).code)
      assert.equal(302, decode(sandbox.call(CONVERT, { oAuthorId = AUTHOR })).code)
      assert.equal(0, decode(sandbox.call(CONVERT, { oAuthorId = AUTHOR })).code)
    end)

    it("queues faults in order and can limit one to a path", function()
      sandbox.fault { code = 301, path = "author_touch_distribution/v1" }
      sandbox.fault { code = 500, message = "boom" }
      assert.equal(2, sandbox.stats().faults_pending)
      local env = decode(sandbox.call(CONVERT, { oAuthorId = AUTHOR }))
      assert.same({ 500, "boom" }, { env.code, env.message })
      assert.equal(301, decode(sandbox.call(TOUCH, { oAuthorId = AUTHOR })).code)
      assert.equal(0, sandbox.stats().faults_pending)
    end)

    it("answers an HTTP status with an envelope, plain text or an HTML page, and Retry-After", function()
      sandbox.fault { status = 429, retry_after = "3" }
      local res = sandbox.call(CONVERT, { oAuthorId = AUTHOR })
      assert.same({ 429, "3", 302 }, { res.status, res.headers["retry-after"], decode(res).code })

      sandbox.fault { status = 503, envelope = 0 }
      res = sandbox.call(CONVERT, { oAuthorId = AUTHOR })
      assert.same({ 503, "503 Service Temporarily Unavailable" }, { res.status, res.body })

      sandbox.fault { status = 502, html = 1 }
      res = sandbox.call(CONVERT, { oAuthorId = AUTHOR })
      assert.equal(502, res.status)
      assert.matches("^text/html", res.headers["content-type"])
      assert.matches("<title>502 Bad Gateway</title>", res.body)
    end)

    it("echoes the request in a fault's body, as a WAF's block page does: as it came, decoded, or re-encoded", function()
      local query = "token=" .. sandbox.token .. "&oAuthorId=" .. AUTHOR .. "&keyword=a%20b%2Bc"
      sandbox.fault { status = 403, envelope = 0, echo = "uri" }
      local res = sandbox.get(CONVERT, query)
      assert.same({ 403, "403 Forbidden: " .. CONVERT .. "?" .. query }, { res.status, res.body })

      sandbox.fault { code = 400, message = "bad", echo = "args" }
      res = sandbox.get(CONVERT, query)
      assert.equal("bad: " .. CONVERT .. "?token=" .. sandbox.token .. "&oAuthorId=" .. AUTHOR .. "&keyword=a b+c",
        decode(res).message)

      sandbox.fault { status = 502, html = 1, echo = "form" }
      res = sandbox.get(CONVERT, query)
      assert.matches("<p>" .. CONVERT:gsub("%p", "%%%0") .. "%?token=sandbox%-token&amp;oAuthorId=%d+&amp;"
        .. "keyword=a%+b%%2bc</p>", res.body)

      local bad = sandbox.get("/__sandbox/fault", { echo = "all" })
      assert.same({ 400, "bad value for fault field echo: all" }, { bad.status, cjson.decode(bad.body).error })
    end)

    it("delays the answer", function()
      sandbox.fault { delay = 0.4 }
      local res = sandbox.call(CONVERT, { oAuthorId = AUTHOR })
      assert.equal(0, decode(res).code)
      assert.is_true(res.time >= 0.4, "took " .. res.time)
    end)

    it("truncates the body, with a matching Content-Length", function()
      sandbox.fault { truncate = 25 }
      local res = sandbox.call(CONVERT, { oAuthorId = AUTHOR })
      assert.same({ 200, 0, 25, "25" }, { res.status, res.rc, #res.body, res.headers["content-length"] })
      assert.is_false(pcall(cjson.decode, res.body))
    end)

    it("closes the connection in the middle of the body", function()
      sandbox.fault { close_mid_body = 1 }
      local res = sandbox.call(CONVERT, { oAuthorId = AUTHOR })
      assert.equal(18, res.rc) -- CURLE_PARTIAL_FILE
      assert.matches("transfer closed with %d+ bytes remaining", res.err)
      assert.equal(math.floor(tonumber(res.headers["content-length"]) / 2), #res.body)
    end)

    it("adds a configured latency to every request until cleared", function()
      sandbox.config { latency = 0.3 }
      assert.is_true(sandbox.call(CONVERT, { oAuthorId = AUTHOR }).time >= 0.3)
      sandbox.config { latency = 0 }
      assert.is_true(sandbox.call(CONVERT, { oAuthorId = AUTHOR }).time < 0.3)
    end)

    it("rejects unknown fault fields", function()
      assert.has_error(function() sandbox.fault { bogus = 1 } end)
    end)

    -- Queueing used to recount the whole queue on every add: 20,000 faults took minutes. The child process gets a
    -- generous bound (its `timeout`), far above what a linear queue needs and far below what a quadratic one took.
    it("queues 20,000 faults in bounded time and serves every one of them, in order", function()
      local n = 20000
      local script = os.tmpname()
      util.write_file(script, [[
        package.path = "lua/?.lua;" .. package.path
        package.cpath = arg[3] .. ";" .. package.cpath
        local core = require "xingtu.core"
        local url, n = arg[1], tonumber(arg[2])
        local s = core.session { timeout = 30 }
        for i = 1, n do
          local r = s:get(url .. "/__sandbox/fault?code=" .. (1000 + i % 7) .. "&message=f" .. i)
          local b = r.body
          assert(r.status == 200 and b.id == i and b.faults_pending == i, "add " .. i .. ": " .. tostring(r.text))
        end
        local api = url .. "/api/douyin-xingtu/gw/api/data_sp/get_author_convert_ability/v1?token=sandbox-token"
          .. "&oAuthorId=6976442543234760712"
        for i = 1, n do
          local b = s:get(api).body
          assert(b.code == 1000 + i % 7 and b.message == "f" .. i, "request " .. i .. " got " .. tostring(b.message))
        end
        local left = s:get(url .. "/__sandbox/stats").body.faults_pending
        assert(left == 0, "still pending: " .. tostring(left))
        assert(s:get(api).body.code == 0, "an answer after the queue ran out is not a success")
        io.write("served ", n, " in order")
      ]])
      local lua = arg and arg[-1] or "lua5.4"
      local out, err, code = util.run3(("%stimeout 90 %s %s %s %d %s"):format(util.lua_child_env(), lua,
        util.quote(script), util.quote(sandbox.url), n, util.quote(package.cpath)))
      os.remove(script)
      assert.equal("served 20000 in order", out, err)
      assert.equal(0, code)
    end)
  end)

  describe("control API", function()
    it("counts requests (rejected ones too), paths and connections", function()
      sandbox.get(TOUCH, { oAuthorId = AUTHOR }) -- no token: rejected, still counted
      local url = sandbox.url .. CONVERT .. "?token=" .. sandbox.token .. "&oAuthorId=" .. AUTHOR
      local cmd = ("curl -s --keepalive -o /dev/null -o /dev/null -o /dev/null '%s' '%s' '%s'"):format(url, url, url)
      assert.is_true(os.execute(cmd))
      local stats = sandbox.stats()
      assert.equal(4, stats.requests)
      assert.equal(3, stats.by_path[CONVERT])
      assert.equal(1, stats.by_path[TOUCH])
      assert.equal(2, stats.connections)
      assert.equal(0, stats.faults_pending)
    end)

    it("shows the last request with the token masked", function()
      sandbox.call(TOUCH, { { "oAuthorId", AUTHOR }, { "platform", "LIVE_STREAMING" } })
      local last = sandbox.last()
      assert.equal(TOUCH, last.path)
      assert.equal("token=***&oAuthorId=" .. AUTHOR .. "&platform=LIVE_STREAMING", last.query)
      assert.same({ key = "token", value = "***" }, last.args[1])
    end)

    it("never writes the token to the access log", function()
      sandbox.call(TOUCH, { oAuthorId = AUTHOR })
      local f = assert(io.open(sandbox.dir .. "/logs/access.log"))
      local log = f:read("a")
      f:close()
      assert.truthy(log:find(TOUCH .. "?token=***&oAuthorId=" .. AUTHOR, 1, true))
      assert.falsy(log:find(sandbox.token, 1, true))
    end)
  end)

  describe("start", function()
    it("refuses to start, naming the endpoint, when the catalogue has one without a body generator", function()
      -- A copy of the checkout's sandbox, its command and the Lua modules, with one endpoint more in the catalogue.
      local tree = util.run("mktemp -d /tmp/xingtu-sandbox-spec.XXXXXX"):gsub("%s+$", "")
      util.run("cp -r " .. util.quote(util.ROOT .. "/bin") .. " " .. util.quote(util.ROOT .. "/sandbox") .. " "
        .. util.quote(util.ROOT .. "/lua") .. " " .. util.quote(tree))
      local path = tree .. "/lua/xingtu/endpoints.lua"
      local text = assert(util.read_file(path))
      local last = text:match(".*()}")
      util.write_file(path, text:sub(1, last - 1) .. [[
  { name = "trial_lookup", path = "/api/douyin-xingtu/gw/api/trial/lookup/v1", description = "A trial",
    params = { { api = "oAuthorId", name = "o_author_id", type = "id", required = true } } },
}
]])
      local out, rc = util.run("env -u LD_PRELOAD XINGTU_SANDBOX_PORT=" .. util.free_port() .. " bash "
        .. util.quote(tree .. "/bin/xingtu-sandbox") .. " start 2>&1")
      local started = out:match("dir=(%S+)") -- it should not have: stopped again, so the spec leaves nothing running
      if started then
        util.run("bash " .. util.quote(tree .. "/bin/xingtu-sandbox") .. " stop " .. util.quote(started) .. " 2>&1")
      end
      util.run("rm -rf " .. util.quote(tree))
      assert.are_not.equal(0, rc)
      assert.equal("xingtu-sandbox: no body generator for trial_lookup: add `trial_lookup = function(ctx) ... end`"
        .. " to a family in sandbox/xt_sandbox/bodies/ (see bodies.lua)\n", out)
    end)
  end)
end)
