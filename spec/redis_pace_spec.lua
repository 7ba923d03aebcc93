-- A rate and a spend cap for the whole account, shared through Redis by several Lua 5.4 processes (hosts).
local redis = require "helpers.redis"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"
local xingtu = require "xingtu"
local nginx = require "helpers.nginx"

-- Arrival times of the provider requests, from a sandbox's access log: $msec is when the line was logged, so the
-- arrival is that less $request_time. Not the control ones (/__sandbox/..., logged masked as /__***/...): the
-- ping that tells the sandbox is up came 2 s before the run.
local function arrivals(log)
    local t = {}
    for line in log:gmatch("[^\n]+") do
        local took, at = line:match(" (%d+%.%d+) conn=%d+ t=(%d+%.%d+)$")
        if at and not line:find('"GET /__', 1, true) then t[#t + 1] = tonumber(at) - tonumber(took) end
    end
    table.sort(t)
    return t
end

describe("a fleet's shared rate and budget", function()
    local server
    setup(function() server = redis.start() end)
    teardown(function() if server then server:stop() end end)

    -- The sandbox's access log is what a provider's limiter sees: arrivals, not slots. A slot's request reaches it a
    -- little later than another's (client scheduling and the hop: up to ~40 ms measured here under load), so the
    -- fleet paces with `jitter` headroom for that spread, and the check is strict: every window of the arrival log.
    it("keeps two nginx and two Lua hosts within rate x t + burst requests in every window of t seconds", function()
        local own = sandbox.spawn {}
        -- Every host of the fleet is given the same rate, burst and jitter (examples/nginx: XINGTU_REDIS_RATE,
        -- XINGTU_REDIS_BURST, XINGTU_REDIS_JITTER): the bucket is one, so its parameters must be too.
        -- The headroom is the spread measured between a slot (Redis's clock) and its request's arrival on a loaded
        -- machine: up to 0.44 s at a load average of 12 on 2 cores, mostly a host waiting for the CPU after Redis
        -- answered (those slots the pacer drops, see pace.lua's take), and more under the sanitizer.
        local RATE, BURST, JITTER, SECONDS = 20, 10, 0.2 * util.slowdown(), 10
        local paced_rate = require("xingtu.redis.pace").headroom(RATE, BURST, JITTER)
        local provider = { token = own.token, base_url = own.url, redis = "127.0.0.1:" .. server.port,
            redis_rate = tostring(RATE), redis_burst = tostring(BURST), redis_jitter = tostring(JITTER),
            redis_hosts = "4" }
        local n1 = nginx.example(provider, "xingtu.spec.redis_pace_a")
        local n2 = nginx.example(provider, "xingtu.spec.redis_pace_b")
        local cmds = {}
        for h = 1, 2 do
            cmds[h] = string.format("%s timeout 60 lua5.4 spec/helpers/paced_child.lua %s %d %d %d %d %d %s 4 &",
                util.lua_child_env(), util.quote(own.url), server.port, RATE, BURST, SECONDS, h * 100000, JITTER)
        end
        for h, n in ipairs { n1, n2 } do
            for k = 1, 3 do
                cmds[#cmds + 1] = string.format("timeout %d sh -c 'i=0; while [ $i -lt 500 ]; do i=$((i+1)); "
                    .. "env -u LD_PRELOAD curl -s -o /dev/null --max-time 5 %s/creators/%d$i/summary; done' "
                    .. ">/dev/null 2>&1 &", SECONDS, n.url, h * 10 + k)
            end
        end
        local out = util.run("cd " .. util.quote(util.ROOT) .. " && " .. table.concat(cmds, " ") .. " wait")
        local log = own:logs()
        nginx.stop(n1)
        nginx.stop(n2)
        own:stop()
        local sent = 0
        for n in out:gmatch("sent=(%d+)") do sent = sent + tonumber(n) end
        local t = arrivals(log)
        local said = out:gsub("%s+", " ")
        -- The fleet asked for more than the pace allows (the pacer, not the hosts, set the flow).
        assert.is_true(#t >= 0.8 * paced_rate * (SECONDS - 2), "only " .. #t .. " arrivals (children said: " .. said .. ")")
        assert.is_true(#t > sent, "the nginx hosts sent nothing")
        -- Every window [t[i], t[j]] of the arrival log: j - i + 1 requests in t[j] - t[i] seconds.
        local worst, at, span = -math.huge, 0, 0
        for i = 1, #t do
            for j = i, #t do
                local excess = (j - i + 1) - (RATE * (t[j] - t[i]) + BURST)
                if excess > worst then worst, at, span = excess, j - i + 1, t[j] - t[i] end
            end
        end
        if os.getenv("XINGTU_SPEC_VERBOSE") then
            print(string.format("\nworst window: %d requests in %.3f s, %.2f over rate x t + burst; %d arrivals; %s",
                at, span, worst, #t, said))
        end
        assert.is_true(worst <= 0, string.format("%d requests arrived within %.3f s: %.2f over rate x t + burst "
            .. "(%d arrivals; Lua hosts: %s)", at, span, worst, #t, said))
    end)

    it("stops two hosts together at the shared max_calls, and refuses everything when Redis is gone", function()
        sandbox.start()
        sandbox.reset()
        local budget = { port = server.port, max_calls = 30, name = "spec-" .. os.time() }
        local function host()
            return xingtu.new { base_url = sandbox.url, token = sandbox.token, retries = 0,
                budget = require("xingtu.redis.budget").new(budget) }
        end
        local reqs = {}
        for i = 1, 25 do reqs[i] = { "touch_distribution", { o_author_id = tostring(i) } } end
        local a, b = host():batch(reqs), host():batch(reqs)
        local refused = 0
        for i = 1, 25 do
            for _, r in ipairs { a[i], b[i] } do
                if r.err then
                    assert.equal("budget_exceeded", r.err.kind)
                    assert.is_false(r.err.billed)
                    refused = refused + 1
                end
            end
        end
        assert.equal(20, refused)
        assert.equal(30, sandbox.stats().requests)

        local gone = redis.start()
        local c = xingtu.new { base_url = sandbox.url, token = sandbox.token, retries = 0,
            budget = require("xingtu.redis.budget").new { port = gone.port, max_calls = 100, timeout = 0.1 } }
        assert.truthy(c:touch_distribution { o_author_id = "1" })
        gone:kill()
        gone:stop()
        local data, err = c:touch_distribution { o_author_id = "2" }
        assert.is_nil(data)
        assert.equal("budget_unavailable", err.kind)
        assert.is_false(err.billed)
        assert.equal(31, sandbox.stats().requests)
    end)
end)
