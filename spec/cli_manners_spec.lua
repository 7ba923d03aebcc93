-- The command line's manners: --version, --help of both commands, the man pages and shell completions generated from
-- the parsers (doc/cli-docs.lua, run by the build), colour only on a terminal and never with NO_COLOR, the progress
-- bar only on a terminal and never with --quiet or --no-progress. A terminal is a real pseudo-terminal, made by script(1).

local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local ROOT = util.ROOT
local docs = assert(loadfile(ROOT .. "/doc/cli-docs.lua"))("--module")

-- A shell command line running bin/xingtu with args against the sandbox; env: extra variables (false unsets).
local function command(args, env)
    local parts = { "env" }
    local vars = { JUSTONEAPI_TOKEN = sandbox.token, JUSTONEAPI_BASE_URL = sandbox.url, NO_COLOR = false, TERM = "xterm" }
    for k, v in pairs(env or {}) do vars[k] = v end
    local names = {}
    for k in pairs(vars) do names[#names + 1] = k end
    table.sort(names)
    for _, k in ipairs(names) do
        local v = vars[k]
        if v == false then table.insert(parts, 2, "-u " .. k) else parts[#parts + 1] = k .. "=" .. util.quote(v) end
    end
    parts[#parts + 1] = "lua5.4 " .. util.quote(ROOT .. "/bin/xingtu")
    for _, a in ipairs(args) do parts[#parts + 1] = util.quote(a) end
    return table.concat(parts, " ")
end

-- Runs a command line on a pseudo-terminal (stdin, stdout and stderr all the terminal): what the terminal showed,
-- and the exit status.
local function on_terminal(cmd)
    local out, _, code = util.run3("script -qec " .. util.quote(cmd) .. " /dev/null </dev/null")
    return out, code
end

local SGR = "\27%[[%d;]*m"

describe("the command line's manners", function()
    setup(function() sandbox.start() end)
    before_each(function() sandbox.reset() end)

    it("prints its version with --version and exits 0", function()
        local out, err, code = util.run3(command { "--version" })
        assert.are.equal(0, code, err)
        assert.are.equal("xingtu " .. require("xingtu").VERSION .. "\n", out)
    end)

    it("xingtu-sandbox --help prints the usage on stdout and exits 0; no command at all is a usage error", function()
        local script = util.quote(ROOT .. "/bin/xingtu-sandbox")
        for _, flag in ipairs { "--help", "-h", "help" } do
            local out, err, code = util.run3("bash " .. script .. " " .. flag)
            assert.are.equal(0, code, err)
            assert.matches("xingtu%-sandbox start %[%-%-port N%]", out)
            assert.matches("xingtu%-sandbox stop DIR", out)
        end
        local out, err, code = util.run3("bash " .. script)
        assert.are.equal(2, code)
        assert.are.equal("", out)
        assert.matches("xingtu%-sandbox start", err)
    end)

    it("says in one line why --sandbox could not start, with no traceback", function()
        local _, err, code = util.run3(command({ "report", "6976442543234760712", "--sandbox" },
            { NGINX = "/nonexistent/nginx" }))
        assert.are.equal(2, code)
        assert.are.equal("xingtu report: --sandbox: the sandbox did not start: xingtu-sandbox: nginx not found "
            .. "(set NGINX)\n", err)
    end)

    describe("man pages and completions", function()
        -- What the build writes into build/doc (doc/cli-docs.lua), written here into a directory of the spec's own.
        local dir = os.tmpname()
        os.remove(dir)
        assert(os.execute("mkdir -p " .. util.quote(dir .. "/completion")))
        for _, f in ipairs(docs.render()) do
            local out = assert(io.open(dir .. "/" .. f.path, "wb"))
            out:write(f.text)
            out:close()
        end
        teardown(function() util.run("rm -rf " .. util.quote(dir)) end)

        it("the build writes them into build/doc from the parsers, so none is committed to go stale", function()
            for _, f in ipairs(docs.render()) do
                assert.is_nil(io.open(ROOT .. "/doc/" .. f.path), "doc/" .. f.path .. " is committed")
                assert.are.equal(f.text, util.read_file(ROOT .. "/build/doc/" .. f.path),
                    "build/doc/" .. f.path .. " differs from what doc/cli-docs.lua writes (rebuild)")
            end
        end)

        it("man ./build/doc/xingtu.1 renders without warnings and lists every option of every command", function()
            local out, err, code = util.run3("MANWIDTH=120 man --warnings -l " .. util.quote(dir .. "/xingtu.1"))
            assert.are.equal(0, code, err)
            assert.are.equal("", err)
            for _, option in ipairs { "--format", "--sandbox", "--cache", "--cache-ttl", "--offline", "--timeout",
                "--retries", "--quiet", "--no-progress", "--platform", "--range", "--param", "--ids", "--concurrency",
                "--rate", "--max-calls", "--output", "--version" } do
                assert(out:find(option, 1, true), option .. " is not in the man page")
            end
            assert.matches("NO_COLOR", out)
            out, err = util.run3("MANWIDTH=120 man --warnings -l " .. util.quote(dir .. "/xingtu-sandbox.1"))
            assert.are.equal("", err)
            assert.matches("xingtu%-sandbox stop DIR", out)
        end)

        it("bash completes commands, methods and options", function()
            local function complete(...)
                local words = { ... }
                local quoted = {}
                for i, w in ipairs(words) do quoted[i] = util.quote(w) end
                local out = util.run(("bash -c %s"):format(util.quote("source "
                    .. util.quote(dir .. "/completion/xingtu.bash") .. " && COMP_WORDS=(" .. table.concat(quoted, " ")
                    .. ") && COMP_CWORD=" .. (#words - 1) .. " && _xingtu && echo \"${COMPREPLY[*]}\"")))
                return (out:gsub("%s+$", ""))
            end
            assert.are.equal("touch_distribution", complete("xingtu", "touch_dis"))
            assert.are.equal("batch", complete("xingtu", "bat"))
            assert.are.equal("--concurrency", complete("xingtu", "batch", "side_info", "--concu"))
            assert.are.equal("table json ndjson csv", complete("xingtu", "report", "1", "--format", ""))
        end)
    end)

    describe("colour", function()
        local failing = { "side_info", "6976442543234760712", "--retries", "0" }

        it("marks the error kind in bold red on a terminal", function()
            local out, code = on_terminal(command(failing, { JUSTONEAPI_TOKEN = "not-the-token" }))
            assert.are.equal(1, code, out)
            assert.matches("xingtu: \27%[1;31minvalid_token\27%[0m", out)
        end)

        it("is never used with NO_COLOR set, or with TERM=dumb", function()
            for _, env in ipairs { { NO_COLOR = "1" }, { NO_COLOR = "yes" }, { TERM = "dumb" } } do
                env.JUSTONEAPI_TOKEN = "not-the-token"
                local out = on_terminal(command(failing, env))
                assert.matches("xingtu: invalid_token", out)
                assert.is_nil(out:find(SGR), out)
            end
        end)

        it("is never written to a pipe or a file", function()
            local _, err, code = util.run3(command(failing, { JUSTONEAPI_TOKEN = "not-the-token" }))
            assert.are.equal(1, code)
            assert.matches("^xingtu: invalid_token", err)
            assert.is_nil(err:find("\27", 1, true))
        end)
    end)

    describe("progress", function()
        local ids
        setup(function()
            ids = os.tmpname()
            util.write_file(ids, "6976442543234760712\n6976442543234760713\nabc\n")
        end)
        teardown(function() os.remove(ids) end)

        local function batch(...)
            local args = { "batch", "side_info", "--ids", ids, "-o", "/dev/null" }
            for _, a in ipairs { ... } do args[#args + 1] = a end
            return args
        end

        it("draws a progress bar on a terminal, with the note of failures after it", function()
            local out, code = on_terminal(command(batch()))
            assert.are.equal(1, code, out) -- "abc" is not an id: one failure
            assert.matches("\r\27%[K%[", out)
            assert.matches("3/3", out)
            assert.matches("xingtu: 1 of 3 failed", out)
        end)

        it("draws none with --no-progress, and --quiet drops the notes too", function()
            local out = on_terminal(command(batch("--no-progress")))
            assert.is_nil(out:find("\27[K", 1, true))
            assert.matches("xingtu: 1 of 3 failed", out)
            out = on_terminal(command(batch("--quiet")))
            assert.is_nil(out:find("\27[K", 1, true))
            assert.is_nil(out:find("failed", 1, true))
        end)

        it("draws none when stderr is not a terminal", function()
            local _, err, code = util.run3(command(batch()))
            assert.are.equal(1, code)
            assert.is_nil(err:find("\r", 1, true))
            assert.matches("xingtu: 1 of 3 failed", err)
        end)
    end)
end)
