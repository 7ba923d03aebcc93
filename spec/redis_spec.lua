-- The fleet's Redis objects against a real redis-server: the cache backend, the lock, the shared rate and the
-- shared budget, and what each does when Redis is down or slow.
local redis = require "helpers.redis"
local cache_redis = require "xingtu.cache.redis"
local lock_m = require "xingtu.redis.lock"
local pace_m = require "xingtu.redis.pace"
local budget_m = require "xingtu.redis.budget"
local conn_m = require "xingtu.redis.conn"
local socket = require "socket"

describe("xingtu's Redis objects", function()
    local server
    setup(function() server = redis.start() end)
    teardown(function() if server then server:stop() end end)

    describe("the cache", function()
        it("keeps an entry under a token-free key with the TTL in Redis, and reads it back byte for byte", function()
            local b = cache_redis.backend{ port = server.port, ttl = 5, prefix = "t1:" }
            local text = '{"v":2}\n{"code":0,"data":{"x":"\0\n\226\152\131"}}'
            assert.is_true(b.set("0123456789abcdef", text))
            assert.equal(text, b.get("0123456789abcdef"))
            local ttl = tonumber(server:call("PTTL", "t1:cache:0123456789abcdef"))
            assert.is_true(ttl > 4000 and ttl <= 5000)
        end)

        it("is a cache the client takes, with the cache contract's fetch, keep and offline", function()
            local c = cache_redis{ port = server.port, prefix = "t2:" }
            assert.is_function(c.fetch)
            assert.is_function(c.keep)
            assert.is_false(c.offline)
        end)

        it("is a miss, not an error, when Redis does not answer", function()
            local b = cache_redis.backend{ port = require("helpers.util").free_port(), timeout = 0.1 }
            local t0 = socket.gettime()
            assert.is_nil(b.get("0123456789abcdef"))
            local ok, err = b.set("0123456789abcdef", "x")
            assert.is_nil(ok)
            assert.matches("redis", err)
            assert.is_true(socket.gettime() - t0 < 1)
        end)

        it("raises naming the option for a bad one", function()
            assert.has_error(function() cache_redis{ port = "x" } end,
                "xingtu.redis: port must be a number, got string")
        end)
    end)

    describe("the lock", function()
        it("has one holder at a time and is released only by its owner", function()
            local a = lock_m.new{ port = server.port, prefix = "t3:" }
            local b = lock_m.new{ port = server.port, prefix = "t3:" }
            local h = assert(a:acquire("k", 5))
            local held, retry = b:acquire("k", 5)
            assert.is_false(held)
            assert.is_true(retry > 0)
            assert.is_nil((b:release({ name = h.name, owner = "someone else" })))
            assert.is_false((b:acquire("k", 5)))
            assert.is_true(a:release(h))
            assert.truthy(b:acquire("k", 5))
        end)

        it("frees itself after its ttl when the holder dies", function()
            local a = lock_m.new{ port = server.port, prefix = "t4:" }
            assert.truthy(a:acquire("k", 0.2))
            assert.is_false((a:acquire("k", 0.2)))
            socket.sleep(0.3)
            assert.truthy(a:acquire("k", 0.2))
        end)

        it("fails open quickly when Redis is paused", function()
            local a = lock_m.new{ port = server.port, prefix = "t5:", timeout = 0.1 }
            assert.truthy(a:acquire("warm", 1))
            server:call("CLIENT", "PAUSE", "1000", "ALL")
            local t0 = socket.gettime()
            local h, err = a:acquire("k", 1)
            assert.is_nil(h)
            assert.matches("redis lock", err)
            assert.is_true(socket.gettime() - t0 < 0.6)
            server:call("CLIENT", "UNPAUSE")
        end)
    end)

    describe("the shared rate", function()
        it("gives burst slots at once, then one every 1/rate seconds on Redis's clock, to all pacers", function()
            local p1 = pace_m.new{ port = server.port, prefix = "t6:", rate = 10, burst = 3 }
            local p2 = pace_m.new{ port = server.port, prefix = "t6:", rate = 10, burst = 3 }
            assert.equal(0, p1:take())
            assert.equal(0, p2:take())
            assert.equal(0, p1:take())
            local w = p2:take()
            assert.is_true(w > 0 and w <= 0.1 + 1e-6)
        end)

        it("answers a refusal with a wait of whole milliseconds, never 0", function()
            local p = pace_m.new{ port = server.port, prefix = "t6ms:", rate = 3, burst = 1 }
            assert.equal(0, p:take())
            for _ = 1, 50 do
                local w = p:take()
                assert.is_true(w >= 0.001 and w <= 1 / 3 + 0.001, tostring(w))
                assert.is_true(math.abs(w * 1000 - math.floor(w * 1000 + 0.5)) < 1e-9, tostring(w))
            end
        end)

        it("keeps headroom for arrival jitter: a smaller burst at the full rate, or slots spaced further", function()
            -- burst - rate x jitter >= 1: the burst shrinks by rate x jitter, the rate stays
            assert.same({ 20, 2 }, { pace_m.headroom(20, 5, 0.15) })
            assert.same({ 20, 5 }, { pace_m.headroom(20, 5, 0) })
            -- burst 1: one slot every 1/rate + jitter seconds
            local r, b = pace_m.headroom(20, 1, 0.05)
            assert.equal(1, b)
            assert.is_true(math.abs(1 / r - 0.1) < 1e-12)
            local p = pace_m.new{ port = server.port, prefix = "t6j:", rate = 20, burst = 5, jitter = 0.15 }
            assert.equal(0, p:take())
            assert.equal(0, p:take())
            assert.is_true(p:take() > 0)
            assert.has_error(function() pace_m.new{ rate = 1, jitter = -1 } end,
                "xingtu.redis.pace: jitter must be a number of seconds from 0 to 60")
            assert.has_error(function() pace_m.new{ rate = 1, jitter = "0.1" } end,
                "xingtu.redis.pace: jitter must be a number of seconds from 0 to 60")
        end)

        it("reports a failure, not a wait, when Redis is down", function()
            local p = pace_m.new{ port = require("helpers.util").free_port(), rate = 1, timeout = 0.1 }
            local w, err = p:take()
            assert.is_nil(w)
            assert.matches("redis pace", err)
        end)
        it("paces a host at rate / hosts while Redis is away: a failure to send on, else a wait", function()
            local p = pace_m.new{ port = require("helpers.util").free_port(), rate = 10, hosts = 2, timeout = 0.1 }
            local w, err = p:take()
            assert.is_nil(w)
            assert.matches("redis pace", err)
            w = p:take()
            assert.is_true(w > 0.15 and w <= 0.2 + 1e-6, tostring(w))
            assert.has_error(function() pace_m.new{ rate = 1, hosts = 0 } end,
                "xingtu.redis.pace: hosts must be a number of processes >= 1")
        end)

        it("keeps a host within its share while Redis answers too slowly", function()
            local p = pace_m.new{ port = server.port, prefix = "t6slow:", rate = 20, hosts = 4, timeout = 0.05 }
            assert.equal(0, p:take())
            server:call("CLIENT", "PAUSE", "1500")
            local started, sent = socket.gettime(), 0
            while socket.gettime() - started < 1 do
                local w = p:take()
                if w == nil then sent = sent + 1 else socket.sleep(math.min(w, 0.05)) end
            end
            server:call("CLIENT", "UNPAUSE")
            -- 20 / 4 = 5 a second, and the one slot the local bucket held
            assert.is_true(sent >= 2 and sent <= 7, "sent " .. sent .. " in 1 s")
        end)
    end)

    describe("the shared budget", function()
        it("counts attempts across clients and refuses past max_calls", function()
            local b1 = budget_m.new{ port = server.port, prefix = "t7:", max_calls = 3 }
            local b2 = budget_m.new{ port = server.port, prefix = "t7:", max_calls = 3 }
            assert.is_true(b1:reserve())
            assert.is_true(b2:reserve())
            assert.is_true(b1:reserve())
            local ok, err = b2:reserve()
            assert.is_false(ok)
            assert.equal("budget_exceeded", err.kind)
            assert.is_false(err.billed)
            assert.equal(3, b1:used())
            local ttl = tonumber(server:call("TTL", "t7:budget:calls:" .. math.floor(os.time() / 86400)))
            assert.is_true(ttl > 86400)
        end)

        it("answers budget_unavailable when Redis is down, and carries fail_open for the pipeline", function()
            local port = require("helpers.util").free_port()
            local ok, err = budget_m.new{ port = port, max_calls = 10, timeout = 0.1 }:reserve()
            assert.is_nil(ok)
            assert.equal("budget_unavailable", err.kind)
            assert.is_false(err.billed)
            local open = budget_m.new{ port = port, max_calls = 10, timeout = 0.1, fail_open = true }
            assert.is_nil((open:reserve()))
            assert.is_true(open.fail_open)
        end)
    end)

    describe("the connection", function()
        it("comes back after Redis was killed and restarted", function()
            local other = redis.start()
            local c = conn_m.new{ port = other.port, timeout = 0.2, retry_after = 0.1 }
            assert.equal("PONG", (c:call("ping") == true or c:call("ping")) and "PONG")
            other:kill()
            local r, err = c:call("get", "x")
            assert.is_nil(r)
            assert.truthy(err)
            other:stop()
        end)
    end)
end)
