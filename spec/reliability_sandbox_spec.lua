-- Retries, pacing and the spend guard against the real sandbox (bin/xingtu-sandbox) with its fault injection: the
-- issue's checks, counted on the provider's side (the sandbox's request counter), over real HTTP with the C core.
-- The clock and the sleep are the real ones; only the backoff is made short where the test is not about time.

local xingtu = require "xingtu"
local core = require "xingtu.core"
local socket = require "socket"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local AUTHOR = "6976442543234760712"
local PARAMS = { o_author_id = AUTHOR }
local FAST = 0.001 -- backoff_base for tests that count requests, not time

local function client(opts)
  opts = opts or {}
  opts.token = sandbox.token
  opts.base_url = opts.base_url or sandbox.url
  if opts.backoff_base == nil then opts.backoff_base = FAST end
  return xingtu.new(opts)
end

local function seen()
  return sandbox.stats().requests
end

-- A real libcurl session that records when each request started and when its answer was back (monotonic clock).
local function timed_session(opts)
  local session = core.session(opts)
  local t = { starts = {}, ends = {} }
  function t.get(_, url)
    t.starts[#t.starts + 1] = core.now()
    local res = session:get(url)
    t.ends[#t.ends + 1] = core.now()
    return res
  end
  function t.close() session:close() end
  return t
end

describe("xingtu reliability against the sandbox", function()
  setup(function()
    sandbox.start()
  end)

  before_each(function()
    sandbox.reset()
  end)

  describe("retries", function()
    it("succeeds after two collection failures (301), with meta.attempts == 3", function()
      sandbox.fault { code = 301, times = 2 }
      local c = client()
      local data, meta = c:touch_distribution(PARAMS)
      assert.is_table(data, tostring(meta))
      assert.equal(3, meta.attempts)
      assert.equal(3, seen())
      assert.same({ sent = 3, succeeded = 1, failed = 0, retried = 2 },
        { sent = c:stats().sent, succeeded = c:stats().succeeded, failed = c:stats().failed,
          retried = c:stats().retried })
      c:close()
    end)

    for _, retries in ipairs { 0, 1, 3, 5 } do
      it("gives up on a provider that always answers 302 after exactly retries + 1 = " .. (retries + 1)
        .. " requests", function()
        sandbox.fault { code = 302, times = 100 }
        local c = client { retries = retries }
        local data, err = c:touch_distribution(PARAMS)
        assert.is_nil(data)
        assert.equal("rate_limited", err.kind)
        assert.equal(302, err.code)
        assert.is_false(err.billed)
        assert.equal(retries + 1, err.attempts)
        assert.equal(retries + 1, seen())
        c:close()
      end)
    end

    for code, kind in pairs { [601] = "insufficient_balance", [602] = "token_limit_exceeded" } do
      it("fails on code " .. code .. " (" .. kind .. ") after exactly 1 request", function()
        sandbox.fault { code = code, times = 10 }
        local c = client { retries = 5 }
        local data, err = c:touch_distribution(PARAMS)
        assert.is_nil(data)
        assert.equal(kind, err.kind)
        assert.equal(code, err.code)
        assert.is_false(err.retryable)
        assert.is_false(err.billed)
        assert.equal(1, err.attempts)
        assert.equal(1, seen())
        c:close()
      end)
    end

    it("retries the provider's code 500 carrying its envelope (HTTP 200 or HTTP 500)", function()
      for _, status in ipairs { 200, 500 } do
        sandbox.reset()
        sandbox.fault { code = 500, status = status, times = 1 }
        local c = client()
        local data, meta = c:touch_distribution(PARAMS)
        assert.is_table(data, tostring(meta))
        assert.equal(2, meta.attempts)
        assert.equal(2, seen())
        c:close()
      end
    end)

    it("returns an HTTP 502 HTML page as server_error, billing unknown, after 1 request by default", function()
      sandbox.fault { status = 502, html = 1, times = 10 }
      local c = client()
      local data, err = c:touch_distribution(PARAMS)
      assert.is_nil(data)
      assert.equal("server_error", err.kind)
      assert.equal(502, err.http_status)
      assert.equal("unknown", err.billed)
      assert.is_true(err.retryable)
      assert.is_nil(err.code)
      assert.equal(1, err.attempts)
      assert.equal(1, seen())
      c:close()
    end)

    it("retries an HTTP 502 HTML page with retry_unknown", function()
      sandbox.fault { status = 502, html = 1, times = 2 }
      local c = client { retry_unknown = true }
      local data, meta = c:touch_distribution(PARAMS)
      assert.is_table(data, tostring(meta))
      assert.equal(3, meta.attempts)
      assert.equal(3, seen())
      c:close()
    end)

    it("reports a slow response past timeout as timeout, billing unknown, not retried by default", function()
      sandbox.fault { delay = 2, times = 5 }
      local c = client { timeout = 0.3 }
      local t0 = core.now()
      local data, err = c:touch_distribution(PARAMS)
      local took = core.now() - t0
      assert.is_nil(data)
      assert.equal("timeout", err.kind)
      assert.equal("unknown", err.billed)
      assert.equal(1, err.attempts)
      assert.equal(1, seen())
      -- libcurl's timers work in whole milliseconds against its own clock: it may give up a hair before 0.3 s.
      assert.is_true(took >= 0.28 and took < 1.9, "took " .. took)
      c:close()
    end)

    it("reports a refused connection as network, not billed, and retries it", function()
      local c = client { base_url = "http://127.0.0.1:" .. util.free_port(), retries = 3 }
      local data, err = c:touch_distribution(PARAMS)
      assert.is_nil(data)
      assert.equal("network", err.kind)
      assert.is_false(err.billed)
      assert.is_true(err.retryable)
      assert.equal(0, err.http_status)
      assert.equal(4, err.attempts)
      local s = c:stats()
      assert.equal(4, s.sent)
      assert.equal(3, s.retried)
      assert.same({ network = 1 }, s.failed_by_kind)
      c:close()
    end)

    it("reports a connection closed mid-body as network with billing unknown: 1 request, retried on opt-in", function()
      sandbox.fault { close_mid_body = 1, times = 1 }
      local c = client()
      local data, err = c:touch_distribution(PARAMS)
      assert.is_nil(data)
      assert.equal("network", err.kind)
      assert.equal("unknown", err.billed)
      assert.equal(1, seen())
      c:close()

      sandbox.reset()
      sandbox.fault { close_mid_body = 1, times = 1 }
      c = client { retry_unknown = true }
      local _, meta = assert(c:touch_distribution(PARAMS))
      assert.equal(2, meta.attempts)
      assert.equal(2, seen())
      c:close()
    end)

    it("reports a truncated body as bad_response, billing unknown, never retried", function()
      sandbox.fault { truncate = 40, times = 10 }
      local c = client { retry_unknown = true }
      local data, err = c:touch_distribution(PARAMS)
      assert.is_nil(data)
      assert.equal("bad_response", err.kind)
      assert.equal("unknown", err.billed)
      assert.equal(1, seen())
      c:close()
    end)

    it("waits at least Retry-After: 1 second (real clock) before the next attempt", function()
      sandbox.fault { status = 429, retry_after = 1, times = 1 }
      local t = timed_session()
      local c = client { transport = t, backoff_base = 0 }
      local data, meta = c:touch_distribution(PARAMS)
      assert.is_table(data, tostring(meta))
      assert.equal(2, meta.attempts)
      assert.equal(2, seen())
      local gap = t.starts[2] - t.ends[1]
      assert.is_true(gap >= 1.0, string.format("next attempt after %.3f s", gap))
      assert.is_true(gap < 2.5, string.format("next attempt after %.3f s", gap))
      c:close()
    end)

    it("reads Retry-After as an HTTP date, and a date in the past (even before 1970) as no wait", function()
      -- regression: os.time raised on "Wed, 31 Dec 1969 23:59:59 GMT" (-1), so a header could make a call raise
      for _, date in ipairs { "Wed, 31 Dec 1969 23:59:59 GMT", "Sun, 06 Nov 1994 08:49:37 GMT" } do
        sandbox.reset()
        sandbox.fault { status = 429, retry_after = date, times = 1 }
        local c = client()
        local data, meta = c:touch_distribution(PARAMS)
        assert.is_table(data, tostring(meta))
        assert.equal(2, meta.attempts)
        assert.equal(2, seen())
        c:close()
      end
    end)

    it("fails at once, with err.retry_after, when Retry-After asks for more than backoff_max", function()
      sandbox.fault { status = 429, retry_after = 120, times = 1 }
      local c = client { backoff_max = 20 }
      local data, err = c:touch_distribution(PARAMS)
      assert.is_nil(data)
      assert.equal("rate_limited", err.kind)
      assert.equal(120, err.retry_after)
      assert.equal(1, seen())
      c:close()
    end)
  end)

  describe("a hostile server", function()
    -- A tiny server of its own (python3, stopped by pid): odd requests get a normal envelope, even ones an answer
    -- whose first header line is a folded continuation. libcurl 7.88 unfolded that into the previous response's freed
    -- headers when the easy handle was reused: a use-after-free, a segfault of the whole process (found by
    -- fuzz/fuzz_envelope.c). The C core now takes a fresh handle for every request.
    local SERVER = [[
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
n = 0
ok = b'{"code":0,"message":"success","data":{"fine":true},"recordTime":"2026-11-23 10:00:00","requestId":"r1"}'
while True:
    c, _ = s.accept()
    while True:
        d = c.recv(65536)
        if not d: break
        n += 1
        if n % 2 == 1:
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abcdefgh\r\n"
                      b"Content-Length: " + str(len(ok)).encode() + b"\r\n\r\n" + ok)
        else:
            c.sendall(b"HTTP/1.1 500 Internal Server Error\r\n folded: continuation\r\nContent-Length: 2\r\n\r\n{}")
    c.close()
]]
    local server = {}

    setup(function()
      server.script = os.tmpname()
      local f = assert(io.open(server.script, "w"))
      f:write(SERVER)
      f:close()
      server.out = os.tmpname()
      local p = assert(io.popen("python3 " .. server.script .. " >" .. server.out .. " 2>&1 & echo $!"))
      server.pid = tonumber(p:read("a"):match("%d+"))
      p:close()
      for _ = 1, 100 do
        local o = io.open(server.out)
        server.port = o and tonumber(o:read("a"):match("^(%d+)\n"))
        if o then o:close() end
        if server.port then break end
        socket.sleep(0.05)
      end
      assert(server.port, "the hostile server did not start")
    end)

    teardown(function()
      if server.pid then os.execute("kill " .. server.pid .. " 2>/dev/null") end
      if server.script then os.remove(server.script) end
      if server.out then os.remove(server.out) end
    end)

    -- Every response-path input the fuzzer found (spec/fixtures/fuzz-regressions/envelope-*.http, also replayed by
    -- fuzz/run.sh), sent byte for byte by a server of its own, twice on one session (the second on a fresh handle
    -- after the first transfer): each must come back as a result or an error of a known kind.
    local REPLAY = [[
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    d = b""
    while b"\r\n\r\n" not in d:
        more = c.recv(65536)
        if not more: break
        d += more
    name = d.split(b" ")[1].split(b"?")[0].lstrip(b"/").decode() if d else ""
    try:
        c.sendall(open(sys.argv[1] + "/" + name, "rb").read())
    except OSError:
        pass
    c.close()
]]

    it("replays every saved response-path fuzz finding without a crash", function()
      local dir = "spec/fixtures/fuzz-regressions"
      local script = os.tmpname()
      util.write_file(script, REPLAY)
      local out = os.tmpname()
      local p = assert(io.popen("python3 " .. script .. " " .. dir .. " >" .. out .. " 2>&1 & echo $!"))
      local pid = tonumber(p:read("a"):match("%d+"))
      p:close()
      local port
      for _ = 1, 100 do
        port = tonumber((util.read_file(out) or ""):match("^(%d+)\n"))
        if port then break end
        socket.sleep(0.05)
      end
      local ok, problem = pcall(function()
        assert(port, "the replay server did not start")
        local replayed = 0
        local names = util.run("ls " .. dir)
        for name in names:gmatch("(envelope%-[^\n]+%.http)") do
          local c = xingtu.new { token = "t", base_url = "http://127.0.0.1:" .. port, retries = 0, timeout = 5 }
          for _ = 1, 2 do
            local data, err = c:get("/" .. name, {})
            assert(data ~= nil or (type(err) == "table" and type(err.kind) == "string"), name)
          end
          c:close()
          replayed = replayed + 1
        end
        assert.is_true(replayed >= 2, replayed .. " inputs replayed")
      end)
      os.execute("kill " .. pid .. " 2>/dev/null")
      os.remove(script)
      os.remove(out)
      assert(ok, problem)
    end)

    it("survives a folded first header line on a reused connection (network failure, no crash)", function()
      local c = client { base_url = "http://127.0.0.1:" .. server.port, retries = 0 }
      for i = 1, 50 do
        local data, err = c:touch_distribution(PARAMS)
        if i % 2 == 1 then
          assert.is_table(data, tostring(err))
          assert.is_true(data.fine)
        else
          assert.is_nil(data)
          assert.equal("network", err.kind)
        end
      end
      c:close()
    end)
  end)

  describe("pacing", function()
    it("takes at least 3.8 s (real clock) for 20 calls at rate = 5", function()
      local c = client { rate = 5 }
      local t0 = core.now()
      for i = 1, 20 do
        local data, err = c:touch_distribution(PARAMS)
        assert.is_table(data, "call " .. i .. ": " .. tostring(err))
      end
      local took = core.now() - t0
      assert.is_true(took >= 3.8, string.format("20 calls took %.3f s", took))
      assert.equal(20, seen())
      c:close()
    end)
  end)

  describe("deadline", function()
    it("cuts an attempt short when the deadline comes before the timeout", function()
      sandbox.fault { delay = 3 }
      local c = client { timeout = 60, deadline = 0.5 }
      local t0 = core.now()
      local data, err = c:touch_distribution(PARAMS)
      local took = core.now() - t0
      assert.is_nil(data)
      assert.equal("timeout", err.kind)
      assert.is_true(err.deadline_exceeded)
      assert.equal("unknown", err.billed)
      assert.is_true(took >= 0.45 and took < 1.5, "took " .. took)
      -- the next call gets the whole deadline again, and the full timeout is back for a call without one
      assert.is_table(c:touch_distribution(PARAMS))
      c:close()
    end)

    it("starts no retry in a batch once the deadline has passed", function()
      sandbox.fault { code = 301 }
      sandbox.fault { delay = 1.2 }
      local c = client { deadline = 0.8, backoff_base = 0.01 }
      local results = c:batch({ { "touch_distribution", PARAMS } }, { concurrency = 1 })
      local err = results[1].err
      assert.is_table(err, "expected a failure")
      assert.is_true(err.deadline_exceeded)
      assert.equal(2, seen()) -- the 301 and the retry it cut short; no third attempt
      c:close()
    end)
  end)

  describe("spend guard", function()
    it("fails the 4th call with budget_exceeded when max_calls = 3; the sandbox saw exactly 3 requests", function()
      local c = client { max_calls = 3 }
      for i = 1, 3 do
        local data, err = c:touch_distribution(PARAMS)
        assert.is_table(data, "call " .. i .. ": " .. tostring(err))
      end
      local data, err = c:touch_distribution(PARAMS)
      assert.is_nil(data)
      assert.equal("budget_exceeded", err.kind)
      assert.is_false(err.billed)
      assert.equal(3, seen())
      assert.equal(3, c:stats().sent)
      c:close()
    end)

    it("counts retries against max_calls", function()
      sandbox.fault { code = 301, times = 10 }
      local c = client { max_calls = 2, retries = 5 }
      local _, err = c:touch_distribution(PARAMS)
      assert.equal("budget_exceeded", err.kind)
      assert.equal("collection_failed", err.previous.kind)
      assert.equal(2, seen())
      c:close()
    end)
  end)
end)
