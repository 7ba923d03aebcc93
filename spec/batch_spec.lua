-- client:batch and client:each against the sandbox: input order, exactly one outcome per request whatever the
-- faults, the spend guard and account-level stops, iterator input, cancellation without leaks, progress, retries
-- and slow transfers that do not hold the others up, connection reuse.
local xingtu = require "xingtu"
local errors = require "xingtu.errors"
local sandbox = require "helpers.sandbox"
local fake = require "helpers.fake"
local util = require "helpers.util"


local function new_client(opts)
    opts = opts or {}
    opts.base_url = opts.base_url or sandbox.url
    opts.token = sandbox.token
    if opts.backoff_base == nil then opts.backoff_base = 0.01 end
    return xingtu.new(opts)
end

local function td(i) return { "touch_distribution", { o_author_id = tostring(i) } } end

local function requests(n, make)
    local t = {}
    for i = 1, n do t[i] = (make or td)(i) end
    return t
end

-- Every result of a batch is exactly one of { data, meta } or { err }.
local function check_shape(results, n)
    assert.equal(n, #results)
    for i = 1, n do
        local r = results[i]
        assert.is_table(r, "no result for request " .. i)
        if r.err then
            assert.is_nil(r.data)
            assert.is_true(errors.is_error(r.err))
        else
            assert.is_not_nil(r.data)
            assert.is_table(r.meta)
        end
    end
end

describe("xingtu.batch", function()
    setup(function()
        sandbox.start()
    end)

    before_each(function()
        sandbox.reset()
    end)

    describe("client:batch", function()
        it("returns one result per request, in input order, whatever order they complete in", function()
            -- The first request is slowed down, so it completes last.
            sandbox.fault { delay = 0.3 }
            local c = new_client()
            local reqs = requests(30)
            reqs[7] = { "convert_ability", { o_author_id = "7", range = "DAY_90" } }
            local results = c:batch(reqs, { concurrency = 8 })
            check_shape(results, 30)
            for i, r in ipairs(results) do
                assert.is_nil(r.err, r.err and tostring(r.err))
                assert.truthy(r.meta.url:find("oAuthorId=" .. i .. "&", 1, true) or r.meta.url:match("oAuthorId="
                    .. i .. "$"), r.meta.url)
            end
            assert.truthy(results[7].meta.url:find("author_convert_ability", 1, true))
            -- The same data as a single call.
            local single = assert(c:touch_distribution { o_author_id = "12" })
            assert.same(xingtu.json.encode(single), xingtu.json.encode(results[12].data))
            assert.equal(31, sandbox.stats().requests)
            local s = c:stats()
            assert.equal(31, s.sent)
            assert.equal(31, s.succeeded)
            assert.equal(0, s.failed)
        end)

        it("checks every request before sending anything", function()
            local c = new_client()
            local reqs = requests(5)
            reqs[4] = { "touch_distribution", {} }
            assert.has_error(function() c:batch(reqs) end,
                "xingtu.batch: request 4: xingtu.touch_distribution: missing required parameter o_author_id (oAuthorId)")
            reqs[4] = { "no_such_method", {} }
            local ok, err = pcall(c.batch, c, reqs)
            assert.is_false(ok)
            assert.matches("^xingtu.batch: request 4: unknown endpoint no_such_method; valid endpoints: ", err)
            reqs[4] = "touch_distribution"
            assert.has_error(function() c:batch(reqs) end,
                "xingtu.batch: request 4 must be a table { name, params }, got string")
            assert.has_error(function() c:batch(requests(2), { concurrency = 0 }) end,
                "xingtu.batch: option concurrency must be an integer from 1 to 256, got 0")
            assert.has_error(function() c:each(requests(2), { parallel = 2 }) end,
                "xingtu.each: unknown option parallel; valid options: concurrency, on_progress, on_wait")
            assert.has_error(function() c:batch("nope") end,
                "xingtu.batch: requests must be an array or an iterator function, got string")
            assert.equal(0, sandbox.stats().requests)
            assert.equal(0, c:stats().sent)
        end)

        it("returns an empty array for no requests, sending nothing", function()
            local c = new_client()
            assert.same({}, c:batch({}))
            assert.equal(0, sandbox.stats().requests)
        end)

        it("yields exactly one outcome per request under timeouts, resets, truncation, 301 and 500", function()
            local c = new_client { timeout = 0.5, retries = 2 }
            -- Faults are taken by the next API requests in turn (retries included), so which request meets which
            -- fault depends on timing; how many of each there are does not.
            sandbox.fault { times = 1, delay = 0 } -- the slow-start probe gets a normal answer
            sandbox.fault { times = 2, delay = 2 }
            sandbox.fault { times = 2, close_mid_body = 1 }
            sandbox.fault { times = 2, truncate = 100 }
            sandbox.fault { times = 3, code = 301 }
            sandbox.fault { times = 2, status = 500 }
            sandbox.fault { times = 2, code = 500 }
            local n = 60
            local seen = {}
            local got = 0
            for i, data, meta in c:each(requests(n), { concurrency = 8 }) do
                assert.is_nil(seen[i], "request " .. i .. " yielded twice")
                seen[i] = data ~= nil and "ok" or meta.kind
                if data == nil then assert.is_true(errors.is_error(meta)) end
                got = got + 1
            end
            assert.equal(n, got)
            local by = {}
            for i = 1, n do
                assert.is_not_nil(seen[i], "no outcome for request " .. i)
                by[seen[i]] = (by[seen[i]] or 0) + 1
            end
            -- Not retried (billing unknown): the 2 timeouts, 2 dropped connections, 2 truncated bodies.
            assert.equal(2, by.timeout)
            assert.equal(2, by.network)
            assert.equal(2, by.bad_response)
            assert.equal(n - 6, by.ok)
            local s = c:stats()
            assert.equal(n - 6, s.succeeded)
            assert.equal(6, s.failed)
            assert.equal(7, s.retried) -- 3 x 301, 2 x HTTP 500, 2 x code 500
            assert.equal(n + 7, s.sent)
            assert.equal(s.sent, sandbox.stats().requests)
        end)

        it("fails the unsent requests with budget_exceeded when max_calls runs out mid-batch", function()
            local c = new_client { max_calls = 10 }
            sandbox.fault { times = 1, delay = 0 }
            sandbox.fault { times = 2, code = 301 } -- two attempts are spent on retries
            local results = c:batch(requests(25), { concurrency = 4 })
            check_shape(results, 25)
            local ok, over, with_previous = 0, 0, 0
            for _, r in ipairs(results) do
                if r.data then
                    ok = ok + 1
                else
                    assert.equal("budget_exceeded", r.err.kind)
                    assert.is_false(r.err.billed)
                    over = over + 1
                    if r.err.previous then
                        assert.equal("collection_failed", r.err.previous.kind)
                        with_previous = with_previous + 1
                    end
                end
            end
            assert.equal(8, ok)
            assert.equal(17, over)
            assert.is_true(with_previous <= 2)
            assert.equal(10, sandbox.stats().requests)
            local s = c:stats()
            assert.equal(10, s.sent)
            assert.equal(8, s.succeeded)
            assert.equal(17, s.failed)
            assert.equal(17, s.failed_by_kind.budget_exceeded)
        end)

        it("stops at the first account-level failure: 10,000 requests against an exhausted balance cost one", function()
            sandbox.fault { code = 601, times = 100000 }
            local c = new_client()
            local results = c:batch(requests(10000), { concurrency = 32 })
            check_shape(results, 10000)
            local sent, skipped = 0, 0
            for _, r in ipairs(results) do
                assert.equal("insufficient_balance", r.err.kind)
                assert.is_false(r.err.billed)
                if r.err.skipped then
                    skipped = skipped + 1
                    assert.equal(0, r.err.attempts)
                    assert.equal(601, r.err.code)
                else
                    sent = sent + 1
                end
            end
            assert.equal(1, sent)
            assert.equal(9999, skipped)
            assert.equal(1, sandbox.stats().requests)
            local s = c:stats()
            assert.equal(1, s.sent)
            assert.equal(10000, s.failed_by_kind.insufficient_balance)
        end)

        it("lets transfers in flight finish after an account-level failure, sends nothing more", function()
            local c = new_client()
            sandbox.fault { times = 1, delay = 0 }    -- the probe: the account works
            sandbox.fault { times = 1, code = 303 }  -- then the daily quota runs out
            sandbox.fault { times = 7, delay = 0.2 } -- the other transfers in flight answer normally, later
            local results = c:batch(requests(100), { concurrency = 8 })
            check_shape(results, 100)
            local ok, quota, skipped = 0, 0, 0
            for _, r in ipairs(results) do
                if r.data then
                    ok = ok + 1
                elseif r.err.skipped then
                    assert.equal("quota_exceeded", r.err.kind)
                    assert.is_false(r.err.billed)
                    skipped = skipped + 1
                else
                    assert.equal("quota_exceeded", r.err.kind)
                    quota = quota + 1
                end
            end
            assert.equal(1, quota)
            assert.equal(9, sandbox.stats().requests) -- the probe, then the 8 slots' transfers
            assert.equal(8, ok)
            assert.equal(91, skipped)
        end)
    end)

    describe("client:each", function()
        it("streams an iterator lazily, holding about concurrency requests", function()
            local c = new_client()
            local pulled, delivered, ahead = 0, 0, 0
            local function source()
                if pulled == 300 then return nil end
                pulled = pulled + 1
                if pulled - delivered > ahead then ahead = pulled - delivered end
                return td(pulled)
            end
            local seen = {}
            local progress = {}
            for i, data, meta in c:each(source, { concurrency = 8,
                on_progress = function(done, total, failed) progress[#progress + 1] = { done, total, failed } end }) do
                assert.is_nil(seen[i])
                assert.is_not_nil(data, tostring(meta))
                seen[i] = true
                delivered = delivered + 1
            end
            assert.equal(300, delivered)
            for i = 1, 300 do assert.is_true(seen[i]) end
            assert.is_true(ahead <= 2 * 8 + 1, "pulled " .. ahead .. " ahead")
            assert.equal(300, #progress)
            assert.same({ 300, nil, 0 }, progress[300])
        end)

        it("collects an iterator into batch results", function()
            local c = new_client()
            local i = 0
            local results = c:batch(function()
                i = i + 1
                if i <= 20 then return td(i) end
            end, { concurrency = 4 })
            check_shape(results, 20)
        end)

        it("finishes what it pulled, then raises, when an iterator yields a bad request", function()
            local c = new_client()
            local i = 0
            local function source()
                i = i + 1
                if i == 50 then return { "touch_distribution", { o_author_id = "abc" } } end
                if i < 100 then return td(i) end
            end
            util.full_gc() -- earlier tests' garbage (clients with open connections) is not this test's
            local fds = util.fd_count()
            local seen = 0
            local ok, err = pcall(function()
                for k, data in c:each(source, { concurrency = 8 }) do
                    assert.is_true(k < 50)
                    assert.is_not_nil(data)
                    seen = seen + 1
                end
            end)
            assert.is_false(ok)
            assert.matches("xingtu.each: request 50: xingtu.touch_distribution: parameter o_author_id must be a string"
                .. " of digits", err, 1, true)
            assert.equal(49, seen)
            assert.equal(49, sandbox.stats().requests)
            assert.equal(50, i) -- nothing pulled after the bad one
            util.full_gc()
            assert.equal(fds, util.fd_count())
        end)

        it("finishes what it pulled, then raises the iterator's own error when the iterator fails", function()
            local c = new_client()
            local i = 0
            local boom = { "the source broke" }
            local function source()
                i = i + 1
                if i == 20 then error(boom) end
                return td(i)
            end
            local seen = 0
            local ok, err = pcall(function()
                for _, data in c:each(source, { concurrency = 8 }) do
                    assert.is_not_nil(data)
                    seen = seen + 1
                end
            end)
            assert.is_false(ok)
            assert.equal(boom, err) -- the very value it raised
            assert.equal(19, seen)
            assert.equal(19, sandbox.stats().requests)
            assert.equal(20, i)
        end)

        it("reports progress with the total of an array and the failures so far", function()
            local c = new_client()
            sandbox.fault { times = 1, delay = 0 }
            sandbox.fault { times = 2, code = 201 }
            local calls = {}
            c:batch(requests(10), { concurrency = 2,
                on_progress = function(...) calls[#calls + 1] = { ... } end })
            assert.equal(10, #calls)
            for k, call in ipairs(calls) do
                assert.equal(k, call[1])
                assert.equal(10, call[2])
            end
            assert.equal(2, calls[10][3])
        end)

        it("does not hold a slot while a request waits for its retry", function()
            -- One slot; the first request meets a 301 and waits 0.4 s (longer where everything is slower, so that
            -- the other 19 still fit in the wait): the other 19 go through that slot meanwhile.
            local c = new_client { backoff_base = 0.4 * util.slowdown(), random = function() return 1 end }
            sandbox.fault { times = 1, code = 301 }
            local order = {}
            local t0 = require("xingtu.core").now()
            for i, data in c:each(requests(20), { concurrency = 1 }) do
                assert.is_not_nil(data)
                order[#order + 1] = i
            end
            local dt = require("xingtu.core").now() - t0
            assert.equal(20, #order)
            assert.equal(1, order[20])
            assert.is_true(dt >= 0.4)
            assert.equal(21, sandbox.stats().requests)
        end)

        it("lets the others complete while one transfer is slow", function()
            local c = new_client()
            sandbox.fault { times = 1, delay = 0 }
            -- Long enough for the other 39 to finish first, also under valgrind.
            sandbox.fault { times = 1, delay = 0.5 * util.slowdown() }
            local order = {}
            for i, data in c:each(requests(40), { concurrency = 4 }) do
                assert.is_not_nil(data)
                order[#order + 1] = i
            end
            assert.equal(40, #order)
            assert.equal(1, order[1]) -- the slow-start probe
            -- The slow one is one of the four sent after the probe, and it arrives last.
            assert.is_true(order[40] >= 2 and order[40] <= 5, "last: " .. order[40])
        end)

        it("paces by the client's rate without blocking the transfers in flight", function()
            local c = new_client { rate = 50, burst = 1 }
            local core = require "xingtu.core"
            local t0 = core.now()
            local results = c:batch(requests(11), { concurrency = 4 })
            local dt = core.now() - t0
            check_shape(results, 11)
            for _, r in ipairs(results) do assert.is_nil(r.err) end
            assert.is_true(dt >= 0.19, "took " .. dt)
            assert.is_true(dt < 1.5, "took " .. dt)
        end)

        it("opens at most concurrency connections and reuses them", function()
            local c = new_client()
            local results = c:batch(requests(400), { concurrency = 8 })
            check_shape(results, 400)
            local st = sandbox.stats()
            assert.equal(400, st.requests)
            assert.is_true(st.connections <= 8, st.connections .. " connections")
        end)

        it("cancels the rest on break or on an error in the loop, leaking nothing", function()
            local c = new_client()
            sandbox.config { latency = 0.02 }
            local function round(how)
                local n = 0
                local ok, err = pcall(function()
                    for _ in c:each(requests(40), { concurrency = 8 }) do
                        n = n + 1
                        if n == 3 then
                            if how == "break" then break end
                            error("raised in the loop", 0)
                        end
                    end
                end)
                if how == "break" then assert.is_true(ok) else assert.equal("raised in the loop", err) end
                assert.equal(3, n)
            end
            local function abandon()
                -- Not a generic for: nothing closes it but the garbage collector.
                local iter, state = c:each(requests(40), { concurrency = 8 })
                assert.is_not_nil(iter(state))
            end
            for _ = 1, 5 do round("break"); round("error"); abandon() end
            util.full_gc()
            local fds, heap, rss = util.fd_count(), collectgarbage("count"), util.rss_kb()
            sandbox.reset()
            sandbox.config { latency = 0.02 }
            for _ = 1, 40 do round("break"); round("error"); abandon() end
            util.full_gc()
            assert.equal(fds, util.fd_count())
            assert.is_true(collectgarbage("count") - heap < 256, "heap grew " .. (collectgarbage("count") - heap))
            -- Under AddressSanitizer freed memory waits in its quarantine, so RSS says nothing there; the heap and
            -- fd checks above and ASan's own reports do.
            if os.getenv("XINGTU_SANITIZED") ~= "1" then
                assert.is_true(util.rss_kb() - rss < 4096, "RSS grew " .. (util.rss_kb() - rss) .. " kB")
            end
            -- Each round sent the probe, 8 and the 8 refills at most, never the whole 40.
            assert.is_true(sandbox.stats().requests <= 120 * 17, sandbox.stats().requests .. " requests")
            -- The client still works.
            assert.is_not_nil(c:touch_distribution { o_author_id = "1" })
        end)

        it("answers cached requests from the cache, sending only the others", function()
            local cache = require "xingtu.cache"
            local backend = cache.memory()
            local c = new_client { cache = cache.new { backend = backend } }
            check_shape(c:batch(requests(10), { concurrency = 4 }), 10)
            assert.equal(10, sandbox.stats().requests)
            local results = c:batch(requests(15), { concurrency = 4 })
            check_shape(results, 15)
            assert.equal(15, sandbox.stats().requests)
            for i, r in ipairs(results) do
                assert.is_nil(r.err)
                assert.equal(i <= 10 or nil, r.meta.cached)
            end
            -- Offline, a miss is that request's failure; the hits still come back.
            local offline = new_client { cache = cache.new { backend = backend }, offline = true }
            results = offline:batch(requests(16), { concurrency = 4 })
            check_shape(results, 16)
            assert.equal("cache_miss", results[16].err.kind)
            assert.is_true(results[10].meta.cached)
            assert.equal(15, sandbox.stats().requests)
            -- After an account-level stop, cache hits are still answered: they send nothing.
            sandbox.fault { code = 601, times = 100 }
            local reqs = requests(20)
            table.insert(reqs, 1, td(16))
            results = c:batch(reqs, { concurrency = 4 })
            check_shape(results, 21)
            assert.equal("insufficient_balance", results[1].err.kind)
            assert.is_nil(results[1].err.skipped)
            for i = 2, 16 do assert.is_true(results[i].meta.cached) end
            -- 17 asks for the answer 1 failed with: it shares that failure (coalesced), the rest are skipped.
            assert.equal("insufficient_balance", results[17].err.kind)
            assert.is_true(results[17].err.coalesced)
            for i = 18, 21 do assert.is_true(results[i].err.skipped) end
            assert.equal(16, sandbox.stats().requests)
        end)

        it("runs over a table transport without multi() one transfer at a time, never bypassing it", function()
            local t = fake.transport { fake.ok({ n = 1 }), fake.code(301), fake.ok({ n = 2 }) }
            local c = xingtu.new { token = "tok", transport = t, sleep = function() end, random = function()
                return 0 end }
            local results = c:batch(requests(3), { concurrency = 4 })
            check_shape(results, 3)
            assert.equal(4, t:count())
            for _, r in ipairs(results) do assert.is_nil(r.err) end
        end)
    end)
end)
