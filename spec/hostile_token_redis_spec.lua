-- Hostile tokens through the fleet's Redis stores: whatever the token is made of, no 6 bytes of it in a row show in
-- anything the Redis features write or return. The same tokens and fault paths as spec/hostile_token_spec.lua
-- (spec/helpers/hostile.lua), met by clients whose cache (xingtu.cache.redis), lock, pace and budget
-- (xingtu.redis.*) are in a real redis-server of the spec's own; then those stores down (nothing listening), killed
-- mid-batch (kill -9) and slow (DEBUG SLEEP past their timeout), fail open and fail closed (budget_unavailable);
-- then the nginx example with its Redis option (XINGTU_REDIS), with that Redis up and down.
--
-- Looked at: every string reachable from data, meta and err (err.previous included), tostring(err), the clients and
-- their stores after the runs (stats, cache:why_refused(), the backends' last errors), the example's answers, headers
-- and logs; and in Redis, every key (redis-cli --scan), each key's value as GET / HGETALL / LRANGE / SMEMBERS /
-- ZRANGE return it and as DUMP serializes it, every command Redis received (MONITOR, its quoting decoded; keys that
-- were deleted or expired are there too), the slow log (every command, threshold 0) and the server's log file.
-- The search is spec/helpers/leak.lua's, independent of the masker. The command line has no Redis option, so its
-- paths are spec/hostile_token_spec.lua's alone. XINGTU_HOSTILE_ONLY=<part of a name> runs only those tokens. A
-- planted leak (the pipeline keeping an echoing answer unmasked) is found here 8 times for one token: in the cache
-- values (GET and DUMP, this spec's prefix and the example's), and in MONITOR before and after decoding.

local xingtu = require "xingtu"
local hostile = require "helpers.hostile"
local leak = require "helpers.leak"
local nginx = require "helpers.nginx"
local redis = require "helpers.redis"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local cache_redis = require "xingtu.cache.redis"
local redis_lock = require "xingtu.redis.lock"
local redis_pace = require "xingtu.redis.pace"
local redis_budget = require "xingtu.redis.budget"

local CONVERT_SUFFIX = hostile.CONVERT_SUFFIX

-- redis-cli's quoting of a reply or a MONITOR line (sdscatrepr): \xHH, \n, \r, \t, \a, \b, \", \\ decoded.
local REPR = { n = "\n", r = "\r", t = "\t", a = "\a", b = "\b", ['"'] = '"', ["\\"] = "\\" }
local function unrepr(s)
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if c == "\\" and i < n then
      local e = s:sub(i + 1, i + 1)
      local hex = e == "x" and s:sub(i + 2, i + 3):match("^%x%x$")
      if hex then
        out[#out + 1] = string.char(tonumber(hex, 16))
        i = i + 4
      else
        out[#out + 1] = REPR[e] or ("\\" .. e)
        i = i + 2
      end
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

-- A lua-redis client of the user's own, for the stores' `redis = <connection>` form.
local function user_connection(port)
  local saved = package.path
  package.path = saved .. ";/usr/share/lua/5.3/?.lua"
  local ok, m = pcall(require, "redis")
  package.path = saved
  assert(ok, m)
  return m.connect { host = "127.0.0.1", port = port, timeout = 0.2 }
end

-- The fleet's four stores on one Redis (or on a port nothing listens on): what a user of xingtu.redis.* passes;
-- with extra.given, the cache and the lock over a connection of the user's own.
local function stores(port, prefix, extra)
  local where = { port = port, prefix = prefix, timeout = extra and extra.timeout or 0.2, retry_after = 0 }
  if extra and extra.given then where = { redis = extra.given, prefix = prefix } end
  return {
    cache = cache_redis(where),
    lock = redis_lock.new(where),
    pace = redis_pace.new { port = port, prefix = prefix, timeout = where.timeout, retry_after = 0, rate = 1000,
      burst = 1000 },
    budget = redis_budget.new { port = port, prefix = prefix, timeout = where.timeout, retry_after = 0,
      max_calls = 1000000, fail_open = extra and extra.fail_open or nil },
  }
end

local totals = { tokens = 0, paths = 0, library = 0, batch = 0, down = 0, spent = 0, killed = 0, slow = 0, nginx = 0, keys = 0,
  commands = 0, texts = 0, bytes = 0, pieces = 0, hits = 0 }

describe("a hostile token with the fleet's stores in Redis", function()
  local server
  setup(function()
    nginx.build_core()
    server = redis.start()
    -- Every command in the slow log too (a second record of what Redis received, arguments cut at 128 bytes).
    server:call("CONFIG", "SET", "slowlog-log-slower-than", "0")
    server:call("CONFIG", "SET", "slowlog-max-len", "100000")
  end)

  teardown(function()
    if server then server:stop() end
    io.stderr:write(("\nhostile tokens in Redis: %d tokens x %d paths; %d library calls, %d batch requests, %d calls"
      .. " with Redis down, %d refused by a spent Redis budget, %d in a batch whose Redis was killed, %d with Redis"
      .. " slow, %d nginx requests; %d Redis keys and %d commands read back; %d texts (%.1f MB) searched for %d"
      .. " distinct 6-byte pieces: %d hits\n"):format(totals.tokens, totals.paths, totals.library, totals.batch,
      totals.down, totals.spent, totals.killed, totals.slow, totals.nginx, totals.keys, totals.commands, totals.texts,
      totals.bytes / 1e6, totals.pieces, totals.hits))
  end)

  -- Under the checked interpreters (.ci/run's ASan, apicheck and valgrind stages) one token: the masker and this
  -- search are the same pure Lua there, all twelve take about 2 minutes in plain Lua 5.4, and one takes 3.5 minutes
  -- under valgrind on a loaded machine.
  local checked = os.getenv("XINGTU_SANITIZED") == "1" or os.getenv("XINGTU_VALGRIND") == "1"
  local CHECKED_TOKENS = { ["unicode"] = true }
  local only = os.getenv("XINGTU_HOSTILE_ONLY")
  for n, entry in ipairs(hostile.TOKENS) do
    if only and not entry[1]:find(only, 1, true) then goto skip end
    if checked and not only and not CHECKED_TOKENS[entry[1]] then goto skip end
    local name, token = entry[1], entry[2]
    it(("(%s, %d bytes) shows nowhere: Redis keys, values and commands, store errors, the nginx example on Redis")
      :format(name, #token), function()
      local probe = leak.probe(token)
      local own = sandbox.spawn { token = token }
      local tmp = util.run("mktemp -d /tmp/xingtu-hostile-redis.XXXXXX"):gsub("%s+$", "")
      local prefix = "hostile" .. n .. ":"
      local list = hostile.paths(token)
      local id = 6976442543234500000 + n * 1000
      local function next_id()
        id = id + 1
        return tostring(id)
      end
      local function new_client(opts, s)
        local o = { token = token, base_url = own.url, retries = 0, timeout = 0.3 }
        for k, v in pairs(s) do o[k] = v end
        for k, v in pairs(opts or {}) do o[k] = v end
        return xingtu.new(o)
      end
      local function look_at(data, meta, where)
        probe:walk({ data = data, meta = meta }, where)
        if data == nil and meta ~= nil then
          probe:hits(tostring(meta), where .. ": tostring(err)")
          if type(meta) == "table" and meta.previous then
            probe:hits(tostring(meta.previous), where .. ": tostring(err.previous)")
          end
        end
      end

      server:call("FLUSHALL")
      server:call("SLOWLOG", "RESET")
      -- Every command Redis receives from here on, as MONITOR reports it; bounded, stopped by its pid.
      local monitor = tmp .. "/monitor.txt"
      local monitor_pid = tonumber(util.run(("timeout 900 redis-cli -p %d monitor > %s 2>&1 & echo $!"):format(
        server.port, util.quote(monitor))):match("%d+"))
      for _ = 1, 100 do
        if (util.read_file(monitor) or ""):find("OK", 1, true) then break end
        util.run("sleep 0.02")
      end

      -- The library, one call a path, with the four stores in Redis; a success is asked again (a hit from Redis).
      -- Every other path's cache and lock use a connection of the user's own.
      local given = user_connection(server.port)
      for k, p in ipairs(list) do
        own:reset()
        hostile.queue(own, p[2])
        local s = stores(server.port, prefix, { given = k % 2 == 0 and given or nil })
        local c = new_client(p[4], s)
        local params = { o_author_id = next_id() }
        local data, meta
        if p[5] then data, meta = p[5](c) else data, meta = c:side_info(params) end
        local where = "library on Redis, " .. p[1]
        if p[3] then
          assert.is_nil(data, where)
          assert.equal(p[3], meta.kind, where .. ": " .. tostring(meta))
        else
          assert.is_not_nil(data, where .. ": " .. tostring(meta))
          if not p[5] then
            local again, again_meta = c:side_info(params)
            assert.is_true(again ~= nil and again_meta.cached, where .. ": a hit from Redis")
            look_at(again, again_meta, where .. ", the hit")
          end
        end
        look_at(data, meta, where)
        probe:walk({ client = c, stats = c:stats(), stores = s }, where .. ", the client and its stores")
        c:close()
        totals.library = totals.library + 1
      end

      pcall(given.quit, given)

      -- A batch over the simple paths, one at a time in order, each meeting its fault, the stores in Redis.
      own:reset()
      local simple, requests = {}, {}
      for _, p in ipairs(list) do
        if p.simple then
          simple[#simple + 1] = p
          hostile.queue(own, p[2])
          requests[#requests + 1] = { "side_info", { o_author_id = next_id() } }
        end
      end
      local s = stores(server.port, prefix)
      local c = new_client(nil, s)
      local results = c:batch(requests, { concurrency = 1 })
      for i = 1, #requests do
        local r = results[i] or {}
        look_at(r.data, r.data == nil and r.err or r.meta, "batch on Redis, " .. simple[i][1])
        probe:walk(r, "batch on Redis, result of " .. simple[i][1])
        totals.batch = totals.batch + 1
      end
      probe:walk({ client = c, stats = c:stats(), stores = s }, "the batch's client and its stores")
      c:close()

      -- Redis down (nothing listens): the cache and the lock fail open, the pace falls back, the budget fails
      -- closed (budget_unavailable) or, made with fail_open, lets the call go; the echoes meet the same faults.
      local down_port, holder = util.refusing_port()
      local echoes = { { code = 201, echo = "args" }, { code = 301, echo = "form" }, { code = 302, echo = "uri" },
        { status = 500, html = 1, echo = "uri" }, { code = 0, echo = "args" } }
      for _, fail_open in ipairs { false, true } do
        for _, fault in ipairs(echoes) do
          own:reset()
          hostile.queue(own, { fault })
          local ds = stores(down_port, prefix, { fail_open = fail_open })
          local dc = new_client(nil, ds)
          local data, meta = dc:side_info { o_author_id = next_id() }
          local where = ("Redis down, budget fail_open = %s, %s"):format(fail_open, util.quote(
            xingtu.json.encode(fault)))
          if not fail_open then assert.equal("budget_unavailable", meta.kind, where .. ": " .. tostring(meta)) end
          assert.is_true(dc:stats().store_errors >= 1, where)
          look_at(data, meta, where)
          probe:walk({ client = dc, stats = dc:stats(), stores = ds, why = ds.cache:why_refused() },
            where .. ", the client and its stores")
          dc:close()
          totals.down = totals.down + 1
        end
      end
      holder:close()

      -- The shared budget spent: a Redis budget of 2 calls, the third refused (budget_exceeded), its err.previous
      -- the second's echoing failure.
      do
        own:reset()
        hostile.queue(own, { { code = 302, echo = "uri", times = 3 } })
        local bs = stores(server.port, prefix .. "spent:")
        bs.budget = redis_budget.new { port = server.port, prefix = prefix .. "spent:", max_calls = 2, period = "total" }
        local bc = new_client({ retries = 2, backoff_base = 0 }, bs)
        local data, meta = bc:side_info { o_author_id = next_id() }
        assert.is_nil(data)
        assert.equal("budget_exceeded", meta.kind, tostring(meta))
        look_at(data, meta, "the Redis budget spent")
        probe:walk({ client = bc, stats = bc:stats(), stores = bs }, "the Redis budget spent, the client and its stores")
        bc:close()
        totals.spent = totals.spent + 1
      end

      -- Redis killed (kill -9) mid-batch: a Redis of its own dies after the third outcome; the rest of the batch
      -- meets broken and refused connections (the budget made fail_open, so the calls still go and meet faults).
      do
        local doomed = redis.start()
        own:reset()
        for _, p in ipairs(simple) do hostile.queue(own, p[2]) end
        local ks = stores(doomed.port, prefix, { fail_open = true })
        local kc = new_client(nil, ks)
        local killed = false
        local kresults = kc:batch(requests, { concurrency = 1, on_progress = function(done)
          if done >= 3 and not killed then
            killed = true
            doomed:kill()
          end
        end })
        assert.is_true(killed and kc:stats().store_errors >= 1, "Redis killed mid-batch")
        for i = 1, #requests do
          local r = kresults[i] or {}
          look_at(r.data, r.data == nil and r.err or r.meta, "Redis killed mid-batch, " .. simple[i][1])
          probe:walk(r, "Redis killed mid-batch, result of " .. simple[i][1])
          totals.killed = totals.killed + 1
        end
        probe:walk({ client = kc, stats = kc:stats(), stores = ks, why = ks.cache:why_refused() },
          "Redis killed mid-batch, the client and its stores")
        kc:close()
        probe:hits(util.read_file(doomed.dir .. "/redis.log") or "", "the killed redis-server's log")
        doomed:stop()
      end

      -- Redis slow: a DEBUG SLEEP longer than the stores' timeout (0.1 s) while the calls are made.
      for _, fail_open in ipairs { false, true } do
        own:reset()
        hostile.queue(own, { { code = 302, echo = "uri" } })
        local ss = stores(server.port, prefix, { timeout = 0.1, fail_open = fail_open })
        local sc = new_client(nil, ss)
        util.run(("timeout 5 redis-cli -p %d DEBUG SLEEP 0.6 > /dev/null 2>&1 &"):format(server.port))
        util.run("sleep 0.1")
        local data, meta = sc:side_info { o_author_id = next_id() }
        local where = ("Redis slow, budget fail_open = %s"):format(fail_open)
        if not fail_open then assert.equal("budget_unavailable", meta.kind, where .. ": " .. tostring(meta)) end
        look_at(data, meta, where)
        probe:walk({ client = sc, stats = sc:stats(), stores = ss, why = ss.cache:why_refused() },
          where .. ", the client and its stores")
        sc:close()
        assert.matches("PONG", server:call("PING")) -- answered once the sleep is over
        totals.slow = totals.slow + 1
      end

      -- The nginx example on Redis (its cache and lock there, XINGTU_REDIS_RATE its pace), then on a Redis that is
      -- down: its convert call meeting each fault that it does not retry.
      for _, up in ipairs { true, false } do
        own:reset()
        local port, closed = server.port, nil
        if not up then port, closed = util.refusing_port() end
        local example = nginx.example({ token = token, base_url = own.url, redis = "127.0.0.1:" .. port,
          redis_rate = "1000" }, nginx.REGISTRY_KEY .. ".hostile_redis")
        local statuses = {}
        for _, p in ipairs(simple) do
          if p.retried then goto next_path end
          hostile.queue(own, p[2], { path = CONVERT_SUFFIX })
          local where = ("nginx on Redis (%s), %s"):format(up and "up" or "down", p[1])
          local res = sandbox.fetch(example.url .. "/creators/" .. next_id() .. "/summary")
          own:reset()
          statuses[res.status] = true
          probe:hits(res.body, where .. ": answer")
          for header, value in pairs(res.headers) do probe:hits(value, where .. ": header " .. header) end
          hostile.queue(own, p[2], { path = CONVERT_SUFFIX })
          local page = sandbox.fetch(example.url .. "/creators/" .. next_id() .. "/report.html")
          own:reset()
          probe:hits(hostile.html_text(page.body), where .. ": report.html")
          totals.nginx = totals.nginx + 2
          ::next_path::
        end
        local access = util.read_file(example.dir .. "/logs/access.log") or ""
        local errors = util.read_file(example.dir .. "/logs/error.log") or ""
        nginx.stop(example)
        if closed then closed:close() end
        assert.is_true(statuses[200] and statuses[404] and statuses[502], "the example answered 200, 404 and 502")
        probe:hits(access, ("nginx on Redis (%s): access.log"):format(up and "up" or "down"))
        probe:hits(errors, ("nginx on Redis (%s): error.log"):format(up and "up" or "down"))
      end

      -- What Redis holds: every key, its value, its serialization.
      local function cli(...)
        local words = {}
        for i = 1, select("#", ...) do words[i] = util.quote(tostring(select(i, ...))) end
        return (util.run(("redis-cli -p %d --raw %s 2>&1"):format(server.port, table.concat(words, " "))))
      end
      local keys = {}
      local scan = util.run(("redis-cli -p %d --scan"):format(server.port))
      probe:hits(scan, "redis-cli --scan")
      for key in scan:gmatch("[^\n]+") do keys[#keys + 1] = key end
      local kinds = {}
      for _, key in ipairs(keys) do
        local kind = cli("TYPE", key):gsub("%s+$", "")
        kinds[kind] = (kinds[kind] or 0) + 1
        local read = ({ string = { "GET" }, hash = { "HGETALL" }, list = { "LRANGE", 0, -1 },
          set = { "SMEMBERS" }, zset = { "ZRANGE", 0, -1, "WITHSCORES" } })[kind]
        if read then
          probe:hits(cli(read[1], key, table.unpack(read, 2)), "Redis " .. kind .. " " .. key)
        end
        probe:hits(cli("DUMP", key), "Redis DUMP " .. key)
        totals.keys = totals.keys + 1
      end
      assert.is_true((kinds.string or 0) >= 2 and (kinds.hash or 0) >= 1,
        "cache entries, budget counters and the pace bucket in Redis: " .. scan)

      -- What Redis received and logged.
      util.run("kill " .. monitor_pid .. " 2>/dev/null")
      local seen = util.read_file(monitor) or ""
      local commands = 0
      for _ in seen:gmatch("\n") do commands = commands + 1 end
      assert.matches('"SET"', seen, 1, true)
      assert.matches('"EVAL"', seen, 1, true)
      probe:hits(seen, "Redis MONITOR, as redis-cli prints it")
      probe:hits(unrepr(seen), "Redis MONITOR, its quoting decoded")
      local slowlog = cli("SLOWLOG", "GET", "100000")
      probe:hits(slowlog, "Redis SLOWLOG")
      probe:hits(util.read_file(server.dir .. "/redis.log") or "", "redis-server's log")
      totals.commands = totals.commands + commands

      own:stop()
      util.run("rm -rf " .. util.quote(tmp))
      hostile.tally(totals, probe, #list)
      assert.equal(0, #probe.found, probe:report())
    end)
    ::skip::
  end
end)
