-- The examples/ scripts, each run by the one command written at its top (examples/with-sandbox starts and stops a
-- sandbox of its own), as a new user would run them.

local util = require "helpers.util"

-- The command a script's header gives: the line "--   examples/with-sandbox examples/<name>.lua [args...]".
local function command_of(path)
    local text = assert(util.read_file(path))
    local cmd = text:match("\n%-%-%s+(examples/with%-sandbox examples/[%w_]+%.lua)")
    assert(cmd, path .. " does not say how to run it")
    return cmd
end

-- Runs cmd from the checkout with a private cache and sandbox port; returns stdout, stderr, exit status.
local function run(cmd, cache_dir, port)
    return util.run3(("env XDG_CACHE_HOME=%s XINGTU_SANDBOX_PORT=%d %s"):format(util.quote(cache_dir), port, cmd))
end

describe("examples/", function()
    local cache_dir, port

    before_each(function()
        cache_dir = util.run("mktemp -d /tmp/xt-examples.XXXXXX"):gsub("%s+$", "")
        port = util.free_port()
    end)

    after_each(function()
        if cache_dir:match("^/tmp/xt%-examples%.") then os.execute("rm -rf " .. util.quote(cache_dir)) end
    end)

    it("creator_report.lua prints the touchpoints and the conversion ranges", function()
        local out, err, code = run(command_of("examples/creator_report.lua"), cache_dir, port)
        assert.equal(0, code, err)
        assert.matches("6976442543234760712", out)
        assert.matches("%d+%.%d%%", out) -- shares
        assert.matches("_range", out)
    end)

    it("compare_creators.lua compares five creators, and a second run is answered by the cache", function()
        local cmd = command_of("examples/compare_creators.lua")
        local out, err, code = run(cmd, cache_dir, port)
        assert.equal(0, code, err)
        assert.matches("requests sent: 5, cache hits: 0", err)
        assert.is_true(#util.run("ls " .. util.quote(cache_dir) .. "/xingtu") > 0)
        -- The second sandbox listens on another port: the cache's keys do not depend on the base URL.
        local other = util.free_port()
        while other == port do other = util.free_port() end
        local out2, err2, code2 = run(cmd, cache_dir, other)
        assert.equal(0, code2, err2)
        assert.matches("requests sent: 0, cache hits: 5", err2)
        assert.equal(out, out2)
    end)

    it("batch_to_csv.lua writes one CSV row per creator", function()
        local csv = os.tmpname()
        local ids = os.tmpname()
        util.write_file(ids, "6976442543234760712\n7012345678901234567\n42\n")
        local out, err, code = run(command_of("examples/batch_to_csv.lua") .. " " .. ids .. " " .. csv, cache_dir, port)
        local text = util.read_file(csv) or ""
        os.remove(csv)
        os.remove(ids)
        assert.equal(0, code, err .. out)
        local rows = {}
        for line in text:gmatch("([^\r\n]+)") do rows[#rows + 1] = line end
        assert.equal(4, #rows, text) -- the header and three creators
        assert.matches("6976442543234760712", rows[2])
    end)
end)
