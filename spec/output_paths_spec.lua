-- What a provider body can do to the output paths (the client, the CLI's formats, batch files): never a crash and
-- never a file that is not JSON.
--
-- A number beyond the double range ({"code":0,"data":{"x":1e999}}): the decoder rejects it ("number out of range
-- at byte N"), so it is a bad_response everywhere and no infinity ever reaches an encoder. Before, the CLI died with
-- "internal error: cannot encode number inf" and a traceback, and the nginx example answered garbage (that path is
-- in spec/nginx_spec.lua, beside the example's other errors).
--
-- A body that is not JSON, whose 120-byte snippet in the error message ends inside a UTF-8 character: the batch
-- file must still be JSON line by line (the encoder replaces the broken character with U+FFFD).

local xingtu = require "xingtu"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local AUTHOR = "6976442543234760712"
local BODY = '{"code":0,"data":{"x":1e999}}'
local WHY = "number out of range at byte 23"

-- The next `times` API requests get BODY, as a 200 (the sandbox writes the fault's message as a plain body).
local function serve_body(times)
    sandbox.fault { status = 200, envelope = 0, message = BODY, times = times or 1 }
end

-- bin/xingtu with args against the sandbox: stdout, stderr, status.
local function cli(args)
    local parts = { "env", "JUSTONEAPI_TOKEN=" .. util.quote(sandbox.token),
        "JUSTONEAPI_BASE_URL=" .. util.quote(sandbox.url), "lua5.4 bin/xingtu" }
    for _, a in ipairs(args) do parts[#parts + 1] = util.quote(a) end
    return util.run3(table.concat(parts, " "))
end

-- stderr of a failed call: the error line, no traceback, no internal error.
local function assert_clean_failure(err, code)
    assert.are.equal(1, code, err)
    assert.matches("bad_response", err, 1, true)
    assert.matches(WHY, err, 1, true)
    assert.is_nil(err:find("traceback", 1, true), err)
    assert.is_nil(err:find("internal error", 1, true), err)
end

describe("a provider body with a number beyond the double range", function()
    setup(function() sandbox.start() end)
    before_each(function() sandbox.reset() end)

    it("is a bad_response of the client, naming the byte, never data with an infinity", function()
        local client = xingtu.new { base_url = sandbox.url, token = sandbox.token, retries = 0 }
        serve_body()
        local data, err = client:side_info { o_author_id = AUTHOR }
        assert.is_nil(data)
        assert.are.equal("bad_response", err.kind)
        assert.are.equal("unknown", err.billed)
        assert.matches(WHY, err.message, 1, true)
        assert.is_false(err.retryable)
        client:close()
    end)

    for _, format in ipairs { "json", "ndjson", "csv", "table" } do
        it("makes `xingtu <method> --format " .. format .. "` exit 1 with the error, no traceback", function()
            serve_body()
            local out, err, code = cli { "side_info", AUTHOR, "--format", format }
            assert_clean_failure(err, code)
            assert.are.equal("", out)
        end)
    end

    it("is one error record of `xingtu batch -o out.ndjson`, the other ids written with their data", function()
        local dir = util.run("mktemp -d"):gsub("%s+$", "")
        util.write_file(dir .. "/ids.txt", "1\n2\n3\n")
        serve_body()
        local _, err, code = cli { "batch", "side_info", "--ids", dir .. "/ids.txt", "-o", dir .. "/out.ndjson" }
        assert.are.equal(1, code, err)
        assert.is_nil(err:find("traceback", 1, true), err)
        local records = {}
        for line in assert(util.read_file(dir .. "/out.ndjson")):gmatch("[^\n]+") do
            records[#records + 1] = assert(xingtu.json.decode(line))
        end
        assert.are.equal(3, #records)
        local failed = 0
        for _, r in ipairs(records) do
            if not r.ok then
                failed = failed + 1
                assert.are.equal("bad_response", r.error.kind)
                assert.matches(WHY, r.error.message, 1, true)
            else
                assert.is_table(r.data)
            end
        end
        assert.are.equal(1, failed)
        util.run("rm -rf " .. util.quote(dir))
    end)

    it("is one error row of `xingtu batch --format csv`", function()
        local dir = util.run("mktemp -d"):gsub("%s+$", "")
        util.write_file(dir .. "/ids.txt", "1\n2\n")
        serve_body()
        local out, err, code = cli { "batch", "side_info", "--ids", dir .. "/ids.txt", "--format", "csv" }
        assert.are.equal(1, code, err)
        assert.is_nil(err:find("traceback", 1, true), err)
        assert.matches("bad_response", out, 1, true)
        util.run("rm -rf " .. util.quote(dir))
    end)
end)

describe("a provider body that is not JSON, with a multibyte character at the snippet's cut", function()
    setup(function() sandbox.start() end)
    before_each(function() sandbox.reset() end)

    it("still makes `xingtu batch -o out.ndjson` write JSON that Python and xingtu read, line by line", function()
        local dir = util.run("mktemp -d"):gsub("%s+$", "")
        util.write_file(dir .. "/ids.txt", "1\n2\n")
        -- bytes 119..121 are one character: a cut at 120 splits it
        sandbox.fault { status = 200, envelope = 0, message = ("x"):rep(118) .. "直播 not JSON", times = 1 }
        local _, err, code = cli { "batch", "side_info", "--ids", dir .. "/ids.txt", "-o", dir .. "/out.ndjson" }
        assert.are.equal(1, code, err)
        local file = assert(util.read_file(dir .. "/out.ndjson"))
        local n = 0
        for line in file:gmatch("[^\n]+") do
            assert(xingtu.json.decode(line))
            n = n + 1
        end
        assert.are.equal(2, n)
        local out, rc = util.run("python3 -c 'import json, sys\nfor l in open(sys.argv[1], encoding=\"utf-8\"): json.loads(l)\n"
            .. "print(\"ok\")' " .. util.quote(dir .. "/out.ndjson") .. " 2>&1")
        assert.are.equal(0, rc, out)
        assert.are.equal("ok\n", out)
        util.run("rm -rf " .. util.quote(dir))
    end)
end)
