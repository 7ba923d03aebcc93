-- A nightly job as a data engineer runs it: 2,000 creators x 3 methods against the sandbox with faults, killed with
-- SIGTERM at a random point three times and resumed each time. Nothing lost, nothing bought twice but what the
-- summary owns up to, every (id, method) exactly once in the file and in the database.

local sandbox = require "helpers.sandbox"
local util = require "helpers.util"
local job = require "helpers.job"

local N_IDS, METHODS = 2000, { "touch_distribution", "convert_ability", "fans_distribution" }

local function shell_env()
    return "env JUSTONEAPI_TOKEN=" .. util.quote(sandbox.token) .. " JUSTONEAPI_BASE_URL=" .. util.quote(sandbox.url)
end

-- Starts the job in the background (helpers/job.lua).
local function start_job(dir, extra)
    return job.start("batch --methods " .. table.concat(METHODS, ",") .. " --param convert_ability.range=DAY_90 --ids "
        .. util.quote(dir .. "/ids") .. " -o " .. util.quote(dir .. "/out.ndjson") .. " --db "
        .. util.quote(dir .. "/track.sqlite") .. " --concurrency 8 --retries 2 --grace 3 --no-progress "
        .. (extra or ""), shell_env())
end

local function counts_of(summary)
    local c = {}
    for _, name in ipairs { "written", "sent", "retried", "left" } do
        c[name] = tonumber(summary:match(name .. " (%d+)"))
    end
    c.abandoned = tonumber(summary:match("abandoned in flight (%d+)")) or 0
    return c
end

describe("a daily job of 2,000 creators x 3 methods, killed with SIGTERM three times", function()
    local dir
    setup(function()
        sandbox.start()
        sandbox.reset()
        dir = util.run("mktemp -d"):gsub("%s+$", "")
        local lines = {}
        for i = 1, N_IDS do lines[i] = tostring(7100000000 + i) end
        util.write_file(dir .. "/ids", table.concat(lines, "\n") .. "\n")
    end)
    teardown(function()
        sandbox.reset()
        if dir then util.run("rm -rf " .. util.quote(dir)) end
    end)

    it("ends with every (id, method) exactly once in the file and the database, and the sandbox's count owned up to",
        function()
            math.randomseed(os.time())
            local sent, retried, abandoned, runs = 0, 0, 0, 0
            for round = 1, 4 do
                -- Faults: server errors and throttling the retries absorb, and one that stays (a failed record).
                sandbox.fault { status = 500, times = 3 }
                sandbox.fault { status = 429, times = 2, retry_after = 0 }
                sandbox.fault { code = 400, times = 1 }
                local before = sandbox.stats().requests
                local j = start_job(dir, round > 1 and "--resume" or "")
                if round <= 2 then
                    -- Mid-work: at a random point after the first request went out (a slow Lua, as under the
                    -- sanitizers, takes a while to get there).
                    job.wait_for(function() return sandbox.stats().requests > before end, "the job's first request")
                    util.run(string.format("sleep %.2f", 0.2 + math.random() * 1.2))
                    j:signal("TERM")
                elseif round == 3 then
                    -- Before the first request: while the job is still reading what the output holds.
                    job.wait_for(function() return j:stderr():find("resuming:", 1, true) end, "the job's resuming line")
                    j:signal("TERM")
                end
                local code, err = j:wait()
                runs = runs + 1
                assert.is_nil(err:find("traceback", 1, true), err)
                local line = err:match("xingtu: [^\n]*written[^\n]*")
                assert.is_truthy(line, err)
                local c = counts_of(line)
                sent, retried, abandoned = sent + c.sent, retried + c.retried, abandoned + c.abandoned
                if round <= 3 and code == 143 then
                    assert.matches("stopped by SIGTERM", line)
                else
                    assert.is_true(code == 0 or code == 1, err) -- 1: the code-400 fault is a failed record
                end
                -- No partial line, whenever the job was stopped.
                local text = util.read_file(dir .. "/out.ndjson")
                assert.are.equal("\n", text:sub(-1))
            end
            -- Every (id, method) exactly once in the file.
            local cjson = require "cjson"
            local seen, n = {}, 0
            for line in io.lines(dir .. "/out.ndjson") do
                local rec = cjson.decode(line)
                local key = rec.id .. "/" .. rec.method
                assert.is_nil(seen[key], "twice: " .. key)
                seen[key] = true
                n = n + 1
            end
            assert.are.equal(N_IDS * #METHODS, n)
            -- ... and in the database, as sqlite3 reads it.
            local out = util.run("sqlite3 " .. util.quote(dir .. "/track.sqlite")
                .. " 'select count(*), count(distinct creator_id || \"/\" || method) from snapshots'")
            assert.are.equal(string.format("%d|%d", n, n), out:gsub("%s+$", ""))
            -- The sandbox's count is the summaries' sent, and that is the answers kept plus retries plus at most
            -- what a stop abandoned (a transfer cut off, a retry dropped): nothing else bought twice.
            local requests = sandbox.stats().requests
            assert.are.equal(sent, requests)
            assert.is_true(requests >= n + retried, string.format("%d < %d + %d", requests, n, retried))
            assert.is_true(requests <= n + retried + abandoned,
                string.format("%d > %d + %d + %d", requests, n, retried, abandoned))
            assert.are.equal(4, runs)
        end)
end)
