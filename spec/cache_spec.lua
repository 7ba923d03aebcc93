-- The response cache, against the sandbox: hits send nothing, ttl, offline, corrupt entries, concurrent writers.

local xingtu = require "xingtu"
local sandbox = require "helpers.sandbox"
local cache_mod = require "xingtu.cache"
local util = require "helpers.util"
local fake = require "helpers.fake"

local AUTHOR = "6976442543234760712"

local function tmpdir()
    local p = assert(io.popen("mktemp -d /tmp/xingtu-cache-spec.XXXXXX"))
    local dir = p:read("l")
    p:close()
    return dir
end

local function rmrf(dir) os.execute("rm -rf '" .. dir .. "'") end

local function files(dir)
    local p = assert(io.popen("ls -A '" .. dir .. "' 2>/dev/null"))
    local out = {}
    for line in p:lines() do out[#out + 1] = line end
    p:close()
    return out
end

local function requests() return sandbox.stats().requests end

-- The entry files of a cache directory (what `ls` shows, minus the temporary directory and anything else).
local function entries(dir)
    local out = {}
    for _, name in ipairs(files(dir)) do
        if name:match("%.entry$") then out[#out + 1] = name end
    end
    return out
end

local function sh(cmd) assert(os.execute(cmd), cmd) end

local function mode_of(path) return (util.run("stat -c %a " .. util.quote(path)):gsub("%s+$", "")) end

-- Runs a Lua child that makes one cached call through the checkout's library, bounded in time (and in memory where
-- no sanitizer runs). Prints "<data?> <cached?> <peak memory grown by, kB>"; returns that line, the exit status.
local CHILD = [[
    local root, cpath, dir, url, author = ...
    package.path = root .. "/lua/?.lua;" .. package.path
    package.cpath = cpath
    local xingtu = require "xingtu"
    local function peak()
        local f = assert(io.open("/proc/self/status"))
        local kb = tonumber(f:read("a"):match("VmHWM:%s*(%d+)"))
        f:close()
        return kb
    end
    local c = xingtu.new { token = "sandbox-token", base_url = url, cache = dir, backoff_base = 0 }
    local before = peak()
    local data, meta = c:touch_distribution { o_author_id = author }
    io.write(tostring(data ~= nil), " ", tostring(meta.cached), " ", peak() - before, "\n")
]]
local function child_call(dir)
    local script = dir .. ".child.lua"
    util.write_file(script, CHILD)
    local limit = os.getenv("XINGTU_SANITIZED") == "1" and "" or "ulimit -v 2000000; "
    local cmd = ("%s%stimeout -k 2 20 %s %s %s %s %s %s %s"):format(limit, util.lua_child_env(),
        arg and arg[-1] or "lua5.4", script, util.quote(util.ROOT), util.quote(package.cpath), util.quote(dir),
        util.quote(sandbox.url), AUTHOR)
    local out, code = util.run("bash -c " .. util.quote(cmd) .. " 2>&1")
    os.remove(script)
    return out, code
end

describe("xingtu cache", function()
    local dir
    setup(function() sandbox.start() end)
    before_each(function()
        sandbox.reset()
        dir = tmpdir()
    end)
    after_each(function() rmrf(dir) end)

    local function client(opts)
        opts = opts or {}
        opts.token = opts.token or sandbox.token
        opts.base_url = sandbox.url
        if opts.cache == nil then opts.cache = dir end
        opts.backoff_base = 0
        return xingtu.new(opts)
    end

    describe("hits", function()
        it("answers a repeated call from the cache and sends nothing", function()
            local c = client()
            local d1, m1 = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_table(d1)
            assert.is_nil(m1.cached)
            assert.equal(1, requests())
            local d2, m2 = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(1, requests())
            assert.is_true(m2.cached)
            assert.is_number(m2.age)
            assert.is_true(m2.age >= 0 and m2.age < 5)
            assert.equal(m1.request_id, m2.request_id)
            assert.same(d1, d2)
            assert.equal(0, m2.attempts)
            assert.equal(1, c:stats().sent)
            assert.equal(1, c.cache:stats().hits)
        end)

        it("shares one entry between an explicit default and an omitted parameter", function()
            local c = client()
            assert(c:convert_ability { o_author_id = AUTHOR })
            local _, meta = c:convert_ability { o_author_id = AUTHOR, platform = "SHORT_VIDEO", range = "DAY_30" }
            assert.is_true(meta.cached)
            assert.equal(1, requests())
            local _, other = c:convert_ability { o_author_id = AUTHOR, range = "DAY_90" }
            assert.is_nil(other.cached)
            assert.equal(2, requests())
        end)

        it("stores the raw body exactly as the provider sent it", function()
            assert(client():touch_distribution { o_author_id = AUTHOR })
            local names = entries(dir)
            assert.equal(1, #names)
            local entry = assert(util.read_file(dir .. "/" .. names[1]))
            local body = entry:sub(entry:find("\n", 1, true) + 1)
            local direct = sandbox.call("/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1",
                { oAuthorId = AUTHOR, platform = "SHORT_VIDEO" }).body
            -- Only the request id differs between two answers.
            local function strip(s) return (s:gsub('"requestId":"[^"]*"', "")) end
            assert.equal(strip(direct), strip(body))
        end)

        it("serves batches too (client:each)", function()
            local c = client()
            assert(c:side_info { o_author_id = AUTHOR })
            local n = 0
            for _, data, meta in c:each({ { "side_info", { o_author_id = AUTHOR } },
                { "side_info", { o_author_id = "123" } } }, { concurrency = 2 }) do
                assert.is_table(data)
                if meta.cached then n = n + 1 end
            end
            assert.equal(1, n)
            assert.equal(2, requests())
            -- the batch's answer was stored as well (re-encoded exactly)
            local _, meta = client({ offline = true }):side_info { o_author_id = "123" }
            assert.is_true(meta.cached)
        end)
    end)

    describe("ttl", function()
        it("treats an entry older than cache_ttl as a miss and refreshes it", function()
            local now = 1000
            local cache = xingtu.cache.new { dir = dir, ttl = 60, now = function() return now end }
            local c = client { cache = cache }
            assert(c:side_info { o_author_id = AUTHOR })
            now = 1059
            local _, meta = c:side_info { o_author_id = AUTHOR }
            assert.is_true(meta.cached)
            assert.equal(59, meta.age)
            now = 1060
            local _, fresh = c:side_info { o_author_id = AUTHOR }
            assert.is_nil(fresh.cached)
            assert.equal(2, requests())
            local _, again = c:side_info { o_author_id = AUTHOR }
            assert.is_true(again.cached)
            assert.equal(0, again.age)
        end)

        it("defaults to 24 hours", function()
            assert.equal(86400, client().cache.ttl)
            assert.equal(5, client({ cache_ttl = 5 }).cache.ttl)
        end)
    end)

    describe("offline", function()
        it("fails a miss with kind cache_miss and sends nothing", function()
            local c = client { offline = true }
            local data, err = c:side_info { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.equal("cache_miss", err.kind)
            assert.is_false(err.billed)
            assert.equal(0, requests())
            assert.equal(1, c:stats().failed_by_kind.cache_miss)
        end)

        it("answers what is cached, however old", function()
            local now = 0
            local cache = xingtu.cache.new { dir = dir, ttl = 1, now = function() return now end }
            assert(client({ cache = cache }):side_info { o_author_id = AUTHOR })
            now = 1e6
            local off = xingtu.cache.new { dir = dir, ttl = 1, now = function() return now end, offline = true }
            local data, meta = client({ cache = off }):side_info { o_author_id = AUTHOR }
            assert.is_table(data)
            assert.equal(1e6, meta.age)
            assert.equal(1, requests())
        end)

        it("turns the default cache on when no cache is given", function()
            local c = xingtu.new { token = "t", base_url = sandbox.url, offline = true }
            assert.is_truthy(c.cache)
        end)
    end)

    describe("failures", function()
        it("stores only successful answers", function()
            sandbox.fault { code = 400 }
            local c = client { retries = 0 }
            local data = c:side_info { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.same({}, files(dir))
            sandbox.fault { code = 201 }
            assert.is_nil((c:side_info { o_author_id = AUTHOR }))
            assert.same({}, files(dir))
        end)

        local corruptions = {
            { "truncated", function(t) return t:sub(1, #t - 10) end },
            { "empty", function() return "" end },
            { "garbage", function() return "\0\1\2 not an entry" end },
            { "header only", function(t) return t:sub(1, t:find("\n", 1, true)) end },
            { "a flipped body byte", function(t) return t:sub(1, -3) .. "X" .. t:sub(-1) end },
            { "a body that is not JSON", function(t)
                local nl = t:find("\n", 1, true)
                return t:sub(1, nl) .. ("x"):rep(#t - nl)
            end },
        }
        for _, case in ipairs(corruptions) do
            it("treats a " .. case[1] .. " entry as a miss and replaces it", function()
                local c = client()
                local first = assert(c:touch_distribution { o_author_id = AUTHOR })
                local name = dir .. "/" .. entries(dir)[1]
                util.write_file(name, case[2](assert(util.read_file(name))))
                local data, meta = c:touch_distribution { o_author_id = AUTHOR }
                assert.same(first, data)
                assert.is_nil(meta.cached)
                assert.equal(2, requests())
                local _, again = c:touch_distribution { o_author_id = AUTHOR }
                assert.is_true(again.cached)
                assert.equal(2, requests())
            end)
        end

        it("treats an unreadable directory as a miss and keeps working", function()
            local c = client { cache = "/proc/xingtu-no-such-dir" }
            assert(c:side_info { o_author_id = AUTHOR })
            assert(c:side_info { o_author_id = AUTHOR })
            assert.equal(2, requests())
            assert.equal(2, c.cache:stats().write_errors)
        end)
    end)

    describe("a directory others can reach", function()
        it("creates the directory 0700 and its entries 0600", function()
            local store = dir .. "/a/cache"
            assert(client({ cache = store }):side_info { o_author_id = AUTHOR })
            assert.equal("700", mode_of(store))
            local names = entries(store)
            assert.equal(1, #names)
            assert.equal("600", mode_of(store .. "/" .. names[1]))
        end)

        it("refuses a directory owned by another user when the client is made, naming it", function()
            sh("chown nobody " .. util.quote(dir))
            local ok, err = pcall(client, {})
            assert.is_false(ok)
            assert.equal(("xingtu.new: unsafe cache directory: %s is owned by uid %s, not by this user (uid 0)"):format(
                dir, (util.run("id -u nobody"):gsub("%s+$", ""))), err:match("xingtu%.new: .*$"))
        end)

        it("refuses a directory writable by its group or by others", function()
            sh("chmod 0770 " .. util.quote(dir))
            assert.has_error(function() client {} end,
                "xingtu.new: unsafe cache directory: " .. dir .. " is writable by group or others (mode 0770)")
            sh("chmod 0703 " .. util.quote(dir))
            assert.has_error(function() xingtu.cache.new { dir = dir } end,
                "xingtu.cache.new: unsafe cache directory: " .. dir .. " is writable by group or others (mode 0703)")
        end)

        it("refuses a symbolic link as the directory itself", function()
            sh("ln -s " .. util.quote(dir) .. " " .. util.quote(dir .. ".link"))
            local ok, err = pcall(client, { cache = dir .. ".link/" })
            os.remove(dir .. ".link")
            assert.is_false(ok)
            assert.matches("xingtu.new: unsafe cache directory: " .. dir:gsub("%p", "%%%0") .. "%.link is a symbolic "
                .. "link$", err)
        end)

        it("never serves a directory planted after the client was made: a miss, nothing stored", function()
            local store = dir .. "/later"
            local c = client { cache = store }
            assert(client({ cache = dir .. "/genuine" }):touch_distribution { o_author_id = AUTHOR })
            sh(("cp -a %s %s && chown -R nobody %s"):format(util.quote(dir .. "/genuine"), util.quote(store),
                util.quote(store)))
            local data, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_table(data)
            assert.is_nil(meta.cached)
            assert.equal(2, requests())
            local stats = c.cache:stats()
            assert.equal(1, stats.refused)
            assert.equal(1, stats.write_errors)
            assert.matches(store:gsub("%p", "%%%0") .. " is owned by uid %d+, not by this user", c.cache.last_error)
        end)

        it("never follows a symbolic link planted as an entry", function()
            local c = client()
            assert(c:touch_distribution { o_author_id = AUTHOR })
            local name = entries(dir)[1]
            local planted = dir .. ".planted"
            -- A well-formed entry anywhere else (another user's file, say): through the link it would be a hit.
            util.write_file(planted, assert(util.read_file(dir .. "/" .. name)))
            sh(("ln -sf %s %s"):format(util.quote(planted), util.quote(dir .. "/" .. name)))
            local _, meta = c:touch_distribution { o_author_id = AUTHOR }
            os.remove(planted)
            assert.is_nil(meta.cached)
            assert.equal(2, requests())
            assert.equal(1, c.cache:stats().refused)
            -- the answer replaced the link with a real entry
            assert.equal("600", mode_of(dir .. "/" .. name))
            assert.is_true(select(2, c:touch_distribution { o_author_id = AUTHOR }).cached)
        end)

        local planted = {
            { "a FIFO", "mkfifo %s" },
            { "a symbolic link to /dev/zero", "ln -sf /dev/zero %s" },
            { "a file larger than max_body", "rm -f %s && truncate -s 40M %s" },
        }
        for _, case in ipairs(planted) do
            it("answers a call whose entry's path holds " .. case[1] .. ": no hang, no memory eaten", function()
                assert(client():touch_distribution { o_author_id = AUTHOR })
                local path = util.quote(dir .. "/" .. entries(dir)[1])
                os.remove(dir .. "/" .. entries(dir)[1])
                sh(case[2]:format(path, path))
                local out, code = child_call(dir)
                assert.equal(0, code, out)
                local data, cached, grown = out:match("^(%S+) (%S+) (%d+)\n$")
                assert.equal("true", data, out)
                assert.equal("nil", cached, out)
                assert.is_true(tonumber(grown) < 20000, out) -- kB: nothing near the 40 MB file was read
                assert.equal(2, requests())
            end)
        end
    end)

    describe("clock", function()
        it("treats an entry stored in the future (beyond the allowed clock skew) as stale", function()
            local now = 10000
            local cache = xingtu.cache.new { dir = dir, ttl = 60, now = function() return now end }
            local c = client { cache = cache }
            assert(c:side_info { o_author_id = AUTHOR })
            now = 10000 - xingtu.cache.CLOCK_SKEW -- another machine's clock a little behind: still fresh
            assert.is_true(select(2, c:side_info { o_author_id = AUTHOR }).cached)
            now = 10000 - xingtu.cache.CLOCK_SKEW - 1
            local _, meta = c:side_info { o_author_id = AUTHOR }
            assert.is_nil(meta.cached)
            assert.equal(2, requests())
            assert.equal(1, cache:stats().expired)
        end)
    end)

    describe("temporary files", function()
        it("sweeps those a killed writer left behind when the cache opens, and keeps fresh ones", function()
            assert(client():side_info { o_author_id = AUTHOR })
            local tmp = dir .. "/tmp"
            util.write_file(tmp .. "/0123456789abcdef.entry.999-1700000000000000001-0.tmp", "half an entry")
            util.write_file(tmp .. "/fedcba9876543210.entry.999-1700000000000000002-0.tmp", "a writer at work")
            util.write_file(tmp .. "/00000000000000ff.entry.999-1700000000000000003-0.tmp", "from a clock far ahead")
            sh("touch -d '-11 minutes' " .. util.quote(tmp .. "/0123456789abcdef.entry.999-1700000000000000001-0.tmp"))
            sh("touch -d '+1 day' " .. util.quote(tmp .. "/00000000000000ff.entry.999-1700000000000000003-0.tmp"))
            util.write_file(tmp .. "/notes.txt", "not a temporary file of the cache: never removed")
            sh("touch -d '-1 day' " .. util.quote(tmp .. "/notes.txt"))
            client()
            assert.same({ "fedcba9876543210.entry.999-1700000000000000002-0.tmp", "notes.txt" }, files(tmp))
        end)

        it("sweeps them when it writes", function()
            local c = client()
            assert(c:side_info { o_author_id = AUTHOR })
            local stale = dir .. "/tmp/0123456789abcdef.entry.999-1700000000000000001-0.tmp"
            util.write_file(stale, "half an entry")
            sh("touch -d '-1 hour' " .. util.quote(stale))
            assert(c:side_info { o_author_id = "123" })
            assert.same({}, files(dir .. "/tmp"))
        end)
    end)

    describe("keys", function()
        it("leave out the host and port: one cache serves every base URL of the provider", function()
            assert(client():side_info { o_author_id = AUTHOR })
            local other = xingtu.new { token = sandbox.token, base_url = "http://localhost:" .. sandbox.port .. "/",
                cache = dir }
            local _, meta = other:side_info { o_author_id = AUTHOR }
            assert.is_true(meta.cached)
            assert.equal(1, requests())
            local far = xingtu.new { token = sandbox.token, base_url = "https://api-sg.example:8443", cache = dir,
                offline = true }
            assert.is_true(select(2, far:side_info { o_author_id = AUTHOR }).cached)
        end)

        it("keep accounts apart by a fingerprint, and no cache file holds any 6 characters of a token", function()
            local token = "abcdef0123456789ABCDEF-_.~+/ ok"
            local a = xingtu.new { token = token, cache = dir, transport = fake.transport { fake.ok({ x = 1 }) } }
            assert(a:side_info { o_author_id = AUTHOR })
            assert(a:get("/api/raw", { oAuthorId = AUTHOR }))
            assert.is_true(select(2, a:side_info { o_author_id = AUTHOR }).cached)
            local b = xingtu.new { token = "another account", cache = dir, offline = true }
            local data, err = b:side_info { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.equal("cache_miss", err.kind)
            local p = assert(io.popen("find " .. util.quote(dir) .. " -type f"))
            local n = 0
            for path in p:lines() do
                n = n + 1
                local text = assert(util.read_file(path))
                for i = 1, #token - 5 do
                    assert.is_nil(text:find(token:sub(i, i + 5), 1, true), path .. " holds " .. token:sub(i, i + 5))
                end
            end
            p:close()
            assert.equal(2, n)
        end)

        it("treat entries of the previous format (version 1) as misses", function()
            local c = client()
            assert(c:side_info { o_author_id = AUTHOR })
            local name = dir .. "/" .. entries(dir)[1]
            util.write_file(name, (assert(util.read_file(name)):gsub('"v":2', '"v":1', 1)))
            assert.is_nil(select(2, c:side_info { o_author_id = AUTHOR }).cached)
            assert.equal(2, requests())
        end)
    end)

    describe("concurrent writers", function()
        it("leaves only complete entries when several processes write the same keys at once", function()
            local script = dir .. "/writer.lua"
            util.write_file(script, [[
                package.path = "./lua/?.lua;" .. package.path
                package.cpath = "./build/?.so;" .. package.cpath
                local cache = require("xingtu.cache").new { dir = arg[1] .. "/store" }
                local me = tonumber(arg[2])
                for round = 1, 40 do
                    for k = 1, 4 do
                        local body = ('{"code":0,"data":{"writer":%d,"round":%d,"pad":"%s"}}'):format(
                            me, round, ("x"):rep(2000 + me * 100))
                        cache:store("key" .. k, "side_info", body, 200)
                        local env = cache:lookup("key" .. ((k % 4) + 1))
                        if env ~= nil then assert(env.code == 0 and env.data.pad, "torn read") end
                    end
                end
            ]])
            local cmd = {}
            for w = 1, 6 do cmd[#cmd + 1] = ("lua5.4 %s %s %d &"):format(script, dir, w) end
            local p = assert(io.popen(table.concat(cmd, " ") .. " wait; echo done", "r"))
            local out = p:read("a")
            p:close()
            assert.matches("done", out)
            local store = xingtu.cache.new { dir = dir .. "/store" }
            for k = 1, 4 do
                local env, header = store:lookup("key" .. k)
                assert.is_table(env)
                assert.is_number(env.data.writer)
                assert.equal("side_info", header.endpoint)
            end
            assert.equal(4, #entries(dir .. "/store"))
            assert.same({}, files(dir .. "/store/tmp")) -- no temporary file left behind
        end)
    end)

    describe("options", function()
        it("is off by default", function()
            assert.is_nil(xingtu.new({ token = "t", base_url = sandbox.url }).cache)
        end)

        it("uses $XDG_CACHE_HOME/xingtu, else ~/.cache/xingtu", function()
            local xdg, home = os.getenv("XDG_CACHE_HOME"), os.getenv("HOME")
            local dir_ = cache_mod.default_dir()
            if xdg and xdg ~= "" then
                assert.equal(xdg .. "/xingtu", dir_)
            else
                assert.equal(home .. "/.cache/xingtu", dir_)
            end
        end)

        it("raises on misuse", function()
            assert.has_error(function() xingtu.new { token = "t", cache = 42 } end)
            assert.has_error(function() xingtu.new { token = "t", cache = false, offline = true } end,
                "xingtu.new: offline = true needs the cache (cache = false was given)")
            assert.has_error(function() xingtu.new { token = "t", cache = dir, cache_ttl = -1 } end)
            assert.has_error(function() xingtu.cache.new { backend = {} } end)
        end)

        it("takes any backend with get and set", function()
            local mem = xingtu.cache.memory()
            local c = client { cache = xingtu.cache.new { backend = mem } }
            assert(c:side_info { o_author_id = AUTHOR })
            local _, meta = c:side_info { o_author_id = AUTHOR }
            assert.is_true(meta.cached)
            local n = 0
            for k, v in pairs(mem.entries) do
                n = n + 1
                assert.matches("^%x+$", k)
                assert.equal(16, #k)
                assert.is_string(v)
            end
            assert.equal(1, n)
        end)

        it("takes a backend of one new file that drops the least recently used entry (helpers.lru_backend)",
            function()
                local lru = require("helpers.lru_backend").new(2)
                local c = client { cache = xingtu.cache.new { backend = lru } }
                for _, id in ipairs { "1", "2", "1", "3", "1", "2" } do assert(c:side_info { o_author_id = id }) end
                -- 1 and 2 fetched; 1 a hit; 3 fetched, 2 dropped (1 was used since); 1 a hit; 2 fetched again
                assert.equal(4, requests())
                assert.equal(2, c.cache:stats().hits)
                assert.equal(2, lru.evicted)
                assert.equal(2, lru.count())
            end)

        it("hashes keys with FNV-1a 64", function()
            assert.equal("cbf29ce484222325", cache_mod.hash(""))
            assert.equal("af63dc4c8601ec8c", cache_mod.hash("a"))
            assert.equal("85944171f73967e8", cache_mod.hash("foobar"))
        end)

        it("names and checks entries alike with the C core's hash and with the Lua one (a core built before it)",
            function()
                local core = require "xingtu.core"
                local c_hash = core.fnv1a64
                assert.is_function(c_hash)
                core.fnv1a64 = nil
                package.loaded["xingtu.cache"] = nil
                local ok, lua_cache = pcall(require, "xingtu.cache")
                core.fnv1a64 = c_hash
                package.loaded["xingtu.cache"] = cache_mod
                assert(ok, lua_cache)
                assert.are_not.equal(c_hash, lua_cache.hash)
                local texts = { "", "a", "foobar", string.rep("\255\0\128", 5000) }
                for i = 0, 255 do texts[#texts + 1] = string.char(i):rep(i % 7 + 1) end
                for _, t in ipairs(texts) do assert.equal(lua_cache.hash(t), c_hash(t)) end
            end)
    end)
end)
