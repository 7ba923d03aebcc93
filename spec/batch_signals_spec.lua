-- What `xingtu batch` does when a scheduler or a person stops it: SIGINT (Ctrl-C), SIGTERM (systemd, Kubernetes)
-- and SIGHUP (a closed terminal) stop sending at once; what is in flight may finish within --grace; a second signal
-- ends it at once; then one summary line and the exit status of the signal. Whatever the moment, the output holds
-- whole records and no answer that came back is lost.

local sandbox = require "helpers.sandbox"
local util = require "helpers.util"
local job = require "helpers.job"

local N_IDS = 200

local function env()
    return "env JUSTONEAPI_TOKEN=" .. util.quote(sandbox.token) .. " JUSTONEAPI_BASE_URL=" .. util.quote(sandbox.url)
end

local function counts_of(line)
    local c = {}
    for _, name in ipairs { "written", "sent", "left" } do c[name] = tonumber(line:match(name .. " (%d+)")) end
    c.abandoned = tonumber(line:match("abandoned in flight (%d+)")) or 0
    return c
end

-- Every line of the output is a whole record; returns how many.
local function whole_records(path)
    local text = util.read_file(path) or ""
    if text == "" then return 0 end
    assert.are.equal("\n", text:sub(-1), "the output ends in the middle of a record")
    local cjson, n = require "cjson", 0
    for line in text:gmatch("[^\n]+") do
        assert.is_table(cjson.decode(line))
        n = n + 1
    end
    return n
end

describe("xingtu batch stopped by a signal", function()
    local dir
    setup(function()
        sandbox.start()
        dir = util.run("mktemp -d"):gsub("%s+$", "")
        local lines = {}
        for i = 1, N_IDS do lines[i] = tostring(7200000000 + i) end
        util.write_file(dir .. "/ids", table.concat(lines, "\n") .. "\n")
    end)
    before_each(function() sandbox.reset() end)
    teardown(function()
        sandbox.reset()
        if dir then util.run("rm -rf " .. util.quote(dir)) end
    end)

    -- Starts a batch of touch_distribution over the ids into out.ndjson; waits until its first request arrived.
    local function start(extra)
        os.remove(dir .. "/out.ndjson")
        local j = job.start("batch touch_distribution --ids " .. util.quote(dir .. "/ids") .. " -o "
            .. util.quote(dir .. "/out.ndjson") .. " --no-progress " .. extra, env())
        job.wait_for(function() return sandbox.stats().requests > 0 end, "the batch's first request")
        return j
    end

    -- A batch under way whose provider then turns slow (30 s an answer): returns once four requests hang.
    local function slow_after_start(extra)
        sandbox.config { latency = 0.2 }
        local j = start(extra)
        job.wait_for(function() return sandbox.stats().requests >= 6 end, "the batch under way")
        sandbox.config { latency = 30 }
        local before = sandbox.stats().requests
        job.wait_for(function() return sandbox.stats().requests >= before + 4 end, "four slow requests in flight")
        return j
    end

    local function summary_of(err)
        assert.is_nil(err:find("traceback", 1, true), err)
        local lines = {}
        for line in err:gmatch("xingtu: [^\n]*written[^\n]*") do lines[#lines + 1] = line end
        assert.are.equal(1, #lines, err)
        return lines[1]
    end

    for _, case in ipairs { { "INT", 130 }, { "TERM", 143 }, { "HUP", 129 } } do
        it("SIG" .. case[1] .. " ends it with exit status " .. case[2] .. ", one summary line, whole records and "
            .. "every answer that came back written", function()
            sandbox.config { latency = 0.05 }
            local j = start("--concurrency 4 --grace 10")
            util.run("sleep 0.3")
            j:signal(case[1])
            local code, err = j:wait()
            local line = summary_of(err)
            assert.are.equal(case[2], code, err)
            assert.matches("stopped by SIG" .. case[1], line, 1, true)
            local c = counts_of(line)
            local n = whole_records(dir .. "/out.ndjson")
            assert.are.equal(c.written, n)
            assert.is_true(n < N_IDS, "the batch was not stopped: " .. line)
            assert.are.equal(N_IDS, c.written + c.left, line)
            -- Nothing bought was lost: with the grace long enough, each request sent came back and was written.
            local requests = sandbox.stats().requests
            assert.are.equal(c.sent, requests, line)
            assert.are.equal(requests, n, line)
            assert.are.equal(0, c.abandoned, line)
        end)
    end

    it("lets what is in flight finish only within --grace, then says how many it abandoned", function()
        local j = slow_after_start("--concurrency 4 --grace 0.5")
        local t0 = os.time()
        j:signal("TERM")
        local code, err = j:wait(60)
        local line = summary_of(err)
        assert.are.equal(143, code, err)
        -- The provider would take 30 s; the job ends after its half-second grace (bounds generous for slow runs).
        assert.is_true(os.time() - t0 < 20, "the grace was not kept: " .. line)
        local c = counts_of(line)
        assert.are.equal(4, c.abandoned, line)
        assert.are.equal(c.written, whole_records(dir .. "/out.ndjson"))
        assert.are.equal(N_IDS, c.written + c.left, line)
        assert.are.equal(c.written + 4, sandbox.stats().requests, line)
    end)

    it("ends at once on a second signal, however long the grace", function()
        local j = slow_after_start("--concurrency 4 --grace 600")
        local t0 = os.time()
        j:signal("INT")
        util.run("sleep 0.3")
        assert.is_nil(util.read_file(j.rc_file), "the job ended before its grace was up")
        j:signal("INT")
        local code, err = j:wait(60)
        local line = summary_of(err)
        assert.are.equal(130, code, err)
        assert.is_true(os.time() - t0 < 20, "the second signal did not end it: " .. line)
        assert.are.equal(4, counts_of(line).abandoned, line)
    end)

    it("a second run with --resume sends only what the stopped one left", function()
        sandbox.config { latency = 0.02 }
        local j = start("--concurrency 4")
        util.run("sleep 0.3")
        j:signal("TERM")
        local _, err = j:wait()
        local first = counts_of(summary_of(err))
        sandbox.reset()
        local again = job.start("batch touch_distribution --ids " .. util.quote(dir .. "/ids") .. " -o "
            .. util.quote(dir .. "/out.ndjson") .. " --no-progress --resume", env())
        local code, err2 = again:wait()
        assert.are.equal(0, code, err2)
        assert.are.equal(first.left, sandbox.stats().requests)
        assert.are.equal(N_IDS, whole_records(dir .. "/out.ndjson"))
    end)
end)
