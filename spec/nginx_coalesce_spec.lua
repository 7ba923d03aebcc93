-- Never twice in nginx: simultaneous requests of a dashboard for one creator cost one provider call per endpoint,
-- within a worker (light threads wait for the call in flight) and across workers (a lua_shared_dict lock: one worker
-- buys, the others wait for the answer in the shared cache). Real nginx (examples/nginx), real sandbox.

local cjson = require "cjson"
local nginx_helper = require "helpers.nginx"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local function provider() return { token = sandbox.token, base_url = sandbox.url } end

-- `n` simultaneous GETs (curl's parallel mode); returns the status codes and the bodies, in order.
local function simultaneous(urls)
    local dir = util.run("mktemp -d /tmp/xingtu-coalesce-spec.XXXXXX"):gsub("%s+$", "")
    local args = {}
    for i, url in ipairs(urls) do args[#args + 1] = ("-o %s/%d %s"):format(dir, i, url) end
    local out = util.run("curl -s --no-progress-meter -Z --parallel-immediate --parallel-max " .. #urls
        .. " --max-time 60 -w '%{http_code}\\n' " .. table.concat(args, " "))
    local codes = {}
    for code in out:gmatch("%d+") do codes[#codes + 1] = code end
    local bodies = {}
    for i = 1, #urls do bodies[i] = util.read_file(("%s/%d"):format(dir, i)) end
    util.run("rm -rf " .. util.quote(dir))
    return codes, bodies
end

local function creator(k) return tostring(7100000000000000000 + k * 7919) end

describe("examples/nginx under simultaneous requests", function()
    local example
    setup(function() sandbox.start() end)
    after_each(function()
        nginx_helper.stop(example)
        sandbox.config { latency = 0 }
    end)

    it("buys 20 simultaneous summaries of one creator with 2 provider calls (one per endpoint)", function()
        example = nginx_helper.example(provider(), "xingtu.spec.coalesce")
        sandbox.reset()
        sandbox.config { latency = 0.5 }
        local urls = {}
        for i = 1, 20 do urls[i] = example.url .. "/creators/" .. creator(1) .. "/summary" end
        local codes, bodies = simultaneous(urls)
        assert.equal(20, #codes)
        for i = 1, 20 do
            assert.equal("200", codes[i], bodies[i])
            assert.same(cjson.decode(bodies[1]), cjson.decode(bodies[i]))
        end
        -- the summary route calls convert_ability and touch_distribution: one each
        local stats = sandbox.stats()
        assert.equal(2, stats.requests)
    end)

    it("buys 200 simultaneous summaries of 10 creators on 4 workers with 20 provider calls", function()
        example = nginx_helper.example(provider(), "xingtu.spec.coalesce", 4)
        sandbox.reset()
        sandbox.config { latency = 0.5 }
        local urls = {}
        for i = 1, 200 do urls[i] = example.url .. "/creators/" .. creator(i % 10 + 2) .. "/summary" end
        local codes = simultaneous(urls)
        assert.equal(200, #codes)
        local tally = {}
        for i = 1, 200 do tally[codes[i]] = (tally[codes[i]] or 0) + 1 end
        local stats = sandbox.stats()
        assert.same({ ["200"] = 200 }, tally)
        io.stderr:write(("\nnginx 4 workers: 200 simultaneous summaries of 10 creators: %d provider calls\n")
            :format(stats.requests))
        assert.equal(20, stats.requests)
    end)

    it("buys the answers of report pages and summaries of one creator, asked at once on 4 workers, once", function()
        example = nginx_helper.example(provider(), "xingtu.spec.coalesce", 4)
        sandbox.reset()
        sandbox.config { latency = 0.5 }
        local urls = {}
        for i = 1, 40 do
            urls[i] = example.url .. "/creators/" .. creator(99) .. (i % 2 == 0 and "/summary" or "/report.html")
        end
        local codes = simultaneous(urls)
        local tally = {}
        for i = 1, #codes do tally[codes[i]] = (tally[codes[i]] or 0) + 1 end
        assert.same({ ["200"] = 40 }, tally)
        -- both pages need touch_distribution and convert_ability of the same creator, platform and range
        assert.equal(2, sandbox.stats().requests)
    end)
end)

describe("the shared-dict lock when its holder dies", function()
    local server
    setup(function() sandbox.start() end)
    teardown(function()
        nginx_helper.stop(server)
        sandbox.config { latency = 0 }
    end)

    it("blocks the others no longer than its expiry: a worker killed mid-call (kill -9), the next one sends", function()
        server = nginx_helper.lua_server([[
        location /touch {
            content_by_lua_block {
                local xingtu = require "xingtu"
                local c = xingtu.new { token = os.getenv("JUSTONEAPI_TOKEN"), base_url = ngx.var.arg_base,
                    cache = { shared_dict = "cache" }, lock = xingtu.cache.shared_lock("locks"),
                    timeout = 1, retries = 0 }
                local t0 = ngx.now()
                local data, meta = c:touch_distribution { o_author_id = "7300000000000000001" }
                ngx.update_time()
                ngx.say(data and "ok" or meta.kind, " ", string.format("%.2f", ngx.now() - t0))
            }
        }]], "xingtu.spec.coalesce_kill", provider(), "lua_shared_dict cache 1m;\nlua_shared_dict locks 1m;")
        local base = "?base=" .. sandbox.url
        sandbox.reset()
        sandbox.config { latency = 30 }
        -- the holder: its call hangs at the provider; its worker is killed while it holds the lock
        local holder = io.popen("curl -s --max-time 20 '" .. server.url .. "/touch" .. base .. "' 2>&1")
        util.run("sleep 0.5")
        local master = util.read_file(server.dir .. "/logs/nginx.pid"):gsub("%s+", "")
        local worker = util.run("pgrep -P " .. master):gsub("%s+$", "")
        assert.matches("^%d+$", worker)
        util.run("kill -9 " .. worker)
        holder:close()
        sandbox.config { latency = 0 }
        local t0 = require("xingtu.core").now()
        local res = sandbox.get(server.url .. "/touch" .. base)
        local wall = require("xingtu.core").now() - t0
        assert.equal(200, res.status, res.body)
        assert.matches("^ok ", res.body)
        -- the lock's expiry: timeout 1 s x 1 attempt + 5 s, from when the killed worker took it (0.5 s before)
        assert.is_true(wall < 6.5, ("waited %.2f s"):format(wall))
        assert.is_true(wall > 3, ("waited only %.2f s: the lock did not hold"):format(wall))
        assert.equal(2, sandbox.stats().requests)
    end)
end)
