-- What README.md claims, checked against the code:
--   * the endpoint table (between <!-- endpoints:begin --> and <!-- endpoints:end -->) is exactly what
--     .ci/endpoint-table renders from the catalogue;
--   * the error table: every circumstance a row's "when" names is a crafted transport result (or a client call) that
--     errors.classify turns into that row's kind, billing and retryability; a circumstance without a case fails;
--   * the nginx example's failure table: each row's status is the one the handler and nginx.conf give.
local util = require "helpers.util"
local errors = require "xingtu.errors"
local FIX = "run `lua5.4 .ci/endpoint-table --write` to regenerate it"

local table_tool = assert(loadfile(util.ROOT .. "/.ci/endpoint-table"))("--module")
local catalogue = require "xingtu.endpoints"

-- The first line where two texts differ, for a readable failure.
local function first_difference(a, b)
    local la, lb = {}, {}
    for line in (a .. "\n"):gmatch("(.-)\n") do la[#la + 1] = line end
    for line in (b .. "\n"):gmatch("(.-)\n") do lb[#lb + 1] = line end
    for i = 1, math.max(#la, #lb) do
        if la[i] ~= lb[i] then
            return ("line %d of the table:\n    README:   %s\n    expected: %s"):format(i, tostring(la[i]),
                tostring(lb[i]))
        end
    end
    return "no line differs"
end

-- The rows of the Markdown table whose header line is `header`: each an array of trimmed cells.
local function table_rows(text, header)
    local at = text:find(header, 1, true)
    assert(at, "README.md has no table with the header " .. header)
    local rows = {}
    local rest = text:sub(at)
    local n = 0
    for line in rest:gmatch("([^\n]*)\n") do
        n = n + 1
        if n > 2 then -- the header and the --- line
            if line:sub(1, 1) ~= "|" then break end
            local cells = {}
            for cell in line:sub(2):gmatch("([^|]*)|") do cells[#cells + 1] = cell:match("^%s*(.-)%s*$") end
            rows[#rows + 1] = cells
        end
    end
    return rows
end

-- A result table of the C core (see csrc/core.c) with a decoded body, for errors.classify.
local function answer(status, body_text)
    local core = require "xingtu.core"
    local body, json_error = core.decode(body_text)
    return { status = status, body = body, raw = body_text, json_error = json_error, sent = true }
end
local function envelope(code) return answer(200, '{"code":' .. code .. ',"message":"m","data":null,"requestId":"r"}') end
local function transport(error_name, sent, status)
    return { error = error_name, error_message = error_name .. " (crafted)", sent = sent, status = status or 0 }
end

-- The error a client call returns, for the kinds that are decided before anything is sent.
local function client_error(opts, dir)
    local xingtu = require "xingtu"
    opts.token, opts.base_url = "t", "http://127.0.0.1:9" -- nothing may be sent: a port nobody serves
    if dir then opts.cache = dir end
    local c = xingtu.new(opts)
    local data, err = c:side_info { o_author_id = "1" }
    c:close()
    assert(data == nil and c:stats().sent == 0, "a request was sent")
    return err
end

-- For each kind of the README's error table: the circumstances its "when" column names (the exact words), each
-- with the results that produce it.
local ERROR_CASES = {
    invalid_token = { ["code 100"] = { envelope(100) }, ["HTTP 401"] = { answer(401, "Unauthorized") } },
    not_found = { ["code 201: no content for this creator"] = { envelope(201) } },
    collection_failed = { ["code 301: the provider could not collect the data this time"] = { envelope(301) } },
    rate_limited = { ["code 302"] = { envelope(302) }, ["HTTP 429"] = { answer(429, "slow down") } },
    quota_exceeded = { ["code 303: the daily quota is spent"] = { envelope(303) } },
    invalid_params = { ["code 400"] = { envelope(400) } },
    server_error = {
        ["code 500"] = { envelope(500) },
        ["code 503"] = { envelope(503) },
        ["an HTTP 5xx without the provider's envelope"] = { answer(502, "<html>Bad Gateway</html>"),
            answer(500, '{"error":"x"}') },
    },
    permission_denied = { ["code 600"] = { envelope(600) }, ["HTTP 403"] = { answer(403, "Forbidden") } },
    insufficient_balance = { ["code 601"] = { envelope(601) } },
    token_limit_exceeded = { ["code 602: this token's spending cap is reached"] = { envelope(602) } },
    api_error = { ["any other non-zero code"] = { envelope(777), envelope(-1) } },
    timeout = { ["no complete answer within `timeout` after the request was sent"] = { transport("timeout", true) } },
    network = {
        refused = { transport("connect", false) },
        DNS = { transport("resolve", false) },
        ["connect timeout"] = { transport("timeout", false) },
        reset = { transport("recv", true) },
        ["closed mid-response"] = { transport("partial", true, 200) },
        ["a body shorter than its Content-Length"] = { transport("partial", true, 200) },
        ["TLS or protocol failure (a certificate that does not verify: not retried)"] = {
            transport("tls", false), transport("protocol", true) },
    },
    bad_response = {
        ["a complete answer that is not JSON (JSON cut short included)"] = { answer(200, "<html>hi</html>"),
            answer(200, '{"code":0,"message":null,"data":{"a":') },
        ["a number beyond the double range (`1e999`)"] = { answer(200, '{"code":0,"data":{"x":1e999}}') },
        ["not the envelope"] = { answer(200, '{"data":{}}'), answer(200, "[1,2]") },
        ["over the size cap"] = { transport("too_large", true, 200) },
    },
    budget_exceeded = {
        ["`max_calls` requests already sent by this client: nothing sent"] = {
            function() return client_error { max_calls = 0 } end },
    },
    budget_unavailable = {
        ["the shared `budget`'s store could not be asked: nothing sent"] = {
            function()
                return client_error { budget = { reserve = function() return nil, "connection refused" end } }
            end },
    },
    cache_miss = {
        ["`offline = true` and the answer is not in the cache: nothing sent"] = {
            function()
                local dir = os.tmpname()
                os.remove(dir)
                local err = client_error({ offline = true }, dir)
                util.run("rm -rf " .. util.quote(dir))
                return err
            end },
    },
}

local BILLED = { no = false, yes = true, unknown = "unknown", ["not billed"] = false }

describe("README.md", function()
    local readme = assert(util.read_file(util.ROOT .. "/README.md"))

    describe("endpoint table", function()
        it("sits between the two markers, each once", function()
            local region, err = table_tool.region(readme)
            assert(region, tostring(err) .. "; " .. FIX)
        end)

        it("is the rendering of the catalogue", function()
            local region = assert(table_tool.region(readme))
            local expected = table_tool.render()
            assert(region == expected,
                "README.md's endpoint table differs from lua/xingtu/endpoints.lua: " .. FIX .. "\n  "
                    .. first_difference(region, expected))
        end)

        it("has one row per endpoint, naming its method and path", function()
            local region = assert(table_tool.region(readme))
            local rows = 0
            for _ in region:gmatch("\n| `[a-z_]+`<br>") do rows = rows + 1 end
            assert.equal(#catalogue, rows)
            for _, ep in ipairs(catalogue) do
                assert(region:find("| `" .. ep.name .. "`<br>", 1, true), ep.name .. " has no row; " .. FIX)
                local shown = ep.path:gsub("^/api/douyin%-xingtu/gw/api", "")
                assert(region:find("<sub>`" .. shown .. "`</sub>", 1, true), ep.name .. ": path not shown")
            end
        end)
    end)

    describe(".ci/endpoint-table", function()
        it("renders every parameter with both names, * for required ones, defaults and allowed values", function()
            local text = table_tool.render()
            assert.matches("`o_author_id`\\%* %(`oAuthorId`%): numeric id", text)
            assert.matches("`start_date`\\%* %(`startDate`%): date `YYYY%-MM%-DD`", text)
            assert.matches("`platform`: `SHORT_VIDEO` %(default%), `LIVE_STREAMING`", text)
            assert.matches("`range`: `DAY_30`, `DAY_90`; the provider's default is `90`", text)
            assert.matches("`industry`: one of 38 industries %(see `xingtu.endpoints`%)", text)
            assert.matches("`gender`: `MALE` %(`1`, `男性`%), `FEMALE` %(`2`, `女性`%)", text)
            assert.matches("`page`: integer ≥ 1, default `1`", text)
            assert.matches("`only_assign` %(`onlyAssign`%): `true` or `false`, default `false`", text)
        end)

        it("replaces only the region between the markers", function()
            local text = "intro\n" .. table_tool.BEGIN .. "\nold\n" .. table_tool.END .. "\noutro\n"
            local out = table_tool.replace(text, "\nnew\n")
            assert.equal("intro\n" .. table_tool.BEGIN .. "\nnew\n" .. table_tool.END .. "\noutro\n", out)
            assert.equal("\nnew\n", table_tool.region(out))
        end)

        it("refuses a README without the markers or with them twice", function()
            assert.is_nil(table_tool.region("no markers here"))
            local twice = table_tool.BEGIN .. table_tool.END .. table_tool.BEGIN .. table_tool.END
            local ok, err = table_tool.replace(twice, "x")
            assert.is_nil(ok)
            assert.matches("more than once", err)
        end)
    end)

    describe("error table", function()
        local rows = table_rows(readme, "| kind | when | retryable | billed |")

        it("has a row for each kind the specs know, and only those", function()
            local seen = {}
            for _, row in ipairs(rows) do
                local kind = row[1]:match("^`([%w_]+)`$")
                assert(kind and ERROR_CASES[kind], "README row without cases in spec/readme_spec.lua: " .. row[1])
                seen[kind] = true
            end
            for kind in pairs(ERROR_CASES) do assert(seen[kind], "README.md's error table has no row for " .. kind) end
        end)

        for _, row in ipairs(rows) do
            local kind = row[1]:match("^`([%w_]+)`$")
            it("says truly when " .. row[1] .. " comes back, whether it is retried and whether it was billed",
                function()
                    local cases = assert(ERROR_CASES[kind])
                    -- The billed column: one value, or "a / b" (then each circumstance's own note decides).
                    local billed_any = {}
                    for word in row[4]:gmatch("[^/]+") do
                        local b = BILLED[word:match("^%s*(.-)%s*$")]
                        assert(b ~= nil, "billed column: " .. row[4])
                        billed_any[#billed_any + 1] = b
                    end
                    -- The retryable column: yes, no, or "yes, but A/B no".
                    local never = row[3]:match("^yes, but (.-) no$")
                    local retryable_all = row[3] == "yes" or never ~= nil
                    assert(row[3] == "yes" or row[3] == "no" or never, "retryable column: " .. row[3])
                    local covered = 0
                    for group in (row[2] .. ";"):gmatch("%s*([^;]*);") do
                        -- A group may end with a billing note for everything in it: "(not billed)", "(unknown)".
                        local text, note = group:match("^(.-)%s*%(([%w ]+)%)$")
                        if not (note and BILLED[note] ~= nil) then text, note = group, nil end
                        for phrase, results in pairs(cases) do
                            local from, to = text:find(phrase, 1, true)
                            if from then
                                text = text:sub(1, from - 1) .. text:sub(to + 1)
                                covered = covered + 1
                                for i, res in ipairs(results) do
                                    local err
                                    if type(res) == "function" then
                                        err = res()
                                    else
                                        local data
                                        data, err = errors.classify(res, "side_info")
                                        assert(data == nil, phrase .. ": classified as a success")
                                    end
                                    local what = ("%s, case %d"):format(phrase, i)
                                    assert.are.equal(kind, err.kind, what)
                                    local billed
                                    if note then billed = BILLED[note] end
                                    if billed == nil and #billed_any == 1 then billed = billed_any[1] end
                                    if billed ~= nil then
                                        assert.are.equal(billed, err.billed, what .. ": billed")
                                    else
                                        local listed = false
                                        for _, b in ipairs(billed_any) do listed = listed or b == err.billed end
                                        assert(listed, what .. ": billed " .. tostring(err.billed) .. " is not "
                                            .. row[4])
                                    end
                                    local retryable = retryable_all
                                    for word in (never or ""):gmatch("[^/]+") do
                                        if phrase:find(word, 1, true) then retryable = false end
                                    end
                                    assert.are.equal(retryable, err.retryable, what .. ": retryable")
                                end
                            end
                        end
                        local rest = text:gsub("%f[%w]or%f[^%w]", ""):gsub("%f[%w]and%f[^%w]", ""):gsub("[%s,;]", "")
                        assert(rest == "", ("%s: the README says %q, which no case in spec/readme_spec.lua checks")
                            :format(row[1], group))
                    end
                    assert(covered > 0, row[1] .. ": no case matched")
                end)
        end

        it("is right that only the integer code 0 with an HTTP 2xx is a success", function()
            assert.is_not_nil((errors.classify(envelope(0), "side_info")) ~= nil)
            for _, res in ipairs { answer(200, '{"code":"0","data":1}'), answer(200, '{"code":0.0,"data":1}'),
                answer(200, '{"data":1}') } do
                local _, err = errors.classify(res, "side_info")
                assert.are.equal("bad_response", err.kind, res.raw)
            end
            local _, err = errors.classify(answer(500, '{"code":0,"data":1}'), "side_info")
            assert.are.equal("server_error", err.kind)
        end)
    end)

    describe("nginx example's failure table", function()
        local rows = table_rows(readme, "| the call failed with | HTTP status | body |")
        local handler = dofile(util.ROOT .. "/examples/nginx/xingtu_summary.lua")
        local conf = assert(util.read_file(util.ROOT .. "/examples/nginx/nginx.conf"))

        it("gives each kind the status the handler answers it with", function()
            assert.is_true(#rows >= 5)
            for _, row in ipairs(rows) do
                local status = tonumber(row[2]:match("^(%d+)"))
                assert(status, row[2])
                if not row[1]:find("no location matches", 1, true) then
                    -- The body's literal kind, else the kinds the first cell names.
                    local kinds = { row[3]:match('"kind":"([%w_]+)"') }
                    if #kinds == 0 then
                        for kind in row[1]:gmatch("`([%w_]+)`") do kinds[#kinds + 1] = kind end
                    end
                    assert(#kinds > 0, row[1])
                    for _, kind in ipairs(kinds) do
                        assert.are.equal(handler.STATUS[kind] or 502, status, row[1] .. ": " .. kind)
                    end
                end
            end
        end)

        it("is right that an id that is not all digits matches no location and is nginx.conf's 404", function()
            local found
            for _, row in ipairs(rows) do
                if row[1]:find("no location matches", 1, true) then found = row end
            end
            assert(found, "no row for a path no location matches")
            local regex = assert(conf:match("location ~ (%^/creators/%S+) {"), "the creator location")
            local pattern = regex:gsub("\\d", "%%d")
            assert.is_truthy(("/creators/6976442543234760712/summary"):match(pattern))
            assert.is_nil(("/creators/abc/summary"):match(pattern))
            assert.is_nil(("/creators/12ab/summary"):match(pattern))
            local fallback = assert(conf:match("location / {[^}]-(return %d+ '.-';)"), "the fallback location")
            assert.are.equal(tonumber(found[2]:match("^(%d+)")), tonumber(fallback:match("return (%d+)")))
            assert.are.equal(fallback:match("return %d+ '(.-)\\n';"), found[3]:match("^`(.*)`$"))
        end)
    end)
end)

-- Every flag a command line of the README's sh blocks gives (`xingtu <command> ... --flag`, pipes and `\` lines
-- included) is a flag of that command's parser: the README never shows a flag the command would refuse.
describe("README.md's command lines", function()
    local main = require "xingtu.cli.main"
    local text = util.read_file(util.ROOT .. "/README.md")

    -- The option names of a command's parser (argparse keeps them in _options, each with its aliases).
    local function flags_of(command)
        local parser = main.parser_for(command)
        local names = { ["--help"] = true, ["-h"] = true }
        for _, o in ipairs(parser._options) do
            for _, alias in ipairs(o._aliases) do names[alias] = true end
        end
        return names
    end

    local lines = {}
    for block in text:gmatch("```sh\n(.-)```") do
        local joined = block:gsub("\\\n", " ")
        for line in joined:gmatch("[^\n]+") do
            for segment in (line:gsub("#.*$", "") .. "|"):gmatch("([^|]*)|") do
                local command, rest = segment:match("^%s*xingtu%s+([%w_]+)(.*)$")
                if command then lines[#lines + 1] = { command = command, rest = rest, line = line } end
            end
        end
    end

    it("names commands and flags that exist", function()
        assert.is_true(#lines >= 10, "too few command lines found: " .. #lines)
        local commands = {}
        for _, l in ipairs(lines) do
            local ok, flags = pcall(flags_of, l.command)
            assert(ok, "README runs `xingtu " .. l.command .. "`, which is no command: " .. l.line)
            commands[l.command] = true
            for flag in (" " .. l.rest):gmatch("%s(%-%-?[%a][%w-]*)") do
                assert(flags[flag], ("README gives xingtu %s the flag %s, which it does not have: %s"):format(
                    l.command, flag, l.line))
            end
        end
        for _, c in ipairs { "search", "compare", "batch", "report" } do
            assert(commands[c], "README shows no `xingtu " .. c .. "` line")
        end
    end)
end)
