-- Every option and argument a user hands the library or the command line, against the values that used to get
-- through or crash: NaN, inf, -inf, 0, -1, a huge number (1e300) and values of the wrong type. Each one is either
-- inside the documented range and taken, or refused at once with a message that names the option and its range,
-- raised at the caller's line (this file's, never one inside the library). On the command line every numeric flag
-- gets the same values: exit 2, one line naming the flag and the range, no traceback.

local xingtu = require "xingtu"
local fake = require "helpers.fake"
local util = require "helpers.util"

local NAN, INF = 0 / 0, math.huge
local HOSTILE = { { "nan", NAN }, { "inf", INF }, { "-inf", -INF }, { "0", 0 }, { "-1", -1 }, { "1e300", 1e300 } }

local function set(list)
    local s = {}
    for _, v in ipairs(list or {}) do s[v] = true end
    return s
end

local function new_options(name, v)
    local o = { token = "secret-token-123" }
    o[name] = v
    return o
end

local function client()
    return xingtu.new { token = "secret-token-123", transport = fake.transport() }
end

-- Each case: where (the message's prefix), name, range (what the message and the README say), accepts (labels of
-- the HOSTILE values inside the range), wrong (values of the wrong type), good (a value that must be taken), and
-- call(v): ONE line that hands v to the library without a tail call, so that an error must carry that very line.
local CASES = {}
local function case(c) CASES[#CASES + 1] = c end

local NUMBER_WRONG = { "60", true, {} }
local INTEGER_WRONG = { "3", 1.5, true, {} }
local STRING_WRONG = { "", "a\0b", true, {} }
local FUNCTION_WRONG = { "f", true, {} }
local BOOLEAN_WRONG = { "true", {}, print }

local function new_case(name, range, extra)
    extra.where, extra.name, extra.range = "xingtu.new", name, range
    extra.call = extra.call or function(v) local c = xingtu.new(new_options(name, v)) c:close() return c end
    case(extra)
end

new_case("token", "a non-empty string", { wrong = { "", true, {} }, good = "x", secret = true,
    call = function(v) local c = xingtu.new { token = v, transport = fake.transport() } return c end })
new_case("base_url", "an http:// or https:// URL", { wrong = { {}, true, "ftp://x", "https://h/a?q=1",
    "https://h/#top", "https://h/a b" }, good = "http://127.0.0.1:1/prefix" })
new_case("timeout", "a number of seconds from 0.001 to 86400", { wrong = NUMBER_WRONG, good = 0.5,
    min = 0.001, max = 86400 })
new_case("connect_timeout", "a number of seconds from 0.001 to 86400", { wrong = NUMBER_WRONG, good = 2,
    min = 0.001, max = 86400 })
new_case("deadline", "a number of seconds from 0.001 to 86400", { wrong = NUMBER_WRONG, good = 30,
    min = 0.001, max = 86400 })
new_case("user_agent", "a non-empty string without NUL bytes", { wrong = STRING_WRONG, good = "app/1" })
new_case("ca_file", "a non-empty string without NUL bytes", { wrong = STRING_WRONG, good = "/nonexistent.pem" })
new_case("proxy", "a non-empty string without NUL bytes", { wrong = STRING_WRONG, good = "http://127.0.0.1:1" })
new_case("max_body", "a whole number of bytes from 1 to 1073741824", { wrong = INTEGER_WRONG, good = 1000,
    min = 1, max = 1073741824, integer = true })
new_case("retries", "an integer from 0 to 100", { accepts = { "0" }, wrong = INTEGER_WRONG, good = 5,
    min = 0, max = 100, integer = true })
new_case("backoff_base", "a number of seconds from 0 to 3600", { accepts = { "0" }, wrong = NUMBER_WRONG,
    good = 0.1, min = 0, max = 3600 })
new_case("backoff_max", "a number of seconds from 0 to 86400", { accepts = { "0" }, wrong = NUMBER_WRONG,
    good = 5, min = 0, max = 86400 })
new_case("retry_unknown", "true or false", { wrong = BOOLEAN_WRONG, good = true })
new_case("rate", "a number of requests a second from 0.001 to 100000", { wrong = NUMBER_WRONG, good = 5,
    min = 0.001, max = 100000 })
new_case("burst", "a number of requests from 1 to 100000", { wrong = NUMBER_WRONG, good = 4, min = 1,
    max = 100000 })
new_case("adaptive", "true or false", { wrong = BOOLEAN_WRONG, good = true })
new_case("max_calls", "an integer from 0 to 1000000000", { accepts = { "0" }, wrong = INTEGER_WRONG, good = 10,
    min = 0, max = 1000000000, integer = true })
for _, name in ipairs { "clock", "sleep", "random", "wall_clock" } do
    new_case(name, "a function", { wrong = FUNCTION_WRONG, good = function() return 0 end })
end
new_case("cache", "true, false, a directory, a xingtu.cache object or { shared_dict = \"name\" }",
    { wrong = { "", "a\0b", {} }, good = false })
new_case("cache_ttl", "a number of seconds from 0 to 31536000", { accepts = { "0" }, wrong = NUMBER_WRONG,
    good = 60, min = 0, max = 31536000 })
new_case("offline", "true or false", { wrong = BOOLEAN_WRONG, good = false })
new_case("transport", "\"curl\", \"ngx\" or an object with a get(url) method",
    { wrong = { "x", {}, { get = 1 }, xingtu.null }, good = "curl" })

local cache_new, memory = xingtu.cache.new, xingtu.cache.memory
local function cache_case(name, range, extra)
    extra.where, extra.name, extra.range = "xingtu.cache.new", name, range
    extra.call = extra.call or function(v) local c = cache_new { backend = memory(), [name] = v } return c end
    case(extra)
end
cache_case("dir", "a non-empty string without NUL bytes", { wrong = STRING_WRONG, good = "/nonexistent/xt-cache",
    call = function(v) local c = xingtu.cache.new { dir = v } return c end })
cache_case("backend", "a table with get(key) and set(key, text) functions", { wrong = { {}, { get = print }, "x", true },
    good = xingtu.cache.memory(), call = function(v) local c = xingtu.cache.new { backend = v } return c end })
cache_case("ttl", "a number of seconds from 0 to 31536000", { accepts = { "0" }, wrong = NUMBER_WRONG, good = 5,
    min = 0, max = 31536000 })
cache_case("offline", "true or false", { wrong = BOOLEAN_WRONG, good = true })
cache_case("now", "a function", { wrong = FUNCTION_WRONG, good = os.time })
cache_case("hash", "a function", { wrong = FUNCTION_WRONG, good = function(s) return s end })
cache_case("max_entry", "a whole number of bytes from 0 to 1073807360", { accepts = { "0" }, wrong = INTEGER_WRONG,
    good = 4096, min = 0, max = 1073807360, integer = true })

local c = client()
case { where = "xingtu.each", name = "concurrency", range = "an integer from 1 to 256", wrong = INTEGER_WRONG, good = 3,
    min = 1, max = 256, integer = true, call = function(v) local it = c:each({}, { concurrency = v }) return it end }
case { where = "xingtu.batch", name = "concurrency", range = "an integer from 1 to 256", wrong = INTEGER_WRONG, good = 3,
    min = 1, max = 256, integer = true, call = function(v) local r = c:batch({}, { concurrency = v }) return r end }
case { where = "xingtu.each", name = "on_progress", range = "a function", wrong = FUNCTION_WRONG, good = print,
    call = function(v) local it = c:each({}, { on_progress = v }) return it end }
case { where = "xingtu.pages", name = "max_pages", range = "an integer from 1 to 10000", wrong = INTEGER_WRONG,
    good = 2, min = 1, max = 10000, integer = true,
    call = function(v) local it = c:pages("search", { keyword = "x" }, { max_pages = v }) return it end }

local touch = xingtu.touch
case { where = "xingtu.touch.top", name = "n", range = "an integer from 0 to 1000000000", accepts = { "0" },
    wrong = INTEGER_WRONG, good = 3, min = 0, max = 1000000000, integer = true,
    call = function(v) local r = touch.top({}, v) return r end }
case { where = "xingtu.touch.top", name = "level", range = "an integer from 1 to 100", wrong = { 1.5, true },
    good = 2, min = 1, max = 100, integer = true, call = function(v) local r = touch.top({}, nil, v) return r end }
case { where = "xingtu.touch.top", name = "level", range = "an integer from 1 to 100", wrong = INTEGER_WRONG,
    good = 2, min = 1, max = 100, integer = true, call = function(v) local r = touch.top({}, 3, { level = v }) return r end }
case { where = "xingtu.touch.top", name = "list", range = "a non-empty string without NUL bytes", wrong = STRING_WRONG,
    good = "video_touch", call = function(v) local r = touch.top({}, 3, { list = v }) return r end }
case { where = "xingtu.touch.top", name = "parent", range = "a name (the direct parent's) or an array of names",
    wrong = { true, { 1 }, { "a", false } }, good = { "a", "b" },
    call = function(v) local r = touch.top({}, 3, { parent = v }) return r end }
case { where = "xingtu.touch.compare", name = "level", range = "an integer from 1 to 100", wrong = INTEGER_WRONG,
    good = 2, min = 1, max = 100, integer = true, call = function(v) local r = touch.compare({}, { level = v }) return r end }
case { where = "xingtu.touch.compare", name = "metric", range = "one of \"share_of_total\", \"share_of_parent\", \"cnt\"",
    wrong = { "x", true }, good = "cnt", call = function(v) local r = touch.compare({}, { metric = v }) return r end }

local q = xingtu.query({ { a = 1 } })
case { where = "xingtu.query: limit", name = "n", range = "an integer from 0 to 1000000000", accepts = { "0" },
    wrong = INTEGER_WRONG, good = 2, min = 0, max = 1000000000, integer = true,
    call = function(v) local r = q:limit(v) return r end }
local FIELD = "a field name (a non-empty string or a number) or a function of the row"
-- A number is a field (of rows that are arrays), the infinities too; NaN is no key of any table.
local NUMBER_KEYS = { "inf", "-inf", "0", "-1", "1e300" }
case { where = "xingtu.query: where", name = "field", range = FIELD, accepts = NUMBER_KEYS, wrong = { "", true, {} },
    good = "a", call = function(v) local r = q:where(v, 1) return r end }
case { where = "xingtu.query: where", name = "operator", range = "use = == ~= != < <= > >=", wrong = { "=>", true, {} },
    good = ">=", call = function(v) local r = q:where("a", v, 1) return r end }
case { where = "xingtu.query: select", name = "fields[1]", range = "a field name (a non-empty string or a number)",
    accepts = NUMBER_KEYS, wrong = { "", true, { NAN } }, good = "a", call = function(v) local r = q:select(v) return r end }
case { where = "xingtu.query: map", name = "fn", range = "a function", wrong = FUNCTION_WRONG, good = print,
    call = function(v) local r = q:map(v) return r end }
case { where = "xingtu.query: sort", name = "field", range = FIELD, accepts = NUMBER_KEYS, wrong = { "", true, {} },
    good = "a", call = function(v) local r = q:sort(v) return r end }
case { where = "xingtu.query: sort", name = "direction", range = "one of \"asc\", \"desc\"", wrong = { "up", true },
    good = "desc", call = function(v) local r = q:sort("a", v) return r end }
case { where = "xingtu.query: group_by", name = "field", range = FIELD, accepts = NUMBER_KEYS, wrong = { "", true, {} },
    good = "a", call = function(v) local r = q:group_by(v) return r end }
case { where = "xingtu.query: group_by", name = "sums", range = "field name", wrong = { true, { NAN } },
    good = { "a" }, call = function(v) local r = q:group_by("a", v) return r end }
case { where = "xingtu.query: csv", name = "columns", range = "field name", wrong = { true, { "" } },
    good = { "a" }, call = function(v) local r = q:csv(v) return r end }
case { where = "xingtu.query: write_csv", name = "file",
    range = "a path or an open file (anything with a :write method)", wrong = { "", {} },
    good = { write = function() end }, call = function(v) local r = q:write_csv(v) return r end }

-- The values a case gets: the hostile numbers, its wrong types, and for a range its two ends and just past them.
local function values_of(cs)
    local accepts, out = set(cs.accepts), {}
    for _, h in ipairs(HOSTILE) do out[#out + 1] = { h[1], h[2], accepts[h[1]] == true } end
    for i, w in ipairs(cs.wrong or {}) do out[#out + 1] = { "wrong type " .. i, w, false } end
    out[#out + 1] = { "good", cs.good, true }
    if cs.min then
        local step = cs.integer and 1 or cs.min / 10 + 1e-9
        out[#out + 1] = { "min", cs.min, true }
        out[#out + 1] = { "max", cs.max, true }
        out[#out + 1] = { "below min", cs.min - step, false }
        out[#out + 1] = { "above max", cs.max + (cs.integer and 1 or cs.max / 1000), false }
    end
    return out
end

describe("options", function()
    for _, cs in ipairs(CASES) do
        local line = debug.getinfo(cs.call, "S").linedefined
        describe(cs.where .. " " .. cs.name, function()
            for _, value in ipairs(values_of(cs)) do
                local label, v, ok_expected = value[1], value[2], value[3]
                if ok_expected then
                    it("takes " .. label, function()
                        local ok, err = pcall(cs.call, v)
                        assert(ok, tostring(err))
                    end)
                else
                    it("refuses " .. label .. " at the caller's line, naming the option and its range", function()
                        local ok, err = pcall(cs.call, v)
                        assert.is_false(ok, "taken")
                        assert.is_string(err)
                        local file, at = err:match("^(.-):(%d+): ")
                        assert(file and file:match("options_spec%.lua$") and tonumber(at) == line,
                            "not raised at options_spec.lua:" .. line .. ": " .. err)
                        local message = err:sub(#file + #at + 4)
                        assert(message:sub(1, #cs.where + 2) == cs.where .. ": ", message)
                        assert(message:find(cs.name, 1, true), "does not name " .. cs.name .. ": " .. message)
                        assert(message:find(cs.range, 1, true), "does not state the range: " .. message)
                        if cs.secret then
                            assert.not_matches("secret", message)
                        end
                    end)
                end
            end
        end)
    end

    it("names unknown options and lists the valid ones, at the caller's line", function()
        local ok, err = pcall(function() local r = xingtu.new { token = "t", tiemout = 1 } return r end)
        assert.is_false(ok)
        assert.matches("^spec/options_spec%.lua:%d+: xingtu%.new: unknown option tiemout; valid options: .*timeout", err)
        for _, attempt in ipairs {
            { xingtu.cache.new, { { ttl = 1, dirr = "/tmp" } },
                "xingtu%.cache%.new: unknown option dirr; valid options: backend, dir, hash, max_entry, max_size, now, offline, ttl" },
            { c.each, { c, {}, { concurency = 2 } },
                "xingtu%.each: unknown option concurency; valid options: concurrency, on_progress, on_wait" },
            { c.pages, { c, "search", {}, { max_page = 2 } }, "xingtu%.pages: unknown option max_page; valid options: max_pages" },
            { touch.top, { {}, 3, { levle = 2 } }, "xingtu%.touch%.top: unknown option levle; valid options: level, list, parent" },
            { xingtu.new, { "timeout=5" }, "xingtu%.new: expected a table of options, got \"timeout=5\"" },
        } do
            ok, err = pcall(attempt[1], table.unpack(attempt[2]))
            assert.is_false(ok)
            assert.matches(attempt[3], err)
        end
    end)

    it("never echoes a token given in the wrong form", function()
        local ok, err = pcall(xingtu.new, { token = 123456789 })
        assert.is_false(ok)
        assert.matches("option token must be a non%-empty string, got a number$", err)
        assert.not_matches("123456789", err)
    end)

    it("ranges the C core accepts too: the largest timeout, connect_timeout and max_body open a session", function()
        local cl = xingtu.new { token = "t", timeout = 86400, connect_timeout = 86400, max_body = 1073741824 }
        cl:close()
        cl = xingtu.new { token = "t", timeout = 0.001, connect_timeout = 0.001, max_body = 1 }
        cl:close()
    end)
end)

describe("a closed client", function()
    local function closed()
        local cl = client()
        cl:close()
        return cl
    end

    it("raises on every call, batch and page loop at the caller's line, and sends nothing", function()
        local t = fake.transport()
        local cl = xingtu.new { token = "t", transport = t }
        cl:close()
        local attempts = {
            { "touch_distribution", function() local r = cl:touch_distribution { o_author_id = "1" } return r end },
            { "call", function() local r = cl:call("side_info", { o_author_id = "1" }) return r end },
            { "get", function() local r = cl:get("/x", {}) return r end },
            { "each", function() local r = cl:each({ { "side_info", { o_author_id = "1" } } }) return r end },
            { "batch", function() local r = cl:batch({ { "side_info", { o_author_id = "1" } } }) return r end },
            { "pages", function() local r = cl:pages("search", {}) return r end },
        }
        for _, a in ipairs(attempts) do
            local ok, err = pcall(a[2])
            assert.is_false(ok, a[1])
            local line = debug.getinfo(a[2], "S").linedefined
            assert.matches("^spec/options_spec%.lua:" .. line .. ": xingtu%." .. a[1] .. ": the client is closed$", err)
        end
        assert.equal(0, t:count())
    end)

    it("stops a batch that is running: it raises at the loop, and nothing more is sent", function()
        local t = fake.transport()
        local cl = xingtu.new { token = "t", transport = t }
        local reqs = {}
        for i = 1, 10 do reqs[i] = { "side_info", { o_author_id = tostring(i) } } end
        local seen = 0
        local ok, err = pcall(function()
            for _ in cl:each(reqs, { concurrency = 1 }) do seen = seen + 1; cl:close() end
        end)
        assert.is_false(ok)
        assert.matches("options_spec%.lua:%d+: xingtu%.each: the client was closed while the batch ran", err)
        assert.equal(1, seen)
        assert.is_true(t:count() <= 2)
    end)

    it("stops a page loop that is running: it raises at the loop, and no page more is fetched", function()
        local page = fake.ok({ list = { { id = 1 } }, pagination = { has_more = true } })
        local t = fake.transport { page }
        local cl = xingtu.new { token = "t", transport = t }
        local ok, err = pcall(function()
            for _ in cl:pages("search", {}, { max_pages = 5 }) do cl:close() end
        end)
        assert.is_false(ok)
        assert.matches("options_spec%.lua:%d+: xingtu%.pages: the client was closed while its pages were read", err)
        assert.equal(1, t:count())
    end)

    it("still reports its stats", function()
        assert.equal(0, closed():stats().sent)
    end)
end)

describe("data is never an error", function()
    it("groups NaN values together and sorts them last, like missing ones", function()
        local rows = { { k = NAN, n = 1 }, { k = 2, n = 2 }, { k = NAN, n = 3 }, { n = 4 }, { k = 1, n = 5 } }
        local groups = xingtu.query(rows):group_by("k", { "n" }):all()
        assert.equal(4, #groups)
        assert.is_true(groups[1].k ~= groups[1].k)
        assert.same({ 2, 4 }, { groups[1].count, groups[1].n })
        local order = {}
        for _, r in ipairs(xingtu.query(rows):sort("k"):all()) do order[#order + 1] = r.n end
        assert.same({ 5, 2, 1, 3, 4 }, order)
    end)

    it("reads no field of a row that is not a table", function()
        local rows = { 1, "x", xingtu.null, { a = 1 } }
        assert.equal(1, xingtu.query(rows):where("a", 1):count())
        assert.equal(4, #xingtu.query(rows):select("a"):all())
        assert.matches("^a\r\n", xingtu.query(rows):csv { "a" })
        assert.equal(2, #xingtu.query(rows):group_by("a"):all())
    end)

    it("parses any value as a range without raising; NaN and the infinities are not understood", function()
        for _, h in ipairs(HOSTILE) do
            local r = xingtu.ranges.parse(h[2])
            assert.is_table(r)
            if h[2] ~= h[2] or h[2] == INF or h[2] == -INF then
                assert.same({ raw = h[1] }, r)
            else
                assert.equal(h[2], r.min)
            end
        end
        for _, v in ipairs { true, {}, print, xingtu.null, "", "\0" } do
            assert.has_no.errors(function() xingtu.ranges.parse(v) end)
            assert.has_no.errors(function() xingtu.ranges.all(v) end)
            assert.has_no.errors(function() xingtu.ranges.rows(v) end)
        end
        assert.same({ gpm_range = { raw = "nan" }, x_range = { raw = "inf" } },
            xingtu.ranges.all { gpm_range = NAN, x_range = INF, y_range = print })
    end)

    it("refuses a NaN or an infinity for a text parameter instead of sending \"nan\"", function()
        local t = fake.transport()
        local cl = xingtu.new { token = "t", transport = t }
        for _, v in ipairs { NAN, INF, -INF } do
            local ok, err = pcall(cl.search, cl, { keyword = v })
            assert.is_false(ok)
            assert.matches("parameter keyword must be a string or a finite number, got %-?[a-z]+$", err)
            ok, err = pcall(cl.get, cl, "/x", { keyword = v })
            assert.is_false(ok)
            assert.matches("parameter keyword must be a string, a finite number or a boolean", err)
        end
        assert.equal(0, t:count())
    end)
end)

describe("README.md", function()
    local readme = assert(util.read_file(util.ROOT .. "/README.md"))

    it("states every option's range in the options table of xingtu.new, as the messages do", function()
        local rows = {}
        local table_text = readme:match("\n## Options of `xingtu.new`\n(.-)\n## ")
        assert(table_text, "no section \"Options of `xingtu.new`\"")
        for line in table_text:gmatch("[^\n]+") do
            local names, valid = line:match("^| (`[%w_]+`[^|]*) | [^|]* | ([^|]+) | [^|]* |$")
            if names then
                for name in names:gmatch("`([%w_]+)`") do rows[name] = valid end
            end
        end
        local schema = require("xingtu.client").OPTIONS
        local options = require "xingtu.options"
        for _, rule in ipairs(schema.rules) do
            assert.equal(options.expected(rule), rows[rule[1]], "README row of " .. rule[1])
        end
        for _, cs in ipairs(CASES) do
            if cs.where == "xingtu.new" then assert.equal(cs.range, rows[cs.name], cs.name) end
        end
    end)

    it("states the ranges of the other options and arguments", function()
        local seen = {}
        for _, cs in ipairs(CASES) do
            if cs.min and cs.where ~= "xingtu.new" and not seen[cs.range] then
                seen[cs.range] = true
                assert(readme:find(cs.range, 1, true), cs.where .. " " .. cs.name .. ": README does not say " .. cs.range)
            end
        end
    end)
end)

-- The command line is Lua 5.4's (bin/xingtu); the rest of this file also runs under LuaJIT (.ci/luajit), the engine
-- of nginx, where the same option checks guard clients made in nginx.
local describe_cli = rawget(_G, "jit") and function(name)
    describe(name, function() it("runs under Lua 5.4 only", function() pending("bin/xingtu is Lua 5.4") end) end)
end or describe

describe_cli("bin/xingtu", function()
    local cli = require "xingtu.cli.main"
    local dir
    setup(function()
        dir = os.tmpname()
        os.remove(dir)
        assert(os.execute("mkdir -p " .. util.quote(dir)))
    end)
    teardown(function() os.execute("rm -rf " .. util.quote(dir)) end)

    local function buffer()
        local b = { text = "" }
        function b.write(self, ...)
            for _, s in ipairs { ... } do self.text = self.text .. tostring(s) end
            return self
        end
        return b
    end

    -- Offline against an empty cache directory: a flag that is taken leads to a cache miss
    -- (exit 1), or with no ids to nothing at all (exit 0); nothing is ever sent. In-process (cli.run is all that
    -- bin/xingtu runs), so that the whole matrix stays quick; the issue's own cases run as processes below.
    local function run(args)
        local argv = {}
        for i, a in ipairs(args) do argv[i] = a end
        argv[#argv + 1], argv[#argv + 2], argv[#argv + 3] = "--offline", "--cache", dir
        local out, err = buffer(), buffer()
        local stdin = assert(io.open("/dev/null", "r"))
        local env = { stdout = out, stderr = err, stdin = stdin, getenv = function(k)
            if k == "JUSTONEAPI_TOKEN" then return "spec-token" end
        end }
        local code = cli.run(argv, env)
        stdin:close()
        return out.text, err.text, code
    end

    -- flag, the range its message states, min, max, integer?, the name the message uses
    local FLAGS = {
        { "--timeout", "a number of seconds from 0.001 to 86400", 0.001, 86400 },
        { "--retries", "an integer from 0 to 100", 0, 100, true },
        { "--rate", "a number of requests a second from 0.001 to 100000", 0.001, 100000, batch = true },
        { "--max-calls", "an integer from 0 to 1000000000", 0, 1000000000, true, batch = true },
        { "--cache-ttl", "a number of seconds from 0 to 31536000", 0, 31536000 },
        { "--concurrency", "an integer from 1 to 256", 1, 256, true, batch = true },
        { "-c", "an integer from 1 to 256", 1, 256, true, batch = true, shows = "--concurrency" },
    }
    local TEXTS = { "nan", "inf", "-inf", "0", "-1", "1e300", "1e400", "1e-300", "-0.5", "1.5", "3.0", "abc", "", "0x",
        "1e", "0.001", "86400", "100", "256", "31536000", "1000000000", "1000000001", "60" }

    for _, f in ipairs(FLAGS) do
        for _, v in ipairs(TEXTS) do
            local n = tonumber(v)
            local ok = n ~= nil and n >= f[3] and n <= f[4] and (not f[5] or n == math.floor(n))
            -- Glued (--timeout=-1, -c-1) and apart (--timeout -1: a value, not an option, though it starts with -).
            local long = f[1]:sub(2, 2) == "-"
            local forms = {}
            if long or v ~= "" then forms[1] = long and { f[1] .. "=" .. v } or { f[1] .. v } end
            if v ~= "" then forms[#forms + 1] = { f[1], v } end
            for _, form in ipairs(forms) do
                local args = f.batch and { "batch", "side_info", "--ids", "-" } or { "side_info", "1" }
                for _, a in ipairs(form) do args[#args + 1] = a end
                it(("xingtu %s: %s"):format(table.concat(args, " "), ok and "taken" or "a usage error naming the range"),
                    function()
                        local out, err, code = run(args)
                        assert.not_matches("traceback", err)
                        assert.not_matches("internal error", err)
                        if ok then
                            assert(code == 0 or code == 1, err)
                            assert.not_matches("must be", err)
                        else
                            assert.equal(2, code)
                            assert.equal("", out)
                            assert.equal(("xingtu %s: %s must be %s, got %q\n"):format(args[1], f.shows or f[1], f[2], v),
                                err)
                        end
                    end)
            end
        end
    end

    it("exits 2 with one line and no traceback for the values that used to crash it, as a process", function()
        for _, args in ipairs {
            { "side_info", "1", "--timeout", "1e-9" }, { "side_info", "1", "--timeout", "999999999" },
            { "batch", "side_info", "--ids", "-", "--rate", "1e-300" }, { "side_info", "1", "--retries", "1e400" },
            { "side_info", "1", "--retries", "-1" }, { "batch", "side_info", "--ids", util.ROOT },
        } do
            local cmd = { "env JUSTONEAPI_TOKEN=spec-token", util.lua_child_env(), "lua5.4 bin/xingtu" }
            for _, a in ipairs(args) do cmd[#cmd + 1] = util.quote(a) end
            local out, err, code = util.run3(table.concat(cmd, " ") .. " --offline </dev/null")
            assert.equal(2, code, err)
            assert.equal("", out)
            assert.matches("^xingtu [%w_]+: [^\n]+\n$", err)
        end
    end)
end)
