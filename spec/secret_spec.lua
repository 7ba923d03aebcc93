-- xingtu.secret: the token hidden in text a server sent back, in whatever form and however cut.

local secret = require "xingtu.secret"
local leak = require "helpers.leak"
local util = require "helpers.util"

local TOKEN = "Tk7#q Lp&2Vz+9%Kd\tR4é€😀wB8Nc"

local function pct(s, fmt, keep)
  return (s:gsub("[^%w%-%._~" .. (keep or "") .. "]", function(c) return (fmt or "%%%02X"):format(c:byte()) end))
end

local function json_escaped(s)
  local out = {}
  for _, cp in utf8.codes(s) do
    if cp >= 0x10000 then
      local v = cp - 0x10000
      out[#out + 1] = ("\\u%04x\\u%04x"):format(0xD800 + v // 0x400, 0xDC00 + v % 0x400)
    elseif cp >= 0x80 or cp < 0x20 or cp == 0x22 or cp == 0x26 then
      out[#out + 1] = ("\\u%04X"):format(cp)
    else
      out[#out + 1] = utf8.char(cp)
    end
  end
  return table.concat(out)
end

local FORMS = {
  raw = TOKEN,
  percent = pct(TOKEN),
  ["percent, lower-case hex"] = pct(TOKEN, "%%%02x"),
  ["form-encoded (+ for space)"] = pct(TOKEN, "%%%02X", " "):gsub(" ", "+"),
  ["partly encoded (only & # + % space)"] = TOKEN:gsub("[&#+% ]", function(c) return ("%%%02X"):format(c:byte()) end),
  ["JSON-escaped"] = json_escaped(TOKEN),
  ["JSON, simple escapes"] = TOKEN:gsub("\t", "\\t"),
  ["HTML entities"] = TOKEN:gsub("&", "&amp;"):gsub("#", "&#35;"):gsub("é", "&#xe9;"),
  ["percent-encoded twice"] = pct(pct(TOKEN)),
}

describe("xingtu.secret", function()
  local hide = secret.masker(TOKEN)
  local probe = leak.probe(TOKEN)

  describe("masker", function()
    for name, form in pairs(FORMS) do
      it("hides the token " .. name .. " in a URL a server echoed", function()
        local text = "403 Forbidden: GET /api/x?token=" .. form .. "&oAuthorId=1 (blocked)"
        local out = hide(text)
        assert.same({}, probe:hits(out), out)
        assert.equal("403 Forbidden: GET /api/x?token=***&oAuthorId=1 (blocked)", out)
      end)
    end

    it("hides a prefix of 6 bytes or more where the text was cut, in every form", function()
      for name, form in pairs(FORMS) do
        for cut = 6, #form do
          local out = hide("...token=" .. form:sub(1, cut))
          assert.same({}, probe:hits(out), name .. " cut at " .. cut .. ": " .. out)
        end
      end
    end)

    it("hides a suffix or a middle part of 6 bytes or more, as a server that shortens a long URL leaves it", function()
      for from = 1, #TOKEN - 5 do
        for to = from + 5, math.min(#TOKEN, from + 12) do
          local out = hide("url=..." .. TOKEN:sub(from, to) .. "...")
          assert.same({}, probe:hits(out), from .. ".." .. to .. ": " .. out)
        end
      end
    end)

    it("leaves text without 6 bytes of the token byte for byte, and 5 bytes of it too", function()
      local text = "<html><body>502 Bad Gateway &amp; 50% off + more \\u00e9 Tk7#q</body></html>"
      assert.equal(text, hide(text))
      assert.equal("success", hide("success"))
      assert.equal(nil, hide(nil))
      assert.equal(42, hide(42))
    end)

    it("replaces whole UTF-8 characters only, so valid UTF-8 stays valid", function()
      local t = "직播€😀廣場ABCDEF"
      local h = secret.masker(t)
      for from = 1, #t - 5 do
        local out = h("«" .. t:sub(from) .. "»")
        assert.is_not_nil(utf8.len(out), out)
      end
      assert.equal("x *** y", h("x " .. t .. " y"))
    end)

    it("hides a token shorter than 6 bytes where it appears whole", function()
      local h = secret.masker("a+b&c")
      assert.equal("token=***&x=1, and ***", h("token=a%2Bb%26c&x=1, and a+b&c"))
    end)

    it("takes long texts and long tokens in time (a 10 KB token, a 1 MB page)", function()
      local long = {}
      for i = 1, 10240 do long[i] = string.char(33 + (i * 7919) % 94) end
      long = table.concat(long)
      local h = secret.masker(long)
      local page = ("<p>" .. string.rep("plain words and 50% + &amp; ", 40000) .. "</p>") .. pct(long)
      local t0 = os.clock()
      local out = h(page)
      assert.same({}, leak.probe(long):hits(out:sub(-40000)))
      -- A bound that only a quadratic masker misses (it took minutes), not a speed claim: bench/ measures speed.
      assert.is_true(os.clock() - t0 < 10 * util.slowdown(), "took " .. (os.clock() - t0) .. " s")
    end)

    it("with whole = true hides the token only where it is whole, in any form: for data that was not cut", function()
      local whole = secret.masker("sandbox-token", { whole = true })
      assert.equal('{"avatar":"https://p3-sandbox.example/a.jpeg","m":"ok ***, *** and ***"}',
        whole('{"avatar":"https://p3-sandbox.example/a.jpeg","m":"ok sandbox-token, sandbox%2Dtoken and '
          .. 'sandbox\\u002dtoken"}'))
      assert.equal("https://p3-***.example/", secret.masker("sandbox-token")("https://p3-sandbox.example/"))
    end)

    it("at a cut, also hides the token's first 3 to 5 bytes, and the start of an escape the cut broke", function()
      local h = secret.masker("Zq9&x Lp2")
      assert.equal("body: token=Zq9&x", h("body: token=Zq9&x"))
      assert.equal("body: token=***", h("body: token=Zq9&x", true))
      assert.equal("body: token=***", h("body: token=Zq9%26", true))
      assert.equal("body: token=***", h("body: token=Zq9%2", true))
      assert.equal("body: token=Zq", h("body: token=Zq", true))
      assert.equal("Zq9 and more", h("Zq9 and more", true))
    end)

    it("reads each kind of escape on its own: a token that looks like escapes, echoed escaped", function()
      local t = "\\u0041Bc\\x42%%Dd9&amp;%41"
      local h = secret.masker(t)
      local whole = secret.masker(t, { whole = true })
      for _, form in ipairs { t, (t:gsub("\\", "\\\\")), pct(t), (t:gsub("&", "&amp;")), pct(pct(t)) } do
        assert.equal("m=*** end", h("m=" .. form .. " end"), form)
        assert.equal("m=*** end", whole("m=" .. form .. " end"), form)
      end
    end)

    it("refuses a secret that is not a non-empty string", function()
      assert.has_error(function() secret.masker("") end, "xingtu.secret.masker: the secret must be a string")
      assert.has_error(function() secret.masker(nil) end, "xingtu.secret.masker: the secret must be a string")
    end)
  end)

  describe("cut", function()
    it("cuts on a character boundary and drops a character the text was cut inside", function()
      assert.equal("abc", secret.cut("abc€def", 4))
      assert.equal("abc", secret.cut("abc€def", 5))
      assert.equal("abc€", secret.cut("abc€def", 6))
      assert.equal("ab", secret.cut("ab😀", 5))
      assert.equal("ab", secret.cut("ab\240\159", 120)) -- cut before it came here (the core keeps 512 bytes)
      assert.equal("plain", secret.cut("plain", 120))
    end)
  end)
end)

describe("xingtu errors from a page that echoes the URL (the sandbox's plain-text fault)", function()
  local xingtu = require "xingtu"
  local sandbox = require "helpers.sandbox"

  local PATH = "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1"

  setup(function() sandbox.start() end)
  before_each(function() sandbox.reset() end)

  -- A call with `token` (a fault is answered before the sandbox looks at the token) that meets a 502 whose plain
  -- text body is `body`; returns the error.
  local function fail_with(token, body)
    sandbox.fault { status = 502, envelope = 0, message = body }
    local c = xingtu.new { token = token, base_url = sandbox.url, retries = 0 }
    local data, err = c:touch_distribution { o_author_id = "1" }
    c:close()
    assert.is_nil(data)
    return err
  end

  local function assert_clean(token, err)
    local probe = leak.probe(token)
    probe:walk(err, "err")
    probe:hits(tostring(err), "tostring(err)")
    assert.equal(0, #probe.found, probe:report())
  end

  it("masks a token cut off by the 120-byte snippet", function()
    local token = "Qm4Zp9Xc2Lr7Vb5Nt8Kd3Wf6Hj1Sg0Ya"
    local body = "Request blocked by policy. GET " .. PATH .. "?token=" .. token .. "&oAuthorId=1"
    assert.is_true(#body > 120 and body:find(token, 1, true) < 110, "the cut must fall inside the token")
    local err = fail_with(token, body)
    assert.equal("server_error", err.kind)
    assert_clean(token, err)
    assert.matches("token=***", err.message, 1, true)
  end)

  it("masks the token echoed percent-encoded, with lower-case hex or with + for a space", function()
    local token = "Qm4Zp9 Xc2&Lr7+Vb5#Nt8%Kd3"
    for _, echoed in ipairs {
      (token:gsub("[^%w%-%._~]", function(ch) return ("%%%02X"):format(ch:byte()) end)),
      (token:gsub("[^%w%-%._~]", function(ch) return ("%%%02x"):format(ch:byte()) end)),
      (token:gsub("[^%w%-%._~ ]", function(ch) return ("%%%02X"):format(ch:byte()) end):gsub(" ", "+")),
    } do
      assert_clean(token, fail_with(token, "blocked: token=" .. echoed .. "&oAuthorId=1"))
    end
  end)

  it("masks a token with a tab, echoed as it is (masked before whitespace is made one line)", function()
    local token = "Qm4Zp9Xc\tLr7Vb5Nt8Kd3"
    local err = fail_with(token, "blocked: token=" .. token .. " (see logs)")
    assert_clean(token, err)
    assert.equal("HTTP 502, body is not JSON (", err.message:sub(1, 28))
    assert.matches("blocked: token=*** (see logs)", err.message, 1, true)
  end)

  it("cuts the snippet on a character boundary", function()
    local err = fail_with("Qm4Zp9Xc2Lr7Vb5Nt8Kd3", "x" .. string.rep("直播", 60))
    assert.is_not_nil(utf8.len(err.message), err.message)
    assert.is_not_nil(utf8.len(tostring(err)))
  end)

  it("keeps no Retry-After header in an error or in err.previous: only the seconds it asks for", function()
    local token = "Qm4Zp9Xc2Lr7Vb5Nt8Kd3Wf6"
    sandbox.fault { status = 429, retry_after = "token=" .. token, times = 1 }
    sandbox.fault { status = 429, retry_after = "0", times = 1 }
    local c = xingtu.new { token = token, base_url = sandbox.url, retries = 2, max_calls = 2, backoff_base = 0 }
    local _, err = c:touch_distribution { o_author_id = "1" }
    c:close()
    assert.equal("budget_exceeded", err.kind)
    assert.equal("rate_limited", err.previous.kind)
    assert.equal(0, err.previous.retry_after)
    assert.is_nil(err.retry_after_header)
    assert.is_nil(err.previous.retry_after_header)
    sandbox.fault { status = 429, retry_after = "token=" .. token }
    c = xingtu.new { token = token, base_url = sandbox.url, retries = 0 }
    _, err = c:touch_distribution { o_author_id = "1" }
    c:close()
    assert.equal("rate_limited", err.kind)
    assert.is_nil(err.retry_after)
    assert_clean(token, err)
  end)
end)

describe("what a caller can reach holds no token", function()
  local xingtu = require "xingtu"
  local sandbox = require "helpers.sandbox"
  local cache = require "xingtu.cache"

  setup(function() sandbox.start() end)
  before_each(function() sandbox.reset() end)

  local function requests(n)
    local list = {}
    for i = 1, n do list[i] = { "touch_distribution", { o_author_id = tostring(6976442543234000000 + i) } } end
    return list
  end

  it("in client:each's state and closer, mid-batch, nor in the tags its multi is given", function()
    local probe = leak.probe(sandbox.token)
    local tags = {}
    local session = require("xingtu.core").session {}
    -- A transport of the caller's with its own multi: it is handed the URL (it sends it), but the tag that comes
    -- with it is the batch's own bookkeeping and must not carry the token.
    local transport = {
      get = function(_, url, timeout) return session:get(url, timeout) end,
      multi = function(_, options)
        local m = require("xingtu.core").multi(options)
        return {
          add = function(_, url, tag, timeout) tags[#tags + 1] = tag; return m:add(url, tag, timeout) end,
          poll = function(_, ...) return m:poll(...) end,
          pending = function() return m:pending() end,
          close = function() return m:close() end,
        }
      end,
    }
    local c = xingtu.new { token = sandbox.token, base_url = sandbox.url, transport = transport }
    local iter, state, first, closer = c:each(requests(20), { concurrency = 2 })
    local i, data, meta = iter(state, first)
    assert.is_not_nil(data)
    probe:walk({ iter, state, first, closer, i, data, meta }, "each")
    for _ in iter, state do end
    probe:walk(tags, "tags")
    assert.is_true(#tags >= 20)
    probe:walk(c, "client")
    assert.equal(0, #probe.found, probe:report())
    assert.equal("xingtu.Batch", tostring(state))
    assert.equal("xingtu.Batch", getmetatable(state))
    session:close()
    c:close()
  end)

  it("in meta, err, err.previous, the client, its cache (memory and directory) and client:pages' state", function()
    local probe = leak.probe(sandbox.token)
    local dir = os.tmpname()
    os.remove(dir)
    for _, store in ipairs { cache.new { backend = cache.memory() }, dir } do
      local c = xingtu.new { token = sandbox.token, base_url = sandbox.url, cache = store, max_calls = 3,
        backoff_base = 0 }
      local data, meta = c:touch_distribution { o_author_id = "1" }
      assert.is_not_nil(data)
      probe:walk(meta, "meta")
      sandbox.fault { code = 302, message = "slow down, " .. sandbox.token, times = 5 }
      local _, err = c:touch_distribution { o_author_id = "2" }
      assert.equal("budget_exceeded", err.kind)
      probe:walk(err, "err")
      sandbox.reset()
      local iter, state, ctl, closer = c:pages("search", { keyword = "x" }, { max_pages = 2 })
      probe:walk({ iter(state, ctl) }, "pages values")
      probe:walk({ state, closer }, "pages state")
      probe:walk(c, "client")
      probe:walk(c.cache, "cache")
      c:close()
    end
    os.execute("rm -rf " .. dir)
    assert.equal(0, #probe.found, probe:report())
  end)
end)

describe("the response cache", function()
  local xingtu = require "xingtu"
  local sandbox = require "helpers.sandbox"

  it("stores no token when a successful answer echoes the request, and leaves other answers byte for byte", function()
    local token = "Ck9 Zp&Xq2+Lr7#Vb5%Nt8"
    local own = sandbox.spawn { token = token }
    local dir = os.tmpname()
    os.remove(dir)
    local c = xingtu.new { token = token, base_url = own.url, cache = dir }
    for i, how in ipairs { "uri", "args", "form" } do
      own:fault { code = 0, message = "ok", echo = how }
      local data, meta = c:side_info { o_author_id = tostring(i) }
      assert.equal(xingtu.null, data)
      assert.equal("ok: /api/douyin-xingtu/gw/api/aggregator/get_author_side_base_info/v1?token=***&oAuthorId=" .. i,
        meta.message)
    end
    local plain = assert(c:side_info { o_author_id = "7" })
    for i = 1, 3 do
      local data, meta = c:side_info { o_author_id = tostring(i) }
      assert.equal(xingtu.null, data)
      assert.is_true(meta.cached)
      assert.matches("token=***", meta.message, 1, true)
    end
    local cached, meta = c:side_info { o_author_id = "7" }
    assert.is_true(meta.cached)
    assert.same(plain, cached)
    c:close()
    own:stop()
    local probe = leak.probe(token)
    local names = util.run("find " .. util.quote(dir) .. " -type f -name '*.entry'")
    local n = 0
    for name in names:gmatch("[^\n]+") do
      n = n + 1
      probe:hits(assert(util.read_file(name)), name)
    end
    util.run("rm -rf " .. util.quote(dir))
    assert.equal(4, n)
    assert.equal(0, #probe.found, probe:report())
  end)
end)

describe("the sandbox's logs", function()
  local sandbox = require "helpers.sandbox"

  local TOUCH = "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1"

  local function enc(s, fmt, keep)
    return (s:gsub("[^%w%-%._~" .. (keep or "") .. "]", function(c) return (fmt or "%%%02X"):format(c:byte()) end))
  end

  it("carry no form of the token: API and control requests however encoded, and a 414 for a URI too long", function()
    local token = "Sb7&x Q%2B+tk\t9é#Zq-Wm4"
    local own = sandbox.spawn { token = token }
    local forms = { enc(token), enc(token, "%%%02x"), (enc(token, "%%%02X", " "):gsub(" ", "+")),
      (token:gsub("[&%%+#\t ]", function(c) return ("%%%02X"):format(c:byte()) end)) }
    for _, form in ipairs(forms) do
      local res = sandbox.get(own.url .. TOUCH, "token=" .. form .. "&oAuthorId=1")
      assert.equal(200, res.status)
      assert.equal(0, require("cjson").decode(res.body).code, form)
    end
    for _, form in ipairs(forms) do -- control requests that carry the token, as a test that has it echoed does
      assert.equal(200, sandbox.get(own.url .. "/__sandbox/fault", "message=" .. form .. "&code=400").status)
      assert.equal(200, sandbox.get(own.url .. "/__sandbox/fault", "retry_after=" .. form .. "&status=429").status)
    end
    local long = sandbox.get(own.url .. TOUCH, "token=" .. enc(token) .. "&pad=" .. string.rep("x", 70000))
    assert.equal(414, long.status)
    local last = sandbox.get(own.url .. "/__sandbox/last").body
    local stats = sandbox.get(own.url .. "/__sandbox/stats").body
    local access, errors = own:logs()
    own:stop()
    local probe = leak.probe(token)
    probe:hits(access, "access.log")
    probe:hits(errors, "error.log")
    probe:hits(last, "/__sandbox/last")
    probe:hits(stats, "/__sandbox/stats")
    assert.equal(0, #probe.found, probe:report())
    assert.matches('"- " 414', access, 1, true)
    assert.matches("/__sandbox/fault?message=***&code=400", access, 1, true)
    assert.is_nil(util.read_file(own.dir .. "/logs/access.log"), "stop removes the directory")
  end)
end)
