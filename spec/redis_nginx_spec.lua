-- examples/nginx with its Redis option: two nginx instances (two hosts) share one Redis for the cache and the lock,
-- and 200 simultaneous summary requests for 10 creators cost 20 provider calls (two endpoints a summary).
local redis = require "helpers.redis"
local sandbox = require "helpers.sandbox"
local nginx = require "helpers.nginx"
local util = require "helpers.util"

describe("two nginx sharing one Redis", function()
    local server, a, b
    setup(function()
        sandbox.start()
        server = redis.start()
        local provider = { token = sandbox.token, base_url = sandbox.url, redis = "127.0.0.1:" .. server.port }
        a = nginx.example(provider, "xingtu.spec.redis_nginx_a")
        b = nginx.example(provider, "xingtu.spec.redis_nginx_b")
    end)
    teardown(function()
        nginx.stop(a)
        nginx.stop(b)
        if server then server:stop() end
    end)

    it("buy each summary's answers once for 200 simultaneous requests of 10 creators", function()
        sandbox.reset()
        sandbox.config { latency = 0.5 }
        local urls = {}
        for i = 1, 200 do
            local host = i % 2 == 0 and a or b
            -- an output per url: a command line's -o names the first url's only, and the other bodies went to
            -- stdout, where a summary's own numbers were counted as status codes (220 of 200 once)
            urls[#urls + 1] = "url = " .. host.url .. "/creators/" .. (7000 + i % 10) .. "/summary\noutput = /dev/null"
        end
        local list = os.tmpname()
        util.write_file(list, table.concat(urls, "\n") .. "\n")
        local out = util.run("env -u LD_PRELOAD curl -s --parallel --parallel-immediate --parallel-max 200 "
            .. "-w '%{http_code}\\n' --max-time 60 -K " .. util.quote(list) .. " 2>/dev/null")
        os.remove(list)
        sandbox.config { latency = 0 }
        local ok = 0
        for code in out:gmatch("[^\n]+") do if code == "200" then ok = ok + 1 end end
        assert.equal(200, ok, out)
        assert.equal(20, sandbox.stats().requests)
    end)
end)
