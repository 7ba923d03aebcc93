-- Coalescing in one process: requests for the same answer that overlap in time send one request, and every caller
-- gets its own copy of the outcome (meta.coalesced = true on those that sent nothing).

local xingtu = require "xingtu"
local fake = require "helpers.fake"
local sandbox = require "helpers.sandbox"

local AUTHOR = "6976442543234760712"

local function same(n, params)
    local reqs = {}
    for i = 1, n do reqs[i] = { "touch_distribution", params or { o_author_id = AUTHOR } } end
    return reqs
end

describe("coalescing", function()
    describe("in a batch", function()
        it("sends one request for ten identical ones, and every caller owns its copy", function()
            local t = fake.transport { fake.ok({ list = { 1, 2, 3 } }) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local results = c:batch(same(10))
            assert.equal(1, t:count())
            local senders = 0
            for i = 1, 10 do
                local r = results[i]
                assert.same({ 1, 2, 3 }, r.data.list)
                if r.meta.coalesced then
                    assert.equal(0, r.meta.attempts)
                    assert.are_not.equal(results[1].data, r.data)
                    assert.are_not.equal(results[1].data.list, r.data.list)
                else
                    senders = senders + 1
                end
            end
            assert.equal(1, senders)
            results[2].data.list[1] = "changed"
            assert.equal(1, results[3].data.list[1])
            local s = c:stats()
            assert.equal(1, s.sent)
            assert.equal(9, s.coalesced)
            assert.equal(1, s.billed)
        end)

        it("keeps coalescing over 3,000 distinct requests, with the table of finished keys bounded", function()
            local t = fake.transport { fake.ok({ fine = true }) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local reqs = {}
            for i = 1, 3000 do
                local params = { o_author_id = tostring(1000000 + i) }
                reqs[2 * i - 1] = { "touch_distribution", params }
                reqs[2 * i] = { "touch_distribution", params }
            end
            local results = c:batch(reqs, { concurrency = 8 })
            assert.equal(3000, t:count())
            for i = 1, 6000 do assert.is_true(results[i].data.fine) end
            local s = c:stats()
            assert.equal(3000, s.sent)
            assert.equal(3000, s.coalesced)
            local keys = 0
            for _, group in pairs(c.pipeline.inflight) do
                assert.is_false(group) -- nothing in flight once the batch ended
                keys = keys + 1
            end
            assert.is_true(keys <= 1024, keys .. " finished keys kept")
            -- a key released before leads again, and its duplicates follow it
            local again = c:batch(same(3, { o_author_id = "1000001" }))
            assert.equal(3001, t:count())
            assert.equal(3002, c:stats().coalesced)
            for i = 1, 3 do assert.is_true(again[i].data.fine) end
        end)

        it("treats a default given explicitly and one left out as the same answer", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local results = c:batch {
                { "touch_distribution", { o_author_id = AUTHOR } },
                { "touch_distribution", { oAuthorId = AUTHOR } },
            }
            assert.equal(1, t:count())
            assert.is_true(results[2].meta.coalesced)
        end)

        it("sends requests that differ in a parameter apart", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            c:batch {
                { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "2" } },
                { "touch_distribution", { o_author_id = "1" } },
            }
            assert.equal(2, t:count())
            assert.equal(1, c:stats().coalesced)
        end)

        it("shares a failure: a not_found is bought once", function()
            local t = fake.transport { fake.code(201) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local results = c:batch(same(5))
            assert.equal(1, t:count())
            for i = 1, 5 do assert.equal("not_found", results[i].err.kind) end
            local coalesced = 0
            for i = 1, 5 do if results[i].err.coalesced then coalesced = coalesced + 1 end end
            assert.equal(4, coalesced)
            local s = c:stats()
            assert.equal(5, s.failed)
            assert.equal(5, s.failed_by_kind.not_found)
            assert.equal(1, s.billed)
        end)

        it("gives a waiter whose own deadline passed its own timeout", function()
            local clock = fake.clock()
            local t = fake.transport { function()
                clock.advance(3)
                return fake.ok({})
            end }
            local c = xingtu.new { token = "secret-token-123456", transport = t, clock = clock.now,
                sleep = clock.sleep, deadline = 5 }
            -- All four are taken in at once, the first goes alone (slow start); the third then leads the fourth
            -- from 3 s later than the fourth's own clock started, and answers after its deadline.
            local results = c:batch({
                { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "3" } },
                { "touch_distribution", { o_author_id = "2" } },
                { "touch_distribution", { o_author_id = "2" } },
            }, { concurrency = 2 })
            assert.equal(3, t:count())
            for i = 1, 3 do assert.is_truthy(results[i].data, i) end
            assert.equal("timeout", results[4].err.kind)
            assert.is_true(results[4].err.coalesced)
            assert.is_true(results[4].err.deadline_exceeded)
            assert.is_false(results[4].err.billed)
        end)

        it("frees the keys of a batch left by a break: the next batch coalesces them again", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local seen = 0
            -- the first goes alone (slow start): at the break the second leads a key it never sent
            for _ in c:each({ { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "2" } }, { "touch_distribution", { o_author_id = "2" } } },
                { concurrency = 1 }) do
                seen = seen + 1
                if seen == 1 then break end
            end
            assert.equal(1, t:count())
            local results = c:batch(same(3, { o_author_id = "2" }))
            assert.equal(2, t:count())
            assert.is_true(results[3].meta.coalesced)
        end)
    end)

    describe("with a shared lock", function()
        it("hands the answer another process kept just before the lock was taken to the duplicates waiting", function()
            local stores = require "helpers.stores"
            local dir = os.tmpname()
            os.remove(dir)
            local lock = stores.lock()
            -- Another process buys and keeps the answer after this one missed the cache and before its lock.
            local acquire, other_went = lock.acquire, false
            lock.acquire = function(self, key, ttl)
                if not other_went then
                    other_went = true
                    local other = xingtu.new { token = "secret-token-123456", cache = dir,
                        transport = fake.transport { fake.ok({ from = "other" }) } }
                    assert(other:touch_distribution { o_author_id = AUTHOR })
                end
                return acquire(self, key, ttl)
            end
            local mine = fake.transport { fake.ok({ from = "mine" }) }
            local c = xingtu.new { token = "secret-token-123456", transport = mine, cache = dir, lock = lock }
            local results = c:batch(same(3))
            assert.equal(0, mine:count())
            for i = 1, 3 do assert.equal("other", results[i].data.from, i) end
            assert.is_true(results[2].meta.coalesced)
            assert.is_true(results[3].meta.coalesced)
            os.execute("rm -rf '" .. dir .. "'")
        end)
    end)

    describe("duplicates far apart in a batch's input", function()
        -- ids: "1", then `gap` other ids, then "1" again, with concurrency 2: the first "1" has its answer long before
        -- its duplicate is taken in, so only the kept outcome can spare the second request.
        local function far(gap, first)
            local reqs = { { "touch_distribution", { o_author_id = first or "1" } } }
            for i = 1, gap do reqs[#reqs + 1] = { "touch_distribution", { o_author_id = tostring(100 + i) } } end
            reqs[#reqs + 1] = { "touch_distribution", { o_author_id = first or "1" } }
            return reqs
        end

        it("answer a duplicate 50 requests after its first with the first one's answer, sending nothing", function()
            local t = fake.transport { fake.ok({ list = { 1, 2, 3 } }) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local results = c:batch(far(50), { concurrency = 2 })
            assert.equal(51, t:count())
            local last = results[52]
            assert.is_true(last.meta.coalesced)
            assert.equal(0, last.meta.attempts)
            assert.is_nil(results[1].meta.coalesced)
            assert.same(results[1].data, last.data)
            assert.are_not.equal(results[1].data, last.data)
            results[1].data.list[1] = "changed"
            assert.equal(1, last.data.list[1])
            assert.equal(1, c:stats().coalesced)
        end)

        it("share a not_found: it is bought once however far apart its duplicates stand", function()
            local t = fake.transport { function(url)
                if url:find("oAuthorId=1&", 1, true) or url:find("oAuthorId=1$") then return fake.code(201) end
                return fake.ok({})
            end }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local reqs = far(30)
            for _ = 1, 3 do reqs[#reqs + 1] = { "touch_distribution", { o_author_id = "1" } } end
            local results = c:batch(reqs, { concurrency = 2 })
            assert.equal(31, t:count())
            assert.equal("not_found", results[1].err.kind)
            for i = 32, 35 do
                assert.equal("not_found", results[i].err.kind, i)
                assert.is_true(results[i].err.coalesced, i)
                assert.equal(0, results[i].err.attempts, i)
            end
            local s = c:stats()
            assert.equal(4, s.coalesced)
            assert.equal(5, s.failed_by_kind.not_found)
            assert.equal(31, s.billed)
        end)

        it("send a duplicate whose first sent nothing (the spend guard stopped it): its circumstance, not its answer",
            function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t, max_calls = 1 }
            local results = c:batch({
                { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "2" } },
                { "touch_distribution", { o_author_id = "3" } },
                { "touch_distribution", { o_author_id = "2" } },
            }, { concurrency = 1 })
            assert.equal(1, t:count())
            assert.equal("budget_exceeded", results[2].err.kind)
            assert.equal("budget_exceeded", results[4].err.kind)
            assert.is_nil(results[4].err.coalesced)
        end)

        it("send a duplicate whose first was refused by the spend guard on its retry: that refusal is not kept",
            function()
            local clock = fake.clock()
            -- "1" fails and waits for its retry while "101" is sent (and takes its time): then max_calls is spent
            local t = fake.transport { fake.code(500, 500), function()
                clock.advance(10)
                return fake.ok({})
            end }
            local c = xingtu.new { token = "secret-token-123456", transport = t, max_calls = 2, clock = clock.now,
                sleep = clock.sleep }
            local results = c:batch(far(3), { concurrency = 1 })
            assert.equal(2, t:count())
            assert.is_truthy(results[2].data)
            assert.equal("budget_exceeded", results[1].err.kind)
            assert.equal(1, results[1].err.attempts)
            assert.equal("budget_exceeded", results[5].err.kind)
            assert.is_nil(results[5].err.coalesced)
            assert.equal(0, c:stats().coalesced)
        end)

        it("are answered from what the first kept in an each over an array, in any order of completion", function()
            local t = fake.transport { fake.ok({ n = 1 }) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local reqs = {}
            for i = 1, 60 do reqs[i] = { "touch_distribution", { o_author_id = tostring(i % 20 + 1) } } end
            local seen, coalesced = {}, 0
            for i, data, meta in c:each(reqs, { concurrency = 3 }) do
                assert.equal(1, data.n)
                seen[i] = true
                if meta.coalesced then coalesced = coalesced + 1 end
            end
            for i = 1, 60 do assert.is_true(seen[i], i) end
            assert.equal(20, t:count())
            assert.equal(40, coalesced)
            assert.equal(40, c:stats().coalesced)
        end)

        it("are kept only until the last one took its copy: memory follows their distance, not the batch's length",
            function()
            local body = {}
            for i = 1, 100 do body[i] = { name = "touchpoint " .. i, share = i / 100, level = { 1, 2, 3 } } end
            local c = xingtu.new { token = "secret-token-123456", transport = fake.transport { fake.ok({ list = body }) } }
            -- 1,000 requests: blocks of `distance` ids, each block followed by the same block again.
            local function peak_of(distance)
                local reqs = {}
                for b = 0, 1000 / (2 * distance) - 1 do
                    for _ = 1, 2 do
                        for j = 1, distance do
                            reqs[#reqs + 1] = { "touch_distribution", { o_author_id = tostring(b * distance + j) } }
                        end
                    end
                end
                collectgarbage()
                collectgarbage()
                local base, peak, n = collectgarbage("count"), 0, 0
                for _ in c:each(reqs, { concurrency = 4 }) do
                    n = n + 1
                    if n % 50 == 0 then
                        collectgarbage()
                        peak = math.max(peak, collectgarbage("count") - base)
                    end
                end
                reqs = nil -- luacheck: ignore 311 (the input goes too: what is left is what the batch kept)
                collectgarbage()
                collectgarbage()
                return peak, collectgarbage("count") - base
            end
            local close, close_after = peak_of(10)
            local apart, apart_after = peak_of(250)
            assert.equal(1000, c:stats().coalesced)
            -- some 250 answers kept at the peak 250 apart, some 10 at 10 apart (the input and its checked queries,
            -- the same in both, come on top)
            assert.is_true(apart > 8 * close, ("peak %.0f KB (250 apart) vs %.0f KB (10 apart)"):format(apart, close))
            assert.is_true(close_after < 100 and apart_after < 100, ("left %.0f KB and %.0f KB"):format(close_after,
                apart_after))
        end)

        it("leave nothing kept once the batch ended: the next batch buys the answer again, cache off", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            c:batch(far(5), { concurrency = 1 })
            assert.equal(6, t:count())
            local results = c:batch(same(1, { o_author_id = "1" }))
            assert.equal(7, t:count())
            assert.is_nil(results[1].meta.coalesced)
        end)

        it("a break in an each drops what it kept: a batch after it sends its own requests", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            for i in c:each(far(10), { concurrency = 1 }) do
                if i == 5 then break end
            end
            local sent = t:count()
            c:batch(same(2, { o_author_id = "1" }))
            assert.equal(sent + 1, t:count())
        end)
    end)

    describe("against the sandbox", function()
        setup(function() sandbox.start() end)
        before_each(function() sandbox.reset() end)

        -- 200 distinct creators, each twice, shuffled through the input (a fixed seed: the same input every run).
        local function spread(seed)
            local reqs = {}
            for i = 1, 200 do
                local id = ("73000000000000%05d"):format(i) -- a string: LuaJIT has no integers this large
                reqs[#reqs + 1] = { "touch_distribution", { o_author_id = id } }
                reqs[#reqs + 1] = { "touch_distribution", { o_author_id = id } }
            end
            local state = seed
            for i = #reqs, 2, -1 do
                state = (state * 1103515245 + 12345) % 2147483648
                local j = state % i + 1
                reqs[i], reqs[j] = reqs[j], reqs[i]
            end
            return reqs
        end

        local function check_pairs(results, reqs)
            local first, coalesced = {}, 0
            for i = 1, #reqs do
                local r = results[i]
                assert.is_truthy(r.data, i)
                local id = reqs[i][2].o_author_id
                if first[id] then
                    assert.same(first[id], r.data)
                    if r.meta.coalesced then coalesced = coalesced + 1 end
                else
                    first[id] = r.data
                end
            end
            return coalesced
        end

        it("a batch of 400 requests with 200 duplicates spread through the input sends 200 requests, cache off",
            function()
            local c = xingtu.new { token = sandbox.token, base_url = sandbox.url }
            local reqs = spread(12)
            local results = c:batch(reqs, { concurrency = 16 })
            assert.equal(200, sandbox.stats().requests)
            assert.equal(200, check_pairs(results, reqs))
            local s = c:stats()
            assert.equal(200, s.sent)
            assert.equal(200, s.coalesced)
            assert.equal(200, s.billed)
            c:close()
        end)

        it("the same batch with the cache on sends 200 requests, and nothing is bought again after it", function()
            local dir = os.tmpname()
            os.remove(dir)
            local c = xingtu.new { token = sandbox.token, base_url = sandbox.url, cache = dir }
            local reqs = spread(34)
            local results = c:batch(reqs, { concurrency = 16 })
            assert.equal(200, sandbox.stats().requests)
            check_pairs(results, reqs)
            local s = c:stats()
            assert.equal(200, s.coalesced + s.cache_hits)
            c:batch(spread(56), { concurrency = 16 })
            assert.equal(200, sandbox.stats().requests)
            c:close()
            os.execute("rm -rf '" .. dir .. "'")
        end)

        it("buys ten identical touch_distribution requests of a cached batch once", function()
            local dir = os.tmpname()
            os.remove(dir)
            local c = xingtu.new { token = sandbox.token, base_url = sandbox.url, cache = dir }
            local results = c:batch(same(10))
            for i = 1, 10 do assert.is_truthy(results[i].data, i) end
            assert.equal(1, sandbox.stats().requests)
            -- and once it is kept, the cache answers the next ones
            assert(c:touch_distribution { o_author_id = AUTHOR })
            assert.equal(1, sandbox.stats().requests)
            os.execute("rm -rf '" .. dir .. "'")
        end)
    end)
end)
