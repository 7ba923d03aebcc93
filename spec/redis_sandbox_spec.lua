-- A client whose cache is Redis, against the sandbox: a second client (another host) gets the answers without a
-- provider call, and a Redis killed or paused mid-batch costs misses, never a lost request, a hang or a crash.
local xingtu = require "xingtu"
local redis = require "helpers.redis"
local sandbox = require "helpers.sandbox"
local cache_redis = require "xingtu.cache.redis"
local socket = require "socket"

local function td(i) return { "touch_distribution", { o_author_id = tostring(i) } } end
local function requests(n)
    local t = {}
    for i = 1, n do t[i] = td(i) end
    return t
end

local function new_client(port, opts)
    opts = opts or {}
    opts.base_url, opts.token, opts.backoff_base = sandbox.url, sandbox.token, 0.01
    opts.cache = cache_redis{ port = port, timeout = opts.redis_timeout or 0.2, retry_after = 0.2 }
    opts.redis_timeout = nil
    return xingtu.new(opts)
end

local function outcomes(results, n)
    local ok, failed = 0, 0
    for i = 1, n do
        local r = results[i]
        assert.is_table(r, "no outcome for request " .. i)
        if r.err then failed = failed + 1 else ok = ok + 1 end
    end
    return ok, failed
end

describe("a Redis cache shared by clients", function()
    local server
    setup(function()
        sandbox.start()
        server = redis.start()
    end)
    teardown(function() if server then server:stop() end end)
    before_each(function()
        sandbox.reset()
        server:call("FLUSHALL")
    end)

    it("answers a second client from Redis: each answer bought once, the same data", function()
        local first = new_client(server.port):batch(requests(50), { concurrency = 8 })
        assert.equal(50, sandbox.stats().requests)
        local second = new_client(server.port):batch(requests(50), { concurrency = 8 })
        assert.equal(50, sandbox.stats().requests)
        for i = 1, 50 do
            assert.is_true(second[i].meta.cached)
            assert.same(first[i].data, second[i].data)
        end
    end)

    it("keeps no token in any key or value", function()
        new_client(server.port):batch(requests(5))
        local keys = server:call("KEYS", "*")
        assert.not_matches(sandbox.token, keys, 1, true)
        for key in keys:gmatch("[^\n]+") do
            assert.matches("^xingtu:cache:%x+$", key)
            assert.is_nil(server:call("GET", key):find(sandbox.token, 1, true))
        end
    end)

    it("gives every request one outcome when Redis is killed mid-batch, and goes to the provider", function()
        local other = redis.start()
        sandbox.config{ latency = 0.02 }
        local killed = false
        local c = new_client(other.port)
        local n = 200
        local i = 0
        local function next_request()
            i = i + 1
            if i == 60 and not killed then killed = true; other:kill() end
            if i > n then return nil end
            return td(i)
        end
        local t0 = socket.gettime()
        local results = c:batch(next_request, { concurrency = 8 })
        sandbox.config{ latency = 0 }
        other:stop()
        assert.is_true(killed)
        local ok, failed = outcomes(results, n)
        assert.equal(n, ok)
        assert.equal(0, failed)
        assert.equal(n, sandbox.stats().requests)
        assert.is_true(socket.gettime() - t0 < 30)
    end)

    it("treats a paused Redis as misses after its timeout, never a hang", function()
        local c = new_client(server.port, { redis_timeout = 0.1 })
        c:batch(requests(10))
        assert.equal(10, sandbox.stats().requests)
        server:call("CLIENT", "PAUSE", "1500", "ALL")
        local t0 = socket.gettime()
        local results = c:batch(requests(10), { concurrency = 4 })
        local took = socket.gettime() - t0
        server:call("CLIENT", "UNPAUSE")
        local ok = outcomes(results, 10)
        assert.equal(10, ok)
        -- A miss each (the provider answers again: the documented fail-open), within the timeout plus retry_after.
        assert.is_true(took < 3, "took " .. took)
        assert.is_true(sandbox.stats().requests <= 20)
    end)

    it("lets another host send once a lock holder killed mid-call (kill -9) has let its lock expire", function()
        sandbox.config { latency = 5 }
        local util = require "helpers.util"
        local pid_file = os.tmpname()
        util.run(string.format("cd %s && (%s lua5.4 spec/helpers/lock_holder.lua %s %d 2 >%s.out 2>&1 & echo $! >%s)",
            util.quote(util.ROOT), util.lua_child_env(), util.quote(sandbox.url), server.port, pid_file, pid_file))
        local pid = tonumber(util.read_file(pid_file):match("%d+"))
        for _ = 1, 100 do
            if sandbox.stats().requests >= 1 then break end
            socket.sleep(0.05)
        end
        assert.equal(1, sandbox.stats().requests)
        util.run("kill -9 " .. pid)
        sandbox.config { latency = 0 }
        local t0 = socket.gettime()
        local client = xingtu.new { base_url = sandbox.url, token = sandbox.token, timeout = 5, retries = 0,
            cache = cache_redis { port = server.port }, lock = require("xingtu.redis.lock").new { port = server.port } }
        local data, meta = client:touch_distribution { o_author_id = "424242" }
        local waited = socket.gettime() - t0
        os.remove(pid_file)
        os.remove(pid_file .. ".out")
        assert.is_table(data, tostring(meta))
        assert.is_true(waited >= 1 and waited < 10, "waited " .. waited)
        -- The dead holder's call (billed or not, its answer is lost) and this one's: nothing more.
        assert.equal(2, sandbox.stats().requests)
    end)
end)
