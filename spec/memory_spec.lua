-- Failing calls leak nothing: 10,000 of them against the sandbox (bad, truncated and HTML bodies, dropped connections,
-- refused connections), with Lua errors raised in the client's callbacks and by the caller between calls, plus
-- decode and encode errors, and memory stays flat: the Lua heap (collectgarbage "count"), the process's resident set
-- (VmRSS in /proc/self/status) and its open file descriptors.
--
-- Tolerances are for a noisy, shared machine: what a real leak would cost over 10,000 calls (a body buffer is 16 KB,
-- an easy handle several KB, an error table about 1 KB: tens to hundreds of MB) is far above them, while allocator
-- and libcurl caches stay well below. Under valgrind (XINGTU_VALGRIND=1, set by .ci/valgrind) the loop is shorter
-- and memcheck's leak report is the check; under AddressSanitizer (XINGTU_SANITIZED=1) freed memory sits in ASan's
-- quarantine, so the resident set is not compared there.

local xingtu = require "xingtu"
local socket = require "socket"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local UNDER_VALGRIND = os.getenv("XINGTU_VALGRIND") == "1"
local UNDER_ASAN = os.getenv("XINGTU_SANITIZED") == "1"
local CALLS = tonumber(os.getenv("XINGTU_MEMORY_CALLS")) or (UNDER_VALGRIND and 400 or 10000)
local WARMUP = UNDER_VALGRIND and 200 or 1000

local HEAP_TOLERANCE_KB = 256
local RSS_TOLERANCE_KB = 6 * 1024
local FD_TOLERANCE = 2

local AUTHOR = "6976442543234760712"
local PARAMS = { o_author_id = AUTHOR }

local function new_client(opts)
  opts = opts or {}
  opts.token = sandbox.token
  opts.base_url = opts.base_url or sandbox.url
  opts.retries = opts.retries or 0
  opts.backoff_base = 0
  return xingtu.new(opts)
end

local SENTINEL = setmetatable({}, { __tostring = function() return "raised by the caller" end })

-- One kind of failing call: `fault` is queued in the sandbox for the block (nil: none); `call(client)` makes one
-- call and checks it failed as expected; `opts` are the client's options.
local KINDS = {
  {
    name = "truncated body (bad_response)",
    fault = { truncate = 60 },
    call = function(c)
      local data, err = c:touch_distribution(PARAMS)
      assert(data == nil and err.kind == "bad_response", tostring(err))
    end,
  },
  {
    name = "HTML 502 page (server_error)",
    fault = { status = 502, html = 1 },
    call = function(c)
      local data, err = c:touch_distribution(PARAMS)
      assert(data == nil and err.kind == "server_error" and err.http_status == 502, tostring(err))
    end,
  },
  {
    name = "plain-text 503 (server_error)",
    fault = { status = 503, envelope = 0 },
    call = function(c)
      local data, err = c:touch_distribution(PARAMS)
      assert(data == nil and err.kind == "server_error", tostring(err))
    end,
  },
  {
    name = "connection closed mid-body (network)",
    fault = { close_mid_body = 1 },
    call = function(c)
      local data, err = c:touch_distribution(PARAMS)
      assert(data == nil and err.kind == "network", tostring(err))
    end,
  },
  {
    name = "Lua error raised by the sleep callback between attempts",
    fault = { code = 301 },
    opts = { retries = 2, sleep = function() error(SENTINEL) end },
    call = function(c)
      local ok, e = pcall(c.touch_distribution, c, PARAMS)
      assert(not ok and e == SENTINEL, tostring(e))
    end,
  },
  {
    name = "Lua error raised by the random source",
    fault = { code = 302 },
    opts = { retries = 1, random = function() error("random failed") end },
    call = function(c)
      local ok, e = pcall(c.touch_distribution, c, PARAMS)
      assert(not ok and tostring(e):find("random failed", 1, true), tostring(e))
    end,
  },
  {
    name = "Lua error raised by a transport wrapper after the C core answered",
    fault = { status = 500, envelope = 0 },
    wrap = function(c)
      local p = c.pipeline
      local inner = p.transport
      p.transport = { get = function(_, url)
        local res = inner:get(url)
        error({ status = res.status })
      end, close = function() inner:close() end }
    end,
    call = function(c)
      local ok, e = pcall(c.touch_distribution, c, PARAMS)
      assert(not ok and type(e) == "table" and e.status == 500, tostring(e))
    end,
  },
  {
    name = "xingtu.assert raising the error table to the caller (code 601)",
    fault = { code = 601 },
    call = function(c)
      local ok, e = pcall(function() return xingtu.assert(c:touch_distribution(PARAMS)) end)
      assert(not ok and xingtu.is_error(e) and e.kind == "insufficient_balance", tostring(e))
    end,
  },
  {
    name = "connection refused (network)",
    refused = true,
    call = function(c)
      local data, err = c:touch_distribution(PARAMS)
      assert(data == nil and err.kind == "network" and err.billed == false, tostring(err))
    end,
  },
  {
    name = "a multi engine dropped with transfers in flight",
    fault = { delay = 0.05 },
    unconsumed = true, -- a transfer dropped before it was sent leaves its fault in the queue
    call = function(c)
      local m = c.pipeline:open_multi(2)
      local url = c:url_for("/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1", { { "oAuthorId", AUTHOR } })
      m:add(url, "tag")
      m:add("http://127.0.0.1:1/refused")
      local ok, e = pcall(function()
        m:poll(0)
        error(SENTINEL)
      end)
      assert(not ok and e == SENTINEL)
      if math.random() < 0.5 then m:close() end -- the other half are closed by __gc
    end,
  },
}

