-- A job file (-o) holds each (creator, method)'s own outcome: an answer, or a failure of that creator's (not_found,
-- a malformed id). What the account did (a revoked token, no balance, --max-calls spent) says nothing about the
-- creator and stays out of the file, so that `--resume` sends those once the account works again, each once.

local sandbox = require "helpers.sandbox"
local util = require "helpers.util"
local cjson = require "cjson"

local N_IDS = 20

local function xingtu(args, token)
    local cmd = "env JUSTONEAPI_TOKEN=" .. util.quote(token or sandbox.token) .. " JUSTONEAPI_BASE_URL="
        .. util.quote(sandbox.url) .. " " .. util.quote(util.ROOT .. "/bin/xingtu") .. " " .. args
    local err_file = os.tmpname()
    local out, code = util.run(cmd .. " 2>" .. util.quote(err_file))
    local err = util.read_file(err_file) or ""
    os.remove(err_file)
    return out, err, code
end

local function records(path)
    local got, n = {}, 0
    for line in (util.read_file(path) or ""):gmatch("[^\n]+") do
        local r = cjson.decode(line)
        assert.is_nil(got[r.id], "twice: " .. r.id)
        got[r.id] = r
        n = n + 1
    end
    return got, n
end

describe("a job file and the account's failures", function()
    local dir, ids, out
    setup(function()
        sandbox.start()
        dir = util.run("mktemp -d"):gsub("%s+$", "")
        local lines = {}
        for i = 1, N_IDS do lines[i] = tostring(7300000000 + i) end
        ids, out = dir .. "/ids", dir .. "/out.ndjson"
        util.write_file(ids, table.concat(lines, "\n") .. "\n")
    end)
    before_each(function()
        sandbox.reset()
        os.remove(out)
    end)
    teardown(function()
        sandbox.reset()
        if dir then util.run("rm -rf " .. util.quote(dir)) end
    end)

    it("leaves a revoked token's failures out of the file; --resume with a working token sends each pair once",
        function()
        local _, err, code = xingtu("batch side_info --ids " .. util.quote(ids) .. " -o " .. util.quote(out),
            "revoked-token")
        assert.are_not.equal(0, code)
        assert.matches("20 of 20 not done %(%d+ invalid_token[^)]*%): %-%-resume sends them", err)
        assert.are.equal(1, sandbox.stats().requests) -- the first failure stopped the batch
        local _, n = records(out)
        assert.are.equal(0, n)
        sandbox.reset()
        local _, err2, code2 = xingtu("batch side_info --ids " .. util.quote(ids) .. " -o " .. util.quote(out)
            .. " --resume")
        assert.are.equal(0, code2, err2)
        assert.are.equal(N_IDS, sandbox.stats().requests)
        local got, n2 = records(out)
        assert.are.equal(N_IDS, n2)
        for _, r in pairs(got) do assert.is_true(r.ok) end
    end)

    it("leaves what --max-calls did not send to the next run, and keeps a creator's own failure", function()
        sandbox.fault { code = 301, times = 1 } -- one creator's own failure: a final record
        local _, err, code = xingtu("batch side_info --ids " .. util.quote(ids) .. " -o " .. util.quote(out)
            .. " --max-calls 5 --retries 0")
        assert.are.equal(1, code, err)
        assert.matches("15 of 20 not done %(15 budget_exceeded%): %-%-resume sends them; 1 failed: ", err)
        local got, n = records(out)
        assert.are.equal(5, n)
        local failed = 0
        for _, r in pairs(got) do if not r.ok then failed = failed + 1 end end
        assert.are.equal(1, failed)
        sandbox.reset()
        local _, err2, code2 = xingtu("batch side_info --ids " .. util.quote(ids) .. " -o " .. util.quote(out)
            .. " --resume")
        assert.are.equal(0, code2, err2)
        assert.are.equal(15, sandbox.stats().requests) -- the kept failure is not bought again
        local _, n2 = records(out)
        assert.are.equal(N_IDS, n2)
    end)

    it("still writes every id with its failure to stdout, where no run resumes", function()
        local text, _, code = xingtu("batch side_info --ids " .. util.quote(ids), "revoked-token")
        assert.are_not.equal(0, code)
        local n = 0
        for line in text:gmatch("[^\n]+") do
            assert.is_false(cjson.decode(line).ok)
            n = n + 1
        end
        assert.are.equal(N_IDS, n)
    end)
end)
