-- examples/nginx against the sandbox: a real nginx (Debian's nginx-light + libnginx-mod-http-lua) runs the example's
-- nginx.conf and handler unchanged but for the listen port, the repository path and worker_processes 1, with xingtu's
-- core built for LuaJIT (build-luajit/, by .ci/build), and the provider replaced by the sandbox.
--
-- Checks: the summary; that 50 simultaneous requests to one worker overlap; provider errors as clear HTTP errors with
-- the kind; the token in no response and no nginx log line.

local cjson = require "cjson"
local core = require "xingtu.core"
local nginx_helper = require "helpers.nginx"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"


local TOUCH = "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1"
local CONVERT = "/api/douyin-xingtu/gw/api/data_sp/get_author_convert_ability/v1"
local AUTHOR = "6976442543234760712"

-- A creator id not asked for before: the example caches answers (lua_shared_dict), and a fault must meet a call.
local last_id = 0
local function fresh_id()
  last_id = last_id + 1
  return tostring(6976442543234000000 + last_id)
end

local function stop(state) nginx_helper.stop(state) end

local function provider() return { token = sandbox.token, base_url = sandbox.url } end

local function start_example() return nginx_helper.example(provider()) end

-- nginx running spec/helpers/ngx_cases.lua: GET /case/<name>?base=<url>.
local function start_cases()
  return nginx_helper.lua_server('location /case/ { content_by_lua_block { require("helpers.ngx_cases").run() } }',
    nginx_helper.REGISTRY_KEY .. ".cases", provider())
end

-- The summary the example should compute, from the sandbox's own answers (cjson, not xingtu).
local function expected_summary(id)
  local touch = cjson.decode(sandbox.call(TOUCH, { oAuthorId = id }).body).data
  local conv = cjson.decode(sandbox.call(CONVERT, { oAuthorId = id }).body).data
  local channels, total = {}, 0
  for _, top in ipairs(touch.video_touch) do
    local best
    for _, second in ipairs(top.second_distribution or {}) do
      local d = second.distribution_data
      if not best or d.cnt > best.cnt then best = { name = d.name, cnt = d.cnt } end
    end
    channels[#channels + 1] = { name = top.distribution_data.name, cnt = top.distribution_data.cnt, top_category = best }
    total = total + top.distribution_data.cnt
  end
  table.sort(channels, function(a, b) return a.cnt > b.cnt end)
  local conversion = {}
  for key, value in pairs(conv) do
    if type(value) == "string" and key:match("_range$") then conversion[key] = value end
  end
  return channels, total, conversion
end

describe("examples/nginx", function()
  local example
  local seen = {} -- every response of the example: { status, headers, body }

  local function get(path)
    local res = sandbox.get(example.url .. path)
    seen[#seen + 1] = res
    local ok, body = pcall(cjson.decode, res.body)
    return res, ok and body or nil
  end

  setup(function()
    sandbox.start()
    sandbox.reset()
    example = start_example()
  end)

  teardown(function()
    stop(example)
    sandbox.reset()
  end)

  before_each(function()
    sandbox.reset()
  end)

  describe("GET /creators/<id>/summary", function()
    it("summarises the touch distribution and the conversion of the creator", function()
      local res, body = get("/creators/" .. AUTHOR .. "/summary")
      assert.are.equal(200, res.status, res.body)
      assert.matches("^application/json", res.headers["content-type"])
      -- exactly the two provider calls, one of each
      local stats = sandbox.stats()
      assert.are.equal(2, stats.requests)
      assert.are.equal(1, stats.by_path[TOUCH])
      assert.are.equal(1, stats.by_path[CONVERT])
      local channels, total, conversion = expected_summary(AUTHOR)
      assert.are.equal(AUTHOR, body.creator_id)
      assert.are.equal("SHORT_VIDEO", body.platform)
      assert.are.equal("DAY_30", body.range)
      assert.are.equal(total, body.touch.total)
      assert.are.equal(#channels, #body.touch.channels)
      for i, want in ipairs(channels) do
        local got = body.touch.channels[i]
        assert.are.equal(want.name, got.name)
        assert.are.equal(want.cnt, got.cnt)
        assert.are.same(want.top_category, got.top_category)
        assert.are.equal(math.floor(want.cnt / total * 10000 + 0.5) / 10000, got.share)
      end
      assert.are.same(conversion, body.conversion)
      assert.matches("^%x+$", body.request_ids.touch)
      assert.matches("^%x+$", body.request_ids.conversion)
    end)

    it("answers a repeated request from the shared-dict cache, without calling the provider", function()
      local res, body = get("/creators/" .. AUTHOR .. "/summary")
      assert.are.equal(200, res.status, res.body)
      assert.are.equal(0, sandbox.stats().requests)
      local channels, total = expected_summary(AUTHOR)
      assert.are.equal(total, body.touch.total)
      assert.are.equal(#channels, #body.touch.channels)
    end)

    it("passes platform and range on to the provider", function()
      local res, body = get("/creators/" .. AUTHOR .. "/summary?platform=LIVE_STREAMING&range=DAY_90")
      assert.are.equal(200, res.status, res.body)
      assert.are.equal("LIVE_STREAMING", body.platform)
      assert.are.equal("DAY_90", body.range)
      local last = sandbox.last()
      assert.matches("platform=LIVE_STREAMING", last.query, 1, true)
    end)

    it("makes the two provider calls at the same time", function()
      sandbox.config { latency = 0.3 }
      local res = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(200, res.status, res.body)
      assert.is_true(res.time >= 0.3, "took " .. res.time .. " s")
      assert.is_true(res.time < 0.55, "two calls of 0.3 s took " .. res.time .. " s: not concurrent")
    end)

    it("serves 50 simultaneous requests on one worker in well under 50 x 200 ms", function()
      sandbox.config { latency = 0.2 }
      local args = {}
      for i = 1, 50 do
        args[#args + 1] = ("-o /dev/null %s/creators/%d/summary"):format(example.url, 7000000000000000000 + i * 7919)
      end
      local started = core.now()
      local out = util.run("curl -s --no-progress-meter -Z --parallel-immediate --parallel-max 50 --max-time 30"
        .. " -w '%{http_code}\\n' " .. table.concat(args, " "))
      local wall = core.now() - started
      local codes = {}
      for code in out:gmatch("%d+") do codes[#codes + 1] = code end
      assert.are.equal(50, #codes, out)
      for _, code in ipairs(codes) do assert.are.equal("200", code) end
      assert.are.equal(100, sandbox.stats().requests)
      io.stderr:write(("\nnginx example: 50 simultaneous summaries (100 provider calls of 200 ms) on 1 worker: "
        .. "%.2f s wall (serial would be 10 s)\n"):format(wall))
      assert.is_true(wall < 3, ("50 requests took %.2f s"):format(wall))
    end)
  end)

  describe("errors", function()
    it("answers a provider refusal with 502 and the error kind", function()
      sandbox.fault { code = 303, times = 2 }
      local res, body = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(502, res.status)
      assert.matches("^application/json", res.headers["content-type"])
      assert.are.equal("quota_exceeded", body.error.kind)
      assert.are.equal(303, body.error.code)
      assert.is_false(body.error.billed)
      assert.is_string(body.error.message)
    end)

    it("answers a creator without data with 404 not_found", function()
      sandbox.fault { code = 201, times = 2 }
      local res, body = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(404, res.status)
      assert.are.equal("not_found", body.error.kind)
    end)

    it("answers a rate limit with 503, rate_limited and the provider's Retry-After", function()
      sandbox.fault { status = 429, retry_after = 120, times = 2 }
      local res, body = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(503, res.status)
      assert.are.equal("rate_limited", body.error.kind)
      assert.are.equal("120", res.headers["retry-after"])
    end)

    it("passes on a short Retry-After too, once the retries it allowed are spent", function()
      sandbox.fault { status = 429, retry_after = 1, times = 6 } -- both calls, 3 attempts each
      local res, body = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(503, res.status)
      assert.are.equal("rate_limited", body.error.kind)
      assert.are.equal("1", res.headers["retry-after"])
    end)

    it("answers a connection dropped mid-body with 502 network, not retried (billing unknown)", function()
      sandbox.fault { close_mid_body = 1, times = 2 }
      local res, body = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(502, res.status)
      assert.are.equal("network", body.error.kind)
      assert.are.equal("unknown", body.error.billed)
      assert.are.equal(2, sandbox.stats().requests)
    end)

    it("answers a body with a number beyond the double range with 502 bad_response, not nginx's HTML 500", function()
      sandbox.fault { status = 200, envelope = 0, message = '{"code":0,"data":{"x":1e999}}', times = 2 }
      local res, body = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(502, res.status, res.body)
      assert.matches("^application/json", res.headers["content-type"])
      assert.are.equal("bad_response", body.error.kind)
      assert.matches("number out of range at byte 23", body.error.message, 1, true)
    end)

    it("refuses a malformed id (404: no location matches) or parameter (400) before calling the provider", function()
      local res, body = get("/creators/12ab/summary")
      assert.are.equal(404, res.status) -- not a creator path at all
      assert.are.equal("invalid_request", body.error.kind)
      res, body = get("/creators/" .. AUTHOR .. "/summary?range=DAY_7000")
      assert.are.equal(400, res.status)
      assert.are.equal("invalid_request", body.error.kind)
      assert.matches("range", body.error.message)
      assert.are.equal(0, sandbox.stats().requests)
    end)
  end)

  describe("the token", function()
    it("appears in no response and no nginx log line", function()
      -- one more failure, so the error log certainly has xingtu's warning with the (masked) URL
      sandbox.fault { code = 100, times = 2 }
      local res = get("/creators/" .. fresh_id() .. "/summary")
      assert.are.equal(502, res.status)
      assert.is_true(#seen >= 10)
      for _, r in ipairs(seen) do
        assert.is_nil(r.body:find(sandbox.token, 1, true), r.body)
        for name, value in pairs(r.headers) do
          assert.is_nil(value:find(sandbox.token, 1, true), name)
        end
      end
      local logs = 0
      for _, name in ipairs({ "access.log", "error.log" }) do
        local text = util.read_file(example.dir .. "/logs/" .. name) or ""
        local n = 0
        for line in text:gmatch("[^\n]+") do
          n = n + 1
          assert.is_nil(line:find(sandbox.token, 1, true), name .. ": " .. line)
        end
        assert.is_true(n > 0, name .. " is empty")
        logs = logs + n
      end
      local errlog = util.read_file(example.dir .. "/logs/error.log")
      assert.matches("xingtu summary failed: xingtu: invalid_token", errlog, 1, true)
      assert.matches("token=***", errlog, 1, true)
    end)
  end)
end)

describe("xingtu.transport.ngx inside nginx", function()
  local nginx

  local function case(name)
    local res = sandbox.get(("%s/case/%s?base=%s"):format(nginx.url, name, sandbox.url))
    assert.are.equal(200, res.status, res.body)
    assert.is_nil(res.body:find(sandbox.token, 1, true), res.body)
    return cjson.decode(res.body)
  end

  setup(function()
    sandbox.start()
    nginx = start_cases()
  end)

  teardown(function()
    stop(nginx)
    sandbox.reset()
  end)

  before_each(function()
    sandbox.reset()
  end)

  it("is the default inside nginx, with a sleep that yields; transport = \"curl\" picks libcurl", function()
    local r = case("defaults")
    assert.is_true(r.ngx_transport)
    assert.is_true(r.curl_transport)
    assert.is_false(r.blocking_sleep)
  end)

  it("fills the result table of the C session and reuses the connection", function()
    local r = case("result")
    assert.are.equal(200, r.status)
    assert.are.equal(0, r.code)
    assert.is_true(r.sent)
    assert.is_nil(r.error)
    assert.is_true(r.size > 1000)
    assert.matches("^application/json", r.content_type)
    assert.is_true(r.elapsed >= 0 and r.elapsed < 5)
    assert.are.equal(1, r.connects)
    assert.are.equal(0, r.second_connects)
    assert.are.same({ requests = 2, connects = 1 }, r.stats)
    assert.is_false(r.keys_have_url)
  end)

  it("returns data with the URL masked", function()
    local r = case("call")
    assert.is_true(r.ok)
    assert.are.equal(1, r.attempts)
    assert.matches("token=***", r.url, 1, true)
  end)

  it("reports an answer slower than timeout as timeout, billing unknown, after the timeout", function()
    sandbox.fault { delay = 1 }
    local r = case("timeout")
    assert.is_false(r.ok)
    assert.are.equal("timeout", r.err.kind)
    assert.are.equal("unknown", r.err.billed)
    assert.is_true(r.wall >= 0.28 and r.wall < 0.8, "took " .. r.wall)
    assert.matches("token=***", r.err.url, 1, true)
  end)

  it("reports a refused connection as network, not billed", function()
    local r = case("refused")
    assert.are.equal("network", r.err.kind)
    assert.is_false(r.err.billed)
    assert.matches("refused", r.err.message)
  end)

  it("enforces max_body", function()
    local r = case("too_large")
    assert.are.equal("bad_response", r.err.kind)
    assert.matches("max_body", r.err.message)
  end)

  it("retries a collection failure (waiting with ngx.sleep) and succeeds", function()
    sandbox.fault { code = 301 }
    local r = case("retry")
    assert.is_true(r.ok)
    assert.are.equal(2, r.attempts)
  end)

  it("runs a multi with at most `concurrency` transfers at once, each result once with its tag", function()
    sandbox.config { latency = 0.2 }
    local r = case("multi")
    assert.are.same({ 1, 2, 3, 4, 5, 6 }, r.tags)
    for _, status in ipairs(r.statuses) do assert.are.equal(200, status) end
    assert.are.equal(6, r.pending_before)
    assert.are.equal(0, r.empty)
    assert.is_true(r.closed_raises)
    -- 6 transfers of 0.2 s, 3 at a time: two rounds
    assert.is_true(r.wall >= 0.38 and r.wall < 0.9, "took " .. r.wall)
  end)

  it("hands out at most `at_most` results per poll of its multi", function()
    local r = case("multi_at_most")
    assert.are.equal(0, r.nothing)
    assert.are.same({ 1, 1, 1, 1 }, r.sizes)
    assert.are.same({ 1, 2, 3, 4 }, r.tags)
    assert.are.equal(0, r.pending)
    assert.is_true(r.bad_raises)
  end)

  it("runs client:batch on light threads under its concurrency", function()
    sandbox.config { latency = 0.2 }
    local r = case("batch")
    assert.are.equal(8, r.ok)
    -- serial would be 1.6 s; with 4 at a time (after the batch's first probe request) about 0.6 s
    assert.is_true(r.wall < 1.2, "took " .. r.wall)
    assert.are.equal(8, sandbox.stats().requests)
  end)
end)
