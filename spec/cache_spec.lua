-- The response cache, against the sandbox: hits send nothing, ttl, offline, corrupt entries, concurrent writers.

local xingtu = require "xingtu"
local sandbox = require "helpers.sandbox"
local cache_mod = require "xingtu.cache"
local util = require "helpers.util"

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

        it("is shared by clients with other tokens: the token is not part of the key nor stored", function()
            assert(client():side_info { o_author_id = AUTHOR })
            local _, meta = client({ token = "another-token", offline = true }):side_info { o_author_id = AUTHOR }
            assert.is_true(meta.cached)
            for _, name in ipairs(files(dir)) do
                assert.is_nil(assert(util.read_file(dir .. "/" .. name)):find(sandbox.token, 1, true))
            end
        end)

        it("stores the raw body exactly as the provider sent it", function()
            assert(client():touch_distribution { o_author_id = AUTHOR })
            local names = files(dir)
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
                local name = dir .. "/" .. files(dir)[1]
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
            local names = files(dir .. "/store")
            assert.equal(4, #names) -- no temporary file left behind
            for _, n in ipairs(names) do assert.matches("%.entry$", n) end
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

        it("hashes keys with FNV-1a 64", function()
            assert.equal("cbf29ce484222325", cache_mod.hash(""))
            assert.equal("af63dc4c8601ec8c", cache_mod.hash("a"))
            assert.equal("85944171f73967e8", cache_mod.hash("foobar"))
        end)
    end)
end)
