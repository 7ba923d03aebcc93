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
end)