local BLOCK = 50 -- calls per client; the block's fault is queued for exactly as many requests as the block makes

local refused_url = "http://127.0.0.1:" .. util.free_port()

-- Runs `n` failing calls, cycling through the kinds in blocks. Half of the clients are closed, the other half are
-- left to the garbage collector.
local function failing_calls(n)
  local done, k = 0, 0
  while done < n do
    k = k % #KINDS + 1
    local kind = KINDS[k]
    local count = math.min(BLOCK, n - done)
    sandbox.reset()
    if kind.fault then
      local fault = { times = count }
      for key, v in pairs(kind.fault) do fault[key] = v end
      sandbox.fault(fault)
    end
    local opts = {}
    for key, v in pairs(kind.opts or {}) do opts[key] = v end
    if kind.refused then opts.base_url = refused_url end
    local c = new_client(opts)
    if kind.wrap then kind.wrap(c) end
    for _ = 1, count do kind.call(c) end
    if kind.fault and not kind.unconsumed then
      local pending = sandbox.stats().faults_pending
      assert(pending == 0, kind.name .. ": " .. tostring(pending) .. " faults left over")
    end
    if done % (2 * BLOCK) == 0 then c:close() end
    done = done + count
  end
  sandbox.reset()
end

local DECODE_ERRORS = {
  '{"a":"\\u00e9\\n\\t', '{"a":[1,2,3,', '[' .. string.rep('"\\"esc\\"",', 40) .. '}', '12345678901234567890.5e',
  string.rep("[", 2000) .. string.rep("]", 1999), '{"x":"\\uD800"}', '{"k":tru}', '"\xff\xfe"', '{"a" 1}',
  '{"big":' .. string.rep("9", 400) .. '.' .. string.rep("1", 400) .. 'e', '',
}

local function decode_errors(n)
  local decode = xingtu.json.decode
  for i = 1, n do
    local text = DECODE_ERRORS[i % #DECODE_ERRORS + 1]
    local v, err = decode(text)
    assert(v == nil and type(err) == "string" and err:find(" at byte %d+$"), text)
  end
end

local function encode_errors(n)
  local encode = xingtu.json.encode
  local cyclic = { list = { 1, 2, { deep = {} } } }
  cyclic.list[3].deep.back = cyclic
  local values = {
    cyclic,
    { ok = string.rep("x", 5000), bad = { 1, 2, print } },
    { [{}] = 1 },
    { n = 0 / 0 },
  }
  for i = 1, n do
    local ok, err = pcall(encode, values[i % #values + 1], { sort_keys = i % 2 == 0 })
    assert(not ok and tostring(err):find("cannot encode"), tostring(err))
  end
end

local function measure()
  util.full_gc()
  return { heap = collectgarbage("count"), rss = util.rss_kb(), fds = util.fd_count() }
end

local function assert_flat(label, before, after)
  local heap = after.heap - before.heap
  local rss = after.rss - before.rss
  local msg = string.format("%s: Lua heap %+.1f KB, VmRSS %+d KB, fds %d -> %d", label, heap, rss,
    before.fds, after.fds)
  print("\n  " .. msg)
  assert.is_true(heap < HEAP_TOLERANCE_KB, msg)
  if not UNDER_ASAN and not UNDER_VALGRIND then
    assert.is_true(rss < RSS_TOLERANCE_KB, msg)
  end
  assert.is_true(after.fds <= before.fds + FD_TOLERANCE, msg)
end

describe("xingtu memory", function()
  setup(function()
    sandbox.start()
  end)

  teardown(function()
    sandbox.reset()
  end)

  describe("failing calls", function()
    it(("leave memory, handles and descriptors flat over %d failing calls of %d kinds"):format(CALLS, #KINDS),
      function()
        failing_calls(WARMUP) -- warm-up: libcurl's lazily created state, interned strings, allocator pools
        local before = measure()
        failing_calls(CALLS)
        local after = measure()
        -- a descriptor of a connection just closed can linger in the listing for a moment; a leak would stay
        for _ = 1, 20 do
          if after.fds <= before.fds + FD_TOLERANCE then break end
          socket.sleep(0.05)
          after = measure()
        end
        assert_flat("failing calls", before, after)
      end)
  end)

  describe("json", function()
    it(("leaves memory flat over %d decode errors and %d encode errors"):format(CALLS, CALLS), function()
      decode_errors(WARMUP)
      encode_errors(WARMUP)
      local before = measure()
      decode_errors(CALLS)
      encode_errors(CALLS)
      local after = measure()
      assert_flat("json errors", before, after)
    end)
  end)
end)
