-- A fleet on one account: three Lua 5.4 processes (three hosts) share one Redis for their cache and lock and run the
-- same batch of 1,000 creators against the sandbox at once: each answer is bought once, all hold the same data.
local redis = require "helpers.redis"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"
local xingtu = require "xingtu"

local function read_outcomes(path)
    local by_id, stats = {}, nil
    for line in io.lines(path) do
        local id, kind, rest = line:match("^([^\t]+)\t([^\t]*)\t?(.*)$")
        if id == "stats" then
            stats = xingtu.json.decode(kind .. (rest ~= "" and "\t" .. rest or ""))
        else
            by_id[tonumber(id)] = { kind = kind, data = rest ~= "" and xingtu.json.decode(rest) or nil }
        end
    end
    return by_id, stats
end

describe("three hosts sharing one Redis", function()
    local server
    setup(function()
        sandbox.start()
        server = redis.start()
    end)
    teardown(function() if server then server:stop() end end)

    it("buy each of 1,000 answers once and hold the same data for every id", function()
        sandbox.reset()
        sandbox.config { latency = 0.01 }
        local N = 1000
        local dir = (util.run("mktemp -d /tmp/xingtu-fleet.XXXXXX")):gsub("%s+$", "")
        local cmds = {}
        for h = 1, 3 do
            cmds[h] = string.format("%s timeout 300 lua5.4 spec/helpers/fleet_child.lua %s %d %d %s/out%d 2>%s/err%d &",
                util.lua_child_env(), util.quote(sandbox.url), server.port, N, dir, h, dir, h)
        end
        local _, status = util.run("cd " .. util.quote(util.ROOT) .. " && " .. table.concat(cmds, " ") .. " wait")
        sandbox.config { latency = 0 }
        assert.equal(0, status)
        local outs = {}
        for h = 1, 3 do
            local ok, by_id = pcall(read_outcomes, dir .. "/out" .. h)
            assert(ok, "host " .. h .. " wrote no outcomes: " .. (util.read_file(dir .. "/err" .. h) or ""))
            outs[h] = by_id
        end
        for id = 1, N do
            for h = 1, 3 do
                assert.equal("ok", outs[h][id] and outs[h][id].kind, "host " .. h .. ", id " .. id)
            end
            assert.same(outs[1][id].data, outs[2][id].data)
            assert.same(outs[1][id].data, outs[3][id].data)
        end
        local st = sandbox.stats()
        -- Retries only come from the sandbox's faults, and none were set: each answer bought once.
        assert.is_true(st.requests >= N and st.requests <= N, "sandbox saw " .. st.requests .. " requests")
        util.run("rm -rf " .. util.quote(dir))
    end)
end)
